#!/bin/sh
# crash-capture core_pattern pipe handler.
#
# The kernel runs this as root, as a child of kthreadd, in the initial namespaces, with an empty
# environment, cwd /, the core on stdin and fd 1 and 2 CLOSED: the first file opened would become
# stdout, so both are pointed at /dev/null before anything else.
#
# Arguments (installed as `%P %i %s %t %u %g %c %d %e`): pid and tid in the initial pid namespace,
# signal, time, uid, gid, the crasher's RLIMIT_CORE, dumpable flag, comm. The comm is chosen by
# the crashing program: it is only ever written to a file as data, never evaluated or used in a
# path.
#
# One handler serves every job that captures on this kernel (self-hosted hosts running several
# runners, ARC pods on one node). Each job registers a folder under jobs/; a crash goes to the
# job whose RUNNER_TRACKING_ID (set by the runner on every process of a job) the crashing
# process carries, read from /proc/PID/environ; with a single job registered, every crash is
# that job's. A crash no job can claim gets a small record under unattributed/, never another
# job's report.
#
# The dying process stays in /proc until stdin is drained (core_pipe_limit is 0), so everything
# is read from /proc/PID first and the core last. Every crash gets a record, even when its core
# is dropped; the handler never waits for anything unbounded.
exec >/dev/null 2>&1
umask 077

host=${0%/*}
case $host in /*) ;; *) exit 0 ;; esac
# Tools come from a fixed, root-owned PATH of the host: the handler runs in the initial
# namespaces whatever file system main saw (a job container's may be Alpine's busybox).
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

pid=$1 tid=$2 sig=$3 time=$4 uid=$5 gid=$6 limit=$7 dumpable=$8 comm=$9
case "$pid:$tid:$sig:$time:$uid:$gid:$dumpable" in
  *[!0-9:]* | *::* | :* | *:) exit 0 ;;
esac
proc=/proc/$pid

# One variable of the crashing process's environment; only a short, plain value is accepted.
environ_value() {
  head -c 1048576 "$proc/environ" | tr '\0' '\n' |
    sed -n "s/^$1=\([A-Za-z0-9_.-]\{1,128\}\)\$/\1/p" | head -n 1
}
tracking=$(environ_value RUNNER_TRACKING_ID)

# Registrations are folders named <epoch ms>-<random>, in order: the last match wins (a job that
# ran main twice has its later registration receive its crashes).
session=
count=0
for job in "$host"/jobs/*; do
  [ -f "$job/config" ] || continue
  count=$((count + 1))
  last=$job
  [ -n "$tracking" ] && [ "$(head -c 129 "$job/tracking")" = "$tracking" ] && session=$job
done
[ "$count" -eq 1 ] && session=$last
if [ -z "$session" ]; then
  [ "$count" -gt 0 ] || exit 0
  # No job can claim it: a record (no core) that each job's post mentions as not its own.
  set -- "$host"/unattributed/*
  [ "$#" -lt 1000 ] || exit 0
  dir=$host/unattributed/$time-$pid
  mkdir "$dir" || exit 0
  printf 'pid=%s\nsignal=%s\ntime=%s\nuid=%s\ntracking=%s\n' "$pid" "$sig" "$time" "$uid" "$tracking" >"$dir/meta"
  printf '%s' "$comm" >"$dir/comm"
  readlink "$proc/exe" | head -c 4096 >"$dir/exe-path"
  head -c 1024 "$proc/cgroup" >"$dir/cgroup"
  chmod -R go+rX "$dir"
  exit 0
fi
# Limits and the owner of this job's crashes, written by its main step.
. "$session/config" || exit 0

# The main step's self-check: a throwaway crash proving that cores reach this job. It leaves a
# mark and is never recorded.
if [ -n "$SELF_CHECK" ] && [ "$(environ_value CRASH_CAPTURE_SELF_CHECK)" = "$SELF_CHECK" ]; then
  : >"$session/self-check"
  exit 0
fi

crashes=$session/crashes
# A crash storm must not fill the disk with records either: past MAX_RECORDS folders the crash
# is only counted as "more", and its core is refused unread (the kernel then reaps the process).
set -- "$crashes"/*
if [ "$#" -ge "$MAX_RECORDS" ]; then
  set -C
  : >"$session/overflow"
  exit 0
fi

# mkdir fails on anything already there, a planted symlink included: never write through one;
# on a clash, take the next name.
dir=
for n in '' -2 -3 -4 -5; do
  if mkdir "$crashes/$time-$pid$n"; then
    dir=$crashes/$time-$pid$n
    break
  fi
done
[ -n "$dir" ] || exit 0
exec 2>>"$dir/handler.log"

{
  echo "pid=$pid"
  echo "tid=$tid"
  echo "signal=$sig"
  echo "time=$time"
  echo "uid=$uid"
  echo "gid=$gid"
  echo "core_limit=$limit"
  echo "dumpable=$dumpable"
} >"$dir/meta"
printf '%s' "$comm" >"$dir/comm"

# Every file taken from /proc is capped: the crashing program decides how long its argv, its
# maps (65,530 mappings of long paths) and its paths are.
readlink "$proc/exe" | head -c 4096 >"$dir/exe-path"
readlink "$proc/cwd" | head -c 4096 >"$dir/cwd"

finish() {
  [ -n "$OWNER" ] && chown -R "$OWNER" "$dir"
  # The result file appears last, whole: its presence tells the post step this crash is done.
  mv "$dir/.result" "$dir/result"
  exit 0
}

drop() {
  # Leaving stdin unread ends the dump: the kernel sees a closed pipe and reaps the process.
  [ -f "$dir/cmdline" ] || head -c 4096 "$proc/cmdline" >"$dir/cmdline"
  printf 'core=dropped\nreason=%s\n' "$1" >"$dir/.result"
  finish
}

# dumpable 2: the process changed its user or group ids (a setuid program, a daemon that dropped
# root). Its memory may hold what its user may not read, so its core is not stored at all.
if [ "$dumpable" != 1 ] && [ "$SETUID_CORES" != include ]; then
  drop "the process had changed its user or group ids (dumpable=$dumpable: a setuid program or a daemon that dropped privileges); its core may hold another user's secrets and is not kept (setuid-cores: include keeps it)"
fi

# Cores stored in full: a ticket each, taken with an O_EXCL create (noclobber), so a storm of
# crashes keeps the first MAX_CORES and records the others without their core.
set -C
ticket=
n=1
while [ "$n" -le "$MAX_CORES" ]; do
  if true 2>/dev/null >"$session/tickets/$n"; then
    ticket=$n
    break
  fi
  n=$((n + 1))
done
set +C
[ -n "$ticket" ] || drop "more than max-cores ($MAX_CORES) crashes: only the first are kept in full"

# At most MAX_WRITERS handlers write at once; the others wait for a slot, up to SLOT_WAIT
# tenths of a second, holding their crashing process meanwhile.
set -C
slot=
tries=0
while [ -z "$slot" ] && [ "$tries" -le "$SLOT_WAIT" ]; do
  n=1
  while [ "$n" -le "$MAX_WRITERS" ]; do
    if true 2>/dev/null >"$session/slots/$n"; then
      slot=$session/slots/$n
      break
    fi
    n=$((n + 1))
  done
  [ -n "$slot" ] || sleep 0.1
  tries=$((tries + 1))
done
set +C
[ -n "$slot" ] || drop "too many crashes at the same moment: no writer slot within the wait"
trap 'rm -f "$slot"' EXIT

# Disk guard, in KiB: everything this crash stores beyond its small record (the full metadata,
# the executable copy, the core) fits in the smallest of the per-core cap, what is left of the
# total budget, and the free space above the reserve (df's "available" leaves out the blocks
# reserved for root, which this handler could otherwise fill).
avail=$(df -Pk "$crashes" | {
  read -r _
  read -r _ _ _ a _
  echo "$a"
})
used=$(du -sk "$crashes" | {
  read -r u _
  echo "$u"
})
allowed=$MAX_CORE_KB
reason="core larger than max-core-size"
left=$((MAX_TOTAL_KB - ${used:-0}))
if [ "$left" -lt "$allowed" ]; then
  allowed=$left
  reason="max-total-size reached"
fi
free=$((${avail:-0} - MIN_FREE_KB))
if [ "$free" -lt "$allowed" ]; then
  allowed=$free
  reason="less than min-free-space left on disk"
fi

if [ "$allowed" -ge "$META_KB" ]; then
  head -c 65536 "$proc/cmdline" >"$dir/cmdline"
  head -c 1048576 "$proc/maps" >"$dir/maps"
  head -c 16384 "$proc/status" >"$dir/status"
  # The crash site, for post to tell a storm of one bug without decompressing every core: the
  # crashing thread's pc and sp (fields 30 and 29 of its stat, shown while it dumps) and 8 KiB
  # of its stack from sp.
  head -c 4096 "$proc/task/$tid/stat" | sed -n 's/.*) //p' | {
    read -r _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ sp pc _
    case "$pc$sp" in *[!0-9]* | '') exit 0 ;; esac
    printf 'pc=%s\nsp=%s\n' "$pc" "$sp" >"$dir/site"
    dd if="$proc/mem" of="$dir/stack" bs=8192 count=8192 skip="$sp" iflag=skip_bytes,count_bytes
  }
  spent=$(du -sk "$dir" | {
    read -r u _
    echo "$u"
  })
  allowed=$((allowed - ${spent:-0}))
else
  head -c 4096 "$proc/cmdline" >"$dir/cmdline"
fi

# One copy per executable file (device, inode, size, mtime), hard-linked into each crash: a
# crash storm of one binary copies it once, and each new copy counts against the budget.
# /proc/PID/exe reads even a deleted or replaced file; the copy is cut at the size stat saw.
exe_bytes=$(stat -L -c '%s' "$proc/exe")
key=$(stat -L -c '%d-%i-%s-%Y' "$proc/exe")
case $key$exe_bytes in
  *[!0-9-]* | '') ;;
  *)
    store=$session/executables/$key
    exe_kb=$(((exe_bytes + 1023) / 1024))
    if [ -f "$store" ] && [ ! -h "$store" ]; then
      ln "$store" "$dir/exe"
    elif [ "$exe_kb" -le "$allowed" ]; then
      head -c "$exe_bytes" "$proc/exe" >"$dir/exe" && ln "$dir/exe" "$store"
      allowed=$((allowed - exe_kb))
    else
      printf 'executable of %s KiB not copied: %s\n' "$exe_kb" "$reason" >"$dir/exe-note"
    fi
    ;;
esac

# A process in another root file system (a `docker run` container, a chroot) ran with that
# root's libraries, not the host's: copy its mapped code files through /proc/PID/map_files
# (the exact files, wherever they live) while it still exists, within the budget.
# A crash in the job's own root (main's, in a job container) is analysed where its files are.
root_id=$(stat -L -c '%d:%i' "$proc/root")
if [ -n "$root_id" ] && [ "$root_id" != "$(stat -L -c '%d:%i' /)" ] && [ "$root_id" != "$JOB_ROOT" ]; then
  echo "root=other" >>"$dir/meta"
  head -c 4096 "$proc/cgroup" >"$dir/cgroup"
  mkdir "$dir/libs"
  head -c 1048576 "$proc/maps" |
    sed -n 's/^\([0-9a-f]*-[0-9a-f]*\) r-xp [0-9a-f]* \([0-9a-f]*\):\([0-9a-f]*\) \([1-9][0-9]*\) .*/\1 \2_\3_\4/p' \
      >"$dir/libs.list"
  while read -r range name; do
    [ -e "$dir/libs/$name" ] && continue
    size=$(stat -L -c '%s' "$proc/map_files/$range")
    case $size in '' | *[!0-9]*) continue ;; esac
    kb=$(((size + 1023) / 1024))
    [ "$kb" -le "$allowed" ] || continue
    head -c "$size" "$proc/map_files/$range" >"$dir/libs/$name" && allowed=$((allowed - kb))
  done <"$dir/libs.list"
fi

[ "$allowed" -gt 0 ] || drop "$reason"

bytes=$((allowed * 1024))
if [ "$COMPRESS" = zstd ] && command -v zstd >/dev/null; then
  head -c "$bytes" | zstd -q -1 -o "$dir/core.zst"
else
  head -c "$bytes" >"$dir/core"
fi
if [ "$(head -c 1 | wc -c)" -gt 0 ]; then
  printf 'core=truncated\nreason=%s\n' "$reason" >"$dir/.result"
else
  printf 'core=complete\n' >"$dir/.result"
fi
finish
