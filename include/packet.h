/* packet.h - the one parser for every TFTP datagram, and the builders.
 * Pure: no syscalls, no allocation, no globals. */
#ifndef FWTFTPD_PACKET_H
#define FWTFTPD_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "tftp.h"

struct tftp_optkv {
	const char *name;  /* NUL-terminated, inside the parsed datagram */
	const char *value; /* NULL when the datagram ended after the name */
};

struct tftp_rq {
	const char *filename; /* NUL-terminated inside the datagram */
	size_t filename_len;
	const char *mode;     /* NUL-terminated inside the datagram */
	unsigned nopts;       /* pairs kept in opts[] */
	unsigned opts_dropped;/* pairs beyond TFTP_MAX_OPTS, ignored */
	struct tftp_optkv opts[TFTP_MAX_OPTS];
};

struct tftp_pkt {
	uint16_t opcode;
	union {
		struct tftp_rq rq; /* OP_RRQ, OP_WRQ, and OP_OACK (filename/mode unset) */
		struct { uint16_t block; const uint8_t *data; size_t len; } data;
		struct { uint16_t block; } ack;
		struct { uint16_t code; const char *msg; } error; /* msg may be "" */
	} u;
};

enum pkt_status {
	PKT_OK = 0,
	PKT_SHORT,      /* shorter than the opcode's fixed part */
	PKT_BADOP,      /* opcode outside 1..6 */
	PKT_NONUL,      /* a string runs to the end of the datagram without NUL */
	PKT_LONG,       /* ACK longer than 4 bytes, or datagram over TFTP_REQ_MAX */
	PKT_EMPTYNAME,  /* RRQ/WRQ with an empty file name */
	PKT_EMPTYMODE,  /* RRQ/WRQ with an empty mode */
};

/* Parse one datagram of len bytes. Never reads past buf[len-1]. On PKT_OK
 * *out holds pointers into buf, which must stay alive while *out is used.
 * Trailing NUL bytes after the last option are accepted as padding. */
enum pkt_status pkt_parse(const uint8_t *buf, size_t len, struct tftp_pkt *out);

/* Short fixed text for a parse status, for logs. */
const char *pkt_status_str(enum pkt_status st);

/* Build an ERROR datagram; msg is truncated to fit. Returns its length, or 0
 * when cap < 5. */
size_t pkt_build_error(uint8_t *buf, size_t cap, uint16_t code, const char *msg);

/* Fixed, short client-facing message for an error code. */
const char *pkt_error_text(uint16_t code);

/* Write the 4-byte DATA header for block number blk. */
void pkt_data_header(uint8_t hdr[4], uint16_t blk);

#endif
