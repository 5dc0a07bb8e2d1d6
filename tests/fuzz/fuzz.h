/* fuzz.h - what every fuzz target shares: the libFuzzer entry point, an
 * invariant check that aborts (so the fuzzer saves the input), and a copy
 * of exactly n bytes on the heap, so any read past the end is an ASan
 * report rather than a silent read of a neighbour. */
#ifndef FWTFTPD_FUZZ_H
#define FWTFTPD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                              \
	do {                                                                  \
		if (!(c)) {                                                   \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", #c, \
				__FILE__, __LINE__);                          \
			abort();                                              \
		}                                                             \
	} while (0)

static inline uint8_t *dup_exact(const void *p, size_t n)
{
	uint8_t *b = malloc(n);

	CHECK(b != NULL || n == 0);
	if (n > 0)
		memcpy(b, p, n);
	return b;
}

#endif
