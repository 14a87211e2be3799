import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  describeFailure,
  runCommand
} from "./chunk-YO6SHF4R.js";

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

export {
  detectPrivilege,
  runAsRoot,
  writeAsRoot
};
