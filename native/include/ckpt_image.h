/*
 * ckpt_image.h - the CKPT notes: the state a standard ELF core lacks.
 *
 * One checkpoint is one standard ELF core file. Extra state is kept in
 * PT_NOTE entries whose owner name is "CKPT". docs/IMAGE-FORMAT.md describes
 * every note in prose; this header is the one C definition, shared by the
 * restore engine (native/restore) and libsavefds.so (native/preload). The
 * gdb script (gdb-scripts/ckpt.py) and the Java reader (dev.ckpt.image) follow
 * the same layout. All integers are little-endian; records are 8-byte aligned.
 *
 * Bump CKPT_IMAGE_VERSION when a layout changes; readers refuse images whose
 * major version they do not know. Note types below CKPT_NT_FIRST_INFO must be
 * understood: a reader refuses an image with one it does not know (a newer
 * ckpt wrote it). Types from CKPT_NT_FIRST_INFO on are informational: a reader
 * that does not know one ignores it.
 */
#ifndef CKPT_IMAGE_H
#define CKPT_IMAGE_H

#include <stdint.h>

#define CKPT_NOTE_OWNER    "CKPT"
#define CKPT_IMAGE_VERSION 1

/* Note types (n_type) under owner "CKPT". */
enum ckpt_note_type {
	CKPT_NT_VERSION   = 1,  /* struct ckpt_version                                  */
	CKPT_NT_FILES     = 2,  /* struct ckpt_file records, each followed by its path */
	CKPT_NT_SIGACTION = 3,  /* struct ckpt_sigaction[64], index = signal - 1        */
	CKPT_NT_SIGMASK   = 4,  /* uint64_t blocked-signal mask (bit n-1 = signal n)    */
	CKPT_NT_CWD       = 5,  /* NUL-terminated absolute path                         */
	CKPT_NT_RSEQ      = 6,  /* struct ckpt_rseq                                     */
	CKPT_NT_TIDADDR   = 7,  /* uint64_t clear_child_tid address (0 = none)          */
	CKPT_NT_MAPS      = 8,  /* struct ckpt_map records, each followed by its path  */
	CKPT_NT_XSTATE    = 9,  /* raw XSAVE area, standard format; one per thread, in
				 * NT_PRSTATUS order (a writer may give only the first) */
	CKPT_NT_MM        = 10, /* struct ckpt_mm                                       */
	CKPT_NT_ATTRS     = 11, /* struct ckpt_attrs: umask, personality, rlimits, itimers */
	CKPT_NT_THREAD_ATTRS = 12, /* struct ckpt_thread_attrs records, one per thread   */
	CKPT_NT_POSIX_TIMERS = 13, /* struct ckpt_posix_timer records, by ascending id   */
	CKPT_NT_MADVISE   = 14, /* struct ckpt_madvise records, by ascending address     */
	CKPT_NT_ORIGIN    = 16, /* struct ckpt_origin, then its location, NUL-terminated */
	CKPT_NT_KOBJ      = 17, /* struct ckpt_kobj records, each followed by its data  */
};

#define CKPT_NT_FIRST_INFO 128  /* types >= this are informational (ignored when unknown) */

/* Who wrote the image (ckpt_version.writer). */
enum ckpt_writer {
	CKPT_WRITER_GDB       = 1, /* gdb-scripts/ckpt.py (ckpt-gdb, ckpt dump, ckpt-save) */
	CKPT_WRITER_SAVEFDS   = 2, /* libsavefds.so                                     */
	CKPT_WRITER_NATIVE    = 3, /* ckpt-dump (native/dump): ptrace, no debugger        */
};

struct ckpt_version {
	uint32_t version;   /* CKPT_IMAGE_VERSION */
	uint32_t writer;    /* enum ckpt_writer */
	uint32_t nthreads;  /* threads the process had when checkpointed */
	uint32_t reserved;
};

/* kind of an open file */
enum ckpt_file_kind {
	CKPT_FILE_REG   = 1,
	CKPT_FILE_CHR   = 2,  /* character device: terminal, /dev/null ... */
	CKPT_FILE_DIR   = 3,
	CKPT_FILE_PIPE  = 4,
	CKPT_FILE_SOCK  = 5,
	CKPT_FILE_OTHER = 6,  /* anon inode (eventfd, epoll ...), deleted file ... */
};

#define CKPT_FD_CLOEXEC 1u  /* ckpt_file.fdflags: the descriptor has FD_CLOEXEC */

/*
 * One open descriptor. Followed by path_len bytes: the path (NUL-terminated,
 * as readlink(/proc/self/fd/N) gives it) padded with NULs to a multiple of 8.
 * Descriptors with the same share_id share one open file description (dup'd);
 * share_id is the lowest fd of the group.
 */
struct ckpt_file {
	int32_t  fd;
	uint32_t flags;     /* file status flags and access mode, as F_GETFL gives them */
	int64_t  offset;    /* file position; 0 where it has none */
	uint32_t kind;      /* enum ckpt_file_kind */
	uint32_t fdflags;   /* CKPT_FD_CLOEXEC */
	int32_t  share_id;
	uint32_t path_len;  /* bytes that follow, a multiple of 8, >= 8 */
};

/* Kernel layout of a signal action (struct sigaction as rt_sigaction takes it). */
struct ckpt_sigaction {
	uint64_t handler;   /* 0 = SIG_DFL, 1 = SIG_IGN, else an address */
	uint64_t flags;     /* SA_* */
	uint64_t restorer;
	uint64_t mask;
};

struct ckpt_rseq {
	uint64_t addr;      /* registered struct rseq, 0 = none */
	uint32_t len;       /* registered length (32 with glibc) */
	uint32_t sig;       /* signature (0x53053053 with glibc) */
};

#define CKPT_MAP_SHARED    1u  /* MAP_SHARED (else private) */
#define CKPT_MAP_GROWSDOWN 2u  /* the stack: map with MAP_GROWSDOWN */

/*
 * One mapping, as /proc/PID/maps shows it, with the identity of the mapped
 * file (size and modification time; zero for anonymous mappings). Followed by
 * path_len bytes: the path or pseudo-name ("[heap]", "[stack]", "[vdso]" ...,
 * empty for anonymous), NUL-terminated, padded to a multiple of 8.
 */
struct ckpt_map {
	uint64_t start;
	uint64_t end;
	uint64_t offset;    /* file offset of start */
	uint32_t prot;      /* PROT_READ | PROT_WRITE | PROT_EXEC */
	uint32_t flags;     /* CKPT_MAP_* */
	uint64_t dev;
	uint64_t inode;
	uint64_t size;      /* st_size of the file at checkpoint time */
	int64_t  mtime_ns;  /* st_mtime of the file, nanoseconds since the epoch */
	uint32_t path_len;
	uint32_t reserved;
};

/* Memory layout fields of /proc/PID/stat (man 5 proc, fields 26-28 and 45-51). */
struct ckpt_mm {
	uint64_t start_code, end_code, start_stack;
	uint64_t start_data, end_data, start_brk, brk;
	uint64_t arg_start, arg_end, env_start, env_end;
};

/* How the checkpoint was taken, when a driver knows more than the writer:
 * ckpt-gdb records its breakpoint location (as given, e.g. "add_node" or
 * "linklist.c:29") and which hit of it the checkpoint is. Informational only. */
struct ckpt_origin {
	uint64_t hit;           /* 1-based hit count of the breakpoint at the checkpoint */
	uint32_t location_len;  /* bytes of the location that follows, with its NUL */
	uint32_t reserved;
};

/*
 * A kernel object behind descriptors that a writer recorded completely
 * (CKPT_NT_KOBJ): the engine creates it again and puts it at the descriptors
 * of the FILES note that belong to it. Each record is followed by data_len
 * bytes of data, then NULs up to a multiple of 8. Which FILES records belong:
 *   PIPE      every descriptor whose path is "pipe:[ino]" (both ends are in
 *             the process, or the writer records no PIPE);
 *             arg[0] = buffer size (F_GETPIPE_SZ); data = the unread bytes;
 *             flags = CKPT_KOBJ_PIPE_FIFO: a named FIFO, ino 0, whose
 *             descriptors are those with the path of fd.
 *   EVENTFD   the descriptors sharing the open file of fd (FILES share_id);
 *             arg[0] = counter; flags = CKPT_KOBJ_EFD_SEMAPHORE.
 *   SIGNALFD  as EVENTFD; arg[0] = the mask (bit n-1 = signal n).
 *   TIMERFD   as EVENTFD; arg[0] = clock id, arg[1] = time to the next
 *             expiration in ns (0 = disarmed), arg[2] = interval in ns,
 *             flags = expirations not yet read (ticks, capped at 2^32-1).
 *   EPOLL     as EVENTFD; data = struct ckpt_epoll_item[]: what it watches.
 *   SOCKPAIR  two connected AF_UNIX sockets: the descriptors whose path is
 *             "socket:[ino]" (end 0) or "socket:[arg[0]]" (end 1);
 *             arg[1] = SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET; data = the
 *             queue of end 0, then of end 1, each a u32 count of messages,
 *             then each message as a u32 length and its bytes (a stream
 *             queue: one message of all its bytes).
 *   FILE      a regular file with no name: a memfd, or a file deleted while
 *             open; its descriptors as EVENTFD; ino = its inode; arg[0] =
 *             seals (F_GET_SEALS), arg[1] = mode bits; flags =
 *             CKPT_KOBJ_FILE_MEMFD for a memfd; data = its content; or
 *             flags = CKPT_KOBJ_FILE_SAME, nothing else: another open file
 *             of the file of an earlier FILE record with this ino. The
 *             mappings of it (CKPT MAPS: same path and inode) map it again.
 *   PIDFD     a pidfd of the process itself; its descriptors as EVENTFD.
 * Descriptor flags (O_NONBLOCK, close-on-exec) and sharing come from FILES.
 */
enum ckpt_kobj_type {
	CKPT_KOBJ_PIPE     = 1,
	CKPT_KOBJ_EVENTFD  = 2,
	CKPT_KOBJ_SIGNALFD = 3,
	CKPT_KOBJ_TIMERFD  = 4,
	CKPT_KOBJ_EPOLL    = 5,
	CKPT_KOBJ_SOCKPAIR = 6,
	CKPT_KOBJ_FILE     = 7,
	CKPT_KOBJ_PIDFD    = 8,
};

#define CKPT_KOBJ_EFD_SEMAPHORE 1u
#define CKPT_KOBJ_PIPE_FIFO     1u
#define CKPT_KOBJ_FILE_MEMFD    1u
#define CKPT_KOBJ_FILE_SAME     2u  /* another open file of the FILE before it of this ino; no data */

struct ckpt_kobj {
	int32_t  fd;        /* the lowest descriptor of it */
	uint32_t type;      /* enum ckpt_kobj_type */
	uint64_t ino;       /* inode number (pipe:[ino]); 0 where it has none */
	uint64_t arg[3];    /* by type, above */
	uint32_t flags;     /* by type, above */
	uint32_t data_len;  /* bytes of data that follow (then padding to 8) */
};

/* One descriptor an epoll watches (the data of an EPOLL record). */
struct ckpt_epoll_item {
	int32_t  tfd;       /* the watched descriptor */
	uint32_t events;    /* EPOLLIN ... with EPOLLET, EPOLLONESHOT ... */
	uint64_t data;      /* epoll_data as the program gave it */
};

/* ckpt_attrs.have: which fields the writer could read (the others are 0). */
#define CKPT_ATTR_UMASK       1u
#define CKPT_ATTR_PERSONALITY 2u
#define CKPT_ATTR_RLIMITS     4u
#define CKPT_ATTR_ITIMERS     8u
#define CKPT_ATTR_OOM         16u
#define CKPT_ATTR_THP         32u
#define CKPT_ATTR_LOGINUID    64u
#define CKPT_ATTR_GROUPS      128u

#define CKPT_NGROUPS 32    /* supplementary groups recorded (more: CKPT_ATTR_GROUPS unset) */

#define CKPT_NRLIMITS 16   /* RLIMIT_CPU (0) .. RLIMIT_RTTIME (15) */

struct ckpt_rlimit {
	uint64_t cur, max;  /* RLIM_INFINITY = ~0 */
};

struct ckpt_itimer {       /* getitimer(2), in microseconds */
	int64_t interval_us;
	int64_t value_us;       /* time left; 0 = disarmed */
};

/* Process-wide attributes. */
struct ckpt_attrs {
	uint32_t have;          /* CKPT_ATTR_* */
	uint32_t umask;
	uint32_t personality;   /* personality(0xffffffff) */
	uint32_t reserved;
	struct ckpt_rlimit rlimits[CKPT_NRLIMITS];   /* index = RLIMIT_* */
	struct ckpt_itimer itimers[3];               /* ITIMER_REAL, _VIRTUAL, _PROF */
	int32_t  oom_score_adj;  /* /proc/PID/oom_score_adj */
	uint32_t thp_disable;    /* prctl(PR_GET_THP_DISABLE) */
	uint32_t loginuid;       /* /proc/PID/loginuid (0xffffffff: unset) */
	uint32_t ngroups;        /* supplementary groups ("Groups:" of /proc/PID/status) */
	uint32_t groups[CKPT_NGROUPS];
};

/* ckpt_thread_attrs.have */
#define CKPT_TA_SIGALTSTACK 1u
#define CKPT_TA_COMM        2u

/* Per-thread attributes: one record per thread, matched to the core's threads by tid. */
struct ckpt_thread_attrs {
	int32_t  tid;           /* pr_pid of its NT_PRSTATUS */
	uint32_t have;          /* CKPT_TA_* */
	uint64_t ss_sp;         /* sigaltstack: base, size, flags (SS_DISABLE, SS_AUTODISARM) */
	uint64_t ss_size;
	uint32_t ss_flags;
	uint32_t reserved;
	char     comm[16];      /* /proc/PID/task/TID/comm, NUL-terminated */
};

/* One POSIX timer (timer_create), from /proc/PID/timers and timer_gettime. */
struct ckpt_posix_timer {
	int32_t  id;            /* the timer id the program holds */
	int32_t  clock;         /* ClockID (CPU clocks are negative) */
	int32_t  signo;         /* sigev_signo */
	int32_t  notify;        /* sigev_notify: SIGEV_SIGNAL 0, SIGEV_NONE 1, | SIGEV_THREAD_ID 4 */
	int32_t  notify_tid;    /* the thread of SIGEV_THREAD_ID */
	uint32_t have_time;     /* 1: interval and value were read (timer_gettime) */
	uint64_t sigval;        /* sigev_value */
	int64_t  interval_ns;
	int64_t  value_ns;      /* time left; 0 = disarmed */
};

/* ckpt_madvise.flags: per-mapping advice, from VmFlags of /proc/PID/smaps */
#define CKPT_ADV_DONTFORK   1u    /* dc: MADV_DONTFORK   */
#define CKPT_ADV_DONTDUMP   2u    /* dd: MADV_DONTDUMP   */
#define CKPT_ADV_HUGEPAGE   4u    /* hg: MADV_HUGEPAGE   */
#define CKPT_ADV_NOHUGEPAGE 8u    /* nh: MADV_NOHUGEPAGE */
#define CKPT_ADV_WIPEONFORK 16u   /* wf: MADV_WIPEONFORK */
#define CKPT_ADV_MERGEABLE  32u   /* mg: MADV_MERGEABLE  */

/* The madvise state of one mapping (only mappings with some). */
struct ckpt_madvise {
	uint64_t start, end;
	uint32_t flags;         /* CKPT_ADV_* */
	uint32_t reserved;
};

/* The sizes every reader and writer relies on (Java CkptImage.*_SIZE, ckpt.py's
 * *_FMT): a change here is a change of the image format (ImageLayoutIT checks them). */
_Static_assert(sizeof(struct ckpt_version) == 16, "struct ckpt_version is 16 bytes");
_Static_assert(sizeof(struct ckpt_file) == 32, "struct ckpt_file is 32 bytes");
_Static_assert(sizeof(struct ckpt_sigaction) == 32, "struct ckpt_sigaction is 32 bytes");
_Static_assert(sizeof(struct ckpt_rseq) == 16, "struct ckpt_rseq is 16 bytes");
_Static_assert(sizeof(struct ckpt_map) == 72, "struct ckpt_map is 72 bytes");
_Static_assert(sizeof(struct ckpt_mm) == 88, "struct ckpt_mm is 88 bytes");
_Static_assert(sizeof(struct ckpt_origin) == 16, "struct ckpt_origin is 16 bytes");
_Static_assert(sizeof(struct ckpt_kobj) == 48, "struct ckpt_kobj is 48 bytes");
_Static_assert(sizeof(struct ckpt_epoll_item) == 16, "struct ckpt_epoll_item is 16 bytes");
_Static_assert(sizeof(struct ckpt_attrs) == 464, "struct ckpt_attrs is 464 bytes");
_Static_assert(sizeof(struct ckpt_thread_attrs) == 48, "struct ckpt_thread_attrs is 48 bytes");
_Static_assert(sizeof(struct ckpt_posix_timer) == 48, "struct ckpt_posix_timer is 48 bytes");
_Static_assert(sizeof(struct ckpt_madvise) == 24, "struct ckpt_madvise is 24 bytes");

#endif
