/*
 * crtsh_record.c - field rules for one crt.sh row.
 *
 * Keys are looked up by name, never by position: crt.sh has sent 7, 9 and
 * 10 keys over the years and older captures use min_cert_id /
 * min_entry_timestamp.  json-c stores a JSON null as a NULL object, so
 * every value is type-checked before use.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctmon/plugin.h"
#include "crtsh_record.h"

void crtsh_scratch_free(struct crtsh_scratch *s)
{
	free(s->text);
	free(s->names);
	memset(s, 0, sizeof *s);
}

static struct json_object *member(struct json_object *obj, const char *key,
				  json_type type)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v) || !v ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

static const char *string_member(struct json_object *obj, const char *key)
{
	struct json_object *v = member(obj, key, json_type_string);
	return v ? json_object_get_string(v) : NULL;
}

/* Reads `width` digits; returns -1 if any is not a digit. */
static int digits(const char *s, int width)
{
	int v = 0;

	for (int i = 0; i < width; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

int crtsh_parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec;
	const char *p;

	if (!s || strlen(s) < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 60 ||
	    d > days_in_month(y, mo))
		return -1;
	p = s + 19;
	/* PostgreSQL drops trailing zeros of the fraction; crt.sh rounds to
	 * milliseconds but the type allows microseconds.  Seconds are all we
	 * keep. */
	if (*p == '.') {
		int n = 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			n++;
		if (n > 6)
			return -1;
	}
	if (*p == 'Z')
		p++;
	if (*p != '\0')
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* Absent or null means unknown (0); a string that is not a timestamp is
 * unknown too, but counted so the caller can say so. */
static int64_t time_member(struct json_object *obj, const char *key,
			   const char *old_key, int *bad)
{
	struct json_object *v = NULL;
	int64_t t = 0;

	if (!json_object_object_get_ex(obj, key, &v) && old_key)
		json_object_object_get_ex(obj, old_key, &v);
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    crtsh_parse_time(json_object_get_string(v), &t) != 0) {
		*bad = 1;
		return 0;
	}
	return t;
}

static int reserve(struct crtsh_scratch *s, size_t text_len, size_t n_names)
{
	if (text_len > s->text_cap) {
		char *t = realloc(s->text, text_len);
		if (!t)
			return CTMON_ENOMEM;
		s->text = t;
		s->text_cap = text_len;
	}
	if (n_names > s->names_cap) {
		const char **nv = realloc(s->names, n_names * sizeof *nv);
		if (!nv)
			return CTMON_ENOMEM;
		s->names = nv;
		s->names_cap = n_names;
	}
	return CTMON_OK;
}

/* Splits name_value on '\n' (the JSON text is already unescaped, so these
 * are real newlines, never the two characters '\' 'n') and appends the
 * common name unless it is already one of the parts. */
static int split_names(struct crtsh_scratch *s, struct crtsh_record *rec)
{
	const char *nv = rec->name_value ? rec->name_value : "";
	size_t len = strlen(nv), max = 2, n = 0;
	int rc;

	for (size_t i = 0; i < len; i++)
		max += nv[i] == '\n';
	rc = reserve(s, len + 1, max);
	if (rc != CTMON_OK)
		return rc;
	memcpy(s->text, nv, len + 1);
	for (char *part = s->text, *next; part; part = next) {
		next = strchr(part, '\n');
		if (next)
			*next++ = '\0';
		if (*part)
			s->names[n++] = part;
	}
	if (rec->common_name && *rec->common_name) {
		size_t i;
		for (i = 0; i < n; i++)
			if (strcmp(s->names[i], rec->common_name) == 0)
				break;
		if (i == n)
			s->names[n++] = rec->common_name;
	}
	rec->names = s->names;
	rec->n_names = n;
	return CTMON_OK;
}

int crtsh_record_from_json(struct json_object *obj, struct crtsh_scratch *s,
			   struct crtsh_record *rec, char *err, size_t errlen)
{
	struct json_object *v;
	int bad = 0;

	memset(rec, 0, sizeof *rec);
	if (!json_object_is_type(obj, json_type_object)) {
		snprintf(err, errlen, "element is not an object");
		return CTMON_EFORMAT;
	}
	v = member(obj, "id", json_type_int);
	if (!v)
		v = member(obj, "min_cert_id", json_type_int);
	if (!v || json_object_get_int64(v) <= 0) {
		snprintf(err, errlen, "row without a numeric \"id\"");
		return CTMON_EFORMAT;
	}
	rec->id = json_object_get_int64(v);
	v = member(obj, "issuer_ca_id", json_type_int);
	rec->issuer_ca_id = v ? json_object_get_int64(v) : 0;
	rec->issuer_name = string_member(obj, "issuer_name");
	rec->common_name = string_member(obj, "common_name");
	rec->name_value = string_member(obj, "name_value");
	rec->serial_number = string_member(obj, "serial_number");
	rec->not_before = time_member(obj, "not_before", NULL, &bad);
	rec->not_after = time_member(obj, "not_after", NULL, &bad);
	rec->entry_timestamp = time_member(obj, "entry_timestamp",
					   "min_entry_timestamp", &bad);
	rec->bad_time = bad;
	v = member(obj, "result_count", json_type_int);
	rec->result_count = v ? json_object_get_int64(v) : -1;
	return split_names(s, rec);
}

void crtsh_record_to_cert(const struct crtsh_record *rec,
			  struct ctmon_cert *c)
{
	memset(c, 0, sizeof *c);
	c->size = sizeof *c;
	c->crtsh_id = rec->id;
	c->log_index = -1;
	c->issuer_dn = rec->issuer_name;
	c->issuer_ca_id = rec->issuer_ca_id;
	c->subject_cn = rec->common_name;
	c->names = rec->names;
	c->n_names = rec->n_names;
	c->serial = rec->serial_number;
	c->not_before = rec->not_before;
	c->not_after = rec->not_after;
	c->entry_timestamp = rec->entry_timestamp;
	c->is_precert = -1;
}
