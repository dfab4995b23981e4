/*
 * fuzz_rubric.c: libFuzzer target for the rubric loader (plugins/): any
 * bytes as a rubric's Lua source, loaded in the sandbox with small limits
 * (8 MiB, a million instructions, 50 ms a call) so that each input is
 * quick; extend() finds the shipped default and province rubrics.  A
 * rubric that loads is then asked to check a sample case and decide on
 * sample ballots.  Nothing may crash or escape, and every error message
 * must be valid UTF-8 (it goes into a reply).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/json.h"
#include "plugins/host.h"

#ifndef SK_SOURCE_DIR
#define SK_SOURCE_DIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char  *base_src[2];
static size_t base_len[2];
static const char *const base_id[2] = { "default", "province" };

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long  n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t) n + 1)) == NULL) {
		if (f != NULL) {
			fclose(f);
		}
		return (NULL);
	}
	*len = fread(buf, 1, (size_t) n, f);
	buf[*len] = '\0';
	fclose(f);
	return (buf);
}

static int
resolve(void *arg, const char *id, const char **src, size_t *len,
    const char **chunkname)
{
	(void) arg;
	for (int i = 0; i < 2; i++) {
		if (base_src[i] != NULL && strcmp(id, base_id[i]) == 0) {
			*src       = base_src[i];
			*len       = base_len[i];
			*chunkname = base_id[i];
			return (0);
		}
	}
	return (-1);
}

static void
utf8_or_die(const char *msg)
{
	if (util_utf8_chars(msg, strlen(msg)) < 0) {
		abort(); /* an error message that is not valid UTF-8 */
	}
}

static const char case_json[] =
    "{\"id\":7,\"title\":\"Sổ tay điện tử\",\"field\":\"giáo dục\","
    "\"first_applied\":\"2026-01-05\",\"authors\":[{\"name\":\"Lan\","
    "\"share\":100}],\"sections\":{\"status_quo\":\"a\",\"solution\":\"b\","
    "\"novelty\":\"c\",\"applicability\":\"d\",\"benefits\":\"e\"},"
    "\"similar\":[],\"max_similarity\":0}";
static const char ballots_json[] =
    "[{\"member\":\"hung\",\"role\":\"chair\",\"marks\":{\"novelty\":20,"
    "\"applicability\":20,\"benefit\":30},\"total\":70},{\"member\":\"mai\","
    "\"role\":\"member\",\"marks\":{\"novelty\":5},\"total\":5}]";
static const char council_json[] =
    "{\"members\":3,\"eligible\":3,\"scope\":\"unit\"}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct plug_limits lim = { 8u << 20, 1000000, 50 };
	struct plug_rubric             *r   = NULL;
	char                            err[512];
	json_object                    *out = NULL;

	if (base_src[0] == NULL) {
		char path[1024];
		for (int i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s/rubrics/%s.lua",
			    SK_SOURCE_DIR, base_id[i]);
			base_src[i] = slurp(path, &base_len[i]);
		}
	}
	err[0] = '\0';
	if (plug_load("fuzz.lua", (const char *) data, size, &lim, resolve,
	        NULL, &r, err, sizeof(err)) != 0) {
		utf8_or_die(err);
		return (0);
	}
	json_object *c = json_tokener_parse(case_json);
	json_object *b = json_tokener_parse(ballots_json);
	json_object *k = json_tokener_parse(council_json);
	err[0]         = '\0';
	if (plug_check(r, c, "2026-06-01", &out, err, sizeof(err)) != 0) {
		utf8_or_die(err);
	}
	json_object_put(out);
	out    = NULL;
	err[0] = '\0';
	if (plug_decide(r, b, k, &out, err, sizeof(err)) != 0) {
		utf8_or_die(err);
	}
	json_object_put(out);
	json_object_put(c);
	json_object_put(b);
	json_object_put(k);
	plug_free(r);
	return (0);
}
