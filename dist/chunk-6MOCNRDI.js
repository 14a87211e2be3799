import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/process.ts
import { spawn } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";
function runCommand(command, args, options = {}) {
  const maxOutput = options.maxOutput ?? 16 * 1024 * 1024;
  return new Promise((resolve) => {
    const stdout = [];
    const stderr = [];
    const kept = { stdout: 0, stderr: 0 };
    let truncated = false;
    let timedOut = false;
    let startError = null;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true
    });
    const collect = (name, into) => (chunk) => {
      const room = maxOutput - kept[name];
      if (room <= 0) {
        truncated = true;
        return;
      }
      if (chunk.length > room) truncated = true;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      into.push(part);
      kept[name] += part.length;
    };
    child.stdout.on("data", collect("stdout", stdout));
    child.stderr.on("data", collect("stderr", stderr));
    child.stdin.on("error", () => void 0);
    child.stdin.end(options.input ?? "");
    const timer = options.timeoutMs === void 0 ? void 0 : setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    child.on("error", (error) => {
      startError = error.message;
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code: startError ? null : code,
        signal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        timedOut,
        truncated,
        startError
      });
    });
  });
}
function killGroup(pid) {
  if (pid === void 0) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
  }
}
function describeFailure(result) {
  if (result.startError) return result.startError;
  if (result.timedOut) return "timed out and was killed";
  const detail = result.stderr.trim().split("\n").slice(-3).join(" ").slice(0, 500);
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
  return detail ? `${how}: ${detail}` : how;
}
async function findProgram(name, path) {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
    }
  }
  return null;
}
function shellQuote(value) {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// src/privilege.ts
var PrivilegeError = class extends Error {
  constructor(what, result) {
    super(`${what} failed: ${describeFailure(result)}`);
    this.name = "PrivilegeError";
  }
};
async function detectPrivilege() {
  if (process.getuid?.() === 0) return "root";
  const probe = await runCommand("sudo", ["-n", "true"], { timeoutMs: 1e4 });
  return probe.code === 0 ? "sudo" : null;
}
async function runAsRoot(privilege, what, command, args, input) {
  const result = privilege === "root" ? await runCommand(command, args, { input, timeoutMs: 6e4 }) : await runCommand("sudo", ["-n", "--", command, ...args], { input, timeoutMs: 6e4 });
  if (result.code !== 0) throw new PrivilegeError(what, result);
  return result;
}
async function writeAsRoot(privilege, path, value) {
  await runAsRoot(privilege, `Writing ${path}`, "tee", [path], value);
}

// src/safe-file.ts
import { constants as constants2, createReadStream, createWriteStream } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
var NotRegularFileError = class extends Error {
  constructor(path, what) {
    super(`${path} is ${what}, not a regular file`);
    this.name = "NotRegularFileError";
  }
};
function describeType(info) {
  if (info.isFIFO()) return "a FIFO";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  if (info.isDirectory()) return "a directory";
  return "not a regular file";
}
async function openRegular(path) {
  let handle;
  try {
    handle = await open(path, constants2.O_RDONLY | constants2.O_NOFOLLOW | constants2.O_NONBLOCK);
  } catch (error) {
    if (error.code === "ELOOP")
      throw new NotRegularFileError(path, "a symbolic link");
    throw error;
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new NotRegularFileError(path, describeType(info));
  }
  return { handle, info };
}
async function copyFromHandle(handle, target) {
  await mkdir(dirname(target), { recursive: true });
  await pipeline(
    createReadStream("", { fd: handle.fd, start: 0, autoClose: false }),
    createWriteStream(target, { flags: "wx", mode: 384 })
  );
}

export {
  runCommand,
  describeFailure,
  findProgram,
  shellQuote,
  detectPrivilege,
  runAsRoot,
  writeAsRoot,
  openRegular,
  copyFromHandle
};
