/* typosquat_alert.c - findings become typosquat_detected alerts (high),
 * one per protected domain and candidate: the alert key is the candidate,
 * so a lookalike is reported once however often it is seen again.  Every
 * string from a certificate is attacker-controlled; json-c escapes it. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <idn2.h>
#include <json-c/json.h>

#include "typosquat_internal.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static int put(struct json_object *o, const char *k, struct json_object *v)
{
	if (!v)
		return CTMON_ENOMEM;
	if (json_object_object_add(o, k, v) != 0) {
		json_object_put(v);
		return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

static struct json_object *str_array(char *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++) {
		struct json_object *s = json_object_new_string(v[i]);
		if (!s || json_object_array_add(a, s) != 0) {
			json_object_put(s);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

static struct json_object *time_string(int64_t t)
{
	char buf[32];
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
		buf[0] = '\0';
	return json_object_new_string(buf);
}

static struct json_object *signs(unsigned why)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; a && i < TYPO_WHY_COUNT; i++) {
		struct json_object *s;
		if (!(why & (1u << i)))
			continue;
		s = json_object_new_string(typo_why_names[i]);
		if (!s || json_object_array_add(a, s) != 0) {
			json_object_put(s);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

static int details(const struct typosquat *st, const struct finding *f,
		   struct json_object *d)
{
	const struct typo_hit *h = &f->hit;
	struct json_object *ids;
	char *u8 = NULL;
	int rc;

	rc = put(d, "candidate", json_object_new_string(h->key));
	/* What a reader sees for an IDN candidate - only if it is a valid
	 * IDNA2008 name: Punycode can carry any code point, bidi controls
	 * included, and notifiers show this text to people. */
	if (rc == CTMON_OK && strstr(h->key, "xn--") &&
	    idn2_to_unicode_8z8z(h->key, &u8, 0) == IDN2_OK) {
		uint8_t *back = NULL;
		if (idn2_lookup_u8((const uint8_t *)u8, &back, IDN2_NO_TR46) ==
			    IDN2_OK &&
		    strcmp((const char *)back, h->key) == 0)
			rc = put(d, "candidate_unicode",
				 json_object_new_string(u8));
		idn2_free(back);
	}
	idn2_free(u8);
	if (rc == CTMON_OK)
		rc = put(d, "monitored_domain",
			 json_object_new_string(
				 typo_matcher_domain(st->matcher, h->target)));
	if (rc == CTMON_OK)
		rc = put(d, "rule",
			 json_object_new_string(typo_rule_names[h->rule]));
	if (rc == CTMON_OK)
		rc = h->fuzzer >= 0
			     ? put(d, "fuzzer",
				   json_object_new_string(
					   typo_fuzzer_names[h->fuzzer]))
			     : json_object_object_add(d, "fuzzer", NULL);
	if (rc == CTMON_OK)
		rc = put(d, "score", json_object_new_int(h->score));
	if (rc == CTMON_OK && h->rule == TYPO_RULE_EDIT)
		rc = put(d, "distance", json_object_new_int(h->distance));
	if (rc == CTMON_OK)
		rc = put(d, "signs", signs(h->why));
	if (rc == CTMON_OK)
		rc = put(d, "certificate_count",
			 json_object_new_int64((int64_t)f->certs));
	if (rc == CTMON_OK)
		rc = put(d, "issuers", str_array(f->issuers, f->n_issuers));
	if (rc == CTMON_OK)
		rc = f->earliest > 0
			     ? put(d, "earliest_not_before",
				   time_string(f->earliest))
			     : json_object_object_add(d, "earliest_not_before",
						      NULL);
	if (rc == CTMON_OK)
		rc = put(d, "names", str_array(f->names, f->n_names));
	if (rc != CTMON_OK)
		return rc;
	ids = json_object_new_array();
	for (size_t i = 0; ids && i < f->n_ids; i++) {
		struct json_object *v = json_object_new_int64(f->crtsh_ids[i]);
		if (!v || json_object_array_add(ids, v) != 0) {
			json_object_put(v);
			json_object_put(ids);
			return CTMON_ENOMEM;
		}
	}
	return put(d, "crtsh_ids", ids);
}

int ts_emit_findings(struct typosquat *st, struct ctmon_alert_sink *out)
{
	int rc = CTMON_OK;

	for (size_t i = 0; i < agg_count(st->agg) && rc == CTMON_OK; i++) {
		const struct finding *f = agg_get(st->agg, i);
		struct json_object *d = json_object_new_object();
		struct ctmon_alert a;

		if (!d)
			return CTMON_ENOMEM;
		rc = details(st, f, d);
		memset(&a, 0, sizeof a);
		a.size = sizeof a;
		a.type = "typosquat_detected";
		a.severity = CTMON_SEV_HIGH;
		a.domain = typo_matcher_domain(st->matcher, f->hit.target);
		a.key = f->hit.key;
		a.details_json = rc == CTMON_OK ? json_object_to_json_string_ext(
							  d, JSON_FLAGS)
						: NULL;
		if (rc == CTMON_OK && !a.details_json)
			rc = CTMON_ENOMEM;
		if (rc == CTMON_OK)
			rc = st->api->emit_alert(out, &a);
		json_object_put(d);
	}
	if (agg_dropped(st->agg))
		st->api->log(st->host, CTMON_LOG_WARN,
			     "%zu more lookalikes this cycle were not kept "
			     "(max_findings = %zu)",
			     agg_dropped(st->agg), st->max_findings);
	return rc;
}
