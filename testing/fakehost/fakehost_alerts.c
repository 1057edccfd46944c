/* fakehost_alerts.c - emit_alert in the fake host: the same refusals as
 * ctmon, a stricter look at details_json (it must be one JSON object), and
 * the store's uniqueness on (type, domain, key) so tests can see that a
 * repeated finding is not a new alert.  A source's alerts (source_alert)
 * take the same path and live or die with the batch they were raised in. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost_internal.h"

/* json-c's strict mode still takes 'single-quoted' strings, which no
 * other JSON reader does: outside a "string" a quote can only be wrong. */
static int has_single_quote_outside_strings(const char *p)
{
	int in_string = 0;

	for (; *p; p++) {
		if (in_string && *p == '\\' && p[1])
			p++;
		else if (*p == '"')
			in_string = !in_string;
		else if (!in_string && *p == '\'')
			return 1;
	}
	return 0;
}

/* Parses text as exactly one JSON object (strict JSON, valid UTF-8,
 * nothing but whitespace after it).  Returns the object or NULL with a
 * reason in why. */
static struct json_object *parse_object(const char *text, char *why,
					size_t whylen)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj = NULL;
	size_t len = strlen(text), end;
	enum json_tokener_error jerr;

	if (!tok) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (has_single_quote_outside_strings(text)) {
		snprintf(why, whylen, "not JSON (single-quoted string)");
		json_tokener_free(tok);
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!obj || jerr != json_tokener_success) {
		snprintf(why, whylen, "not JSON (%s)",
			 jerr == json_tokener_continue
				 ? "truncated"
				 : json_tokener_error_desc(jerr));
		json_object_put(obj);
		obj = NULL;
	} else if (!json_object_is_type(obj, json_type_object)) {
		snprintf(why, whylen, "JSON but not an object");
		json_object_put(obj);
		obj = NULL;
	} else {
		while (end < len && strchr(" \t\r\n", text[end]))
			end++;
		if (end != len) {
			snprintf(why, whylen, "trailing data after the object");
			json_object_put(obj);
			obj = NULL;
		}
	}
	json_tokener_free(tok);
	return obj;
}

static int refuse(struct fh_host *fh, int rc, const char *why)
{
	pthread_mutex_lock(&fh->lock);
	fh->rejected++;
	fh->rejected_in_call++;
	pthread_mutex_unlock(&fh->lock);
	fh_logf(fh, CTMON_LOG_ERROR, "fakehost: alert refused: %s", why);
	return rc;
}

/* The whole alert as a JSON object, what notifiers get as `json`. */
static char *alert_json(const struct ctmon_alert *a, struct json_object *details)
{
	struct json_object *o = json_object_new_object();
	char *text = NULL;

	if (!o)
		goto out;
	json_object_object_add(o, "id", json_object_new_int64(a->id));
	json_object_object_add(o, "type", json_object_new_string(a->type));
	json_object_object_add(o, "severity", json_object_new_string(
			       ctmon_severity_name(a->severity)));
	json_object_object_add(o, "domain", json_object_new_string(a->domain));
	json_object_object_add(o, "key", json_object_new_string(a->key));
	json_object_object_add(o, "issuance_id",
			       json_object_new_int64(a->issuance_id));
	json_object_object_add(o, "created_at",
			       json_object_new_int64(a->created_at));
	json_object_object_add(o, "baseline",
			       json_object_new_boolean(a->baseline));
	json_object_object_add(o, "details", json_object_get(details));
	text = strdup(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(o);
	return text;
}

static struct fh_alert_rec *find_alert(const struct fh_host *fh,
				       const char *type, const char *domain,
				       const char *key)
{
	for (size_t i = 0; i < fh->alerts.n; i++) {
		struct fh_alert_rec *rec = fh->alerts.items[i];
		if (strcmp(rec->a.type, type) == 0 &&
		    strcmp(rec->a.domain, domain) == 0 &&
		    strcmp(rec->a.key, key) == 0)
			return rec;
	}
	return NULL;
}

static void alert_rec_free(void *p)
{
	struct fh_alert_rec *rec = p;

	fh_owned_free(&rec->own);
	free(rec);
}

/* Copies the plugin's alert, completed as the core would.  Lock held. */
static int store_alert(struct fh_host *fh, int baseline, enum fh_tier tier,
		       const struct ctmon_alert *a, struct json_object *details)
{
	struct fh_alert_rec *rec = calloc(1, sizeof *rec);
	struct ctmon_alert *c;

	if (!rec)
		return CTMON_ENOMEM;
	c = &rec->a;
	c->size = sizeof *c;
	c->id = ++fh->next_alert_id;
	c->severity = a->severity;
	c->issuance_id = a->issuance_id;
	c->created_at = fh->now;
	c->baseline = baseline;
	rec->tier = tier;
	if (fh_own_str(&rec->own, a->type, &c->type) ||
	    fh_own_str(&rec->own, a->domain, &c->domain) ||
	    fh_own_str(&rec->own, a->key, &c->key) ||
	    fh_own_str(&rec->own, a->details_json ? a->details_json : "{}",
		       &c->details_json) ||
	    !(c->json = fh_own(&rec->own, alert_json(c, details))) ||
	    fh_vec_push(&fh->alerts, rec) != 0) {
		alert_rec_free(rec);
		return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

/* Validates and stores an alert from a check (baseline: its issuance's
 * flag) or a source (tier: its batch). */
static int accept_alert(struct fh_host *fh, const struct ctmon_alert *a,
			int baseline, enum fh_tier tier)
{
	struct json_object *details;
	char why[256];
	int rc;

	if (!a || a->size < offsetof(struct ctmon_alert, created_at))
		return refuse(fh, CTMON_EINVAL, "NULL or too small struct");
	if (!a->type || !a->type[0] || !a->domain || !a->domain[0] ||
	    !a->key || !a->key[0])
		return refuse(fh, CTMON_EINVAL, "type, domain and key are "
						"required");
	if (a->severity < CTMON_SEV_INFO || a->severity > CTMON_SEV_CRITICAL)
		return refuse(fh, CTMON_EINVAL, "unknown severity");
	details = parse_object(a->details_json ? a->details_json : "{}", why,
			       sizeof why);
	if (!details) {
		char msg[512];
		snprintf(msg, sizeof msg, "details_json of %s/%s is %s",
			 a->type, a->key, why);
		return refuse(fh, CTMON_EFORMAT, msg);
	}
	pthread_mutex_lock(&fh->lock);
	if (find_alert(fh, a->type, a->domain, a->key)) {
		fh->duplicates++;
		rc = CTMON_OK;
	} else {
		rc = store_alert(fh, baseline, tier, a, details);
	}
	pthread_mutex_unlock(&fh->lock);
	json_object_put(details);
	return rc;
}

int fh_emit_alert(struct ctmon_alert_sink *s, const struct ctmon_alert *a)
{
	return accept_alert(s->fh, a, s->is ? s->is->baseline : 0,
			    FH_COMMITTED);
}

/* A source's alert concerns no issuance, as ctmon insists. */
int fh_source_alert(struct ctmon_emitter *e, const struct ctmon_alert *a)
{
	if (a && a->size >= offsetof(struct ctmon_alert, created_at) &&
	    a->issuance_id != 0)
		return refuse(e->fh, CTMON_EINVAL, "a source alert must have "
						   "issuance_id 0");
	return accept_alert(e->fh, a, 0, fh_emitter_tier(e));
}

void fh_alerts_settle(struct fh_host *fh, enum fh_tier from, int keep)
{
	size_t kept = 0;

	for (size_t i = 0; i < fh->alerts.n; i++) {
		struct fh_alert_rec *rec = fh->alerts.items[i];
		if (rec->tier == from && !keep) {
			alert_rec_free(rec);
			continue;
		}
		if (rec->tier == from)
			rec->tier = FH_COMMITTED;
		fh->alerts.items[kept++] = rec;
	}
	fh->alerts.n = kept;
}

size_t fh_alert_count(const struct fh_host *fh)
{
	return fh ? fh->alerts.n : 0;
}

const struct ctmon_alert *fh_alert(const struct fh_host *fh, size_t i)
{
	const struct fh_alert_rec *rec =
		fh && i < fh->alerts.n ? fh->alerts.items[i] : NULL;

	return rec ? &rec->a : NULL;
}

const struct ctmon_alert *fh_find_alert(const struct fh_host *fh,
					const char *type, const char *domain,
					const char *key)
{
	const struct fh_alert_rec *rec;

	if (!fh || !type || !domain || !key)
		return NULL;
	rec = find_alert(fh, type, domain, key);
	return rec ? &rec->a : NULL;
}

size_t fh_duplicate_alert_count(const struct fh_host *fh)
{
	return fh ? fh->duplicates : 0;
}

size_t fh_rejected_alert_count(const struct fh_host *fh)
{
	return fh ? fh->rejected : 0;
}

void fh_alerts_free(struct fh_host *fh)
{
	fh_vec_free(&fh->alerts, alert_rec_free);
}
