/*
 * fuzz_proto.c: libFuzzer target for the request decoder (ipc/proto.c and
 * core/util/json.c's strict parsing): any bytes a client can send.  A
 * decoded request's arguments then go through every typed accessor, as
 * handlers read them.  Nothing may crash, leak or read out of bounds, and
 * a refusal always carries a message.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/util/err.h"
#include "ipc/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_req req;
	struct proto_err e = { 0 };
	size_t           len;
	char            *out;

	if (proto_decode((const char *) data, size, &req, &e) != 0) {
		if (e.msg[0] == '\0') {
			abort(); /* a refusal must say why */
		}
		if ((out = proto_reply_err(&e, &len)) != NULL) {
			free(out);
		}
		proto_err_clear(&e);
		return (0);
	}
	json_object_object_foreach(req.args, key, val)
	{
		const char  *s;
		uint64_t     u;
		bool         b;
		json_object *o;
		(void) val;
		arg_str(req.args, key, false, 300, &s, &e);
		proto_err_clear(&e);
		arg_name(req.args, key, false, 300, &s, &e);
		proto_err_clear(&e);
		arg_id(req.args, key, false, &s, &e);
		proto_err_clear(&e);
		arg_u64(req.args, key, false, 0, UINT64_MAX, &u, &e);
		proto_err_clear(&e);
		arg_bool(req.args, key, &b, &e);
		proto_err_clear(&e);
		arg_obj(req.args, key, false, &o, &e);
		proto_err_clear(&e);
		arg_array(req.args, key, false, &o, &e);
		proto_err_clear(&e);
	}
	if ((out = proto_reply_ok(req.args, &len)) != NULL) {
		free(out);
	}
	json_object_put(req.root);
	return (0);
}
