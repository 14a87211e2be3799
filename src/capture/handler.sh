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
# The dying process stays in /proc until stdin is drained (core_pipe_limit is 0), so everything
# is read from /proc/PID first and the core last.
exec >/dev/null 2>&1
umask 077

session=${0%/*}
case $session in /*) ;; *) exit 0 ;; esac
# config is written by the action's main step: absolute tool paths and limits, root-owned.
. "$session/config" || exit 0

pid=$1 tid=$2 sig=$3 time=$4 uid=$5 gid=$6 limit=$7 dumpable=$8 comm=$9
case "$pid:$tid:$sig:$time:$uid:$gid" in
  *[!0-9:]* | *::* | :* | *:) exit 0 ;;
esac

crashes=$session/crashes
dir=$crashes/$time-$pid
# mkdir fails on anything already there, a planted symlink included: never write through one.
$MKDIR "$dir" || exit 0
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

proc=/proc/$pid
$READLINK "$proc/exe" >"$dir/exe-path"
$READLINK "$proc/cwd" >"$dir/cwd"
$CAT "$proc/cmdline" >"$dir/cmdline"
$CAT "$proc/maps" >"$dir/maps"
$CAT "$proc/status" >"$dir/status"

# One copy per executable file (device, inode, size, mtime), hard-linked into each crash: a
# crash storm of one binary copies it once. /proc/PID/exe reads even a deleted or replaced file.
key=$($STAT -L -c '%d-%i-%s-%Y' "$proc/exe")
case $key in
  *[!0-9-]* | '') ;;
  *)
    store=$session/executables
    if [ ! -e "$store/$key" ]; then
      $CP "$proc/exe" "$store/.$key.$$" && $LN "$store/.$key.$$" "$store/$key"
      $RM -f "$store/.$key.$$"
    fi
    $LN "$store/$key" "$dir/exe"
    ;;
esac

# Disk guard, in KiB: the core may use at most the smallest of the per-core cap, what is left of
# the total budget, and the free space above the reserve.
avail=$($DF -Pk "$crashes" | {
  read -r _
  read -r _ _ _ a _
  echo "$a"
})
used=$($DU -sk "$crashes" | {
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

if [ "$allowed" -le 0 ]; then
  # Leaving stdin unread ends the dump: the kernel sees a closed pipe and reaps the process.
  printf 'core=dropped\nreason=%s\n' "$reason" >"$dir/.result"
else
  bytes=$((allowed * 1024))
  if [ -n "$ZSTD" ]; then
    $HEAD -c "$bytes" | $ZSTD -q -1 -o "$dir/core.zst"
  else
    $HEAD -c "$bytes" >"$dir/core"
  fi
  if [ "$($HEAD -c 1 | $WC -c)" -gt 0 ]; then
    printf 'core=truncated\nreason=%s\n' "$reason" >"$dir/.result"
  else
    printf 'core=complete\n' >"$dir/.result"
  fi
fi
[ -n "$OWNER" ] && $CHOWN -R "$OWNER" "$dir"
# The result file appears last, whole: its presence tells the post step this crash is finished.
$MV "$dir/.result" "$dir/result"
exit 0
