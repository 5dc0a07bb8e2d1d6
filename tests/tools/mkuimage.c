/* mkuimage.c - test fixture builder: writes a U-Boot legacy image (64-byte
 * big-endian header + data) with optional, deliberate damage. It is kept
 * independent of src/: its own bit-by-bit CRC-32, its own field layout, so
 * a mistake in firmware.c cannot hide behind the same mistake here. Never
 * used by the server.
 *
 * mkuimage -o OUT [-n NAME] [-L] [-N] [-d FILE | -s SIZE] [-S SEED]
 *          [-t TIME] [-M] [-H] [-D] [-c BYTES]
 *   -n NAME  image name (default snom320-8.7.3.25); 32 bytes fill the field
 *            with no NUL; longer names are refused unless -L
 *   -L       cut a longer name to 32 bytes, as mkimage does
 *   -N       pad the name field with '~' instead of NUL (no terminator)
 *   -d FILE  payload from FILE (at most 64 MiB)
 *   -s SIZE  payload of SIZE pseudo-random bytes (default 1000), seed -S
 *   -t TIME  header time stamp (default 0: reproducible output)
 *   -M       wrong magic (header CRC still matches the written header)
 *   -H       wrong header CRC
 *   -D       wrong data CRC (header CRC matches the written header)
 *   -c BYTES drop BYTES from the end of the output (truncated image)
 * Exit: 0 written, 1 I/O error, 100 usage. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HDR 64u
#define NAMELEN 32u
#define MAX_PAYLOAD (64u << 20)

/* Bit at a time, straight from the definition (reflected 0xEDB88320). */
static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ ((c & 1u) ? 0xedb88320u : 0u);
	}
	return c ^ 0xffffffffu;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > 0xffffffffull)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(MAX_PAYLOAD + 1u);
	size_t n = 0;

	if (f == NULL || buf == NULL) {
		if (f != NULL)
			fclose(f);
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, MAX_PAYLOAD + 1u, f);
	if (ferror(f) || n > MAX_PAYLOAD) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

static void usage(void)
{
	fprintf(stderr, "usage: mkuimage -o OUT [-n NAME] [-L] [-N] "
			"[-d FILE | -s SIZE] [-S SEED] [-t TIME] [-M] [-H] "
			"[-D] [-c BYTES]\n");
}

int main(int argc, char **argv)
{
	const char *out = NULL, *name = "snom320-8.7.3.25", *data = NULL;
	uint32_t size = 1000, seed = 1, stamp = 0, cut = 0;
	int cut_name = 0, no_nul = 0, bad_magic = 0, bad_hcrc = 0,
	    bad_dcrc = 0, opt;
	uint8_t hdr[HDR];
	uint8_t *payload;
	size_t plen, nlen, total;
	FILE *f;

	while ((opt = getopt(argc, argv, "o:n:LNd:s:S:t:MHDc:")) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'n': name = optarg; break;
		case 'L': cut_name = 1; break;
		case 'N': no_nul = 1; break;
		case 'd': data = optarg; break;
		case 's': if (parse_u32(optarg, &size) != 0 || size > MAX_PAYLOAD)
				  goto bad;
			  break;
		case 'S': if (parse_u32(optarg, &seed) != 0) goto bad; break;
		case 't': if (parse_u32(optarg, &stamp) != 0) goto bad; break;
		case 'M': bad_magic = 1; break;
		case 'H': bad_hcrc = 1; break;
		case 'D': bad_dcrc = 1; break;
		case 'c': if (parse_u32(optarg, &cut) != 0) goto bad; break;
		default: goto bad;
		}
	}
	if (out == NULL || optind != argc)
		goto bad;
	nlen = strlen(name);
	if (nlen > NAMELEN && !cut_name) {
		fprintf(stderr, "mkuimage: name longer than %u bytes (-L cuts)\n",
			NAMELEN);
		return 100;
	}
	if (nlen > NAMELEN)
		nlen = NAMELEN;

	if (data != NULL) {
		payload = read_file(data, &plen);
		if (payload == NULL) {
			fprintf(stderr, "mkuimage: cannot read %s\n", data);
			return 1;
		}
	} else {
		uint32_t x = seed ? seed : 1;

		plen = size;
		payload = malloc(plen ? plen : 1);
		if (payload == NULL)
			return 1;
		for (size_t i = 0; i < plen; i++) { /* xorshift32 */
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			payload[i] = (uint8_t)x;
		}
	}

	memset(hdr, 0, sizeof(hdr));
	put_be32(hdr + 0, bad_magic ? 0x27051957u : 0x27051956u);
	put_be32(hdr + 8, stamp);                 /* ih_time */
	put_be32(hdr + 12, (uint32_t)plen);       /* ih_size */
	put_be32(hdr + 16, 0);                    /* ih_load */
	put_be32(hdr + 20, 0);                    /* ih_ep */
	put_be32(hdr + 24, crc32_bitwise(payload, plen) ^ (bad_dcrc ? 1u : 0u));
	hdr[28] = 5;                              /* ih_os: Linux */
	hdr[29] = 5;                              /* ih_arch: MIPS */
	hdr[30] = 5;                              /* ih_type: firmware */
	hdr[31] = 0;                              /* ih_comp: none */
	memcpy(hdr + 32, name, nlen);
	if (no_nul)
		memset(hdr + 32 + nlen, '~', NAMELEN - nlen);
	put_be32(hdr + 4, crc32_bitwise(hdr, HDR) ^ (bad_hcrc ? 1u : 0u));

	total = HDR + plen;
	if (cut > total) {
		fprintf(stderr, "mkuimage: -c larger than the image\n");
		free(payload);
		return 100;
	}
	total -= cut;
	f = fopen(out, "wb");
	if (f == NULL) {
		fprintf(stderr, "mkuimage: %s: %s\n", out, strerror(errno));
		free(payload);
		return 1;
	}
	if (fwrite(hdr, 1, total < HDR ? total : HDR, f) !=
		    (total < HDR ? total : HDR) ||
	    (total > HDR && fwrite(payload, 1, total - HDR, f) != total - HDR) ||
	    fclose(f) != 0) {
		fprintf(stderr, "mkuimage: write %s failed\n", out);
		free(payload);
		return 1;
	}
	free(payload);
	return 0;
bad:
	usage();
	return 100;
}
