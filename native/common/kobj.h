/*
 * kobj.h - what the kernel-object part of the /proc parser (kobj.c,
 * kobjsock.c) shares; not for other users (they take sfstate.h).
 */
#ifndef KOBJ_H
#define KOBJ_H

#include <stdint.h>

/* The inode of the AF_UNIX socket connected to socket INO (0: none), by
 * sock_diag. 0 or -errno. */
long sf_unix_peer(uint64_t ino, uint64_t *peer);
/* The messages queued on our socket descriptor LFD of TYPE (SOCK_STREAM: one
 * "message" of every byte), peeked, appended to the pool as u32 count, then
 * u32 length and bytes each; *bytes = what was appended. 0 or -errno. */
long sf_unix_queue(long lfd, int type, uint32_t *bytes);

#endif
