/* sockfilter.c - attach and lock a classic BPF filter on the per-transfer
 * UDP socket so that only ACK (exactly 4 bytes) and ERROR (5 bytes or more)
 * datagrams are queued; the kernel drops the rest before user space sees a
 * byte. Runs before the sandbox; must never be applied to the request
 * (port 69) socket, which has to receive RRQs.
 *
 * What the filter sees: for a UDP socket (AF_INET, AF_INET6, and IPv4
 * traffic on a dual-stack AF_INET6 socket) the kernel runs the socket filter
 * from udp_queue_rcv_one_skb() with the packet starting at the 8-byte UDP
 * header, not at the payload, and the packet length (BPF_LEN) is UDP header
 * plus payload, already trimmed to the UDP length field. Verified on Linux
 * 6.18: with a 4-byte payload, "len == 12" admits, "len == 4" drops, the
 * 16-bit word at offset 2 is the destination port and the payload starts at
 * offset 8. tests/unit/test_sockfilter.c checks the whole program against
 * real sockets, so a kernel that behaved otherwise would fail the tests. */
#include "sockfilter.h"

#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tftp.h"

#define UDP_HDR 8u            /* the filter sees the UDP header first */
#define OPCODE_OFF UDP_HDR    /* TFTP opcode: first payload half-word */
#define ACK_LEN (UDP_HDR + 4u)       /* opcode + block number, nothing else */
#define ERROR_MIN_LEN (UDP_HDR + 5u) /* opcode + code + at least the NUL */

/* Jump offsets in classic BPF count instructions to skip after the jump
 * itself; the comments name the target index. */
static const struct sock_filter transfer_filter[] = {
	/* 0: A = UDP header + payload length. */
	BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
	/* 1: exactly an ACK's length? yes -> 2, no -> 4. */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ACK_LEN, 0, 2),
	/* 2: A = opcode (BPF_ABS loads are big-endian, like the wire). */
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, OPCODE_OFF),
	/* 3: ACK -> 7 (admit); a 4-byte anything else -> 8 (drop). A 4-byte
	 * ERROR has no room for its message's NUL, so it is dropped too. */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, OP_ACK, 3, 4),
	/* 4: A still holds the length: long enough for an ERROR? yes -> 5,
	 * no (empty, 1-3 bytes) -> 8 (drop). */
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ERROR_MIN_LEN, 0, 3),
	/* 5: A = opcode. */
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, OPCODE_OFF),
	/* 6: ERROR -> 7 (admit); ACK longer than 4 bytes, DATA, RRQ, WRQ,
	 * OACK, unknown -> 8 (drop). */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, OP_ERROR, 0, 1),
	/* 7: admit: the return value is how many bytes to keep; all of it. */
	BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
	/* 8: drop: keep 0 bytes. */
	BPF_STMT(BPF_RET | BPF_K, 0),
};

int sockfilter_attach(int fd)
{
	struct sock_fprog prog = {
		.len = (unsigned short)(sizeof transfer_filter /
					sizeof transfer_filter[0]),
		/* The kernel copies the program; it never writes through
		 * this pointer, the struct just is not const-qualified. */
		.filter = (struct sock_filter *)transfer_filter,
	};
	int type = 0, proto = 0, dom = 0, one = 1;
	socklen_t len;

	/* The offsets above hold for UDP over IP only (not UDP-Lite, not
	 * AF_UNIX datagrams, not raw sockets): refuse anything else rather
	 * than install a filter that means something different there. */
	len = sizeof type;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
		return -1;
	len = sizeof proto;
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) != 0)
		return -1;
	len = sizeof dom;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) != 0)
		return -1;
	if (type != SOCK_DGRAM || proto != IPPROTO_UDP ||
	    (dom != AF_INET && dom != AF_INET6)) {
		errno = EINVAL;
		return -1;
	}

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
		       sizeof prog) != 0)
		return -1;
	/* Without the lock a later bug could detach the filter; treat a
	 * failure to lock as a failure to filter. */
	if (setsockopt(fd, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof one) != 0)
		return -1;
	return 0;
}
