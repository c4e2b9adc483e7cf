# Sourced by the benches that restore kernel cores (maps.sh, restore.sh); not run by itself.
#
# Sets here (bench/), root (the checkout), restart (the built engine) and work (a
# temporary directory, removed at exit). Stops with exit 2 when the engine is not
# built or when the kernel's core_pattern does not write plain files in the
# program's directory.
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
restart=$root/target/bin/restart
[ -x "$restart" ] || { echo "build first: mvn -q package -DskipTests" >&2; exit 2; }
case "$(cat /proc/sys/kernel/core_pattern)" in
  "|"*|*/*) echo "kernel core_pattern must be a plain file name for this bench" >&2; exit 2;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# kernel_core DIR PROGRAM ARGS...: runs PROGRAM in DIR (made here) with cores on and
# coredump_filter 0x33 until it dumps its core; prints the core's path, the core read
# once so that it is in the page cache.
kernel_core() {
  local d=$1; shift
  mkdir -p "$d"
  (cd "$d" && ulimit -c unlimited && echo 0x33 > /proc/self/coredump_filter && exec "$@") >/dev/null 2>&1 || true
  local core
  core=$(ls "$d"/core* | head -n 1)
  cat "$core" > /dev/null
  echo "$core"
}
