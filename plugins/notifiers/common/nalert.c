/* nalert.c - see nalert.h. */
#include "nalert.h"

#include <string.h>
#include <time.h>

#include "njson.h"

void na_view_init(struct na_view *v, const struct ctmon_alert *a)
{
	memset(v, 0, sizeof *v);
	v->a = a;
	if (a->details_json)
		v->details = json_tokener_parse(a->details_json);
	if (v->details && !json_object_is_type(v->details, json_type_object)) {
		json_object_put(v->details);
		v->details = NULL;
	}
	if (v->details &&
	    (!json_object_object_get_ex(v->details, "issuance",
					&v->issuance) ||
	     !json_object_is_type(v->issuance, json_type_object)))
		v->issuance = NULL;
}

void na_view_free(struct na_view *v)
{
	json_object_put(v->details);
	memset(v, 0, sizeof *v);
}

const char *na_str(struct json_object *obj, const char *key)
{
	struct json_object *m;

	if (!obj || !json_object_object_get_ex(obj, key, &m) ||
	    !json_object_is_type(m, json_type_string))
		return NULL;
	return json_object_get_string(m);
}

const char *na_issuer(const struct na_view *v)
{
	const char *s = na_str(v->issuance, "issuer");

	return s && *s ? s : na_str(v->details, "issuer");
}

static struct json_object *array_member(struct json_object *obj,
					const char *key)
{
	struct json_object *m;

	if (!obj || !json_object_object_get_ex(obj, key, &m) ||
	    !json_object_is_type(m, json_type_array))
		return NULL;
	return m;
}

struct json_object *na_names(const struct na_view *v)
{
	return array_member(v->issuance, "names");
}

struct json_object *na_crtsh_ids(const struct na_view *v)
{
	return array_member(v->issuance, "crtsh_ids");
}

void na_each_detail(const struct na_view *v,
		    void (*fn)(void *ctx, const char *key, const char *value),
		    void *ctx)
{
	/* Shown elsewhere in every format, or store-internal. */
	static const char *const skip[] = {"issuance", "issuer", "domain",
					   "issuance_id", "id"};

	if (!v->details)
		return;
	json_object_object_foreach(v->details, key, val)
	{
		int shown = 0;

		for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
			shown |= strcmp(key, skip[i]) == 0;
		if (shown || json_object_is_type(val, json_type_object) ||
		    json_object_is_type(val, json_type_array) ||
		    json_object_is_type(val, json_type_null))
			continue;
		fn(ctx, key, json_object_get_string(val));
	}
}

const char *na_title(const char *type)
{
	static const char *const titles[][2] = {
		{"unauthorized_ca", "Certificate from an unauthorised CA"},
		{"new_subdomain", "New subdomain in a certificate"},
		{"wildcard_certificate", "New wildcard certificate"},
		{"short_lived_certificate", "Short-lived certificate"},
		{"certificate_expiring", "Certificate about to expire"},
		{"typosquat_detected", "Certificate for a lookalike domain"},
	};

	for (size_t i = 0; type && i < sizeof titles / sizeof titles[0]; i++)
		if (strcmp(type, titles[i][0]) == 0)
			return titles[i][1];
	return NULL;
}

const char *na_sev_upper(enum ctmon_severity s)
{
	static const char *const names[] = {"INFO", "LOW", "MEDIUM", "HIGH",
					    "CRITICAL"};

	return (s >= CTMON_SEV_INFO && s <= CTMON_SEV_CRITICAL) ? names[s]
							       : "UNKNOWN";
}

unsigned na_sev_color(enum ctmon_severity s)
{
	static const unsigned colors[] = {0x808080, 0x2f80ed, 0xf2c200,
					  0xe8590c, 0xb00020};

	return (s >= CTMON_SEV_INFO && s <= CTMON_SEV_CRITICAL) ? colors[s]
							       : 0x808080;
}

enum ctmon_severity na_highest(const struct ctmon_alert *const *a, size_t n)
{
	enum ctmon_severity hi = CTMON_SEV_INFO;

	for (size_t i = 0; i < n; i++)
		if (a[i]->severity > hi && a[i]->severity <= CTMON_SEV_CRITICAL)
			hi = a[i]->severity;
	return hi;
}

const char *na_time(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
	return buf;
}

void na_summary(struct nbuf *b, const struct ctmon_alert *const *a, size_t n)
{
	nb_printf(b, "%zu new certificate alert%s (highest: %s)", n,
		  n == 1 ? "" : "s", ctmon_severity_name(na_highest(a, n)));
}

/* The alert as an object: the core's JSON when it parses, else built
 * from the struct (an older or foreign host). */
static struct json_object *alert_object(const struct ctmon_alert *a)
{
	struct json_object *o = NULL, *details = NULL;
	char when[32];

	if (a->json) {
		o = json_tokener_parse(a->json);
		if (o && json_object_is_type(o, json_type_object))
			return o;
		json_object_put(o);
	}
	o = json_object_new_object();
	if (!o)
		return NULL;
	if (nj_add(o, "id", json_object_new_int64(a->id)) ||
	    nj_add_str(o, "type", a->type) ||
	    nj_add_str(o, "severity", ctmon_severity_name(a->severity)) ||
	    nj_add_str(o, "domain", a->domain) || nj_add_str(o, "key", a->key) ||
	    nj_add_str(o, "created_at", na_time(a->created_at, when)) ||
	    nj_add(o, "baseline", json_object_new_boolean(a->baseline)))
		goto fail;
	if (a->details_json)
		details = json_tokener_parse(a->details_json);
	if (nj_add(o, "details", details ? details : json_object_new_object()))
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

int na_document(struct nbuf *b, const struct ctmon_alert *const *a, size_t n)
{
	struct nbuf sum = {0};

	na_summary(&sum, a, n);
	nb_printf(b, "{\"source\":\"ctmon\",\"version\":1,\"count\":%zu,"
		  "\"highest_severity\":\"%s\",\"summary\":", n,
		  ctmon_severity_name(na_highest(a, n)));
	nj_string(b, nb_str(&sum));
	nb_puts(b, ",\"alerts\":[");
	for (size_t i = 0; i < n && !b->oom; i++) {
		struct json_object *o = alert_object(a[i]);

		if (!o) {
			b->oom = 1;
			break;
		}
		if (i)
			nb_putc(b, ',');
		nj_value(b, o);
		json_object_put(o);
	}
	nb_puts(b, "]}");
	nb_free(&sum);
	return b->oom ? CTMON_ENOMEM : CTMON_OK;
}
