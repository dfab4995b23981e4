/*
 * doc.c: small readers and writers of the JSON documents the model keeps
 * (cases, units, users, councils), shared by the model and the handlers.
 */
#include <string.h>

#include "core/model/doc.h"
#include "ipc/proto.h"

json_object *
json_time(int64_t t)
{
	char buf[32];
	util_time_str(t, buf, sizeof(buf));
	return (json_object_new_string(buf));
}

json_object *
doc_clone(json_object *doc)
{
	json_object *copy = NULL;
	return (json_object_deep_copy(doc, &copy, NULL) == 0 ? copy : NULL);
}

bool
json_has_str(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		const char *v =
		    json_object_get_string(json_object_array_get_idx(arr, i));
		if (v != NULL && strcmp(v, s) == 0) {
			return (true);
		}
	}
	return (false);
}

const char *
doc_get_str(json_object *doc, const char *key)
{
	json_object *v;
	if (doc == NULL || !json_object_object_get_ex(doc, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		return (NULL);
	}
	return (json_object_get_string(v));
}

int64_t
doc_get_int(json_object *doc, const char *key, int64_t dflt)
{
	json_object *v;
	if (doc == NULL || !json_object_object_get_ex(doc, key, &v) ||
	    !json_object_is_type(v, json_type_int)) {
		return (dflt);
	}
	return (json_object_get_int64(v));
}


size_t
doc_len(json_object *arr)
{
	return (json_object_is_type(arr, json_type_array)
	        ? json_object_array_length(arr)
	        : 0);
}
