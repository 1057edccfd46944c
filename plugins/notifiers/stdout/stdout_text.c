/* stdout_text.c - the "text" format: one readable line per alert, for a
 * person watching a terminal or a log.  Every string that can come from a
 * certificate goes through term_safe_put. */
#include <ctype.h>
#include <string.h>

#include <json-c/json.h>

#include "stdout_internal.h"

/* " — " in UTF-8: separates who/what from the details. */
#define EM_DASH " \xe2\x80\x94 "

static void put_severity_upper(struct outbuf *b, enum ctmon_severity sev)
{
	const char *name = ctmon_severity_name(sev);

	for (; *name; name++) {
		char c = (char)toupper((unsigned char)*name);
		outbuf_put(b, &c, 1);
	}
}

/* A JSON scalar as text; NULL for objects and arrays. */
static const char *scalar_text(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		return json_object_get_string(v);
	case json_type_null:
		return "null";
	default:
		return NULL;
	}
}

/* Appends the scalars of a JSON array joined by ", "; 0 if it had none. */
static size_t put_joined(struct outbuf *b, struct json_object *arr)
{
	size_t n = 0, len;

	if (!json_object_is_type(arr, json_type_array))
		return 0;
	len = json_object_array_length(arr);
	for (size_t i = 0; i < len; i++) {
		const char *t = scalar_text(json_object_array_get_idx(arr, i));
		if (!t)
			continue;
		if (n++)
			outbuf_puts(b, ", ");
		term_safe_put(b, t);
	}
	return n;
}

static const char *member_string(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* " — issuer X (crt.sh 1, 2) names: a, b"; returns the issuer shown. */
static const char *put_issuance(struct outbuf *b, struct json_object *is)
{
	struct json_object *v = NULL;
	const char *issuer = member_string(is, "issuer");
	const char *fp = member_string(is, "fingerprint");
	size_t mark;

	if (!issuer || !*issuer)
		issuer = "(unknown)";
	outbuf_puts(b, EM_DASH "issuer ");
	term_safe_put(b, issuer);
	if (json_object_object_get_ex(is, "crtsh_ids", &v) &&
	    json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) > 0) {
		outbuf_puts(b, " (crt.sh ");
		put_joined(b, v);
		outbuf_puts(b, ")");
	} else if (fp && *fp) {
		/* Without a crt.sh id the fingerprint is what finds it. */
		outbuf_puts(b, " (sha256 ");
		term_safe_put(b, fp);
		outbuf_puts(b, ")");
	}
	if (json_object_object_get_ex(is, "names", &v)) {
		mark = b->len;
		outbuf_puts(b, " names: ");
		if (put_joined(b, v) == 0 && !b->oom) {
			b->len = mark;
			b->data[mark] = '\0';
		}
	}
	return issuer;
}

/* The check's own scalar details ("name=x, days=7"), which say why the
 * alert was raised; nested values are left to the jsonl format, and values
 * the line already shows (domain, issuer, store ids) are not repeated. */
static void put_extra_details(struct outbuf *b, struct json_object *details,
			      const char *domain, const char *issuer)
{
	size_t n = 0;

	json_object_object_foreach(details, key, val)
	{
		const char *t;

		if (strcmp(key, "issuance") == 0 ||
		    strcmp(key, "issuance_id") == 0)
			continue;
		t = scalar_text(val);
		if (!t || (domain && strcmp(t, domain) == 0) ||
		    (issuer && strcmp(t, issuer) == 0))
			continue;
		if (n++ > 0)
			outbuf_puts(b, ", ");
		else if (issuer)
			outbuf_puts(b, "; ");
		else
			outbuf_puts(b, EM_DASH);
		term_safe_put(b, key);
		outbuf_puts(b, "=");
		term_safe_put(b, t);
	}
}

static void put_alert_line(struct outbuf *b, const struct ctmon_alert *a)
{
	struct json_object *details = NULL, *is = NULL;
	const char *issuer = NULL; /* set once the issuance part is written */

	outbuf_puts(b, "[");
	put_severity_upper(b, a->severity);
	outbuf_puts(b, "] ");
	term_safe_put(b, a->type ? a->type : "alert");
	outbuf_puts(b, " ");
	term_safe_put(b, a->domain ? a->domain : "-");
	if (a->baseline)
		outbuf_puts(b, " (baseline)");
	if (a->details_json)
		details = json_tokener_parse(a->details_json);
	if (json_object_is_type(details, json_type_object)) {
		if (json_object_object_get_ex(details, "issuance", &is) &&
		    json_object_is_type(is, json_type_object))
			issuer = put_issuance(b, is);
		put_extra_details(b, details, a->domain, issuer);
	}
	json_object_put(details);
	outbuf_puts(b, "\n");
}

void stdout_text_batch(struct outbuf *b, const struct ctmon_alert *const *a,
		       size_t n)
{
	enum ctmon_severity highest = CTMON_SEV_INFO;

	for (size_t i = 0; i < n; i++)
		if (a[i]->severity > highest)
			highest = a[i]->severity;
	outbuf_printf(b, "ctmon: %zu new alert%s (highest: %s)\n", n,
		      n == 1 ? "" : "s", ctmon_severity_name(highest));
	for (size_t i = 0; i < n; i++)
		put_alert_line(b, a[i]);
}
