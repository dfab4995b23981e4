/*
 * doc.h: small readers and writers of the model's JSON documents (doc.c).
 */
#ifndef SK_MODEL_DOC_H
#define SK_MODEL_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Readers return NULL or dflt when the field is missing or mistyped. */
const char *doc_get_str(json_object *doc, const char *key);
int64_t     doc_get_int(json_object *doc, const char *key, int64_t dflt);
json_object *json_time(int64_t t);
/* True if the JSON array arr holds the string s. */
bool json_has_str(json_object *arr, const char *s);
/* The length of an array; 0 for NULL or anything else (json-c asserts). */
size_t doc_len(json_object *arr);
/* A deep copy of a document (json_object_deep_copy), or NULL. */
json_object *doc_clone(json_object *doc);

#endif
