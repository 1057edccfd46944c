/* njson.h - writes JSON that is valid whatever the input: json-c copies
 * string bytes through unchecked, so text that is not UTF-8 would make the
 * whole payload unparsable for the receiver.  Here every string goes
 * through one escaper. */
#ifndef NOTIF_NJSON_H
#define NOTIF_NJSON_H

#include <json-c/json.h>

#include "nbuf.h"

/* Appends s as a JSON string literal.  Bytes that are not UTF-8 become
 * \ufffd; control characters, U+2028/U+2029 and < > & are \u escapes, so
 * the text is also safe inside HTML or a <script>.  NULL is "". */
void nj_string(struct nbuf *b, const char *s);
/* Appends the value o (NULL is null) with nj_string for every string and
 * object key. */
void nj_value(struct nbuf *b, struct json_object *o);

/* Small helpers for building json-c trees: each returns 0, or -1 when
 * memory ran out (the value is freed either way).  NULL strings become
 * "". */
int nj_add(struct json_object *obj, const char *key, struct json_object *v);
int nj_add_str(struct json_object *obj, const char *key, const char *s);
int nj_push(struct json_object *arr, struct json_object *v);

#endif
