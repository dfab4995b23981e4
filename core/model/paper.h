/*
 * paper.h: a case's documents, made from the stored record (issue 17):
 * the receipt of an application, a member's score sheet, the council's
 * minutes, the decision (recognition or written refusal) and the
 * certificate.  Making one has two halves:
 *
 *   paper_gather (paper.c) runs on the loop, in the request's read
 *   snapshot: it loads the case, checks who may have which document, and
 *   writes everything the page will say (header, title, body blocks,
 *   signers, the hash of the case's latest history event and the address
 *   that verifies it) into one JSON object, a copy that owns nothing of
 *   the store;
 *
 *   paper_pdf (paperpdf.c) runs on any thread (the thread pool): it sets
 *   that object on A4 pages with pango and cairo in a Noto font and draws
 *   the QR code of the verifying address.
 *
 * paper_verify answers doc.verify: is a hash the case's current state, or
 * an earlier one (superseded)?
 */
#ifndef SK_MODEL_PAPER_H
#define SK_MODEL_PAPER_H

#include <stddef.h>
#include <stdint.h>

#include "core/model/ctx.h"

enum paper_kind {
	PAPER_RECEIPT,
	PAPER_SHEET,
	PAPER_MINUTES,
	PAPER_DECISION,
	PAPER_CERTIFICATE,
	PAPER_NKINDS,
};

/* The kind named s ("receipt", "sheet", ...), or -1. */
int paper_kind_parse(const char *s);

/*
 * Gathers document kind of case id for ctx->who (user: the member of a
 * score sheet, NULL for the other kinds).  *out is the page's content
 * (owned by the caller; paper_pdf's input).  Errors: not_found (no such
 * case, or one the principal may not see), forbidden (the principal may
 * not have this document), invalid_transition (the case has not reached
 * the step the document records), bad_request.
 */
int paper_gather(struct op_ctx *ctx, uint64_t id, enum paper_kind kind,
    const char *user, json_object **out);

/*
 * Renders a gathered page as a PDF (A4).  Thread-safe: it reads only page.
 * *pdf is malloc'd (the caller frees it).  Returns 0, or SK_EINTERNAL
 * with a message in err.
 */
int paper_pdf(json_object *page, unsigned char **pdf, size_t *len,
    char *err, size_t errlen);

/*
 * doc.verify: *out says whether hash (hex BLAKE2b of a history event) is
 * an event of case id: {case, hash, valid, current, superseded, seq, at,
 * type}.  A hash that matches nothing of a case the principal may not see
 * is not_found, as the case is.
 */
int paper_verify(struct op_ctx *ctx, uint64_t id, const char *hash,
    json_object **out);

/* The address a document's QR code holds (buf of len bytes). */
void paper_verify_url(const struct op_env *env, uint64_t id,
    const char *hash, char *buf, size_t len);

#endif
