"""ckpt.py - the gdb command `ckpt-save FILE`: write a checkpoint image.

A checkpoint image is a standard ELF core written by gdb's own `gcore`, plus
one extra PT_NOTE segment whose notes (owner "CKPT") hold the state a core
lacks: open files, signal handlers and mask, cwd, rseq, tid address, mappings
with file identity, the XSAVE area and the memory-layout fields of
/proc/PID/stat. native/include/ckpt_image.h defines the layout and
docs/IMAGE-FORMAT.md describes it.

Use by hand:   gdb -x gdb-scripts/ckpt.py PROGRAM   then   ckpt-save core.x
From Python:   save_checkpoint("core.x")  ->  (bytes written, notes written)

The inferior must be stopped. It is never killed or resumed, except for a few
short inferior function calls (rt_sigaction, prctl, brk queries) made after
the core is written, with other threads held (scheduler-locking on), and
with the stack bytes they use put back afterwards.
"""

import bisect
import ctypes
import fcntl
import os
import shutil
import socket
import stat
import struct
import tempfile
import termios

import gdb

# ---------------------------------------------------------------------------
# The image format (native/include/ckpt_image.h).

CKPT_NOTE_OWNER = b"CKPT"
CKPT_IMAGE_VERSION = 1

CKPT_NT_VERSION = 1
CKPT_NT_FILES = 2
CKPT_NT_SIGACTION = 3
CKPT_NT_SIGMASK = 4
CKPT_NT_CWD = 5
CKPT_NT_RSEQ = 6
CKPT_NT_TIDADDR = 7
CKPT_NT_MAPS = 8
CKPT_NT_XSTATE = 9
CKPT_NT_MM = 10
CKPT_NT_ATTRS = 11
CKPT_NT_THREAD_ATTRS = 12
CKPT_NT_POSIX_TIMERS = 13
CKPT_NT_MADVISE = 14
CKPT_NT_ORIGIN = 16
CKPT_NT_KOBJ = 17

CKPT_KOBJ_PIPE, CKPT_KOBJ_EVENTFD, CKPT_KOBJ_SIGNALFD, CKPT_KOBJ_TIMERFD = 1, 2, 3, 4
CKPT_KOBJ_EPOLL, CKPT_KOBJ_SOCKPAIR, CKPT_KOBJ_FILE, CKPT_KOBJ_PIDFD = 5, 6, 7, 8
CKPT_KOBJ_EFD_SEMAPHORE = 1
CKPT_KOBJ_PIPE_FIFO = 1
CKPT_KOBJ_FILE_MEMFD, CKPT_KOBJ_FILE_SAME = 1, 2

CKPT_WRITER_GDB = 1

CKPT_FILE_REG, CKPT_FILE_CHR, CKPT_FILE_DIR = 1, 2, 3
CKPT_FILE_PIPE, CKPT_FILE_SOCK, CKPT_FILE_OTHER = 4, 5, 6
CKPT_FD_CLOEXEC = 1

CKPT_MAP_SHARED = 1
CKPT_MAP_GROWSDOWN = 2

VERSION_FMT = "<IIII"          # struct ckpt_version
FILE_FMT = "<iIqIIiI"          # struct ckpt_file (32 bytes)
SIGACTION_FMT = "<QQQQ"        # struct ckpt_sigaction (32 bytes)
RSEQ_FMT = "<QII"              # struct ckpt_rseq (16 bytes)
MAP_FMT = "<QQQIIQQQqII"       # struct ckpt_map (72 bytes)
MM_FMT = "<11Q"                # struct ckpt_mm (88 bytes)
ORIGIN_FMT = "<QII"            # struct ckpt_origin (16 bytes), then the location
KOBJ_FMT = "<iIQQQQII"         # struct ckpt_kobj (48 bytes), then its data padded to 8
EPOLL_ITEM_FMT = "<iIQ"        # struct ckpt_epoll_item (16 bytes)
ATTRS_HEAD_FMT = "<IIII"       # struct ckpt_attrs: have, umask, personality, reserved,
RLIMIT_FMT = "<QQ"             #   then CKPT_NRLIMITS {cur, max}
ITIMER_FMT = "<qq"             #   then 3 {interval_us, value_us},
ATTRS_TAIL_FMT = "<iIII32I"    #   then oom_score_adj, thp_disable, loginuid, ngroups, groups (464 in all)
THREAD_ATTRS_FMT = "<iIQQII16s"  # struct ckpt_thread_attrs (48 bytes)
POSIX_TIMER_FMT = "<iiiiiIQqq"   # struct ckpt_posix_timer (48 bytes)
MADVISE_FMT = "<QQII"            # struct ckpt_madvise (24 bytes)
# VmFlags of /proc/PID/smaps -> CKPT_ADV_*
CKPT_ADV = {"dc": 1, "dd": 2, "hg": 4, "nh": 8, "wf": 16, "mg": 32}
CKPT_NRLIMITS = 16
CKPT_ATTR_UMASK, CKPT_ATTR_PERSONALITY, CKPT_ATTR_RLIMITS, CKPT_ATTR_ITIMERS = 1, 2, 4, 8
CKPT_ATTR_OOM, CKPT_ATTR_THP, CKPT_ATTR_LOGINUID, CKPT_ATTR_GROUPS = 16, 32, 64, 128
CKPT_NGROUPS = 32
CKPT_TA_SIGALTSTACK, CKPT_TA_COMM = 1, 2

# Set by a driver before ckpt-save (set_origin): (breakpoint location, hit), written
# as CKPT_NT_ORIGIN; None: no such note.
ckpt_origin = None


def set_origin(location, hit):
    """The next ckpt-save records that it was taken at hit HIT of breakpoint LOCATION."""
    global ckpt_origin
    ckpt_origin = (str(location), int(hit))


def make_origin(origin):
    loc = origin[0].encode("utf-8", "surrogateescape") + b"\0"
    return struct.pack(ORIGIN_FMT, origin[1], len(loc), 0) + loc

NSIG = 64

# ---------------------------------------------------------------------------
# Kernel and libc constants (x86-64 Linux).

O_CLOEXEC = 0o2000000
PROT_READ, PROT_WRITE, PROT_EXEC = 1, 2, 4

SYS_brk = 12
SYS_getitimer = 36
SYS_sigaltstack = 131
SYS_timer_gettime = 224
SS_ONSTACK = 1
SYS_rt_sigaction = 13
SYS_prctl = 157
SYS_kcmp = 312
SYS_pidfd_getfd = 438
KCMP_FILE = 0
PR_GET_TID_ADDRESS = 40

PTRACE_GETREGSET = 0x4204
PTRACE_GET_RSEQ_CONFIGURATION = 0x420F
NT_X86_XSTATE = 0x202
XSTATE_BUF_SIZE = 64 * 1024    # the kernel shortens iov_len to the real size

RSEQ_GLIBC_LEN = 32
RSEQ_GLIBC_SIG = 0x53053053

# ELF
ELF_HEADER_SIZE = 64
ELF_PHDR_SIZE = 56
ELF_SHDR_SIZE = 64
ET_CORE = 4
EM_X86_64 = 62
PT_NOTE = 4
PF_R = 4
PN_XNUM = 0xFFFF
NT_PRSTATUS = 1
PRSTATUS_PID_OFFSET = 32     # pr_pid in struct elf_prstatus
PRSTATUS_SIGHOLD_OFFSET = 24 # pr_sighold in struct elf_prstatus

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.ptrace.restype = ctypes.c_long
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]


class CkptError(Exception):
    """A checkpoint could not be written; the message is one line."""


def _warn(message):
    gdb.write("ckpt-save: warning: %s\n" % message, gdb.STDERR)


def _align(n, a):
    return (n + a - 1) & ~(a - 1)


def _padded_path(raw):
    """A path as the notes hold it: NUL-terminated, padded with NULs to 8."""
    return raw + b"\0" * (_align(len(raw) + 1, 8) - len(raw))


# ---------------------------------------------------------------------------
# State read from /proc and with ptrace (the inferior is not touched).

def _fdinfo(pid, fd):
    info = {}
    with open("/proc/%d/fdinfo/%d" % (pid, fd)) as f:
        for line in f:
            key, _, value = line.partition(":")
            info[key] = value.strip()
    return info


def _file_kind(link, target):
    if target.startswith(b"anon_inode:") or target.endswith(b" (deleted)"):
        return CKPT_FILE_OTHER
    try:
        mode = os.stat(link).st_mode
    except OSError:
        return CKPT_FILE_OTHER
    for test, kind in ((stat.S_ISREG, CKPT_FILE_REG), (stat.S_ISCHR, CKPT_FILE_CHR),
                       (stat.S_ISDIR, CKPT_FILE_DIR), (stat.S_ISFIFO, CKPT_FILE_PIPE),
                       (stat.S_ISSOCK, CKPT_FILE_SOCK)):
        if test(mode):
            return kind
    return CKPT_FILE_OTHER


def _same_open_file(pid, fd1, fd2):
    """True if fd1 and fd2 share one open file description (kcmp); None if kcmp fails."""
    r = _libc.syscall(ctypes.c_long(SYS_kcmp), ctypes.c_long(pid), ctypes.c_long(pid),
                      ctypes.c_long(KCMP_FILE), ctypes.c_long(fd1), ctypes.c_long(fd2))
    if r < 0:
        return None
    return r == 0


def read_files(pid, seen=None):
    """CKPT_NT_FILES: every open descriptor, in fd order. SEEN, a list, gets
    (fd, target, kind, flags, share_id) of each."""
    fds = sorted(int(n) for n in os.listdir("/proc/%d/fd" % pid))
    out = []
    groups = {}   # (mnt_id, ino, flags, pos) -> fds seen so far; candidates for sharing
    for fd in fds:
        link = "/proc/%d/fd/%d" % (pid, fd)
        try:
            target = os.readlink(link.encode())
            info = _fdinfo(pid, fd)
        except FileNotFoundError:
            continue  # closed while we looked (another process sharing the table)
        flags = int(info.get("flags", "0"), 8)
        fdflags = CKPT_FD_CLOEXEC if flags & O_CLOEXEC else 0
        flags &= ~O_CLOEXEC
        pos = int(info.get("pos", "0"))
        share_id = fd
        key = (info.get("mnt_id"), info.get("ino"), flags, pos)
        for other, other_share in groups.get(key, []):
            if _same_open_file(pid, other, fd):
                share_id = other_share
                break
        groups.setdefault(key, []).append((fd, share_id))
        path = _padded_path(target)
        kind = _file_kind(link, target)
        out.append(struct.pack(FILE_FMT, fd, flags, pos, kind, fdflags, share_id, len(path)) + path)
        if seen is not None:
            seen.append((fd, target, kind, flags, share_id))
    return b"".join(out)


def _kobj(fd, kind, ino=0, args=(0, 0, 0), flags=0, data=b""):
    return (struct.pack(KOBJ_FMT, fd, kind, ino, args[0], args[1], args[2], flags, len(data)) + data +
            b"\0" * (_align(len(data), 8) - len(data)))


def _peek_pipe(pid, fd):
    """The unread bytes of the pipe at PID's FD (a read end), left where they are (tee)."""
    src = os.open("/proc/%d/fd/%d" % (pid, fd), os.O_RDONLY | os.O_NONBLOCK | O_CLOEXEC)
    try:
        size = fcntl.fcntl(src, 1032)                     # F_GETPIPE_SZ
        avail = struct.unpack("i", fcntl.ioctl(src, termios.FIONREAD, b"\0" * 4))[0]
        if avail == 0:
            return size, b""
        r, w = os.pipe2(os.O_NONBLOCK | O_CLOEXEC)
        try:
            fcntl.fcntl(w, 1031, size)                    # F_SETPIPE_SZ
            n = _libc.tee(src, w, ctypes.c_size_t(avail), 2)  # SPLICE_F_NONBLOCK
            if n != avail:
                raise OSError(ctypes.get_errno(), "tee copied %d of %d bytes" % (n, avail))
            data = b""
            while len(data) < avail:
                data += os.read(r, avail - len(data))
            return size, data
        finally:
            os.close(r)
            os.close(w)
    finally:
        os.close(src)


def _unix_peer(ino):
    """The inode of the AF_UNIX socket connected to socket INO (sock_diag), or 0."""
    req = struct.pack("<IHHII", 16 + 24, 20, 1, 1, 0)   # SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST
    req += struct.pack("<BBHIIIII", socket.AF_UNIX, 0, 0, 0xffffffff, ino, 4, 0xffffffff, 0xffffffff)
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 4) as nl:   # NETLINK_SOCK_DIAG
        nl.sendto(req, (0, 0))
        reply = nl.recv(8192)
    length, kind = struct.unpack_from("<IH", reply)
    if kind != 20 or length < 32:
        return 0
    off = 32
    while off + 4 <= length:
        alen, atype = struct.unpack_from("<HH", reply, off)
        if alen < 4:
            break
        if atype == 2 and alen >= 8:                       # UNIX_DIAG_PEER
            return struct.unpack_from("<I", reply, off + 4)[0]
        off += (alen + 3) & ~3
    return 0


def _unix_queue(sock):
    """The messages queued at SOCK, peeked: u32 count, then u32 length and bytes each."""
    msgs = []
    flags = socket.MSG_PEEK | socket.MSG_DONTWAIT
    if sock.type == socket.SOCK_STREAM:
        avail = struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0" * 4))[0]
        if avail:
            msgs.append(sock.recv(avail, flags))
    else:
        old = sock.getsockopt(socket.SOL_SOCKET, 42)         # SO_PEEK_OFF
        sock.setsockopt(socket.SOL_SOCKET, 42, 0)
        try:
            while True:
                try:
                    m = sock.recv(1 << 20, flags)
                except BlockingIOError:
                    break
                msgs.append(m)
                # an empty datagram does not move the peek offset: the last comes again
                if not m and len(msgs) > 1 and not msgs[-2]:
                    msgs.pop()
                    break
        finally:
            sock.setsockopt(socket.SOL_SOCKET, 42, old)
    return struct.pack("<I", len(msgs)) + b"".join(struct.pack("<I", len(m)) + m for m in msgs)


def _read_sockpairs(pid, files):
    """SOCKPAIR records: AF_UNIX pairs with both ends in the process, with what is
    queued at each end, read through copies of its descriptors (pidfd_getfd)."""
    socks = {}
    for fd, target, kind, _, share in files:
        if kind == CKPT_FILE_SOCK and target.startswith(b"socket:[") and share == fd:
            socks.setdefault(int(target[8:-1]), fd)
    if not socks:
        return []
    out = []
    pidfd = os.pidfd_open(pid)
    try:
        def grab(fd):
            n = _libc.syscall(ctypes.c_long(SYS_pidfd_getfd), ctypes.c_long(pidfd), ctypes.c_long(fd),
                              ctypes.c_long(0))
            if n < 0:
                raise OSError(ctypes.get_errno(), "pidfd_getfd of fd %d" % fd)
            return socket.socket(fileno=n)
        for ino, fd in sorted(socks.items(), key=lambda x: x[1]):
            with grab(fd) as a:
                if a.family != socket.AF_UNIX:
                    continue
                peer = _unix_peer(ino)
                if peer not in socks or socks[peer] < fd:
                    continue   # a peer elsewhere, or recorded at the peer's descriptor
                qa = _unix_queue(a)
                with grab(socks[peer]) as b:
                    qb = _unix_queue(b)
                out.append(_kobj(fd, CKPT_KOBJ_SOCKPAIR, ino, (peer, a.type, 0), 0, qa + qb))
    finally:
        os.close(pidfd)
    return out


def read_kobj(pid, files):
    """CKPT_NT_KOBJ: the kernel objects that /proc shows whole: pipes with both
    ends in the process and their unread bytes, eventfd, signalfd, timerfd, epoll,
    memfds and deleted files, pidfds of the process itself; AF_UNIX socket pairs."""
    out = _read_sockpairs(pid, files)
    files_seen = {}
    for fd, target, kind, flags, share in files:
        if share != fd:
            continue
        info = _fdinfo(pid, fd)
        if kind == CKPT_FILE_PIPE and (target.startswith(b"pipe:[") or target.startswith(b"/")):
            ends = [(f, fl & 3) for f, t, k, fl, _ in files if t == target]
            if ends[0][0] != fd or not any(a in (0, 2) for _, a in ends) or not any(a in (1, 2) for _, a in ends):
                continue
            size, data = _peek_pipe(pid, next(f for f, a in ends if a in (0, 2)))
            if target.startswith(b"/"):   # a named FIFO: its descriptors are those of its path
                out.append(_kobj(fd, CKPT_KOBJ_PIPE, 0, (size, 0, 0), CKPT_KOBJ_PIPE_FIFO, data))
            else:
                out.append(_kobj(fd, CKPT_KOBJ_PIPE, int(target[6:-1]), (size, 0, 0), 0, data))
        elif target == b"anon_inode:[eventfd]" and "eventfd-count" in info:
            sem = CKPT_KOBJ_EFD_SEMAPHORE if info.get("eventfd-semaphore") == "1" else 0
            out.append(_kobj(fd, CKPT_KOBJ_EVENTFD, 0, (int(info["eventfd-count"], 16), 0, 0), sem))
        elif target == b"anon_inode:[signalfd]" and "sigmask" in info:
            out.append(_kobj(fd, CKPT_KOBJ_SIGNALFD, 0, (int(info["sigmask"], 16), 0, 0)))
        elif target == b"anon_inode:[timerfd]" and "it_value" in info:
            value = [int(x) for x in info["it_value"].strip("()").split(",")]
            interval = [int(x) for x in info["it_interval"].strip("()").split(",")]
            out.append(_kobj(fd, CKPT_KOBJ_TIMERFD, 0, (int(info["clockid"]), value[0] * 10**9 + value[1],
                             interval[0] * 10**9 + interval[1]), min(int(info["ticks"]), 0xffffffff)))
        elif target == b"anon_inode:[eventpoll]":
            items = []
            with open("/proc/%d/fdinfo/%d" % (pid, fd)) as f:
                for line in f:
                    w = line.split()
                    if w and w[0] == "tfd:":
                        items.append(struct.pack(EPOLL_ITEM_FMT, int(w[1]), int(w[3], 16), int(w[5], 16)))
            out.append(_kobj(fd, CKPT_KOBJ_EPOLL, 0, (0, 0, 0), 0, b"".join(items)))
        elif (target == b"anon_inode:[pidfd]" or target.startswith(b"pidfd:")) and info.get("Pid") == str(pid):
            out.append(_kobj(fd, CKPT_KOBJ_PIDFD))
        elif kind == CKPT_FILE_OTHER and target.startswith(b"/") and (
                target.startswith(b"/memfd:") or target.endswith(b" (deleted)")):
            src = os.open("/proc/%d/fd/%d" % (pid, fd), os.O_RDONLY | O_CLOEXEC)
            try:
                st = os.fstat(src)
                if not stat.S_ISREG(st.st_mode):
                    continue
                if st.st_ino in files_seen:
                    out.append(_kobj(fd, CKPT_KOBJ_FILE, st.st_ino, (0, 0, 0), CKPT_KOBJ_FILE_SAME))
                    continue
                files_seen[st.st_ino] = fd
                try:
                    seals = fcntl.fcntl(src, 1034)          # F_GET_SEALS
                except OSError:
                    seals = 0
                data = os.pread(src, st.st_size, 0)
                data += b"\0" * (st.st_size - len(data))
                memfd = CKPT_KOBJ_FILE_MEMFD if target.startswith(b"/memfd:") else 0
                out.append(_kobj(fd, CKPT_KOBJ_FILE, st.st_ino, (seals, st.st_mode & 0o7777, 0), memfd, data))
            finally:
                os.close(src)
    return b"".join(out)


def _parse_maps(pid):
    """The lines of /proc/PID/maps as dicts."""
    maps = []
    with open("/proc/%d/maps" % pid, "rb") as f:
        for line in f:
            fields = line.rstrip(b"\n").split(None, 5)
            start, end = (int(x, 16) for x in fields[0].split(b"-"))
            perms = fields[1]
            major, minor = (int(x, 16) for x in fields[3].split(b":"))
            maps.append({
                "start": start, "end": end, "perms": perms,
                "offset": int(fields[2], 16), "dev": os.makedev(major, minor),
                "inode": int(fields[4]),
                "path": fields[5].lstrip(b" ") if len(fields) > 5 else b"",
            })
    return maps


def _file_identity(m):
    """(st_size, st_mtime_ns) of a mapped file; zeros when there is none or it is gone."""
    path = m["path"]
    if m["inode"] == 0 or not path.startswith(b"/") or path.endswith(b" (deleted)"):
        return 0, 0
    try:
        st = os.stat(path)
    except OSError:
        return 0, 0
    return st.st_size, st.st_mtime_ns


def read_maps(maps):
    """CKPT_NT_MAPS: every mapping with the identity of its file."""
    out = []
    for m in maps:
        perms = m["perms"]
        prot = ((PROT_READ if perms[0:1] == b"r" else 0)
                | (PROT_WRITE if perms[1:2] == b"w" else 0)
                | (PROT_EXEC if perms[2:3] == b"x" else 0))
        flags = ((CKPT_MAP_SHARED if perms[3:4] == b"s" else 0)
                 | (CKPT_MAP_GROWSDOWN if m["path"] == b"[stack]" else 0))
        size, mtime_ns = _file_identity(m)
        path = _padded_path(m["path"])
        out.append(struct.pack(MAP_FMT, m["start"], m["end"], m["offset"], prot, flags,
                               m["dev"], m["inode"], size, mtime_ns, len(path), 0) + path)
    return b"".join(out)


def read_cwd(pid):
    """CKPT_NT_CWD: the working directory, NUL-terminated."""
    return os.readlink(("/proc/%d/cwd" % pid).encode()) + b"\0"


def _status(pid, tid):
    fields = {}
    with open("/proc/%d/task/%d/status" % (pid, tid)) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def read_sigmask(status):
    """CKPT_NT_SIGMASK: the blocked signals of the thread (SigBlk)."""
    return struct.pack("<Q", int(status["SigBlk"], 16))


def read_mm(pid, maps, brk):
    """CKPT_NT_MM: the memory-layout fields of /proc/PID/stat.

    brk is the exact break from the process (brk(0)) when that worked, else
    the end of the [heap] mapping, else start_brk.
    """
    with open("/proc/%d/stat" % pid, "rb") as f:
        text = f.read()
    # Field 2 (comm) may hold spaces and parentheses: fields 3.. follow the last ')'.
    rest = text[text.rindex(b")") + 2:].split()

    def field(n):          # 1-based field number of man 5 proc
        return int(rest[n - 3])

    start_brk = field(47)
    if brk is None:
        heap = [m for m in maps if m["path"] == b"[heap]"]
        brk = heap[0]["end"] if heap else start_brk
    return struct.pack(MM_FMT, field(26), field(27), field(28), field(45), field(46),
                       start_brk, brk, field(48), field(49), field(50), field(51))


def read_xstate(tid):
    """CKPT_NT_XSTATE: the raw XSAVE area (PTRACE_GETREGSET NT_X86_XSTATE), or None."""
    buf = ctypes.create_string_buffer(XSTATE_BUF_SIZE)

    class IoVec(ctypes.Structure):
        _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]

    iov = IoVec(ctypes.cast(buf, ctypes.c_void_p), XSTATE_BUF_SIZE)
    if _libc.ptrace(PTRACE_GETREGSET, tid, NT_X86_XSTATE, ctypes.byref(iov)) < 0:
        _warn("PTRACE_GETREGSET NT_X86_XSTATE on thread %d: %s; no XSTATE note"
              % (tid, os.strerror(ctypes.get_errno())))
        return None
    return buf.raw[:iov.len]


def _rseq_from_ptrace(tid):
    class RseqConfig(ctypes.Structure):
        _fields_ = [("rseq_abi_pointer", ctypes.c_uint64), ("rseq_abi_size", ctypes.c_uint32),
                    ("signature", ctypes.c_uint32), ("flags", ctypes.c_uint32),
                    ("pad", ctypes.c_uint32)]

    conf = RseqConfig()
    if _libc.ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, ctypes.sizeof(conf),
                    ctypes.byref(conf)) < 0:
        return None
    return conf.rseq_abi_pointer, conf.rseq_abi_size, conf.signature


def _rseq_from_glibc():
    """The area glibc registers: $fs_base + __rseq_offset, if __rseq_size says it did."""
    try:
        size = int(gdb.parse_and_eval("*(unsigned int *) &__rseq_size"))
        if size == 0:
            return 0, 0, 0
        offset = int(gdb.parse_and_eval("*(long *) &__rseq_offset"))
        fs_base = int(gdb.parse_and_eval("(unsigned long) $fs_base"))
    except gdb.error:
        return None
    return (fs_base + offset) & 0xFFFFFFFFFFFFFFFF, RSEQ_GLIBC_LEN, RSEQ_GLIBC_SIG


def read_rseq(tid):
    """CKPT_NT_RSEQ: the thread's registered rseq area (addr 0 = none)."""
    rseq = _rseq_from_ptrace(tid) or _rseq_from_glibc()
    if rseq is None:
        _warn("cannot find the rseq area of thread %d; recorded as none" % tid)
        rseq = (0, 0, 0)
    return struct.pack(RSEQ_FMT, *rseq)


def make_version(nthreads):
    """CKPT_NT_VERSION."""
    return struct.pack(VERSION_FMT, CKPT_IMAGE_VERSION, CKPT_WRITER_GDB, nthreads, 0)


# ---------------------------------------------------------------------------
# State only the process itself can tell: inferior function calls.

class InferiorCalls:
    """Scoped inferior calls: other threads held, a scratch buffer on the stack
    (its old bytes put back on exit), errno saved and restored."""

    SCRATCH_SIZE = 256
    SCRATCH_GAP = 16384   # below $sp: room for the called function and a signal frame

    def __init__(self, inferior, maps):
        self.inferior = inferior
        self.maps = maps

    def __enter__(self):
        self.saved_params = {p: gdb.parameter(p) for p in ("scheduler-locking", "unwindonsignal")}
        self.saved_scratch = self.saved_errno = None
        try:
            gdb.execute("set scheduler-locking on", to_string=True)
            gdb.execute("set unwindonsignal on", to_string=True)
            self.scratch = self._scratch_address()
            self.saved_scratch = bytes(self.inferior.read_memory(self.scratch, self.SCRATCH_SIZE))
            self.errno_addr = self.call("(long) __errno_location()")
            if self.errno_addr:
                self.saved_errno = bytes(self.inferior.read_memory(self.errno_addr, 4))
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        try:
            if self.saved_errno is not None:
                self.inferior.write_memory(self.errno_addr, self.saved_errno)
            if self.saved_scratch is not None:
                self.inferior.write_memory(self.scratch, self.saved_scratch)
        finally:
            for name, value in self.saved_params.items():
                if isinstance(value, bool):
                    value = "on" if value else "off"
                gdb.execute("set %s %s" % (name, value), to_string=True)
        return False

    def _scratch_address(self):
        sp = int(gdb.parse_and_eval("(unsigned long) $sp"))
        for m in self.maps:
            if m["start"] <= sp < m["end"] and m["perms"][:2] == b"rw":
                addr = (sp - self.SCRATCH_GAP) & ~15
                if addr < m["start"]:
                    addr = m["start"]
                if addr + self.SCRATCH_SIZE + 1024 > sp:
                    break
                return addr
        raise CkptError("no room below the stack pointer 0x%x for a scratch buffer" % sp)

    def call(self, expression):
        """Evaluate an inferior call; its integer value, or None if it cannot be made."""
        try:
            return int(gdb.parse_and_eval(expression))
        except gdb.error:
            return None

    def read(self, length, offset=0):
        return bytes(self.inferior.read_memory(self.scratch + offset, length))

    def syscall(self, number, *args):
        """syscall(number, args...) through libc's syscall(); None if there is none."""
        text = ", ".join("(long) %d" % a for a in (number,) + args)
        return self.call("(long) syscall(%s)" % text)


def _caught_or_ignored(status):
    return int(status["SigCgt"], 16) | int(status["SigIgn"], 16)


def read_sigactions(calls, status):
    """CKPT_NT_SIGACTION: the kernel's struct sigaction of signals 1..64.

    Signals neither caught nor ignored are SIG_DFL (zeros) and not queried.
    """
    wanted = _caught_or_ignored(status)
    actions = []
    missing = []
    for sig in range(1, NSIG + 1):
        action = b"\0" * 32
        if wanted & (1 << (sig - 1)):
            action = _query_sigaction(calls, sig)
            if action is None:
                missing.append(sig)
                action = b"\0" * 32
        actions.append(action)
    if missing:
        _warn("cannot read the action of signal(s) %s (no syscall() or sigaction() in "
              "the program); recorded as SIG_DFL" % ", ".join(map(str, missing)))
    return b"".join(actions)


def _query_sigaction(calls, sig):
    # The kernel layout, through rt_sigaction(sig, NULL, &old, 8).
    if calls.syscall(SYS_rt_sigaction, sig, 0, calls.scratch, 8) == 0:
        return calls.read(32)
    # glibc's layout: handler, sa_mask (128 bytes), sa_flags (int), sa_restorer.
    if calls.call("(int) sigaction((int) %d, (long) 0, (long) %d)" % (sig, calls.scratch)) == 0:
        raw = calls.read(152)
        handler, = struct.unpack_from("<Q", raw, 0)
        mask, = struct.unpack_from("<Q", raw, 8)
        flags, = struct.unpack_from("<i", raw, 136)
        restorer, = struct.unpack_from("<Q", raw, 144)
        return struct.pack(SIGACTION_FMT, handler, flags & 0xFFFFFFFF, restorer, mask)
    return None


def read_tid_address(calls):
    """CKPT_NT_TIDADDR: the thread's clear_child_tid (prctl PR_GET_TID_ADDRESS)."""
    calls.inferior.write_memory(calls.scratch, b"\0" * 8)
    ok = calls.syscall(SYS_prctl, PR_GET_TID_ADDRESS, calls.scratch) == 0
    if not ok:
        ok = calls.call("(int) prctl((int) %d, (long) %d, (long) 0, (long) 0, (long) 0)"
                        % (PR_GET_TID_ADDRESS, calls.scratch)) == 0
    if not ok:
        _warn("cannot read the tid address; recorded as 0")
        return struct.pack("<Q", 0)
    return calls.read(8)


def read_attrs(pid, status, calls):
    """CKPT_NT_ATTRS: umask (status), personality (/proc), rlimits (prlimit of
    the pid from here), the interval timers (getitimer, an inferior call)."""
    have, umask, pers = 0, 0, 0
    if "Umask" in status:
        have, umask = have | CKPT_ATTR_UMASK, int(status["Umask"], 8)
    try:
        with open("/proc/%d/personality" % pid) as f:
            have, pers = have | CKPT_ATTR_PERSONALITY, int(f.read().strip(), 16)
    except (OSError, ValueError):
        pass
    limits = b""
    try:
        import resource
        for r in range(CKPT_NRLIMITS):
            cur, mx = resource.prlimit(pid, r)
            limits += struct.pack(RLIMIT_FMT, cur & (2**64 - 1), mx & (2**64 - 1))
        have |= CKPT_ATTR_RLIMITS
    except (ImportError, OSError, ValueError):
        limits = b""
    limits = limits or b"\0" * (16 * CKPT_NRLIMITS)
    timers = b""
    for which in range(3):
        if calls.syscall(SYS_getitimer, which, calls.scratch) != 0:
            _warn("cannot read the interval timers; not recorded")
            timers = b""
            break
        isec, iusec, vsec, vusec = struct.unpack("<qqqq", calls.read(32))
        timers += struct.pack(ITIMER_FMT, isec * 1000000 + iusec, vsec * 1000000 + vusec)
    if timers:
        have |= CKPT_ATTR_ITIMERS
    timers = timers or b"\0" * 48
    oom, thp, loginuid, groups = 0, 0, 0, []
    try:
        with open("/proc/%d/oom_score_adj" % pid) as f:
            have, oom = have | CKPT_ATTR_OOM, int(f.read())
    except (OSError, ValueError):
        pass
    try:
        with open("/proc/%d/loginuid" % pid) as f:
            have, loginuid = have | CKPT_ATTR_LOGINUID, int(f.read()) & 0xFFFFFFFF
    except (OSError, ValueError):
        pass
    if "THP_enabled" in status:
        have, thp = have | CKPT_ATTR_THP, int(status["THP_enabled"] == "0")
    if "Groups" in status and len(status["Groups"].split()) <= CKPT_NGROUPS:
        have, groups = have | CKPT_ATTR_GROUPS, [int(g) for g in status["Groups"].split()]
    tail = struct.pack(ATTRS_TAIL_FMT, oom, thp, loginuid, len(groups),
                       *(groups + [0] * (CKPT_NGROUPS - len(groups))))
    return struct.pack(ATTRS_HEAD_FMT, have, umask, pers, 0) + limits + timers + tail


def read_thread_attrs(pid, tids, calls, selected):
    """CKPT_NT_THREAD_ATTRS: each thread's name and alternate signal stack (an
    inferior call of sigaltstack in that thread), in NT_PRSTATUS order."""
    by_tid = {t.ptid[1]: t for t in calls.inferior.threads()}
    records = []
    try:
        for tid in tids:
            have, comm, sp, size, flags = 0, b"", 0, 0, 0
            try:
                with open("/proc/%d/task/%d/comm" % (pid, tid), "rb") as f:
                    comm = f.read().rstrip(b"\n")[:15]
                have |= CKPT_TA_COMM
            except OSError:
                pass
            thread = by_tid.get(tid)
            if thread is not None and thread.is_valid():
                thread.switch()
                if calls.syscall(SYS_sigaltstack, 0, calls.scratch) == 0:
                    sp, flags, size = struct.unpack("<Qi4xQ", calls.read(24))   # stack_t
                    flags = flags & ~SS_ONSTACK & 0xFFFFFFFF
                    have |= CKPT_TA_SIGALTSTACK
            records.append(struct.pack(THREAD_ATTRS_FMT, tid, have, sp, size, flags, 0, comm))
    finally:
        selected.switch()
    return b"".join(records)


def read_posix_timers(pid, calls):
    """CKPT_NT_POSIX_TIMERS: /proc/PID/timers, and each timer's times (an
    inferior call of timer_gettime), by ascending id; None when there are none."""
    timers, t = [], None
    try:
        with open("/proc/%d/timers" % pid) as f:
            for line in f:
                key, _, value = line.partition(":")
                value = value.strip()
                if key == "ID":
                    t = {"id": int(value), "clock": 0, "signo": 0, "sigval": 0, "notify": 0, "tid": 0}
                    timers.append(t)
                elif t is not None and key == "signal":
                    signo, _, sigval = value.partition("/")
                    t["signo"], t["sigval"] = int(signo), int(sigval or "0", 16)
                elif t is not None and key == "notify":
                    how, _, who = value.partition("/")
                    t["notify"] = {"signal": 0, "none": 1, "thread": 2}.get(how, 0)
                    if who.startswith("tid."):
                        t["notify"] |= 4
                        t["tid"] = int(who[4:])
                elif t is not None and key == "ClockID":
                    t["clock"] = int(value)
    except (OSError, ValueError):
        return None
    records = []
    for t in sorted(timers, key=lambda t: t["id"]):
        have, interval, value = 0, 0, 0
        if calls.syscall(SYS_timer_gettime, t["id"], calls.scratch) == 0:
            isec, insec, vsec, vnsec = struct.unpack("<qqqq", calls.read(32))
            have, interval, value = 1, isec * 10**9 + insec, vsec * 10**9 + vnsec
        else:
            _warn("cannot read the times of POSIX timer %d; it comes back disarmed" % t["id"])
        records.append(struct.pack(POSIX_TIMER_FMT, t["id"], t["clock"], t["signo"], t["notify"], t["tid"],
                                   have, t["sigval"], interval, value))
    return b"".join(records) or None


def read_madvise(pid):
    """CKPT_NT_MADVISE: the advice flags (VmFlags of /proc/PID/smaps) of every
    mapping that has some; None when none has."""
    records, start, end = [], None, None
    try:
        with open("/proc/%d/smaps" % pid) as f:
            for line in f:
                head = line.split(" ", 1)[0]
                if "-" in head and ":" not in head:
                    a, _, b = head.partition("-")
                    start, end = int(a, 16), int(b, 16)
                    # the kernel's own mappings: their flags (dd) are not advice
                    if line.split()[-1] in ("[vdso]", "[vvar]", "[vvar_vclock]", "[vsyscall]"):
                        start = None
                elif line.startswith("VmFlags:") and start is not None:
                    flags = 0
                    for name in line[8:].split():
                        flags |= CKPT_ADV.get(name, 0)
                    if flags:
                        records.append(struct.pack(MADVISE_FMT, start, end, flags, 0))
    except (OSError, ValueError):
        return None
    return b"".join(records) or None


def read_brk(calls):
    """The exact program break (brk(0) returns it unchanged), or None."""
    brk = calls.syscall(SYS_brk, 0)
    if brk is None:
        brk = calls.call("(long) sbrk((long) 0)")
    if brk is None or brk <= 0:
        return None
    return brk


# ---------------------------------------------------------------------------
# The ELF side: append one PT_NOTE segment and a new program header table.

def _read_phdrs(f, path):
    """Check the ELF header of an x86-64 core; return its program headers as bytes."""
    f.seek(0)
    ehdr = f.read(ELF_HEADER_SIZE)
    if len(ehdr) < ELF_HEADER_SIZE or ehdr[:4] != b"\x7fELF":
        raise CkptError("%s: gcore did not write an ELF file" % path)
    if ehdr[4] != 2 or ehdr[5] != 1:
        raise CkptError("%s: not a 64-bit little-endian ELF file" % path)
    e_type, e_machine = struct.unpack_from("<HH", ehdr, 16)
    e_phoff, = struct.unpack_from("<Q", ehdr, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", ehdr, 54)
    if e_type != ET_CORE or e_machine != EM_X86_64:
        raise CkptError("%s: not an x86-64 core file" % path)
    if e_phentsize != ELF_PHDR_SIZE:
        raise CkptError("%s: program header size %d, expected %d"
                        % (path, e_phentsize, ELF_PHDR_SIZE))
    if e_phnum == PN_XNUM:
        # 65535 or more: the count is sh_info of section header 0 (as the C and Java readers read it)
        e_shoff, = struct.unpack_from("<Q", ehdr, 40)
        e_shentsize, = struct.unpack_from("<H", ehdr, 58)
        f.seek(e_shoff + 44)
        raw = f.read(4)
        if e_shoff == 0 or e_shentsize < ELF_SHDR_SIZE or len(raw) != 4:
            raise CkptError("%s: e_phnum is PN_XNUM but section header 0 is missing" % path)
        e_phnum, = struct.unpack("<I", raw)
    f.seek(e_phoff)
    phdrs = f.read(e_phnum * ELF_PHDR_SIZE)
    if len(phdrs) != e_phnum * ELF_PHDR_SIZE:
        raise CkptError("%s: the program header table is truncated" % path)
    return phdrs


def _prstatus_notes(f, path):
    """Yield (file offset of the desc, desc) of every CORE NT_PRSTATUS note of
    the open core f, in file order."""
    phdrs = _read_phdrs(f, path)
    for i in range(0, len(phdrs), ELF_PHDR_SIZE):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", phdrs, i)
        if p_type != PT_NOTE:
            continue
        f.seek(p_offset)
        data = f.read(p_filesz)
        pos = 0
        while pos + 12 <= len(data):
            namesz, descsz, n_type = struct.unpack_from("<III", data, pos)
            desc = pos + 12 + _align(namesz, 4)
            name = data[pos + 12:pos + 12 + namesz]
            if name == b"CORE\0" and n_type == NT_PRSTATUS and descsz >= PRSTATUS_SIGHOLD_OFFSET + 8:
                yield p_offset + desc, data[desc:desc + descsz]
            pos = desc + _align(descsz, 4)


def core_tids(path):
    """The thread ids of the core's NT_PRSTATUS notes, in file order."""
    with open(path, "rb") as f:
        return [struct.unpack_from("<i", desc, PRSTATUS_PID_OFFSET)[0] for _, desc in _prstatus_notes(f, path)]


def first_thread_in_core(path):
    """pr_pid of the first NT_PRSTATUS note of the core (the thread gdb wrote
    first, the one tools take as the current thread), or None."""
    with open(path, "rb") as f:
        for _, desc in _prstatus_notes(f, path):
            return struct.unpack_from("<i", desc, PRSTATUS_PID_OFFSET)[0]
    return None


def fill_thread_masks(path, pid):
    """gcore writes 0 as every thread's blocked mask (pr_sighold of
    NT_PRSTATUS): write each thread's real mask (SigBlk of
    /proc/PID/task/TID/status) into its note, in place, as a kernel core has it."""
    with open(path, "r+b") as f:
        for offset, desc in list(_prstatus_notes(f, path)):
            tid = struct.unpack_from("<i", desc, PRSTATUS_PID_OFFSET)[0]
            try:
                mask = int(_status(pid, tid)["SigBlk"], 16)
            except (OSError, KeyError, ValueError):
                continue
            f.seek(offset + PRSTATUS_SIGHOLD_OFFSET)
            f.write(struct.pack("<Q", mask))


def encode_note(note_type, desc):
    """One ELF note with owner CKPT: header, name and desc each padded to 4."""
    name = CKPT_NOTE_OWNER + b"\0"
    return (struct.pack("<III", len(name), len(desc), note_type)
            + name + b"\0" * (_align(len(name), 4) - len(name))
            + desc + b"\0" * (_align(len(desc), 4) - len(desc)))


def _set_xnum(f, count):
    """e_phnum = PN_XNUM, the count in sh_info of section header 0 (added when there is none)."""
    f.seek(40)
    e_shoff, = struct.unpack("<Q", f.read(8))
    f.seek(58)
    e_shentsize, e_shnum = struct.unpack("<HH", f.read(4))
    if e_shoff == 0 or e_shentsize < ELF_SHDR_SIZE or e_shnum == 0:
        e_shoff = f.seek(0, os.SEEK_END)
        f.write(b"\0" * ELF_SHDR_SIZE)   # a null section header 0
        f.seek(40)
        f.write(struct.pack("<Q", e_shoff))
        f.seek(58)
        f.write(struct.pack("<HHH", ELF_SHDR_SIZE, 1, 0))   # e_shentsize, e_shnum, e_shstrndx
    f.seek(e_shoff + 44)
    f.write(struct.pack("<I", count))
    f.seek(56)
    f.write(struct.pack("<H", PN_XNUM))


def append_notes(path, notes):
    """Append notes [(type, desc)] to the ELF core at path as one new PT_NOTE.

    Writes the note segment and then a new program header table (the old
    entries plus one) at the end of the file, and points the ELF header at
    it. The memory segments are neither read nor moved. Returns the file size.
    """
    with open(path, "r+b") as f:
        phdrs = _read_phdrs(f, path)
        e_phnum = len(phdrs) // ELF_PHDR_SIZE
        blob = b"".join(encode_note(t, d) for t, d in notes)
        end = f.seek(0, os.SEEK_END)
        note_off = _align(end, 8)
        phdr_off = _align(note_off + len(blob), 8)
        note_phdr = struct.pack("<IIQQQQQQ", PT_NOTE, PF_R, note_off, 0, 0, len(blob), 0, 4)
        f.write(b"\0" * (note_off - end) + blob + b"\0" * (phdr_off - note_off - len(blob)))
        f.write(phdrs + note_phdr)
        f.seek(32)
        f.write(struct.pack("<Q", phdr_off))   # e_phoff
        if e_phnum + 1 >= PN_XNUM:
            _set_xnum(f, e_phnum + 1)
        else:
            f.seek(56)
            f.write(struct.pack("<H", e_phnum + 1))  # e_phnum
        f.flush()
        os.fsync(f.fileno())
        return f.seek(0, os.SEEK_END)


# ---------------------------------------------------------------------------
# Sparse images: pages the process never touched become holes in the file.

PAGE = 4096
PM_PRESENT_OR_SWAPPED = 3 << 62
FALLOC_FL_KEEP_SIZE = 1
FALLOC_FL_PUNCH_HOLE = 2


def untouched_ranges(pid):
    """[(start, end)] of the private anonymous pages that are neither present
    nor swapped out (/proc/PID/pagemap bits 63 and 62): they read as zeros.
    Call while the process is stopped and before gcore, which maps the zero
    page where it reads an untouched page."""
    ranges = []
    try:
        maps = _parse_maps(pid)
        pm = open("/proc/%d/pagemap" % pid, "rb")
    except OSError:
        return ranges
    with pm:
        for m in maps:
            if m["inode"] != 0 or m["perms"][3:4] != b"p" or m["perms"][0:1] != b"r" \
                    or m["path"].startswith(b"[v"):
                continue
            addr = m["start"]
            while addr < m["end"]:
                n = min((m["end"] - addr) // PAGE, 65536)
                try:
                    pm.seek(addr // PAGE * 8)
                    raw = pm.read(n * 8)
                except OSError:
                    break
                if len(raw) != n * 8:
                    break
                entries = struct.unpack("<%dQ" % n, raw)
                run = None
                for i, e in enumerate(entries):
                    if e & PM_PRESENT_OR_SWAPPED:
                        if run is not None:
                            ranges.append((addr + run * PAGE, addr + i * PAGE))
                            run = None
                    elif run is None:
                        run = i
                if run is not None:
                    ranges.append((addr + run * PAGE, addr + n * PAGE))
                addr += n * PAGE
    return ranges


def punch_holes(path, ranges):
    """Deallocate the file's bytes that hold the given address ranges (zeros
    in gcore's output): the image becomes sparse. Where the file system cannot
    punch holes, the image stays as it is. Returns the bytes punched."""
    if not ranges:
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    fallocate = libc.fallocate
    fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
    punched = 0
    with open(path, "r+b") as f:
        loads = []
        phdrs = _read_phdrs(f, path)
        for i in range(0, len(phdrs), ELF_PHDR_SIZE):
            p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from("<IIQQQQ", phdrs, i)
            if p_type == 1 and p_filesz > 0:   # PT_LOAD
                loads.append((p_vaddr, p_vaddr + p_filesz, p_offset))
        loads.sort()
        starts = [l[0] for l in loads]
        for start, end in ranges:
            k = bisect.bisect_right(starts, start) - 1
            while 0 <= k < len(loads) and loads[k][0] < end:
                vaddr, vend, off = loads[k]
                a, b = max(start, vaddr), min(end, vend)
                if a < b:
                    if fallocate(f.fileno(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                                 off + (a - vaddr), b - a) != 0:
                        return punched
                    punched += b - a
                k += 1
    return punched


# ---------------------------------------------------------------------------
# The whole checkpoint.

def gather_notes(inferior, thread, core_tids=None):
    """All CKPT notes of the stopped inferior, as [(type, desc)]. Call after gcore.

    The per-thread notes (SIGMASK, RSEQ, TIDADDR, XSTATE) describe `thread`,
    which must be selected in gdb.
    """
    pid = inferior.pid
    tid = thread.ptid[1] or pid
    maps = _parse_maps(pid)
    status = _status(pid, tid)
    # ptrace and /proc first: nothing has run in the inferior since gcore.
    xstate = read_xstate(tid)
    files = []
    notes = [
        (CKPT_NT_VERSION, make_version(len(inferior.threads()))),
        (CKPT_NT_FILES, read_files(pid, files)),
        (CKPT_NT_SIGMASK, read_sigmask(status)),
        (CKPT_NT_CWD, read_cwd(pid)),
        (CKPT_NT_RSEQ, read_rseq(tid)),
        (CKPT_NT_MAPS, read_maps(maps)),
    ]
    if xstate is not None:
        notes.append((CKPT_NT_XSTATE, xstate))
        # then every other thread's, in the order of their NT_PRSTATUS notes
        # (gdb's own XSTATE notes lose the AVX-512 state)
        for other in core_tids[1:] if core_tids and core_tids[0] == tid else []:
            more = read_xstate(other)
            if more is None:
                break
            notes.append((CKPT_NT_XSTATE, more))
    with InferiorCalls(inferior, maps) as calls:
        notes.append((CKPT_NT_SIGACTION, read_sigactions(calls, status)))
        notes.append((CKPT_NT_TIDADDR, read_tid_address(calls)))
        brk = read_brk(calls)
        notes.append((CKPT_NT_ATTRS, read_attrs(pid, status, calls)))
        notes.append((CKPT_NT_THREAD_ATTRS, read_thread_attrs(pid, core_tids or [tid], calls, thread)))
        timers = read_posix_timers(pid, calls)
        if timers:
            notes.append((CKPT_NT_POSIX_TIMERS, timers))
    notes.append((CKPT_NT_MM, read_mm(pid, maps, brk)))
    advice = read_madvise(pid)
    if advice:
        notes.append((CKPT_NT_MADVISE, advice))
    if ckpt_origin is not None:
        notes.append((CKPT_NT_ORIGIN, make_origin(ckpt_origin)))
    kobj = read_kobj(pid, files)
    if kobj:
        notes.append((CKPT_NT_KOBJ, kobj))
    return notes


def _core_thread(inferior, core, selected):
    """The gdb thread whose NT_PRSTATUS gcore wrote first (gdb puts a
    signalled thread before the selected one); the selected thread if unknown."""
    tid = first_thread_in_core(core)
    for t in inferior.threads():
        if t.ptid[1] == tid:
            return t
    return selected


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _no_space(directory):
    """'No space left on device (...)' when the file system of directory is
    (nearly) full, else None. gcore only warns when a write fails."""
    try:
        st = os.statvfs(directory)
    except OSError:
        return None
    free = st.f_bavail * st.f_frsize
    if free < (1 << 20):
        return "No space left on device (%d KiB free in %s)" % (free >> 10, directory)
    return None


def _with_reason(reason):
    return ": " + reason if reason else ""


def _check_complete(tmp, path, directory):
    """gcore warns, but goes on, when it cannot write: check that the core
    holds every segment its program headers promise."""
    size = os.path.getsize(tmp)
    try:
        with open(tmp, "rb") as f:
            phdrs = _read_phdrs(f, path)
    except CkptError:
        reason = _no_space(directory)
        if reason:
            raise CkptError("%s: gcore could not write the core: %s" % (path, reason))
        raise
    need = 0
    for i in range(0, len(phdrs), ELF_PHDR_SIZE):
        _, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", phdrs, i)
        need = max(need, p_offset + p_filesz)
    if need > size:
        raise CkptError("%s: gcore wrote an incomplete core (%d of %d bytes)%s"
                        % (path, size, need, _with_reason(_no_space(directory))))


def save_checkpoint(path):
    """Write a checkpoint image of the selected inferior to path, atomically,
    mode 0600. Returns (bytes written, CKPT notes written). Raises CkptError."""
    inferior = gdb.selected_inferior()
    thread = gdb.selected_thread()
    if inferior.pid == 0 or thread is None:
        raise CkptError("the program is not being run")
    if thread.is_running():
        raise CkptError("the selected thread is running; stop it first")
    path = os.path.abspath(os.path.expanduser(path))
    directory = os.path.dirname(path)
    try:
        tmpdir = tempfile.mkdtemp(prefix=".ckpt-save-", dir=directory)
    except OSError as e:
        raise CkptError("%s: cannot create a temporary directory in %s: %s"
                        % (path, directory, e.strerror))
    tmp = os.path.join(tmpdir, "core")
    try:
        untouched = untouched_ranges(inferior.pid)
        try:
            gdb.execute("gcore " + tmp, to_string=True)
        except gdb.error as e:
            raise CkptError("%s: gcore failed: %s" % (path, _no_space(directory) or str(e).splitlines()[0]))
        except UnicodeDecodeError:   # gdb's own message about a failed write, cut short
            raise CkptError("%s: gcore failed: %s" % (path, _no_space(directory) or "it could not write the core"))
        if not os.path.isfile(tmp):
            raise CkptError("%s: gcore wrote no file%s" % (path, _with_reason(_no_space(directory))))
        _check_complete(tmp, path, directory)
        punch_holes(tmp, untouched)
        fill_thread_masks(tmp, inferior.pid)
        core_thread = _core_thread(inferior, tmp, thread)
        tids = core_tids(tmp)
        if core_thread == thread:
            notes = gather_notes(inferior, thread, tids)
        else:
            core_thread.switch()
            try:
                notes = gather_notes(inferior, core_thread, tids)
            finally:
                thread.switch()
        size = append_notes(tmp, notes)
        os.chmod(tmp, 0o600)
        os.rename(tmp, path)
        _fsync_dir(directory)
        return size, len(notes)
    except OSError as e:
        where = ""
        if e.filename and not str(e.filename).startswith(tmpdir):
            where = " (%s)" % os.fsdecode(e.filename)
        raise CkptError("%s: %s%s" % (path, e.strerror, where))
    except gdb.error as e:
        raise CkptError("%s: %s" % (path, str(e).splitlines()[0]))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


class CkptSave(gdb.Command):
    """Write a checkpoint image of the stopped program: ckpt-save FILE

FILE becomes a standard ELF core (gdb's gcore) with extra CKPT notes holding
open files, signal handlers and mask, cwd, rseq, tid address, mappings and the
XSAVE area. The file is written atomically with mode 0600."""

    def __init__(self):
        super().__init__("ckpt-save", gdb.COMMAND_FILES, gdb.COMPLETE_FILENAME)

    def invoke(self, argument, from_tty):
        argv = gdb.string_to_argv(argument)
        if len(argv) != 1:
            raise gdb.GdbError("usage: ckpt-save FILE")
        try:
            size, count = save_checkpoint(argv[0])
        except CkptError as e:
            raise gdb.GdbError("ckpt-save: %s" % e)
        except Exception as e:  # a bug here must still give one line, and no file
            raise gdb.GdbError("ckpt-save: internal error: %s: %s" % (type(e).__name__, e))
        gdb.write("ckpt-save: wrote %s (%d bytes, %d notes)\n" % (argv[0], size, count))


CkptSave()
