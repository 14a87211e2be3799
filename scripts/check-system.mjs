// Makes sure the system programs the tests and the demo need are here: gdb (to backtrace) and a
// C and C++ compiler (to build the crashing programs). As root with apt-get, it installs what is
// missing; otherwise it names what to install and stops.
import { execFileSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'

const NEEDED = [
  { program: 'gdb', pkg: 'gdb' },
  { program: 'gcc', pkg: 'gcc' },
  { program: 'g++', pkg: 'g++' },
  // The tests run the action as an unprivileged user with passwordless sudo, as GitHub does.
  { program: 'sudo', pkg: 'sudo' },
  // elfutils' eu-unstrip is the reference the ELF reader's tests compare with.
  { program: 'eu-unstrip', pkg: 'elfutils' },
  // A root file system of another Debian release (another libc), for the container tests;
  // it needs its recommended packages (gpg, mount) to build one as root.
  { program: 'mmdebstrap', pkg: 'mmdebstrap', recommends: true },
  // Debian's Docker engine, which the container tests start and stop themselves.
  { program: 'dockerd', pkg: 'docker.io' },
  // musl-gcc builds a program linked against musl, the C library of Alpine.
  { program: 'musl-gcc', pkg: 'musl-tools' },
  // journald, the system log the sanitizers that go on (UBSan, TSan, LSan) copy their reports
  // to; the tests start it when the machine does not run one.
  { program: '/lib/systemd/systemd-journald', pkg: 'systemd' }
]

function found(program) {
  if (program.startsWith('/')) {
    try {
      accessSync(program, constants.X_OK)
      return true
    } catch {
      return false
    }
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    try {
      accessSync(`${dir}/${program}`, constants.X_OK)
      return true
    } catch {
      // next
    }
  }
  return false
}

const missing = NEEDED.filter(({ program }) => !found(program))
if (process.platform !== 'linux') {
  console.error('crash-capture needs Linux: it installs a kernel core_pattern handler.')
  process.exit(1)
}
if (missing.length > 0) {
  const pkgs = missing.map((m) => m.pkg)
  if (process.getuid?.() === 0 && found('apt-get')) {
    console.log(`Installing ${pkgs.join(' ')} with apt-get…`)
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const install = () => {
      const plain = missing.filter((m) => !m.recommends).map((m) => m.pkg)
      const full = missing.filter((m) => m.recommends).map((m) => m.pkg)
      if (plain.length > 0)
        execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...plain], {
          stdio: 'inherit',
          env
        })
      if (full.length > 0)
        execFileSync('apt-get', ['install', '-y', ...full], { stdio: 'inherit', env })
    }
    try {
      install()
    } catch {
      execFileSync('apt-get', ['update'], { stdio: 'inherit', env })
      install()
    }
  } else {
    console.error(
      `Missing: ${missing.map((m) => m.program).join(', ')}. Install them first, for example:\n` +
        `  sudo apt-get install -y ${pkgs.join(' ')}`
    )
    process.exit(1)
  }
}
if (process.getuid?.() !== 0) {
  console.error(
    'crash-capture tests and the demo change kernel.core_pattern and must run as root\n' +
      '(on a VM or a CI runner: sudo npm test / sudo npm run demo).'
  )
  process.exit(1)
}
