# crash-capture: structured backtraces from gdb's Python API.
#
# Run as `gdb -nx -batch ... -x backtrace.py EXE` with CRASH_CAPTURE_JOBS naming a JSON file:
# [{"core": PATH, "json": PATH, "text": PATH}, ...]. The executable is loaded once and each core
# is opened in turn with `core-file`, which is exact for cores of that same executable file.
# Results go to files, never stdout: gdb prints its own chatter there.
import glob
import json
import os
import re
import sys

import gdb

SCHEMA = 1
MAX_FRAMES = int(os.environ.get("CRASH_CAPTURE_MAX_FRAMES", "256"))
TEXT_FRAMES = int(os.environ.get("CRASH_CAPTURE_TEXT_FRAMES", "64"))
MAX_TEXT = int(os.environ.get("CRASH_CAPTURE_MAX_TEXT", str(1024 * 1024)))

FAULT_SIGNALS = {4, 5, 7, 8, 11}  # SIGILL SIGTRAP SIGBUS SIGFPE SIGSEGV
# The project's own gdb scripts (sourced once, before the first core) and commands (run on each
# core after the backtrace): their output is appended to the text report.
PROJECT_SCRIPTS = json.loads(os.environ.get("CRASH_CAPTURE_SCRIPTS", "[]"))
PROJECT_COMMANDS = json.loads(os.environ.get("CRASH_CAPTURE_COMMANDS", "[]"))


def run(command):
    try:
        return gdb.execute(command, to_string=True)
    except gdb.error as error:
        return "(%s failed: %s)\n" % (command, error)


def read_mappings():
    """pc -> file through NT_FILE, which works without symbols (gdb 13 has no objfile ranges)."""
    mappings = []
    try:
        text = gdb.execute("info proc mappings", to_string=True)
    except gdb.error:
        return mappings
    for line in text.splitlines():
        parts = line.split(None, 4)
        if len(parts) == 5 and parts[0].startswith("0x"):
            try:
                mappings.append((int(parts[0], 16), int(parts[1], 16), parts[4].strip()))
            except ValueError:
                pass
    return mappings


def objfile_for(pc, mappings):
    if pc <= 0:
        return None
    try:
        name = gdb.solib_name(pc)
    except (gdb.error, OverflowError, ValueError):
        name = None
    if name:
        return name
    for start, end, path in mappings:
        if start <= pc < end:
            return path
    return None


def read_signal():
    try:
        info = gdb.parse_and_eval("$_siginfo")
        number = int(info["si_signo"])
    except (gdb.error, RuntimeError):
        return None
    signal = {"number": number, "code": int(info["si_code"]), "errno": int(info["si_errno"])}
    try:
        if number in FAULT_SIGNALS:
            signal["address"] = hex(int(info["_sifields"]["_sigfault"]["si_addr"]))
        else:
            signal["sender_pid"] = int(info["_sifields"]["_kill"]["si_pid"])
    except (gdb.error, RuntimeError):
        pass
    return signal


def describe_frame(frame, level, mappings):
    pc = frame.pc()
    kind = frame.type()
    function = frame.function()
    sal = frame.find_sal()
    symtab = sal.symtab
    # The caller frames' pc is a return address: look up the call instruction's mapping.
    lookup = pc if level == 0 or kind == gdb.SIGTRAMP_FRAME else pc - 1
    entry = {
        "level": level,
        "pc": hex(pc),
        "function": frame.name(),
        "function_has_debuginfo": function is not None,
        "file": symtab.filename if symtab else None,
        "fullname": symtab.fullname() if symtab else None,
        "line": sal.line if symtab and sal.line else None,
        "objfile": objfile_for(lookup, mappings),
        "function_file": None,
        "function_line": None,
        "inline": kind == gdb.INLINE_FRAME,
        "signal_handler": kind == gdb.SIGTRAMP_FRAME,
    }
    if function is not None and function.symtab is not None:
        entry["function_file"] = function.symtab.fullname()
        entry["function_line"] = function.line or None
    if level == 0:
        try:
            entry["sp"] = hex(int(frame.read_register("sp")))
        except (gdb.error, ValueError):
            entry["sp"] = None
    return entry


def describe_thread(thread, crashed, mappings):
    thread.switch()
    frames = []
    frame = gdb.newest_frame()
    stop = None
    truncated = False
    while frame is not None:
        if len(frames) >= MAX_FRAMES:
            truncated = True
            break
        frames.append(describe_frame(frame, len(frames), mappings))
        try:
            older = frame.older()
        except gdb.error as error:
            stop = str(error)
            break
        if older is None:
            reason = frame.unwind_stop_reason()
            if reason != gdb.FRAME_UNWIND_NO_REASON:
                stop = gdb.frame_stop_reason_string(reason)
        frame = older
    return {
        "num": thread.num,
        "lwp": thread.ptid[1],
        "name": thread.name,
        "crashed": crashed,
        "frames": frames,
        "unwind_stop_reason": stop,
        "truncated": truncated,
    }


def source_project_scripts():
    parts = []
    for path in PROJECT_SCRIPTS:
        parts.append("\n[crash-capture] source %s\n" % path)
        parts.append(run("source " + path))
    return "".join(parts)


def project_commands():
    parts = []
    for command in PROJECT_COMMANDS:
        parts.append("\n(gdb) %s\n" % command)
        parts.append(run(command))
    return "".join(parts)


def human_text(crashed):
    parts = []
    if crashed is not None:
        crashed.switch()
        parts.append("Crashing thread %d (LWP %d):\n" % (crashed.num, crashed.ptid[1]))
        parts.append(run("bt full %d" % TEXT_FRAMES))
        parts.append("\n")
    # Every thread, unless the crashing one is the only one: that would print it twice.
    if crashed is None or len(gdb.selected_inferior().threads()) > 1:
        parts.append(run("thread apply all -ascending bt full %d" % TEXT_FRAMES))
    text = "".join(parts)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + "\n[crash-capture: text cut at %d characters]\n" % MAX_TEXT
    return text


def describe_core(load_messages):
    inferior = gdb.selected_inferior()
    # gdb selects the thread of the first NT_PRSTATUS on load: the one that got the signal.
    crashed = gdb.selected_thread()
    mappings = read_mappings()
    signal = read_signal()
    threads = []
    for thread in sorted(inferior.threads(), key=lambda t: t.num):
        threads.append(describe_thread(thread, crashed is not None and thread.num == crashed.num, mappings))
    text = human_text(crashed)
    return {
        "schema": SCHEMA,
        "gdb_version": gdb.VERSION,
        "pid": inferior.pid or None,
        "load_messages": load_messages,
        "signal": signal,
        "crashing_thread": crashed.num if crashed is not None else None,
        "threads": threads,
        "objfiles": [
            {"filename": o.filename, "build_id": o.build_id} for o in gdb.objfiles() if o.is_valid()
        ],
    }, text


def write(path, content):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", errors="replace") as out:
        out.write(content)
    os.rename(tmp, path)


def register_system_printers():
    """The libstdc++ pretty-printers from the system's own root-owned copy. gdb runs with
    auto-load off (paths in the core are chosen by the crashed program), which also skips the
    printers it would otherwise auto-load for libstdc++."""
    for base in ["/usr/share/gcc/python"] + sorted(glob.glob("/usr/share/gcc-*/python"), reverse=True):
        try:
            info = os.stat(base)
            if info.st_uid != 0 or info.st_mode & 0o022:
                continue
            sys.path.insert(0, base)
            from libstdcxx.v6 import register_libstdcxx_printers

            register_libstdcxx_printers(None)
            return
        except Exception:  # noqa: BLE001 - printers are a nicety, never a reason to fail
            continue


def main():
    with open(os.environ["CRASH_CAPTURE_JOBS"], encoding="utf-8") as jobs_file:
        jobs = json.load(jobs_file)
    register_system_printers()
    scripts_output = source_project_scripts()
    current_sysroot = None
    for job in jobs:
        try:
            # gdb.execute runs every line of a string as a command: a newline in a name (a core
            # named after a crashing program's comm) would run whatever follows it.
            for value in (job["core"], job.get("sysroot", ""), job.get("search", "")):
                if any(ord(c) < 32 or ord(c) == 127 for c in value):
                    raise gdb.error("a path holds control characters; it is not given to gdb")
            # Only the private copies of the libraries checked against this core: never a path
            # from the core's link map (the crashed program chose those).
            # Set only when it changes: a new sysroot makes gdb reload every library.
            if job.get("sysroot") and (job["sysroot"], job.get("search")) != current_sysroot:
                gdb.execute("set sysroot " + job["sysroot"], to_string=True)
                gdb.execute("set solib-search-path " + job.get("search", ""), to_string=True)
                current_sysroot = (job["sysroot"], job.get("search"))
            # gdb 13 takes the rest of the line as the file name, spaces included; quotes would
            # become part of the name.
            load = gdb.execute("core-file " + job["core"], to_string=True)
            # A PIE executable whose load address the core does not give gdb (qemu-user's
            # cores): its symbols at the address main computed from AT_ENTRY.
            displacement = job.get("displacement")
            program = gdb.current_progspace().filename
            if displacement and program and re.fullmatch(r"0x[0-9a-f]{1,16}", displacement):
                if not any(ord(c) < 32 or ord(c) == 127 for c in program):
                    gdb.execute("symbol-file -o %s %s" % (displacement, program), to_string=True)
            document, text = describe_core(load)
            text += scripts_output + project_commands()
        except gdb.error as error:
            document, text = {"schema": SCHEMA, "error": str(error)}, ""
        write(job["text"], text)
        write(job["json"], json.dumps(document))


main()
