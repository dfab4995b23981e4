/*
 * err.c: names of the project's error codes as PROTOCOL.md spells them.
 */
#include <string.h>

#include "core/util/err.h"

static const struct {
	int         err;
	const char *code;
} err_names[] = {
	{ SK_OK, "ok" },
	{ SK_EBADREQ, "bad_request" },
	{ SK_EUNAUTH, "unauthorized" },
	{ SK_EFORBIDDEN, "forbidden" },
	{ SK_ENOTFOUND, "not_found" },
	{ SK_ECONFLICT, "conflict" },
	{ SK_ETRANSITION, "invalid_transition" },
	{ SK_EINCOMPLETE, "incomplete" },
	{ SK_EPENDING, "pending" },
	{ SK_ERUBRIC, "rubric_error" },
	{ SK_ETOOLARGE, "too_large" },
	{ SK_EUNAVAIL, "unavailable" },
	{ SK_EINTERNAL, "internal" },
	{ SK_EDISKFULL, "unavailable" }, /* after SK_EUNAVAIL: see below */
};

const char *
sk_err_code(int err)
{
	for (size_t i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++) {
		if (err_names[i].err == err) {
			return (err_names[i].code);
		}
	}
	return ("internal");
}

/* The first entry with the code wins: "unavailable" is SK_EUNAVAIL. */
int
sk_err_from_code(const char *code)
{
	for (size_t i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++) {
		if (strcmp(err_names[i].code, code) == 0) {
			return (err_names[i].err);
		}
	}
	return (SK_EINTERNAL);
}
