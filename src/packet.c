/* packet.c - parse and build TFTP datagrams.
 * Pure: no syscalls, no allocation. The parser is the only code that reads
 * untrusted bytes; it checks the length before every field and requires each
 * string's NUL to lie inside the datagram. */
#include <string.h>

#include "packet.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* Next NUL-terminated string starting at *pos; NULL if no NUL before end. */
static const char *take_str(const uint8_t *buf, size_t len, size_t *pos)
{
	const uint8_t *s = buf + *pos;
	const uint8_t *nul;

	if (*pos >= len)
		return NULL;
	nul = memchr(s, 0, len - *pos);
	if (nul == NULL)
		return NULL;
	*pos = (size_t)(nul - buf) + 1;
	return (const char *)s;
}

static int only_nuls(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* Option pairs from pos to the end. Trailing NULs are padding that some
 * clients send; a final name without value is kept with value NULL. */
static enum pkt_status parse_opts(const uint8_t *buf, size_t len, size_t pos,
				  struct tftp_rq *rq)
{
	rq->nopts = 0;
	rq->opts_dropped = 0;
	while (pos < len) {
		const char *name, *value;

		if (only_nuls(buf + pos, len - pos))
			break;
		name = take_str(buf, len, &pos);
		if (name == NULL)
			return PKT_NONUL;
		value = NULL;
		if (pos < len) {
			value = take_str(buf, len, &pos);
			if (value == NULL)
				return PKT_NONUL;
		}
		if (rq->nopts < TFTP_MAX_OPTS) {
			rq->opts[rq->nopts].name = name;
			rq->opts[rq->nopts].value = value;
			rq->nopts++;
		} else {
			rq->opts_dropped++;
		}
	}
	return PKT_OK;
}

enum pkt_status pkt_parse(const uint8_t *buf, size_t len, struct tftp_pkt *out)
{
	size_t pos = 2;

	memset(out, 0, sizeof(*out));
	if (len < 2)
		return PKT_SHORT;
	if (len > TFTP_REQ_MAX)
		return PKT_LONG;
	out->opcode = get16(buf);
	switch (out->opcode) {
	case OP_RRQ:
	case OP_WRQ: {
		struct tftp_rq *rq = &out->u.rq;

		rq->filename = take_str(buf, len, &pos);
		if (rq->filename == NULL)
			return len == 2 ? PKT_SHORT : PKT_NONUL;
		rq->filename_len = strlen(rq->filename);
		/* A request cut short is malformed before its name is judged. */
		rq->mode = take_str(buf, len, &pos);
		if (rq->mode == NULL)
			return pos >= len ? PKT_SHORT : PKT_NONUL;
		if (rq->filename_len == 0)
			return PKT_EMPTYNAME;
		if (rq->mode[0] == '\0')
			return PKT_EMPTYMODE;
		return parse_opts(buf, len, pos, rq);
	}
	case OP_OACK:
		return parse_opts(buf, len, pos, &out->u.rq);
	case OP_DATA:
		if (len < 4)
			return PKT_SHORT;
		out->u.data.block = get16(buf + 2);
		out->u.data.data = buf + 4;
		out->u.data.len = len - 4;
		return PKT_OK;
	case OP_ACK:
		if (len < 4)
			return PKT_SHORT;
		if (len > 4)
			return PKT_LONG;
		out->u.ack.block = get16(buf + 2);
		return PKT_OK;
	case OP_ERROR:
		if (len < 5)
			return PKT_SHORT;
		out->u.error.code = get16(buf + 2);
		pos = 4;
		out->u.error.msg = take_str(buf, len, &pos);
		if (out->u.error.msg == NULL)
			return PKT_NONUL;
		return PKT_OK;
	default:
		return PKT_BADOP;
	}
}

const char *pkt_status_str(enum pkt_status st)
{
	switch (st) {
	case PKT_OK: return "ok";
	case PKT_SHORT: return "datagram too short";
	case PKT_BADOP: return "unknown opcode";
	case PKT_NONUL: return "string without NUL";
	case PKT_LONG: return "datagram too long";
	case PKT_EMPTYNAME: return "empty file name";
	case PKT_EMPTYMODE: return "empty mode";
	}
	return "?";
}

const char *pkt_error_text(uint16_t code)
{
	/* Fixed and short on purpose: the detail goes to syslog only. */
	static const char *const text[] = {
		[TE_UNDEF] = "Not served",
		[TE_NOTFOUND] = "File not found",
		[TE_ACCESS] = "Access violation",
		[TE_DISKFULL] = "Disk full",
		[TE_BADOP] = "Illegal TFTP operation",
		[TE_BADID] = "Unknown transfer ID",
		[TE_EXISTS] = "File already exists",
		[TE_NOUSER] = "No such user",
		[TE_OPTNEG] = "Option negotiation failed",
	};

	if (code < sizeof(text) / sizeof(text[0]))
		return text[code];
	return text[TE_UNDEF];
}

size_t pkt_build_error(uint8_t *buf, size_t cap, uint16_t code, const char *msg)
{
	size_t n;

	if (cap < 5)
		return 0;
	n = strlen(msg);
	if (n > cap - 5)
		n = cap - 5;
	buf[0] = 0;
	buf[1] = OP_ERROR;
	buf[2] = (uint8_t)(code >> 8);
	buf[3] = (uint8_t)code;
	memcpy(buf + 4, msg, n);
	buf[4 + n] = 0;
	return n + 5;
}

void pkt_data_header(uint8_t hdr[4], uint16_t blk)
{
	hdr[0] = 0;
	hdr[1] = OP_DATA;
	hdr[2] = (uint8_t)(blk >> 8);
	hdr[3] = (uint8_t)blk;
}
