// archiver's helpers, bundled in place of `archiver-utils` (scripts/bundle-options.mjs), with one change:
// the artifact's zip writer (archiver, see artifact-stream.ts) reads each file in 1 MiB pieces
// instead of node's default 64 KiB. Every piece goes through the CRC, zip and hash streams and a
// round trip to libuv's thread pool; for a 60 MiB artifact of cores that was about a thousand
// trips and 150 ms of the upload on two CPUs (see the bench).
const fs = require('node:fs')
const lazystream = require('lazystream')
// The package's own file: the bundle's alias is for the bare name only.
const utils = require('archiver-utils/index.js')

/** Bytes of one read of a file the zip writer packs. */
const READ_CHUNK = 1024 * 1024

utils.lazyReadStream = function lazyReadStream(filepath) {
  return new lazystream.Readable(() => fs.createReadStream(filepath, { highWaterMark: READ_CHUNK }))
}
utils.READ_CHUNK = READ_CHUNK

module.exports = utils
