#!/usr/bin/env bash
# Restarts per second from one image: the fork server (restart --fork-server, a
# copy of a restored template per request) against a full restore per run
# (restart -n -w CORE), measured in the same run, for a small image (linklist
# checkpointed at hit 501 of line 29, 4000 nodes: each run builds 3500 nodes
# and prints 4000 lines), a 64 MiB one (every heap page present) and interp
# stopped in its table loop, which exits at once on its empty stdin (the cost
# of a restart alone); then `ckpt suite` running one small case with repeat: 1000.
#
#   bench/restarts.sh [FORK_RUNS] [FULL_RUNS]     (default: 1000 100)
#
# Targets (issue #10): >= 300 restarts/s for the small image, >= 10x the
# full-restore rate, the 1000-run suite in <= 5 s. Prints the figures only;
# nothing here fails on speed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
restart=$root/target/bin/restart
ckpt=$root/bin/ckpt
fork_runs=${1:-1000}
full_runs=${2:-100}
[ -x "$restart" ] && [ -f "$root/target/ckpt.jar" ] || { echo "build first: mvn -q package -DskipTests" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O0 -g -o "$work/fillheap" "$here/fillheap.c"
line=$(grep -n '/\* CHECKPOINT \*/' "$here/fillheap.c" | cut -d: -f1)

now() { date +%s%N; }
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'; }

echo "taking the checkpoints (ckpt-gdb --no-restart) ..." >&2
"$ckpt" gdb --no-restart --core "$work/small.core" --input 4000 --break 29 --cont 500 \
    "$root/target/examples/linklist" >/dev/null 2>"$work/gdb.log"
"$ckpt" gdb --no-restart --core "$work/big.core" --input "" --break "fillheap.c:$line" \
    "$work/fillheap" 64 >/dev/null 2>>"$work/gdb.log"
"$ckpt" gdb --no-restart --core "$work/tiny.core" --input "" --break 40 \
    "$root/target/examples/interp" >/dev/null 2>>"$work/gdb.log"
: > "$work/empty"

fork_server() {   # core runs -> nanoseconds for runs copies, each waited for
  local core=$1 n=$2 t0 t1 ok
  t0=$(now)
  ok=$(for _ in $(seq "$n"); do printf 'run\t%s\t%s\t%s\n' "$work/empty" "$work/out" "$work/err"; done |
       "$restart" --fork-server "$core" | grep -c '^exit [0-9]* 0$' || true)
  t1=$(now)
  [ "$ok" = "$n" ] || { echo "fork server: $ok of $n runs exited 0" >&2; exit 1; }
  echo $((t1 - t0))
}
full_restore() {  # core runs -> nanoseconds for runs full restores
  local core=$1 n=$2 t0 t1
  t0=$(now)
  for _ in $(seq "$n"); do
    "$restart" -n -w "$core" <"$work/empty" >"$work/out" 2>"$work/err" || { echo "restart -n -w failed" >&2; exit 1; }
  done
  t1=$(now)
  echo $((t1 - t0))
}

printf "%-26s %10s %16s %16s %8s\n" "image" "size" "fork server/s" "full restore/s" "ratio"
for img in small big tiny; do
  core=$work/$img.core
  fork_server "$core" 20 >/dev/null   # warm the page cache and the engine
  f=$(fork_server "$core" "$fork_runs")
  r=$(full_restore "$core" "$full_runs")
  fr=$(rate "$fork_runs" "$f"); rr=$(rate "$full_runs" "$r")
  case $img in
    small) name="linklist, hit 501";;
    big) name="fillheap, 64 MiB heap";;
    tiny) name="interp (exits at once)";;
  esac
  printf "%-26s %10s %16s %16s %7.1fx\n" "$name" "$(du -h --apparent-size "$core" | cut -f1)" "$fr" "$rr" \
    "$(awk -v a="$fr" -v b="$rr" 'BEGIN { print a / b }')"
done

# ckpt suite: one small case, repeat 1000 (the checkpoint is taken by the first run and cached)
cat > "$work/repeat.yaml" <<YAML
program: $root/target/examples/linklist
input: "600\n"
break: 29
cont: 500
cases:
  - name: same every time
    repeat: 1000
    stdout-matches: "^599$"
YAML
"$ckpt" suite "$work/repeat.yaml" --cache-dir "$work/cache" 2>/dev/null || { echo "suite failed" >&2; exit 1; }
t0=$(now)
"$ckpt" suite "$work/repeat.yaml" --cache-dir "$work/cache" 2>"$work/suite.log" || { cat "$work/suite.log" >&2; exit 1; }
t1=$(now)
printf "ckpt suite, repeat: 1000 of one case (checkpoint cached): %.2f s in all (%s)\n" \
  "$(awk -v ns=$((t1 - t0)) 'BEGIN { print ns / 1e9 }')" "$(tail -1 "$work/suite.log" | sed 's/^ckpt suite: //')"
