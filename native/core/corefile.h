/*
 * corefile.h - a bounds-checked reader for x86-64 ELF core files and the ELF
 * files they map. Library code: it never logs and never exits. Functions
 * return 0 on success and -1 on failure, with a one-line reason (no file
 * name, no newline) in the error buffer of the object.
 *
 * The reader holds only the headers and the notes in memory, never the
 * memory segments: those are read by whoever needs them, from c->fd.
 */
#ifndef CKPT_COREFILE_H
#define CKPT_COREFILE_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>
#include "ckpt_image.h"

#define CORE_ERR_LEN 256

/* Limits that keep a hostile header from driving huge allocations. */
#define CORE_MAX_PHNUM     4000000u   /* as Java's CoreFile.MAX_SEGMENTS */
#define CORE_MAX_NOTES_LEN (256u << 20)   /* all PT_NOTE data together */
#define CORE_MAX_THREADS   4096

struct core_seg {                 /* one PT_LOAD */
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags;               /* PF_R | PF_W | PF_X */
};

struct core_fmap {                /* one NT_FILE entry */
	uint64_t start, end, offset;  /* offset in bytes */
	const char *path;
};

struct core_thread {              /* one NT_PRSTATUS and the notes after it */
	int32_t pid;
	int32_t cursig;
	uint64_t sigpend, sighold;
	struct user_regs_struct regs;
	const uint8_t *fpregs;        /* 512 bytes fxsave area, or NULL */
	const uint8_t *xstate;        /* NT_X86_XSTATE, or NULL */
	uint32_t xstate_len;
	const uint8_t *ckpt_xstate;   /* its CKPT_NT_XSTATE (the i-th such note), or NULL */
	uint32_t ckpt_xstate_len;
};

struct core_note {
	uint32_t type;
	uint32_t descsz;
	const char *owner;            /* NUL-terminated, inside the notes buffer */
	const uint8_t *desc;
};

struct core_ckpt {                /* CKPT notes, NULL / 0 when absent */
	const struct ckpt_version *version;
	const uint8_t *files; uint32_t files_len;
	const struct ckpt_sigaction *sigaction;   /* 64 entries */
	const uint64_t *sigmask;
	const char *cwd;
	const struct ckpt_rseq *rseq;
	const uint64_t *tidaddr;
	const uint8_t *maps; uint32_t maps_len;
	const uint8_t *xstate; uint32_t xstate_len;   /* the first thread's */
	size_t nxstate;                                /* CKPT_NT_XSTATE notes seen */
	const struct ckpt_mm *mm;
	const uint8_t *kobj; uint32_t kobj_len;        /* CKPT_NT_KOBJ records */
	const struct ckpt_attrs *attrs;
	const struct ckpt_thread_attrs *thread_attrs; size_t nthread_attrs;
	const struct ckpt_posix_timer *timers; size_t ntimers;
	const struct ckpt_madvise *madvise; size_t nmadvise;
};

struct core {
	int fd;
	uint64_t size;
	Elf64_Ehdr eh;
	struct core_seg *segs;  size_t nsegs;
	uint8_t *notebuf;       size_t notelen;
	struct core_note *notes; size_t nnotes;
	struct core_thread *threads; size_t nthreads;
	size_t leader;          /* index of the thread group leader (tid == pid), else 0 */
	int32_t tgid;           /* the process id (NT_PRPSINFO), else the first thread's */
	const uint64_t *auxv;   size_t nauxv;     /* pairs: auxv[2i] type, auxv[2i+1] value */
	struct core_fmap *fmaps; size_t nfmaps;
	const char *fname;      /* NT_PRPSINFO pr_fname (NUL-terminated copy) */
	const char *psargs;     /* NT_PRPSINFO pr_psargs */
	char fname_buf[17], psargs_buf[81];
	int has_prpsinfo;
	struct core_ckpt ckpt;
	char err[CORE_ERR_LEN];
};

/* Opens and validates PATH. On failure c->err says why; core_close is still safe. */
int core_open(struct core *c, const char *path);
void core_close(struct core *c);

/* The value of auxv entry TYPE, or 0 when absent. */
uint64_t core_auxv(const struct core *c, uint64_t type);

/* The PT_LOAD holding address ADDR with file content, or NULL. */
const struct core_seg *core_seg_at(const struct core *c, uint64_t addr);

/* Reads LEN bytes of process memory at ADDR from the core; -1 when not all of it is there. */
int core_read_mem(const struct core *c, uint64_t addr, void *buf, size_t len);

/* Iterates the records of a CKPT FILES or MAPS note. Returns 1 and advances *pos
 * while there is a valid record, 0 at the end, -1 on a malformed record. */
int ckpt_next_file(const uint8_t *buf, uint32_t len, uint32_t *pos,
		   const struct ckpt_file **rec, const char **path);
int ckpt_next_map(const uint8_t *buf, uint32_t len, uint32_t *pos,
		  const struct ckpt_map **rec, const char **path);
/* The same for a CKPT KOBJ note: *data points at the record's data_len bytes. */
int ckpt_next_kobj(const uint8_t *buf, uint32_t len, uint32_t *pos,
		   const struct ckpt_kobj **rec, const uint8_t **data);

/* ---- ELF files (executables and libraries named in a core) ---- */
struct elf_file {
	int fd;
	uint64_t size;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph; size_t phnum;
	char err[CORE_ERR_LEN];
};

int elf_open(struct elf_file *e, const char *path);
void elf_close(struct elf_file *e);
/* The PF_* flags of the PT_LOAD that maps file offset OFF, or -1. */
int elf_prot_at_offset(const struct elf_file *e, uint64_t off);
/* Looks NAME up in .dynsym, then .symtab. Returns 0 and *value on success. */
int elf_find_symbol(struct elf_file *e, const char *name, uint64_t *value);

#define ELF_BUILD_ID_MAX 64
/* The GNU build-id (NT_GNU_BUILD_ID) of the ELF file whose first LEN bytes
 * (file offset 0 on, as the first page of a mapping holds them) are in HEAD.
 * Returns its length (at most ELF_BUILD_ID_MAX) with a copy in ID, or 0 when
 * HEAD is no ELF header or its note lies outside HEAD. */
size_t elf_build_id(const uint8_t *head, size_t len, uint8_t id[ELF_BUILD_ID_MAX]);

#endif
