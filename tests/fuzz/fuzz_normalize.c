/*
 * fuzz_normalize.c: libFuzzer target for the Vietnamese normalizer and
 * the MinHash signature (core/dedup/normalize.c, minhash.c): any bytes as
 * a case's text, under both keys.  Valid UTF-8 must normalize to valid
 * UTF-8 of at most the same syllables; invalid input is refused, never
 * read past.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/dedup/dedup.h"
#include "core/util/err.h"
#include "core/util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum dedup_key keys[] = { DEDUP_FULL,
		DEDUP_STRIPPED };
	const char      *text = (const char *) data;
	struct dedup_sig sig;
	size_t           n;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char  *out = NULL;
		size_t len = 0;
		int    rv  = dedup_normalize(text, size, keys[i], &out, &len);
		if (rv == SK_OK &&
		    (out == NULL || util_utf8_chars(out, len) < 0)) {
			abort(); /* normalized text must be valid UTF-8 */
		}
		free(out);
	}
	dedup_sign(text, size, &sig, &n);
	return (0);
}
