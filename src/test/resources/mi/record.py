#!/usr/bin/env python3
"""Records a GDB/MI transcript from real gdb for the parser tests.

    record.py OUT.mi COMMAND...

Starts `gdb --interpreter=mi3 -q -nx`, sends each COMMAND with a token (1, 2, ...)
after the previous command's result record and prompt; a COMMAND starting with
'!' also waits for the next *stopped record. gdb's stdout is written unchanged to
OUT.mi, the commands sent to OUT.in. Run from the repository root after
`mvn -q package -DskipTests` (see README.md in this directory for the recordings).
"""
import subprocess, sys

out_path, cmds = sys.argv[1], sys.argv[2:]
p = subprocess.Popen(["gdb", "--interpreter=mi3", "-q", "-nx"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
raw = []

def read_until(pred):
    while True:
        line = p.stdout.readline()
        if not line:
            raise SystemExit("gdb ended early")
        raw.append(line)
        if pred(line):
            return

read_until(lambda l: l.startswith(b"(gdb)"))
sent = []
for i, c in enumerate(cmds, 1):
    wait_stop = c.startswith("!")
    c = c[1:] if wait_stop else c
    line = f"{i}{c}\n".encode()
    sent.append(line)
    p.stdin.write(line)
    p.stdin.flush()
    tok = str(i).encode()
    read_until(lambda l: l.startswith(tok + b"^"))
    if not (c.startswith("-gdb-exit")):
        read_until(lambda l: l.startswith(b"(gdb)"))
    if wait_stop:
        read_until(lambda l: l.startswith(b"*stopped"))
        read_until(lambda l: l.startswith(b"(gdb)"))
p.stdin.close()
raw.append(p.stdout.read())
p.wait(timeout=30)
with open(out_path, "wb") as f:
    f.write(b"".join(raw))
with open(out_path[:-3] + ".in", "wb") as f:
    f.write(b"".join(sent))
