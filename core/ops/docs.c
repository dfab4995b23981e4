/*
 * docs.c: the handlers of a case's documents (doc.get, doc.verify).  The
 * model says what a document holds and who may have it (model/paper.h);
 * these check the arguments and split the work: doc.get gathers the page
 * on the loop, in the request's snapshot (cheap: one case and a few
 * documents), and defers the typesetting, which takes tens of
 * milliseconds, to the thread pool (OP_HEAVY), so other requests are not
 * held up.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/util/err.h"
#include "core/model/paper.h"
#include "core/ops/ops.h"

int
op_doc_get(struct op_ctx *ctx)
{
	uint64_t     id   = 0;
	const char  *kind = NULL, *user = NULL;
	json_object *page = NULL;
	int          k, rv;

	if ((rv = arg_u64(ctx->args, "case", true, 1, INT64_MAX - 1, &id,
	         ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "kind", true, 32, &kind, ctx->err)) != 0 ||
	    (rv = arg_id(ctx->args, "user", false, &user, ctx->err)) != 0) {
		return (rv);
	}
	if ((k = paper_kind_parse(kind)) < 0) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "kind: one of receipt, sheet, minutes, decision, "
		    "certificate; not \"%s\"",
		    kind));
	}
	if (k != PAPER_SHEET && user != NULL) {
		return (proto_fail(ctx->err, SK_EBADREQ,
		    "user: only a score sheet (kind \"sheet\") is a member's"));
	}
	if ((rv = paper_gather(ctx, id, (enum paper_kind) k, user, &page)) !=
	    0) {
		return (rv);
	}
	ctx->result = page;
	return (SK_EDEFER);
}

/* On the thread pool: the page as PDF, in base64. */
int
op_doc_get_work(struct op_work *w)
{
	unsigned char *pdf = NULL;
	size_t         len = 0;
	char           err[256];
	char          *b64;
	size_t         b64len;

	if (paper_pdf(w->arg, &pdf, &len, err, sizeof(err)) != 0) {
		return (proto_fail(&w->err, SK_EINTERNAL, "%s", err));
	}
	b64len = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	if ((b64 = malloc(b64len)) == NULL) {
		free(pdf);
		return (proto_fail(&w->err, SK_EINTERNAL, "out of memory"));
	}
	sodium_bin2base64(b64, b64len, pdf, len, sodium_base64_VARIANT_ORIGINAL);
	free(pdf);
	w->result = json_object_new_object();
	json_object_object_add(w->result, "kind",
	    json_object_get(json_object_object_get(w->arg, "kind")));
	json_object_object_add(w->result, "case",
	    json_object_get(json_object_object_get(w->arg, "case")));
	json_object_object_add(w->result, "hash",
	    json_object_get(json_object_object_get(w->arg, "hash")));
	json_object_object_add(w->result, "url",
	    json_object_get(json_object_object_get(w->arg, "url")));
	json_object_object_add(w->result, "pdf",
	    json_object_new_string_len(b64, (int) strlen(b64)));
	free(b64);
	return (0);
}

int
op_doc_verify(struct op_ctx *ctx)
{
	uint64_t    id   = 0;
	const char *hash = NULL;
	int         rv;

	if ((rv = arg_u64(ctx->args, "case", true, 1, INT64_MAX - 1, &id,
	         ctx->err)) != 0 ||
	    (rv = arg_str(ctx->args, "hash", true, 64, &hash, ctx->err)) != 0) {
		return (rv);
	}
	return (paper_verify(ctx, id, hash, &ctx->result));
}
