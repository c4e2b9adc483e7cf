#!/usr/bin/env bash
# Restore cost per mapping, and ptrace stops per restore.
#
#   bench/maps.sh [N...]        (default: 1000 10000 30000)
#
# For each N: a program maps N pages alternately read-write and read-only (N
# mappings that do not merge), writes each, and lets the kernel dump its core;
# then, with the core in the page cache, the median of 3 runs of
# `restart -n -w CORE` (the whole restore plus the program's short check of
# its pages and its exit) is printed, per mapping, with the CPU time of the
# same runs (user + system, restart and the restored process: on a loaded
# machine the wall time grows, the CPU time much less; GNU time counts it in
# 10 ms steps, so it means little below 10,000 mappings) and the number of
# ptrace stops `restart -V` reports. With OLD=path/to/restart (an
# engine built from another commit, e.g. main) the same runs of that engine
# are measured too and the ratio printed. Needs vm.max_map_count above the
# largest N (65530 by default).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
old=${OLD:-}
gcc -O2 -o "$work/manymaps" "$here/manymaps.c"

time_runs() {   # command... -> "wall cpu": medians in nanoseconds of 3 runs (after one warm-up)
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  for i in 1 2 3; do
    local t0=$(now)
    local cpu=$(/usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -n 1)
    local t1=$(now)
    echo "$((t1 - t0)) $(echo "$cpu" | awk '{printf "%d", ($1 + $2) * 1e9}')"
  done > "$work/runs"
  echo "$(cut -d' ' -f1 "$work/runs" | median) $(cut -d' ' -f2 "$work/runs" | median)"
}

printf "%8s %10s %12s %12s %12s %14s" "maps" "core" "restore" "per map" "cpu per map" "ptrace stops"
[ -n "$old" ] && printf " %12s %12s %12s %14s %8s" "old restore" "old per map" "old cpu/map" "old syscalls" "ratio"
echo
for n in ${@:-1000 10000 30000}; do
  core=$(kernel_core "$work/$n" "$work/manymaps" "$n")
  read -r t tc < <(time_runs "$restart" -n -w "$core")
  stops=$("$restart" -V -n -w "$core" 2>&1 | sed -n 's/^restart: \([0-9]*\) ptrace stops.*/\1/p')
  size=$(stat -c %s "$core")
  line=$(awk -v n="$n" -v s="$size" -v t="$t" -v c="$tc" -v k="$stops" 'BEGIN {
    printf "%8d %6.1f MiB %9.1f ms %9.2f us %9.2f us %14s", n, s/1048576, t/1e6, t/1e3/n, c/1e3/n, k }')
  if [ -n "$old" ]; then
    read -r to toc < <(time_runs "$old" -n -w "$core")
    calls=$("$old" -V -n -w "$core" 2>&1 | sed -n 's/^restart: \([0-9]*\) system calls injected.*/\1/p')
    line+=$(awk -v n="$n" -v t="$t" -v o="$to" -v oc="$toc" -v c="$calls" 'BEGIN {
      printf " %9.1f ms %9.2f us %9.2f us %14s %7.1fx", o/1e6, o/1e3/n, oc/1e3/n, c, o/t }')
  fi
  echo "$line"
  rm -f "$core"
done
