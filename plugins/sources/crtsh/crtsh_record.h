/*
 * crtsh_record.h - one crt.sh JSON row (a json-c object) to a struct
 * crtsh_record.  Internal to the parser; separate so the field rules
 * (which keys, which types, which historic names) live in one place.
 */
#ifndef CRTSH_RECORD_H
#define CRTSH_RECORD_H

#include <stddef.h>

#include "crtsh_parse.h"

struct json_object;

/* Buffers reused from row to row so a long body does not allocate per row;
 * the record's strings and names point into them or into the object. */
struct crtsh_scratch {
	char *text;          /* copy of name_value, split in place */
	size_t text_cap;
	const char **names;
	size_t names_cap;
};

void crtsh_scratch_free(struct crtsh_scratch *s);

/* Fills rec from obj.  Returns CTMON_OK, CTMON_EFORMAT (not an object, or
 * no usable id; why is written to err) or CTMON_ENOMEM.  rec is valid
 * while obj and s are unchanged. */
int crtsh_record_from_json(struct json_object *obj, struct crtsh_scratch *s,
			   struct crtsh_record *rec, char *err, size_t errlen);

#endif
