/*
 * conf.c: see conf.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/conf.h"

/* Drops the blanks at both ends of s, in place; returns the new start. */
static char *
trim(char *s)
{
	char *e;
	while (isspace((unsigned char) *s)) {
		s++;
	}
	e = s + strlen(s);
	while (e > s && isspace((unsigned char) e[-1])) {
		*--e = '\0';
	}
	return (s);
}

/* A key is made of lower-case letters, digits and '-', as a long flag. */
static int
key_valid(const char *k)
{
	if (*k == '\0') {
		return (0);
	}
	for (; *k; k++) {
		if (!islower((unsigned char) *k)
		    && !isdigit((unsigned char) *k) && *k != '-') {
			return (0);
		}
	}
	return (1);
}

int
conf_read(const char *path, conf_fn fn, void *arg, char *err, size_t errlen)
{
	FILE  *f;
	char  *buf  = NULL, *key, *val, *eq;
	size_t cap  = 0;
	int    line = 0, rv = 0;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(
		    err, errlen, "cannot read %s: %s", path, strerror(errno));
		return (-1);
	}
	while (getline(&buf, &cap, f) >= 0) {
		line++;
		key = trim(buf);
		if (*key == '\0' || *key == '#') {
			continue;
		}
		if ((eq = strchr(key, '=')) == NULL) {
			snprintf(err, errlen,
			    "%s: line %d: expected \"key = value\", got \"%.60s\"",
			    path, line, key);
			rv = -1;
			break;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		if (!key_valid(key)) {
			snprintf(err, errlen,
			    "%s: line %d: \"%.60s\" is not a setting's name "
			    "(lower-case letters, digits and '-')",
			    path, line, key);
			rv = -1;
			break;
		}
		if (val[0] == '"') {
			char *q = strchr(val + 1, '"'), *rest;
			if (q == NULL) {
				snprintf(err, errlen,
				    "%s: line %d: the value of %s opens a quote "
				    "it does not close",
				    path, line, key);
				rv = -1;
				break;
			}
			*q   = '\0';
			rest = trim(q + 1);
			if (*rest != '\0' && *rest != '#') {
				snprintf(err, errlen,
				    "%s: line %d: \"%.40s\" after the quoted "
				    "value of %s",
				    path, line, rest, key);
				rv = -1;
				break;
			}
			val++;
		} else {
			/* A comment may end the line: " # ...". */
			for (char *h = strchr(val, '#'); h != NULL;
			     h = strchr(h + 1, '#')) {
				if (h > val && isspace((unsigned char) h[-1])) {
					*h  = '\0';
					val = trim(val);
					break;
				}
			}
		}
		if ((rv = fn(arg, key, val, line, err, errlen)) != 0) {
			break;
		}
	}
	free(buf);
	fclose(f);
	return (rv);
}
