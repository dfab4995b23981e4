/*
 * err.h: the project's error codes, one for each code of PROTOCOL.md.
 *
 * As in Knot Resolver, 0 is success and failures are negative.  Every
 * library's own errors are translated to these at one boundary (store_err for
 * LMDB, ipc_err for nng, plug_err for Lua), after which only these travel.
 */
#ifndef SK_ERR_H
#define SK_ERR_H

enum sk_err {
	SK_OK          = 0,
	SK_EBADREQ     = -1,  /* bad_request */
	SK_EUNAUTH     = -2,  /* unauthorized */
	SK_EFORBIDDEN  = -3,  /* forbidden */
	SK_ENOTFOUND   = -4,  /* not_found */
	SK_ECONFLICT   = -5,  /* conflict */
	SK_ETRANSITION = -6,  /* invalid_transition */
	SK_EINCOMPLETE = -7,  /* incomplete */
	SK_EPENDING    = -8,  /* pending */
	SK_ERUBRIC     = -9,  /* rubric_error */
	SK_ETOOLARGE   = -10, /* too_large */
	SK_EUNAVAIL    = -11, /* unavailable */
	SK_EINTERNAL   = -12, /* internal */
	/* Never on the wire: the LMDB map is full; the batch is replayed. */
	SK_EMAPFULL = -100,
	/* Never on the wire: the op goes on off the loop; it replies later. */
	SK_EDEFER = -101,
	/* Never on the wire: a request failed after writing; the batch is
	 * replayed with a nested transaction per request. */
	SK_ENESTED = -102,
	/* The disk is full: "unavailable" on the wire, "disk full" in the
	 * log and the message, never "internal" (issue 19). */
	SK_EDISKFULL = -103,
};

/* The wire code ("bad_request", ...) of an error; "internal" if unknown. */
const char *sk_err_code(int err);

/* The error for a wire code, or SK_EINTERNAL if the code is unknown. */
int sk_err_from_code(const char *code);

#endif
