import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  BlobClient,
  StringValue,
  getBackendIdsFromToken,
  getConcurrency,
  getExpiration,
  getUploadChunkSize,
  getUploadChunkTimeout,
  internalArtifactTwirpClient,
  require_archiver,
  validateArtifactName,
  validateFilePath
} from "./chunk-J6HPCU73.js";
import {
  artifactUrl
} from "./chunk-PUNQGZOI.js";
import "./chunk-P4LTKOHG.js";
import {
  debug
} from "./chunk-PA6W4IJO.js";
import {
  __toESM
} from "./chunk-VA35IVHB.js";

// src/upload/artifact-stream.ts
import { createHash, randomUUID } from "node:crypto";
import { relative } from "node:path";
var import_archiver = __toESM(require_archiver(), 1);
function artifactNames(name) {
  return [1, 2, 3, 4, 5].map((attempt) => attempt === 1 ? name : `${name}-${attempt}`);
}
function isNameTaken(error) {
  return /\(409\)|already exists/i.test(error.message);
}
var ArtifactStream = class {
  constructor(root, options) {
    this.root = root;
    this.options = options;
    const chunk = getUploadChunkSize();
    this.zip = import_archiver.default.create("zip", {
      highWaterMark: chunk,
      zlib: { level: options.compressionLevel ?? 6 }
    });
    this.zip.on("warning", (error) => this.fail(error));
    this.zip.on("error", (error) => this.fail(error));
    this.givenUp = new Promise(
      (_, reject) => this.abortion.signal.addEventListener("abort", () => reject(this.failure), { once: true })
    );
    this.givenUp.catch(() => void 0);
    this.upload = this.start(chunk);
    this.upload.catch(() => void 0);
  }
  root;
  options;
  zip;
  hash = createHash("sha256");
  size = 0;
  lastProgress = Date.now();
  abortion = new AbortController();
  /** Rejects when the upload is given up: what it awaits (an answer, the zip's next file) may not. */
  givenUp;
  upload;
  failure = null;
  fail(error) {
    this.failure ??= error;
    this.abortion.abort(error);
  }
  /**
   * Adds a file of the bundle, whole and written: the zip reads it when its turn comes. A name
   * @actions/artifact would refuse (characters NTFS cannot hold) gives the upload up, as it does.
   */
  add(path) {
    if (this.abortion.signal.aborted) return;
    try {
      const name = relative(this.root, path);
      validateFilePath(name);
      this.zip.file(path, {
        name,
        ...this.options.compressionLevel === null && name.endsWith(".zst") ? { store: true } : {}
      });
    } catch (error) {
      this.fail(error);
    }
  }
  /** Creates the artifact (another name when the name is taken), then streams the zip into it. */
  async start(chunk) {
    const ids = getBackendIdsFromToken();
    const client = internalArtifactTwirpClient();
    let created = null;
    const names = artifactNames(this.options.name);
    for (const [attempt, name] of names.entries()) {
      validateArtifactName(name);
      const expiresAt = getExpiration(this.options.retentionDays ?? void 0);
      const response = await client.CreateArtifact({
        workflowRunBackendId: ids.workflowRunBackendId,
        workflowJobRunBackendId: ids.workflowJobRunBackendId,
        name,
        mimeType: StringValue.create({ value: "application/zip" }),
        version: 7,
        ...expiresAt ? { expiresAt } : {}
      }).catch((error) => {
        if (attempt === names.length - 1 || !isNameTaken(error)) throw error;
        return null;
      });
      if (!response) continue;
      if (!response.ok) throw new Error("CreateArtifact: response from backend was not ok");
      created = { name, url: response.signedUploadUrl };
      break;
    }
    if (!created) throw new Error("no artifact name was free");
    await this.send(created.url, chunk).catch((error) => {
      this.fail(error);
      throw error;
    });
    return created;
  }
  /**
   * Sends the zip to the blob as it comes, in blocks of `chunk` bytes (up to @actions/artifact's
   * number of them at a time), then commits them; counted and hashed on the way, as
   * FinalizeArtifact gives the size and digest. Not the blob client's uploadStream(): it does not
   * pass its abort signal on to the blocks, so a block the service never answers kept the step's
   * process alive however the upload was given up.
   */
  async send(url, chunk) {
    const blob = new BlobClient(url).getBlockBlobClient();
    const abortSignal = this.abortion.signal;
    const prefix = randomUUID();
    const ids = [];
    const sending = /* @__PURE__ */ new Set();
    const width = getConcurrency();
    const stage = async (block) => {
      const id = Buffer.from(`${prefix}-${String(ids.length).padStart(6, "0")}`).toString("base64");
      ids.push(id);
      const sent = blob.stageBlock(id, block, block.length, { abortSignal }).then(() => {
        this.lastProgress = Date.now();
        sending.delete(sent);
      });
      sent.catch((error) => this.fail(error));
      sending.add(sent);
      if (sending.size >= width) await Promise.race([...sending, this.givenUp]);
    };
    let pending = [];
    let bytes = 0;
    for await (const data of this.zip) {
      if (this.failure) throw this.failure;
      this.hash.update(data);
      this.size += data.length;
      pending.push(data);
      bytes += data.length;
      while (bytes >= chunk) {
        const all = Buffer.concat(pending, bytes);
        await stage(all.subarray(0, chunk));
        pending = bytes > chunk ? [all.subarray(chunk)] : [];
        bytes -= chunk;
      }
    }
    if (this.failure) throw this.failure;
    if (bytes > 0) await stage(Buffer.concat(pending, bytes));
    await Promise.race([Promise.all(sending), this.givenUp]);
    await blob.commitBlockList(ids, {
      blobHTTPHeaders: { blobContentType: "application/zip" },
      abortSignal
    });
  }
  /**
   * Ends the zip and the upload, and finalizes the artifact. An upload that makes no progress for
   * ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS (5 minutes) from here is given up, as @actions/artifact
   * does; the time the analysis took before does not count.
   */
  async finish() {
    const limit = getUploadChunkTimeout();
    this.lastProgress = Date.now();
    const watch = setInterval(
      () => {
        if (Date.now() - this.lastProgress > limit)
          this.fail(new Error("the upload made no progress"));
      },
      Math.min(limit, 1e4)
    );
    try {
      void this.zip.finalize().catch((error) => this.fail(error));
      const created = await Promise.race([this.upload, this.givenUp]);
      const ids = getBackendIdsFromToken();
      const response = await Promise.race([
        internalArtifactTwirpClient().FinalizeArtifact({
          workflowRunBackendId: ids.workflowRunBackendId,
          workflowJobRunBackendId: ids.workflowJobRunBackendId,
          name: created.name,
          size: String(this.size),
          hash: StringValue.create({ value: `sha256:${this.hash.digest("hex")}` })
        }),
        this.givenUp
      ]);
      if (!response.ok) throw new Error("FinalizeArtifact: response from backend was not ok");
      const id = Number(response.artifactId);
      debug(`artifact ${created.name}: id ${id}, ${this.size} bytes`);
      return { id, name: created.name, url: artifactUrl(id), size: this.size };
    } catch (error) {
      const cause = this.failure ?? error;
      this.abort();
      throw cause;
    } finally {
      clearInterval(watch);
    }
  }
  /** Gives the upload up: nothing more is read or sent; the artifact is never finalized. */
  abort() {
    this.fail(new Error("the upload was given up"));
    this.zip.abort();
  }
};
export {
  ArtifactStream
};
