/*
 * layout - prints what native/include/ckpt_image.h defines: every constant,
 * every struct's size, and every field's offset, size and signedness. The
 * test ImageLayoutIT compiles it (against the real header, and against
 * scratch copies with one struct changed) and checks the Java reader and the
 * gdb script's struct formats against its output. Not part of the build.
 *
 * Output lines:
 *   const NAME VALUE
 *   struct NAME SIZE
 *   field STRUCT.FIELD OFFSET SIZE signed|unsigned
 */
#include <stddef.h>
#include <stdio.h>
#include "ckpt_image.h"

#define CONST(n) printf("const %s %lld\n", #n, (long long)(n));
#define STRUCT(s) printf("struct %s %zu\n", #s, sizeof(struct s));
/* an array field: its elements' signedness is not checked */
#define FIELDA(s, f) printf("field %s.%s %zu %zu unsigned\n", #s, #f, offsetof(struct s, f), \
			    sizeof(((struct s *)0)->f));
#define FIELD(s, f) printf("field %s.%s %zu %zu %s\n", #s, #f, offsetof(struct s, f), \
			   sizeof(((struct s *)0)->f), \
			   (__typeof__(((struct s *)0)->f))-1 < 0 ? "signed" : "unsigned");

int main(void)
{
	CONST(CKPT_IMAGE_VERSION)
	CONST(CKPT_NT_VERSION) CONST(CKPT_NT_FILES) CONST(CKPT_NT_SIGACTION) CONST(CKPT_NT_SIGMASK)
	CONST(CKPT_NT_CWD) CONST(CKPT_NT_RSEQ) CONST(CKPT_NT_TIDADDR) CONST(CKPT_NT_MAPS)
	CONST(CKPT_NT_XSTATE) CONST(CKPT_NT_MM) CONST(CKPT_NT_ATTRS) CONST(CKPT_NT_THREAD_ATTRS)
	CONST(CKPT_NT_ORIGIN) CONST(CKPT_NT_FIRST_INFO) CONST(CKPT_NRLIMITS)
	CONST(CKPT_ATTR_UMASK) CONST(CKPT_ATTR_PERSONALITY) CONST(CKPT_ATTR_RLIMITS) CONST(CKPT_ATTR_ITIMERS)
	CONST(CKPT_ATTR_OOM) CONST(CKPT_ATTR_THP) CONST(CKPT_ATTR_LOGINUID) CONST(CKPT_ATTR_GROUPS) CONST(CKPT_NGROUPS)
	CONST(CKPT_TA_SIGALTSTACK) CONST(CKPT_TA_COMM) CONST(CKPT_NT_POSIX_TIMERS)
	CONST(CKPT_NT_MADVISE) CONST(CKPT_ADV_DONTFORK) CONST(CKPT_ADV_DONTDUMP) CONST(CKPT_ADV_HUGEPAGE)
	CONST(CKPT_ADV_NOHUGEPAGE) CONST(CKPT_ADV_WIPEONFORK) CONST(CKPT_ADV_MERGEABLE)
	CONST(CKPT_WRITER_GDB) CONST(CKPT_WRITER_SAVEFDS) CONST(CKPT_WRITER_NATIVE)
	CONST(CKPT_FILE_REG) CONST(CKPT_FILE_CHR) CONST(CKPT_FILE_DIR) CONST(CKPT_FILE_PIPE)
	CONST(CKPT_FILE_SOCK) CONST(CKPT_FILE_OTHER)
	CONST(CKPT_FD_CLOEXEC) CONST(CKPT_MAP_SHARED) CONST(CKPT_MAP_GROWSDOWN)
	CONST(CKPT_NT_KOBJ) CONST(CKPT_KOBJ_PIPE) CONST(CKPT_KOBJ_EVENTFD) CONST(CKPT_KOBJ_SIGNALFD)
	CONST(CKPT_KOBJ_TIMERFD) CONST(CKPT_KOBJ_EPOLL) CONST(CKPT_KOBJ_SOCKPAIR) CONST(CKPT_KOBJ_FILE) CONST(CKPT_KOBJ_PIDFD)
	CONST(CKPT_KOBJ_EFD_SEMAPHORE) CONST(CKPT_KOBJ_PIPE_FIFO) CONST(CKPT_KOBJ_FILE_MEMFD) CONST(CKPT_KOBJ_FILE_SAME)

	STRUCT(ckpt_version)
	FIELD(ckpt_version, version) FIELD(ckpt_version, writer) FIELD(ckpt_version, nthreads)
	FIELD(ckpt_version, reserved)
	STRUCT(ckpt_file)
	FIELD(ckpt_file, fd) FIELD(ckpt_file, flags) FIELD(ckpt_file, offset) FIELD(ckpt_file, kind)
	FIELD(ckpt_file, fdflags) FIELD(ckpt_file, share_id) FIELD(ckpt_file, path_len)
	STRUCT(ckpt_sigaction)
	FIELD(ckpt_sigaction, handler) FIELD(ckpt_sigaction, flags) FIELD(ckpt_sigaction, restorer)
	FIELD(ckpt_sigaction, mask)
	STRUCT(ckpt_rseq)
	FIELD(ckpt_rseq, addr) FIELD(ckpt_rseq, len) FIELD(ckpt_rseq, sig)
	STRUCT(ckpt_map)
	FIELD(ckpt_map, start) FIELD(ckpt_map, end) FIELD(ckpt_map, offset) FIELD(ckpt_map, prot)
	FIELD(ckpt_map, flags) FIELD(ckpt_map, dev) FIELD(ckpt_map, inode) FIELD(ckpt_map, size)
	FIELD(ckpt_map, mtime_ns) FIELD(ckpt_map, path_len) FIELD(ckpt_map, reserved)
	STRUCT(ckpt_mm)
	FIELD(ckpt_mm, start_code) FIELD(ckpt_mm, end_code) FIELD(ckpt_mm, start_stack)
	FIELD(ckpt_mm, start_data) FIELD(ckpt_mm, end_data) FIELD(ckpt_mm, start_brk) FIELD(ckpt_mm, brk)
	FIELD(ckpt_mm, arg_start) FIELD(ckpt_mm, arg_end) FIELD(ckpt_mm, env_start) FIELD(ckpt_mm, env_end)
	STRUCT(ckpt_origin)
	FIELD(ckpt_origin, hit) FIELD(ckpt_origin, location_len) FIELD(ckpt_origin, reserved)
	STRUCT(ckpt_kobj)
	FIELD(ckpt_kobj, fd) FIELD(ckpt_kobj, type) FIELD(ckpt_kobj, ino) FIELD(ckpt_kobj, arg[0]) FIELD(ckpt_kobj, arg[1]) FIELD(ckpt_kobj, arg[2])
	FIELD(ckpt_kobj, flags) FIELD(ckpt_kobj, data_len)
	STRUCT(ckpt_epoll_item)
	FIELD(ckpt_epoll_item, tfd) FIELD(ckpt_epoll_item, events) FIELD(ckpt_epoll_item, data)
	STRUCT(ckpt_rlimit)
	FIELD(ckpt_rlimit, cur) FIELD(ckpt_rlimit, max)
	STRUCT(ckpt_itimer)
	FIELD(ckpt_itimer, interval_us) FIELD(ckpt_itimer, value_us)
	STRUCT(ckpt_attrs)
	FIELD(ckpt_attrs, have) FIELD(ckpt_attrs, umask) FIELD(ckpt_attrs, personality)
	FIELD(ckpt_attrs, reserved) FIELDA(ckpt_attrs, rlimits) FIELDA(ckpt_attrs, itimers)
	FIELD(ckpt_attrs, oom_score_adj) FIELD(ckpt_attrs, thp_disable) FIELD(ckpt_attrs, loginuid)
	FIELD(ckpt_attrs, ngroups) FIELDA(ckpt_attrs, groups)
	STRUCT(ckpt_thread_attrs)
	FIELD(ckpt_thread_attrs, tid) FIELD(ckpt_thread_attrs, have) FIELD(ckpt_thread_attrs, ss_sp)
	FIELD(ckpt_thread_attrs, ss_size) FIELD(ckpt_thread_attrs, ss_flags) FIELD(ckpt_thread_attrs, reserved)
	FIELDA(ckpt_thread_attrs, comm)
	STRUCT(ckpt_posix_timer)
	FIELD(ckpt_posix_timer, id) FIELD(ckpt_posix_timer, clock) FIELD(ckpt_posix_timer, signo)
	FIELD(ckpt_posix_timer, notify) FIELD(ckpt_posix_timer, notify_tid) FIELD(ckpt_posix_timer, have_time)
	FIELD(ckpt_posix_timer, sigval) FIELD(ckpt_posix_timer, interval_ns) FIELD(ckpt_posix_timer, value_ns)
	STRUCT(ckpt_madvise)
	FIELD(ckpt_madvise, start) FIELD(ckpt_madvise, end) FIELD(ckpt_madvise, flags) FIELD(ckpt_madvise, reserved)
	return 0;
}
