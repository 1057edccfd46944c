/* ct_test.h - fixture helpers for the ctlog unit tests: files of
 * tests/data/ctlog/ read whole, JSON through json-c. */
#ifndef CT_TEST_H
#define CT_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* The fixture's bytes (NUL-terminated), or NULL. free() them. */
static inline char *fx_read(const char *rel, size_t *len)
{
	char path[9000];
	FILE *f;
	char *buf = NULL;
	long n;

	snprintf(path, sizeof path, "%s/ctlog/%s", CTM_FIXTURES_DIR, rel);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

static inline const char *fx_path(const char *rel)
{
	static char path[4096];

	snprintf(path, sizeof path, "%s/ctlog/%s", CTM_FIXTURES_DIR, rel);
	return path;
}

/* A fixture's JSON (json_object_put it), or NULL. */
static inline struct json_object *fx_json(const char *rel)
{
	char *t = fx_read(rel, NULL);
	struct json_object *o = t ? json_tokener_parse(t) : NULL;

	free(t);
	return o;
}

/* Member by path "a/b/c" (array indexes as numbers), or NULL. */
static inline struct json_object *jget(struct json_object *o,
				       const char *path)
{
	char part[256];
	const char *p = path;

	while (o && *p) {
		size_t n = strcspn(p, "/");
		if (n >= sizeof part)
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		p += n + (p[n] == '/');
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o,
						      (size_t)strtoul(part, NULL,
								      10));
		else if (!json_object_object_get_ex(o, part, &o))
			return NULL;
	}
	return o;
}

static inline const char *jstr(struct json_object *o, const char *path)
{
	struct json_object *v = jget(o, path);

	return v && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

#endif
