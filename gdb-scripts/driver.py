# driver.py - the gdb side of ckpt's Java driver (ckpt-gdb); usable by hand too.
#
#   (gdb) source gdb-scripts/driver.py
#   (gdb) ckpt-break linklist.c:29 500    # stop at hit 501 of line 29, like break + continue 500
#   (gdb) run < input
#   (gdb) ckpt-save core.linklist          # from gdb-scripts/ckpt.py
#
# Why an internal breakpoint: gdb reports every hit of an ordinary breakpoint to MI
# front ends as an =breakpoint-modified notification (with the new hit count), so
# `continue 100000` over MI prints hundreds of megabytes and runs at half the console
# speed. A breakpoint made from Python with internal=True and an ignore count emits
# no notification and counts hits inside gdb at console speed; the stop arrives as
# *stopped,reason="breakpoint-hit",bkptno="<its negative number>".
#
# Commands:
#   ckpt-break LOCATION [N]   (CLI) internal breakpoint at LOCATION that lets N hits
#                             pass and stops at hit N+1; replaces the previous one.
#   ckpt-continue [N]         (CLI) like `continue N` on that breakpoint, without the
#                             per-hit notifications.
#   -ckpt-break LOCATION [N]  (MI) the same as ckpt-break; the result is
#                             ^done,number="-1",ignore="N",locations=[{file=,fullname=,line=,func=,addr=},...]
#   -ckpt-hits                (MI) ^done,number="-1",hits="H": hits of that breakpoint so far.
#   -ckpt-ignore N            (MI) let the next N hits pass (then -exec-continue stops at
#                             the one after): for several checkpoints in one run.
# A LOCATION gdb cannot resolve now is an error (no pending breakpoints).
import gdb

_bp = None


def _current():
    if _bp is None or not _bp.is_valid():
        raise gdb.GdbError("no ckpt breakpoint: use ckpt-break LOCATION first")
    return _bp


def _parse_count(text, what):
    try:
        n = int(text, 0)
    except ValueError:
        raise gdb.GdbError("%s: not a number: %s" % (what, text))
    if n < 0:
        raise gdb.GdbError("%s: must not be negative: %s" % (what, text))
    return n


def make_break(spec, ignore):
    """Creates the internal breakpoint at SPEC that stops at hit IGNORE+1."""
    global _bp
    try:
        gdb.decode_line(spec)
    except gdb.error as e:
        raise gdb.GdbError(str(e))
    if _bp is not None and _bp.is_valid():
        _bp.delete()
    _bp = None
    bp = gdb.Breakpoint(spec, internal=True)
    if not bp.locations:
        bp.delete()
        raise gdb.GdbError("%s: no code at this location" % spec)
    bp.ignore_count = ignore
    _bp = bp
    return bp


def _locations(bp):
    out = []
    for loc in bp.locations:
        d = {"addr": "0x%x" % loc.address}
        if loc.source is not None:
            d["file"] = loc.source[0]
            d["line"] = str(loc.source[1])
        if loc.fullname is not None:
            d["fullname"] = loc.fullname
        if loc.function is not None:
            d["func"] = loc.function
        out.append(d)
    return out


def _describe(bp):
    where = []
    for d in _locations(bp):
        if "file" in d:
            where.append("%s:%s" % (d["file"], d["line"]))
        else:
            where.append(d["addr"])
    return ", ".join(where)


class CkptBreak(gdb.Command):
    """ckpt-break LOCATION [N]: internal breakpoint at LOCATION stopping at hit N+1 (default N=0).

Like `break LOCATION` followed by `continue N` after the first stop, but gdb counts
the hits itself and sends MI front ends no notification per hit."""

    def __init__(self):
        super().__init__("ckpt-break", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        if len(argv) not in (1, 2):
            raise gdb.GdbError("usage: ckpt-break LOCATION [N]")
        n = _parse_count(argv[1], "N") if len(argv) == 2 else 0
        bp = make_break(argv[0], n)
        print("ckpt-break: breakpoint at %s, stops at hit %d" % (_describe(bp), n + 1))


class CkptContinue(gdb.Command):
    """ckpt-continue [N]: continue, stopping at the N-th next hit of the ckpt-break breakpoint (default 1).

`continue N` (gdb) means the same: it ignores N-1 hits."""

    def __init__(self):
        super().__init__("ckpt-continue", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        if len(argv) > 1:
            raise gdb.GdbError("usage: ckpt-continue [N]")
        n = _parse_count(argv[0], "N") if argv else 1
        bp = _current()
        bp.ignore_count = max(n - 1, 0)
        gdb.execute("continue", from_tty=from_tty)


class MiCkptBreak(gdb.MICommand):
    """-ckpt-break LOCATION [N]"""

    def __init__(self):
        super().__init__("-ckpt-break")

    def invoke(self, argv):
        if len(argv) not in (1, 2):
            raise gdb.GdbError("usage: -ckpt-break LOCATION [N]")
        n = _parse_count(argv[1], "N") if len(argv) == 2 else 0
        bp = make_break(argv[0], n)
        return {"number": str(bp.number), "ignore": str(n), "locations": _locations(bp)}


class MiCkptHits(gdb.MICommand):
    """-ckpt-hits"""

    def __init__(self):
        super().__init__("-ckpt-hits")

    def invoke(self, argv):
        bp = _current()
        return {"number": str(bp.number), "hits": str(bp.hit_count)}


class MiCkptIgnore(gdb.MICommand):
    """-ckpt-ignore N"""

    def __init__(self):
        super().__init__("-ckpt-ignore")

    def invoke(self, argv):
        if len(argv) != 1:
            raise gdb.GdbError("usage: -ckpt-ignore N")
        bp = _current()
        bp.ignore_count = _parse_count(argv[0], "N")
        return {"number": str(bp.number), "ignore": argv[0]}


CkptBreak()
CkptContinue()
MiCkptBreak()
MiCkptHits()
MiCkptIgnore()
