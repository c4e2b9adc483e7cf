#!/bin/sh
# bench/ckpt-gdb-cont.sh - what counting breakpoint hits through ckpt-gdb costs
# compared with gdb's own `continue N`, measured in one run on this machine.
#
#   bench/ckpt-gdb-cont.sh [RUNS]      (default 5 timed runs each, after one warm-up each)
#
# Both sides run linklist with input 200000, break at line 29 and stop at hit
# 100001:
#   ckpt-gdb: bin/ckpt-gdb linklist --break 29 --cont 100000 --stdin IN --no-restart --core TMP
#             (JVM start, gdb over MI with the internal breakpoint of
#             gdb-scripts/driver.py, and the checkpoint itself)
#   gdb:      gdb -nx -batch -ex 'break 29' -ex 'run < IN > /dev/null' -ex 'continue 100000' linklist
# and prints the median wall time of each and their ratio (target: <= 1.15).
# Not a test: the machine is shared and the VM returns freed memory to its host,
# so only ratios measured in the same run mean something.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd -P)
runs=${1:-5}
[ -f "$root/target/ckpt.jar" ] || "$root/bin/ckpt" --version >/dev/null
prog=$root/target/examples/linklist
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
echo 200000 > "$tmp/in"

now() { date +%s.%N; }

run_ckpt() {
	rm -f "$tmp/core"
	"$root/bin/ckpt-gdb" "$prog" --break 29 --cont 100000 --stdin "$tmp/in" --no-restart --core "$tmp/core" \
		> /dev/null 2> "$tmp/ckpt.err" || { cat "$tmp/ckpt.err" >&2; exit 1; }
	grep -q "hit 100001" "$tmp/ckpt.err" || { echo "ckpt-gdb did not stop at hit 100001" >&2; cat "$tmp/ckpt.err" >&2; exit 1; }
}

run_gdb() {
	gdb -nx -batch -ex 'set pagination off' -ex 'break 29' -ex "run < $tmp/in > /dev/null" \
		-ex 'continue 100000' -ex 'print i' "$prog" > "$tmp/gdb.out" 2>&1
	grep -q '^\$1 = 100000$' "$tmp/gdb.out" || { echo "gdb did not stop at hit 100001" >&2; tail "$tmp/gdb.out" >&2; exit 1; }
}

timed() {
	t0=$(now)
	"$@"
	t1=$(now)
	echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "warming up (one run each) ..." >&2
run_ckpt
run_gdb
: > "$tmp/ckpt.times"
: > "$tmp/gdb.times"
i=1
while [ "$i" -le "$runs" ]; do
	# alternate which side goes first, so that a slow spell of the shared machine hits both
	if [ $((i % 2)) -eq 1 ]; then
		c=$(timed run_ckpt); g=$(timed run_gdb)
	else
		g=$(timed run_gdb); c=$(timed run_ckpt)
	fi
	echo "$c" >> "$tmp/ckpt.times"
	echo "$g" >> "$tmp/gdb.times"
	echo "run $i: ckpt-gdb $c s, gdb -batch $g s" >&2
	i=$((i + 1))
done
c=$(median < "$tmp/ckpt.times")
g=$(median < "$tmp/gdb.times")
echo "continue 100000 on linklist (input 200000, break 29), median of $runs runs:"
echo "  ckpt-gdb --cont 100000 --no-restart: $c s"
echo "  gdb -batch continue 100000:          $g s"
echo "$c $g" | awk '{ printf "  ratio ckpt-gdb / gdb: %.3f (target <= 1.15)\n", $1 / $2 }'
