"""ckpt_restart.py - the gdb commands `ckpt-restart CORE [EXE]` and `ckpt-attach PID`.

`ckpt-restart CORE [EXE]` restores the checkpoint CORE with ckpt's engine
(target/bin/restart, or $CKPT_RESTART), left stopped at the checkpoint, and
attaches this gdb to it: inside one gdb session it feels like gdb's own
`restart N`. The restored program shares gdb's terminal (stdin, stdout and
stderr). `ckpt debug CORE` is gdb started with this command.

`ckpt-attach PID` is gdb's `attach PID` for a process left stopped by SIGSTOP
(a job-control stop, state "T (stopped)"): plain `attach` leaves the kernel's
group stop and the SIGSTOP of PTRACE_ATTACH behind, and the first `continue`
then stops twice with "Program received signal SIGSTOP". ckpt-attach sends the
process SIGCONT while gdb holds it (the kernel then drops the pending SIGSTOP
and ends the group stop), lets that SIGCONT arrive with only the current
thread resumed and before any instruction runs, and discards it: the process
is where it was stopped and the next `continue` runs it.

Use by hand:  gdb -x gdb-scripts/ckpt_restart.py   then   ckpt-restart core.prog
"""

import os
import re
import signal
import subprocess
import time

import gdb

_HERE = os.path.dirname(os.path.abspath(__file__))
# engines started with -w wait for their restored process; reaped here
_engines = []


class CkptRestartError(gdb.GdbError):
    pass


def _proc_status(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            return f.read()
    except OSError:
        return None


def _stopped(status):
    m = re.search(r"^State:\s+T \(stopped\)", status or "", re.M)
    return m is not None


def _blocked(status, sig):
    m = re.search(r"^SigBlk:\s+([0-9a-f]+)", status or "", re.M)
    return m is not None and (int(m.group(1), 16) >> (sig - 1)) & 1 == 1


def _handle_state(name):
    """(stop, print, pass) of gdb's `handle` for signal NAME."""
    text = gdb.execute("info signals " + name, to_string=True)
    for line in text.splitlines():
        f = line.split()
        if f and f[0] == name and len(f) >= 4:
            return tuple(x == "Yes" for x in f[1:4])
    return (True, True, True)


def _set_handle(name, state):
    words = ["stop" if state[0] else "nostop", "print" if state[1] else "noprint",
             "pass" if state[2] else "nopass"]
    gdb.execute("handle %s %s" % (name, " ".join(words)), to_string=True)


def attach(pid):
    """Attach to PID; when it is in a job-control stop, end that stop without a stray SIGSTOP."""
    status = _proc_status(pid)
    if status is None:
        raise CkptRestartError("ckpt-attach: no process %d" % pid)
    clean = _stopped(status) and not _blocked(status, signal.SIGCONT)
    gdb.execute("attach %d" % pid)
    if not clean:
        return
    saved = _handle_state("SIGCONT")
    locking = gdb.parameter("scheduler-locking")
    try:
        os.kill(pid, signal.SIGCONT)
        _set_handle("SIGCONT", (True, True, False))
        gdb.execute("set scheduler-locking on", to_string=True)
        # the SIGCONT is taken before the thread runs any instruction: a stop in place,
        # whose report goes to /dev/null (neither to_string nor `set logging redirect`
        # catch a stop's report, so gdb's own stdout is pointed there meanwhile)
        gdb.flush()
        saved_fd = os.dup(1)
        null = os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
        os.dup2(null, 1)
        os.close(null)
        try:
            gdb.execute("continue", to_string=True)
        finally:
            gdb.flush()
            os.dup2(saved_fd, 1)
            os.close(saved_fd)
        if _stop_signal() == signal.SIGCONT:
            gdb.execute("queue-signal 0", to_string=True)
        else:
            # another signal was pending and came first: leave it to the user
            gdb.execute("frame")
    finally:
        gdb.execute("set scheduler-locking %s" % locking, to_string=True)
        _set_handle("SIGCONT", saved)


def _stop_signal():
    """The signal the current thread stopped with, or None."""
    try:
        return int(gdb.parse_and_eval("$_siginfo.si_signo"))
    except gdb.error:
        return None


def _engine():
    env = os.environ.get("CKPT_RESTART")
    if env:
        return env
    return os.path.join(os.path.dirname(_HERE), "target", "bin", "restart")


def _child_of(ppid):
    """The pid of PPID's child, or None."""
    try:
        with open("/proc/%d/task/%d/children" % (ppid, ppid)) as f:
            kids = f.read().split()
        if kids:
            return int(kids[0])
    except OSError:
        pass
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
            except OSError:
                continue
            if int(st[st.rindex(")") + 2:].split()[1]) == ppid:
                return int(d)
    return None


def restore_stopped(core, exe=None, options=()):
    """Runs the engine on CORE with -w (it stays the waiting parent) and returns the stopped process's pid."""
    engine = _engine()
    if not os.access(engine, os.X_OK):
        raise CkptRestartError("ckpt-restart: %s: restore engine not built (run: mvn -q package -DskipTests)"
                               % engine)
    cmd = [engine, "-w"] + list(options) + ([exe] if exe else []) + [core]
    p = subprocess.Popen(cmd)
    _engines.append(p)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if p.poll() is not None:
            raise CkptRestartError("ckpt-restart: %s: the engine ended with status %d; nothing to attach to"
                                   % (core, p.returncode))
        pid = _child_of(p.pid)
        if pid is not None and _stopped(_proc_status(pid)):
            return pid
        time.sleep(0.01)
    p.kill()
    raise CkptRestartError("ckpt-restart: %s: no stopped process after 120 s" % core)


def _reap(_event=None):
    for p in list(_engines):
        if p.poll() is not None:
            _engines.remove(p)


class CkptRestartCommand(gdb.Command):
    """Restore a checkpoint and attach to it: ckpt-restart CORE [EXECUTABLE].

The process is restored stopped at the checkpoint by ckpt's engine and this gdb
attaches to it; `continue` runs it on. Its stdin, stdout and stderr are gdb's."""

    def __init__(self):
        super().__init__("ckpt-restart", gdb.COMMAND_RUNNING, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if not 1 <= len(args) <= 2:
            raise CkptRestartError("usage: ckpt-restart CORE [EXECUTABLE]")
        if gdb.selected_inferior().pid != 0:
            raise CkptRestartError("ckpt-restart: the current inferior is live; kill or detach it first")
        _reap()
        pid = restore_stopped(args[0], args[1] if len(args) > 1 else None)
        try:
            attach(pid)
        except gdb.error as e:
            if gdb.selected_inferior().pid != pid:
                # not ours to debug (ptrace refused?): leave nothing stopped behind
                os.kill(pid, signal.SIGKILL)
                raise CkptRestartError("ckpt-restart: cannot attach to restored process %d (%s); it was killed"
                                       % (pid, e))
            raise


class CkptAttachCommand(gdb.Command):
    """Attach to a process left stopped by SIGSTOP, without a stray SIGSTOP stop: ckpt-attach PID."""

    def __init__(self):
        super().__init__("ckpt-attach", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if len(args) != 1 or not args[0].isdigit():
            raise CkptRestartError("usage: ckpt-attach PID")
        attach(int(args[0]))


CkptRestartCommand()
CkptAttachCommand()
gdb.events.exited.connect(_reap)
