/* tftp.h - protocol constants shared by every module (RFC 1350, 2347-2349, 7440).
 * Constants only: no functions, no state. */
#ifndef FWTFTPD_TFTP_H
#define FWTFTPD_TFTP_H

enum tftp_opcode {
	OP_RRQ = 1,
	OP_WRQ = 2,
	OP_DATA = 3,
	OP_ACK = 4,
	OP_ERROR = 5,
	OP_OACK = 6,
};

/* RFC 1350 error codes, plus RFC 2347's code 8. */
enum tftp_errcode {
	TE_UNDEF = 0,    /* not defined, see message */
	TE_NOTFOUND = 1, /* file not found */
	TE_ACCESS = 2,   /* access violation */
	TE_DISKFULL = 3,
	TE_BADOP = 4,    /* illegal TFTP operation */
	TE_BADID = 5,    /* unknown transfer ID */
	TE_EXISTS = 6,
	TE_NOUSER = 7,
	TE_OPTNEG = 8,   /* option negotiation refused */
};

#define TFTP_SEGSIZE 512u         /* RFC 1350 block size */
#define TFTP_BLKSIZE_MIN 8u       /* RFC 2348 */
#define TFTP_BLKSIZE_MAX 65464u   /* RFC 2348 */
#define TFTP_WINDOW_MAX 65535u    /* RFC 7440 */
#define TFTP_TIMEOUT_MIN 1u       /* RFC 2349, seconds */
#define TFTP_TIMEOUT_MAX 255u
/* Longest requested file name we accept, in bytes (documented in the man page). */
#define TFTP_NAME_MAX 1023u
/* A request datagram can never usefully be longer than this. */
#define TFTP_REQ_MAX 65535u
/* Option pairs kept from one request; further pairs are ignored. */
#define TFTP_MAX_OPTS 16u

#endif
