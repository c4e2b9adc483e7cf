#!/bin/bash
# bench/dump.sh - what a checkpoint of a running process costs with `ckpt dump`
# (the native dumper) against plain gdb gcore and the kernel's own core dump,
# measured in one run on this machine.
#
#   bench/dump.sh [RUNS] [SIZES]     (default 5 runs each, sizes "1 256 1024" MiB)
#
# For each heap size a process (bench/holdheap.c) writes that many MiB and waits:
#   ckpt dump: bin/ckpt dump PID --core TMP --json  (wall time from the shell,
#              the fsync included; the frozen time - how long the process was
#              stopped - from its --json)
#   gcore:     gdb -nx -batch -p PID -ex 'gcore TMP'  (no fsync)
#   kernel:    kill -QUIT of a fresh process with `ulimit -c unlimited` until it
#              is reaped, the core written where core_pattern says (skipped when
#              core_pattern is a pipe; core_pattern is not changed)
# and prints medians and ratios. Targets: dump <= 0.3 x gcore at 1 MiB, <= 0.8 x
# gcore at 1024 MiB; frozen at 256 MiB <= the kernel's dump.
#
# Then the sparse case: 50 MiB written in a 3 GiB mapping. Prints the image's
# size on disk (du) against the process's resident size (target <= 1.2x), and
# the time `restart -n` takes and the restored process's resident size against
# the original's.
#
# Not a test: the machine is shared, only ratios from the same run mean something.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd -P)
runs=${1:-5}
sizes=${2:-"1 256 1024"}
"$root/bin/ckpt" --version >/dev/null # builds when stale
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-bench-dump.XXXXXX")
holder_pid=
cleanup() {
	[ -n "$holder_pid" ] && kill -9 "$holder_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cc -O2 -o "$tmp/holdheap" "$root/bench/holdheap.c"

now() { date +%s.%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# start_holder DATA [RESERVE]: runs holdheap in $tmp/run, sets holder_pid once it is ready
start_holder() {
	mkdir -p "$tmp/run"
	rm -f "$tmp/ready"
	(cd "$tmp/run" && ulimit -c unlimited 2>/dev/null; exec "$tmp/holdheap" "$@" > "$tmp/ready") &
	holder_pid=$!
	while ! grep -q ready "$tmp/ready" 2>/dev/null; do sleep 0.01; done
}

stop_holder() {
	kill -9 "$holder_pid" 2>/dev/null || true
	{ wait "$holder_pid"; } 2>/dev/null || true
	holder_pid=
	rm -rf "$tmp/run"
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

pattern=$(cat /proc/sys/kernel/core_pattern)
printf '%-6s %-10s %-10s %-10s %-10s %-12s %-12s %s\n' MiB dump gcore kernel frozen dump/gcore dump/kernel frozen/kernel
for mib in $sizes; do
	: > "$tmp/t.dump"; : > "$tmp/t.gcore"; : > "$tmp/t.kernel"; : > "$tmp/t.frozen"
	start_holder "$mib"
	for _ in $(seq "$runs"); do
		t0=$(now)
		"$root/bin/ckpt" dump "$holder_pid" --core "$tmp/img" --json > "$tmp/json" 2> "$tmp/dump.err" ||
			{ cat "$tmp/dump.err" >&2; exit 1; }
		t1=$(now)
		echo "$t0 $t1" | awk '{ printf "%.4f\n", $2 - $1 }' >> "$tmp/t.dump"
		sed 's/.*"frozen_seconds": \([0-9.]*\).*/\1/' "$tmp/json" >> "$tmp/t.frozen"
		rm -f "$tmp/img"
		t0=$(now)
		gdb -nx -batch -p "$holder_pid" -ex "gcore $tmp/gcore" > /dev/null 2>&1
		t1=$(now)
		[ -s "$tmp/gcore" ] || { echo "gcore wrote nothing" >&2; exit 1; }
		echo "$t0 $t1" | awk '{ printf "%.4f\n", $2 - $1 }' >> "$tmp/t.gcore"
		rm -f "$tmp/gcore"
	done
	stop_holder
	case $pattern in
	\|*) echo "kernel core dump skipped: core_pattern is a pipe ($pattern)" >&2 ;;
	*)
		for _ in $(seq "$runs"); do
			start_holder "$mib"
			t0=$(now)
			kill -QUIT "$holder_pid"
			{ wait "$holder_pid"; } 2>/dev/null || true
			t1=$(now)
			holder_pid=
			echo "$t0 $t1" | awk '{ printf "%.4f\n", $2 - $1 }' >> "$tmp/t.kernel"
			rm -rf "$tmp/run"
		done
		;;
	esac
	d=$(median < "$tmp/t.dump"); g=$(median < "$tmp/t.gcore"); f=$(median < "$tmp/t.frozen")
	k=$( [ -s "$tmp/t.kernel" ] && median < "$tmp/t.kernel" || echo 0)
	printf '%-6s %-10s %-10s %-10s %-10s %-12s %-12s %s\n' "$mib" "$d" "$g" "$k" "$f" \
		"$(ratio "$d" "$g")" "$(ratio "$d" "$k")" "$(ratio "$f" "$k")"
done

echo
echo "sparse: 50 MiB written in a 3 GiB mapping"
start_holder 50 3072
orig_rss=$(rss_kib "$holder_pid")
"$root/bin/ckpt" dump "$holder_pid" --core "$tmp/sparse" --kill > /dev/null 2> "$tmp/dump.err" ||
	{ cat "$tmp/dump.err" >&2; exit 1; }
{ wait "$holder_pid"; } 2>/dev/null || true
holder_pid=
disk_kib=$(du -k "$tmp/sparse" | cut -f1)
echo "  image: $(du -k --apparent-size "$tmp/sparse" | cut -f1) KiB apparent, $disk_kib KiB on disk;" \
	"original resident $orig_rss KiB; on disk / resident = $(ratio "$disk_kib" "$orig_rss") (target <= 1.2)"
t0=$(now)
"$root/target/bin/restart" -n "$tmp/holdheap" "$tmp/sparse" > "$tmp/restart.out" 2> "$tmp/restart.err" ||
	{ cat "$tmp/restart.err" >&2; exit 1; }
t1=$(now)
rpid=$(pgrep -n -f "^$tmp/holdheap" || true)
restore_s=$(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }')
if [ -n "$rpid" ]; then
	rss=$(rss_kib "$rpid")
	kill -9 "$rpid" 2>/dev/null || true
	echo "  restart -n: $restore_s s; restored resident $rss KiB = $(ratio "$rss" "$orig_rss") x the original's (target <= 1.2)"
else
	echo "  restart -n: $restore_s s; restored process not found"
fi
