import { existsSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, sep } from 'node:path'
import type { Blame, Frame, Thread } from './analysis.js'

/** Runtime, C++ terminate and sanitizer machinery that a human reads past. */
const MACHINERY_FUNCTION =
  /^(__GI_|__libc_|__pthread_kill|pthread_kill|raise$|abort$|__assert_fail|__assert_perror_fail|__stack_chk_fail|__fortify_fail|__chk_fail|__cxa_|__cxxabiv1::|__gnu_cxx::__verbose_terminate_handler|std::terminate|_Unwind_|__sanitizer::|__asan::|__asan_|__ubsan::|__ubsan_|__tsan::|__tsan_|__lsan::|__msan::|__interceptor_|___interceptor_|start_thread$|clone3?$|_start$|__clone)/

/** Libraries whose frames are never the project's code. */
const MACHINERY_OBJFILE =
  /^(libc\.so|libc-|ld-linux|ld-musl|libstdc\+\+|libc\+\+|libc\+\+abi|libgcc_s|libasan|libubsan|libtsan|liblsan|libmsan|libhwasan|libpthread|libm\.so|libdl\.so|linux-vdso|linux-gate)/

/** Folders of vendored code inside a workspace: their frames are not the project's own. */
export const VENDORED_DIRS = [
  '_deps',
  'third_party',
  'external',
  'vcpkg_installed',
  '.conan',
  'googletest'
]

/** How blame is chosen for one project. */
export interface BlameOptions {
  /** The workspace, already resolved with realpath. */
  workspace: string
  /** The `skip-frames` input: project helpers (panic, watchdog) to look past. */
  skipFrames: RegExp | null
  /**
   * Where the sources are when the build was made elsewhere (the local command's --source-dir,
   * which is then the workspace too): a source path that does not exist is looked for there
   * by its longest tail that does (`/__w/app/app/src/x.c` → `<dir>/src/x.c`).
   */
  sourceDir?: string | null
}

/** Resolves paths once per analysis; gdb repeats the same few files many times. */
export class SourceResolver {
  private readonly cache = new Map<string, string | null>()

  constructor(private readonly options: BlameOptions) {}

  /**
   * The path relative to the workspace when `path` is the project's own source: absolute (a
   * relative DWARF name like `./nptl/...` is never resolved against the workspace), existing
   * after realpath, under the workspace and outside vendored folders. Null otherwise.
   */
  projectPath(path: string | null): string | null {
    if (!path || !isAbsolute(path)) return null
    const cached = this.cache.get(path)
    if (cached !== undefined) return cached
    const moved = this.options.sourceDir ? this.relocated(path) : null
    if (moved) path = moved
    let result: string | null = null
    try {
      const real = realpathSync(path)
      const rel = relative(this.options.workspace, real)
      const parts = rel.split(sep)
      if (
        rel !== '' &&
        !rel.startsWith('..') &&
        !isAbsolute(rel) &&
        !parts.some((part) => VENDORED_DIRS.includes(part)) &&
        statSync(real).isFile()
      ) {
        result = parts.join('/')
      }
    } catch {
      result = null
    }
    this.cache.set(path, result)
    return result
  }

  /** A path of the build, missing here, found under sourceDir by its longest existing tail. */
  private relocated(path: string): string | null {
    if (existsSync(path)) return null
    const parts = path.split('/').filter(Boolean)
    for (let i = 0; i < parts.length; i++) {
      const candidate = join(this.options.sourceDir!, ...parts.slice(i))
      if (parts.slice(i).includes('..')) return null
      try {
        if (statSync(candidate).isFile()) return candidate
      } catch {
        // a shorter tail
      }
    }
    return null
  }
}

function basename(path: string | null): string {
  return path ? (path.split('/').pop() ?? '') : ''
}

/** True for frames a maintainer reads past: runtime machinery and the project's skip-frames. */
export function isMachinery(frame: Frame, skipFrames: RegExp | null): boolean {
  if (frame.signalHandler) return true
  if (frame.function && MACHINERY_FUNCTION.test(frame.function)) return true
  if (frame.function && skipFrames?.test(frame.function)) return true
  return false
}

/** True for frames in the C library, the loader, the C++ runtime or a sanitizer runtime. */
export function isRuntimeLibrary(frame: Frame): boolean {
  return MACHINERY_OBJFILE.test(basename(frame.objfile))
}

/**
 * Picks the frame to blame in the crashing thread: the first frame, innermost first, whose
 * source line lies in the project; failing that, whose function is declared in the project
 * (optimised C++ can put a user frame's line in a library header); failing that, the first frame
 * outside runtime libraries, or frame 0, without a file.
 */
export function chooseBlame(
  thread: Thread | null,
  resolver: SourceResolver,
  skipFrames: RegExp | null
): Blame | null {
  if (!thread || thread.frames.length === 0) return null
  for (const frame of thread.frames) {
    if (isMachinery(frame, skipFrames)) continue
    const path = frame.projectPath ?? resolver.projectPath(frame.fullname)
    if (path && frame.line !== null) return { frame, path, line: frame.line, kind: 'line' }
    const declared = resolver.projectPath(frame.functionFile)
    if (declared && frame.functionLine !== null) {
      return { frame, path: declared, line: frame.functionLine, kind: 'function' }
    }
  }
  const outside = thread.frames.find(
    (frame) => !isMachinery(frame, skipFrames) && !isRuntimeLibrary(frame)
  )
  return { frame: outside ?? thread.frames[0]!, path: null, line: null, kind: 'none' }
}
