import { constants, createReadStream, createWriteStream, type Stats } from 'node:fs'
import { mkdir, open, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { pipeline } from 'node:stream/promises'

/** A file that is not what it must be to be read: a symlink, a FIFO, a device, a folder. */
export class NotRegularFileError extends Error {
  constructor(path: string, what: string) {
    super(`${path} is ${what}, not a regular file`)
    this.name = 'NotRegularFileError'
  }
}

function describeType(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO'
  if (info.isSocket()) return 'a socket'
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device'
  if (info.isDirectory()) return 'a directory'
  return 'not a regular file'
}

/**
 * Opens a file named by a crash for reading, once: never through a symlink at its last
 * component (O_NOFOLLOW), never blocking on a FIFO (O_NONBLOCK), and only when fstat of that
 * very descriptor says it is a regular file. Whatever is checked afterwards (a build-id) and
 * whatever is copied comes from this descriptor, so a file swapped in between is never used.
 */
export async function openRegular(path: string): Promise<{ handle: FileHandle; info: Stats }> {
  let handle: FileHandle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP')
      throw new NotRegularFileError(path, 'a symbolic link')
    throw error
  }
  const info = await handle.stat()
  if (!info.isFile()) {
    await handle.close()
    throw new NotRegularFileError(path, describeType(info))
  }
  return { handle, info }
}

/**
 * Copies an open file into a new file at `target` (which must not exist: O_EXCL), creating its
 * folder. The handle stays open and is read from offset 0.
 */
export async function copyFromHandle(handle: FileHandle, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true })
  await pipeline(
    createReadStream('', { fd: handle.fd, start: 0, autoClose: false }),
    createWriteStream(target, { flags: 'wx', mode: 0o600 })
  )
}
