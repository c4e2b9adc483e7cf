#!/usr/bin/env bash
# Restore speed of the native engine against reading the same core with cat.
#
#   bench/restore.sh [MIB...]        (default: 1 64 512)
#
# For each size: a program fills that much heap and lets the kernel dump its
# core; then, with the core in the page cache, the median of 5 runs of
# `restart -n CORE` (the whole restore, until restart lets the process run and
# exits) is compared with the median of 5 runs of `cat CORE > /dev/null`, in the
# same run. The "with -w" column is `restart -n -w CORE`: restore plus the
# program's own run (it checks every page and exits, freeing the memory).
# Also prints restart's peak RSS (GNU time, without -w so that only restart
# itself is counted): the engine never holds the image in its own memory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
gcc -O2 -o "$work/bigheap" "$here/bigheap.c"

time_runs() {   # command... -> median nanoseconds of 5 runs (after one warm-up)
  "$@" >/dev/null 2>&1 || true
  settle
  for i in 1 2 3 4 5; do
    local t0=$(now); "$@" >/dev/null 2>&1; local t1=$(now); echo $((t1 - t0))
    settle
  done | median
}
settle() {      # let a restored process that runs on by itself finish first
  while pgrep -f "$work/bigheap" >/dev/null; do sleep 0.05; done
}

printf "%8s %12s %12s %12s %8s %14s %14s\n" "heap" "core" "restart" "cat" "ratio" "restart RSS" "with -w"
for mib in "${@:-1 64 512}"; do
  for m in $mib; do
    core=$(kernel_core "$work/$m" "$work/bigheap" "$m")
    tr=$(time_runs "$restart" -n "$core")
    tc=$(time_runs sh -c "cat '$core' > /dev/null")
    tw=$(time_runs "$restart" -n -w "$core")
    rss=$(/usr/bin/time -f %M "$restart" -n "$core" 2>&1 >/dev/null | tail -n 1)
    settle
    size=$(stat -c %s "$core")
    awk -v m="$m" -v s="$size" -v r="$tr" -v c="$tc" -v k="$rss" -v w="$tw" 'BEGIN {
      printf "%6d MiB %9.1f MiB %9.1f ms %9.1f ms %7.2fx %10d KiB %11.1f ms\n", m, s/1048576, r/1e6, c/1e6, r/c, k, w/1e6 }'
  done
done
