/*
 * docs.c: the CLI's commands for paper: `doc KIND ID` saves a case's
 * document (doc.get's PDF, sent in base64) to a file, `doc verify ID HASH`
 * asks whether a document's hash is the case's current state, and
 * `report NAME` writes a report as a spreadsheet (libxlsxwriter), CSV, or
 * a table on the terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ipc/cli/cli.h"

/* Writes len bytes to path; 0, or CLI_EUSAGE after saying why not. */
static int
write_file(const char *path, const unsigned char *b, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "sangkien: không ghi được tệp %s: %s\n", path,
		    strerror(errno));
		if (f != NULL) {
			fclose(f);
		}
		return (CLI_EUSAGE);
	}
	return (CLI_OK);
}

int
cmd_doc(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	const char    *kind = a->pos[0];
	const char    *user = opt_get(a, "--user");
	const char    *out  = opt_get(a, "-o") ?: opt_get(a, "--output");
	char           name[128];
	long long      id;
	json_object   *args, *reply, *r;
	unsigned char *pdf;
	size_t         b64len, len = 0;
	const char    *b64;
	int            rv;

	if ((rv = parse_case_id(a->pos[1], &id)) != 0) {
		return (rv);
	}
	args = cli_case_args(id);
	json_object_object_del(args, "id");
	json_object_object_add(args, "case", json_object_new_int64(id));
	json_object_object_add(args, "kind", json_object_new_string(kind));
	if (user != NULL) {
		json_object_object_add(args, "user", json_object_new_string(user));
	}
	rv = cli_call(cl->c, "doc.get", args, NULL, &reply);
	json_object_put(args);
	if (rv != CLI_OK) {
		return (rv);
	}
	r   = cli_result(reply);
	b64 = cli_str(r, "pdf");
	if (b64 == NULL) {
		json_object_put(reply);
		fprintf(stderr, "sangkien: doc.get trả lời không có PDF\n");
		return (CLI_ETRANSPORT);
	}
	b64len = strlen(b64);
	if ((pdf = malloc(b64len)) == NULL ||
	    sodium_base642bin(pdf, b64len, b64, b64len, NULL, &len, NULL,
	        sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(pdf);
		json_object_put(reply);
		fprintf(stderr, "sangkien: PDF trong doc.get không đọc được\n");
		return (CLI_ETRANSPORT);
	}
	if (out == NULL) {
		snprintf(name, sizeof(name), "%s-%lld.pdf", kind, id);
		out = name;
	}
	rv = write_file(out, pdf, len);
	free(pdf);
	if (rv == CLI_OK) {
		if (cl->o.json) {
			json_object_object_del(r, "pdf");
			json_object_object_add(r, "file", json_object_new_string(out));
			cli_print_json(r, 0);
		} else {
			printf("Đã lưu %s (%zu byte)\nMã kiểm tra: %s\n", out, len,
			    cli_str(r, "hash") ?: "");
		}
	}
	json_object_put(reply);
	return (rv);
}

static int
show_doc_verify(struct cli *cl, const struct cmd *cmd, const struct args *a,
    json_object *r)
{
	if (jbool(r, "current")) {
		printf("Đúng: văn bản khớp trạng thái hiện tại của hồ sơ %lld.\n",
		    jint(r, "case", 0));
		return (CLI_OK);
	}
	if (jbool(r, "superseded")) {
		printf("Văn bản thật nhưng đã cũ: hồ sơ %lld đã thay đổi sau "
		       "đó.\n",
		    jint(r, "case", 0));
	} else {
		printf("Không khớp: mã kiểm tra không thuộc hồ sơ %lld.\n",
		    jint(r, "case", 0));
	}
	return (CLI_EREPLY);
}

int
cmd_doc_verify(struct cli *cl, const struct cmd *cmd, const struct args *a)
{
	long long    id;
	json_object *args;
	int          rv;

	if ((rv = parse_case_id(a->pos[0], &id)) != 0) {
		return (rv);
	}
	args = json_object_new_object();
	json_object_object_add(args, "case", json_object_new_int64(id));
	json_object_object_add(args, "hash", json_object_new_string(a->pos[1]));
	return (call_and_show(cl, cmd, a, "doc.verify", args, show_doc_verify));
}
