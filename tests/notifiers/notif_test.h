/* notif_test.h - alerts for the notifier tests, hostile ones included,
 * and checks on what came out.  Header-only: each test is one program. */
#ifndef NOTIF_TEST_H
#define NOTIF_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "ctmon/plugin.h"

/* Certificate text chosen by an attacker, one trick each. */
#define H_HTML "<script>alert(1)</script> & <b>bold</b>"
#define H_SLACK "<https://evil.example/|click here> <!channel> <@U123> `x`"
#define H_MD "[click](https://evil.example) @everyone **x** ||s|| #chan"
#define H_CRLF "evil\r\nBcc: victim@example.com\r\n\r\nforged line"
#define H_BADUTF8 "bad\xff\xfe\xc3( end"
#define H_CTRL "esc\x1b[31mred \xe2\x80\xae" "reversed"
#define H_SHELL "$(touch /tmp/pwned) `id` ;rm -rf ~; \"'"

/* An alert and the storage it points into. */
struct t_alert {
	struct ctmon_alert a;
	char *details;
	char *json;
	char *domain;
	char *key;
	char *type;
};

/* Fills *t like the core would: details with an "issuance" member, the
 * whole alert as `json`.  Strings are copied (they may be invalid
 * UTF-8: json-c passes the bytes through, as a hostile check might). */
static inline void t_alert_make(struct t_alert *t, int64_t id,
				const char *type, enum ctmon_severity sev,
				const char *domain, const char *key,
				const char *issuer, const char *const *names,
				size_t n_names, const char *detail_value)
{
	struct json_object *d = json_object_new_object();
	struct json_object *is = json_object_new_object();
	struct json_object *nm = json_object_new_array();
	struct json_object *ids = json_object_new_array();
	struct json_object *o = json_object_new_object();

	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < n_names; i++)
		json_object_array_add(nm, json_object_new_string(names[i]));
	json_object_array_add(ids, json_object_new_int64(1000 + id));
	json_object_array_add(ids, json_object_new_int64(2000 + id));
	json_object_object_add(is, "id", json_object_new_int64(id));
	json_object_object_add(is, "crtsh_ids", ids);
	json_object_object_add(is, "fingerprint", json_object_new_string(
							 "ab12cd34"));
	json_object_object_add(is, "issuer", json_object_new_string(issuer));
	json_object_object_add(is, "issuer_ca_id", json_object_new_int64(7));
	json_object_object_add(is, "serial", json_object_new_string("0a1b"));
	json_object_object_add(is, "names", nm);
	json_object_object_add(is, "not_before", json_object_new_string(
							 "2026-01-01T00:00:00Z"));
	json_object_object_add(is, "not_after", json_object_new_string(
							"2026-04-01T00:00:00Z"));
	if (detail_value)
		json_object_object_add(d, "reason",
				       json_object_new_string(detail_value));
	json_object_object_add(d, "issuance", is);
	t->details = strdup(json_object_to_json_string_ext(
		d, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "severity", json_object_new_string(
						      ctmon_severity_name(sev)));
	json_object_object_add(o, "domain", json_object_new_string(domain));
	json_object_object_add(o, "key", json_object_new_string(key));
	json_object_object_add(o, "created_at", json_object_new_string(
							"2026-11-20T10:00:00Z"));
	json_object_object_add(o, "baseline", json_object_new_boolean(0));
	json_object_object_add(o, "details", json_object_get(d));
	t->json = strdup(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	json_object_put(d);
	t->domain = strdup(domain);
	t->key = strdup(key);
	t->type = strdup(type);
	t->a.size = sizeof t->a;
	t->a.id = id;
	t->a.type = t->type;
	t->a.severity = sev;
	t->a.domain = t->domain;
	t->a.key = t->key;
	t->a.details_json = t->details;
	t->a.issuance_id = id;
	t->a.created_at = 1795600000;
	t->a.json = t->json;
}

static inline void t_alert_free(struct t_alert *t)
{
	free(t->details);
	free(t->json);
	free(t->domain);
	free(t->key);
	free(t->type);
}

/* A plain alert: new subdomain of example.com. */
static inline void t_alert_plain(struct t_alert *t, int64_t id)
{
	char name[64];
	const char *names[1] = {name};

	snprintf(name, sizeof name, "host%lld.example.com", (long long)id);
	t_alert_make(t, id, "new_subdomain", CTMON_SEV_MEDIUM, "example.com",
		     name, "C=US, O=Let's Encrypt, CN=R3", names, 1, NULL);
}

/* An alert carrying every hostile string: issuer, names, key, details. */
static inline void t_alert_hostile(struct t_alert *t, int64_t id)
{
	static char longname[6000];
	const char *names[] = {H_HTML, H_SLACK, H_MD, H_CRLF, H_BADUTF8,
			       H_CTRL, H_SHELL, longname};

	memset(longname, 'a', sizeof longname - 1);
	for (size_t i = 0; i < sizeof longname - 1; i += 100)
		longname[i] = '&';
	longname[sizeof longname - 1] = '\0';
	t_alert_make(t, id, "unauthorized_ca", CTMON_SEV_CRITICAL,
		     "example.com", H_CRLF,
		     "CN=" H_HTML " " H_SLACK " " H_MD " " H_CRLF " " H_BADUTF8
		     " " H_CTRL " " H_SHELL,
		     names, sizeof names / sizeof names[0], H_CRLF H_SLACK);
}

/* 1 if s is valid UTF-8 without overlongs or surrogates. */
static inline int t_valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n;
		uint32_t cp;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 2, cp = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 3, cp = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 4, cp = *p & 0x07;
		else
			return 0;
		for (size_t i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		p += n;
	}
	return 1;
}

/* Code points of valid UTF-8 text. */
static inline size_t t_cps(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* No C0 control but \n, no DEL, no C1, no bidi override or line
 * separator in valid UTF-8 text. */
static inline int t_no_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			return 0;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
		if (p[0] == 0xe2 && p[1] == 0x80 &&
		    ((p[2] >= 0xa8 && p[2] <= 0xae)))
			return 0;
	}
	return 1;
}

/* Parses JSON text strictly (UTF-8 validated); fails the test if it is
 * not JSON. */
static inline struct json_object *t_parse(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	assert_non_null(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)strlen(text));
	if (!o || json_tokener_get_error(tok) != json_tokener_success)
		fail_msg("not valid JSON: %.300s", text);
	json_tokener_free(tok);
	return o;
}

/* obj.path[.path...] with array indices as numbers: "blocks.1.text". */
static inline struct json_object *t_get(struct json_object *o,
					const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf; p && o;) {
		char *dot = strchr(p, '.');
		if (dot)
			*dot = '\0';
		save = dot ? dot + 1 : NULL;
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)strtoul(p, NULL,
									 10));
		else if (!json_object_object_get_ex(o, p, &o))
			o = NULL;
		p = save;
	}
	return o;
}

static inline const char *t_str(struct json_object *o, const char *path)
{
	struct json_object *v = t_get(o, path);

	if (!v || !json_object_is_type(v, json_type_string))
		fail_msg("no string at %s", path);
	return json_object_get_string(v);
}

static inline size_t t_len(struct json_object *o, const char *path)
{
	struct json_object *v = t_get(o, path);

	if (!v || !json_object_is_type(v, json_type_array))
		fail_msg("no array at %s", path);
	return json_object_array_length(v);
}

#endif
