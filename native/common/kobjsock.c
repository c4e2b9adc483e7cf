/*
 * kobjsock.c - AF_UNIX socket pairs for kobj.c: the peer of a socket (the
 * kernel's sock_diag netlink interface) and the messages queued on it, read
 * with MSG_PEEK so that they stay where they are. Async-signal-safe.
 */
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "raw.h"
#include "procfs.h"
#include "kobj.h"

static char nlbuf[8192];

long sf_unix_peer(uint64_t ino, uint64_t *peer)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req;
	struct sockaddr_nl sa;
	m_zero(&req, sizeof req);
	m_zero(&sa, sizeof sa);
	sa.nl_family = AF_NETLINK;
	req.h.nlmsg_len = sizeof req;
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.h.nlmsg_seq = 1;
	req.r.sdiag_family = AF_UNIX;
	req.r.udiag_states = ~0u;
	req.r.udiag_ino = (uint32_t)ino;
	req.r.udiag_show = UDIAG_SHOW_PEER;
	req.r.udiag_cookie[0] = req.r.udiag_cookie[1] = ~0u;
	long nl = rsys3(__NR_socket, AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return nl;
	long n = rsys6(__NR_sendto, nl, (long)&req, sizeof req, 0, (long)&sa, sizeof sa);
	if (n >= 0)
		n = rsys6(__NR_recvfrom, nl, (long)nlbuf, sizeof nlbuf, 0, 0, 0);
	rsys1(__NR_close, nl);
	if (n < 0)
		return n;
	const struct nlmsghdr *h = (const void *)nlbuf;
	if (n < (long)sizeof *h || h->nlmsg_len > (uint32_t)n)
		return -5; /* EIO */
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(h);
		return e->error ? e->error : -2;
	}
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
		return -5;
	uint32_t off = NLMSG_LENGTH(sizeof(struct unix_diag_msg));
	off = (off + 3) & ~3u;
	*peer = 0;
	while (off + 4 <= h->nlmsg_len) {
		uint16_t alen, atype;
		m_copy(&alen, nlbuf + off, 2);
		m_copy(&atype, nlbuf + off + 2, 2);
		if (alen < 4 || off + alen > h->nlmsg_len)
			break;
		if (atype == UNIX_DIAG_PEER && alen >= 8) {
			uint32_t p;
			m_copy(&p, nlbuf + off + 4, 4);
			*peer = p;
		}
		off += (alen + 3u) & ~3u;
	}
	return 0;
}

long sf_unix_queue(long lfd, int type, uint32_t *bytes)
{
	/* a queue: u32 count of messages, then each as u32 length and its bytes */
	uint32_t start = sf.poolused, count = 0;
	int avail = 0;
	if (sf.poolused + 4 > SF_POOL)
		return -7;
	sf.poolused += 4;
	long e = 0;
	if (type == SOCK_STREAM) {
		e = rsys3(__NR_ioctl, lfd, FIONREAD, (long)&avail);
		if (e == 0 && avail > 0) {
			if (sf.poolused + 4 + (uint32_t)avail > SF_POOL)
				return -7;
			long n = rsys6(__NR_recvfrom, lfd, (long)(sf.pool + sf.poolused + 4), avail,
				       MSG_PEEK | MSG_DONTWAIT, 0, 0);
			if (n != avail)
				e = n < 0 ? n : -5;
			else {
				uint32_t l = (uint32_t)n;
				m_copy(sf.pool + sf.poolused, &l, 4);
				sf.poolused += 4 + l;
				count = 1;
			}
		}
	} else {
		/* one datagram per peek: SO_PEEK_OFF moves past the ones seen */
		int old = -1, zero = 0, empty = 0;
		uint32_t olen = sizeof old;
		e = rsys5(__NR_getsockopt, lfd, SOL_SOCKET, SO_PEEK_OFF, (long)&old, (long)&olen);
		if (e == 0)
			e = rsys5(__NR_setsockopt, lfd, SOL_SOCKET, SO_PEEK_OFF, (long)&zero, sizeof zero);
		while (e == 0) {
			uint32_t room = SF_POOL - sf.poolused;
			if (room < 4 + 65536) {
				e = -7;
				break;
			}
			long n = rsys6(__NR_recvfrom, lfd, (long)(sf.pool + sf.poolused + 4), room - 4,
				       MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC, 0, 0);
			if (n == -11)
				break; /* EAGAIN: no more */
			if (n < 0 || (uint64_t)n > room - 4) {
				e = n < 0 ? n : -7;
				break;
			}
			uint32_t l = (uint32_t)n;
			m_copy(sf.pool + sf.poolused, &l, 4);
			sf.poolused += 4 + l;
			count++;
			/* an empty datagram does not move the peek offset: the kernel
			 * gives the last one again and again */
			if (l == 0 && empty++)
				break;
			if (l)
				empty = 0;
		}
		rsys5(__NR_setsockopt, lfd, SOL_SOCKET, SO_PEEK_OFF, (long)&old, sizeof old);
	}
	if (e < 0)
		return e;
	m_copy(sf.pool + start, &count, 4);
	*bytes = sf.poolused - start;
	return 0;
}
