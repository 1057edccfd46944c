/*
 * ctlog.c - the ctlog source: reads CT logs themselves (RFC 6962 and
 * static-ct-api), verified, and emits every certificate; the core keeps
 * those under the watch set and shows all of them to on_any checks.
 *
 * Logs come from a v3 log list (file or URL, refreshed) filtered by
 * state, plus logs listed by hand.  Each log is followed by ct_follow.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ct_static.h"
#include "ctlog_internal.h"

static const struct ctmon_option ctlog_options[] = {
	{"log_list", CTMON_OPT_STRING, "", 0,
	 "v3 log list: an https:// URL or a file (\"\": only `logs`)"},
	{"log_states", CTMON_OPT_STRING_LIST,
	 "[\"usable\", \"qualified\", \"readonly\"]", 0,
	 "log list states followed (usable qualified readonly retired "
	 "pending rejected none)"},
	{"log_list_refresh", CTMON_OPT_INT, "86400", 0,
	 "seconds before the log list is fetched again"},
	{"logs", CTMON_OPT_GROUP_LIST, NULL, 0,
	 "logs listed by hand: { name, url | monitoring_url + "
	 "submission_url, key (base64 SPKI) }"},
	{"start_index", CTMON_OPT_INT, "-1", 0,
	 "where a log without a cursor starts: -1 its head, 0 backfills all"},
	{"batch_size", CTMON_OPT_INT, "1000", 0,
	 "entries asked per get-entries request"},
	{"max_entries_per_cycle", CTMON_OPT_INT, "0", 0,
	 "entries read per log and cycle, 0 for no limit: a backfill then "
	 "spreads over cycles (static logs: whole rounds of tiles)"},
	{"jobs", CTMON_OPT_INT, "4", 0,
	 "requests in flight per log (batches or data tiles)"},
	{"qps", CTMON_OPT_DOUBLE, "0", 0,
	 "requests per second per log, 0 for no limit"},
	{"timeout", CTMON_OPT_INT, "60", 0, "seconds allowed per request"},
	{"retries", CTMON_OPT_INT, "8", 0,
	 "attempts per request on 429, 5xx and network errors"},
	{"backoff_ms", CTMON_OPT_INT, "100", 0,
	 "first retry delay in ms, doubled on each retry"},
	{"max_backoff_ms", CTMON_OPT_INT, "30000", 0,
	 "cap on a retry delay (and on Retry-After) in ms"},
};

static int config_error(struct ctlog *st, const struct ctmon_config *cfg,
			const char *key, const char *what)
{
	const char *where = st->api->cfg_where(cfg, key);

	st->api->set_error(st->host, "%s: option \"%s\": %s",
			   where ? where : "config", key, what);
	return CTMON_ECONFIG;
}

static int read_int(struct ctlog *st, const struct ctmon_config *cfg,
		    const char *key, int64_t min, int64_t max, int64_t *out)
{
	char what[96];

	if (st->api->cfg_int(cfg, key, out) != CTMON_OK)
		return config_error(st, cfg, key, "missing or not an integer");
	if (*out < min || *out > max) {
		snprintf(what, sizeof what, "%lld is out of range [%lld, %lld]",
			 (long long)*out, (long long)min, (long long)max);
		return config_error(st, cfg, key, what);
	}
	return CTMON_OK;
}

static int is_http(const char *s)
{
	return strncasecmp(s, "https://", 8) == 0 ||
	       strncasecmp(s, "http://", 7) == 0;
}

/* One hand-listed log. */
static int read_manual(struct ctlog *st, const struct ctmon_config *g,
		       const struct ctmon_config *cfg)
{
	const struct ctmon_host_api *api = st->api;
	struct ct_logdef d;
	const char *name = NULL, *url = NULL, *mon = NULL, *sub = NULL;
	const char *key = NULL;

	memset(&d, 0, sizeof d);
	api->cfg_string(g, "name", &name);
	api->cfg_string(g, "url", &url);
	api->cfg_string(g, "monitoring_url", &mon);
	api->cfg_string(g, "submission_url", &sub);
	api->cfg_string(g, "key", &key);
	if (!key)
		return config_error(st, cfg, "logs", "a log needs `key`");
	if (!url == !mon || (mon && !sub))
		return config_error(st, cfg, "logs",
				    "a log needs `url` (RFC 6962) or "
				    "`monitoring_url` and `submission_url`");
	if (!is_http(url ? url : mon) || (sub && !is_http(sub)))
		return config_error(st, cfg, "logs",
				    "log URLs start with https:// or http://");
	d.name = (char *)(name ? name : url ? url : mon);
	d.url = (char *)(url ? url : mon);
	d.submission_url = (char *)sub;
	d.key_b64 = (char *)key;
	d.proto = url ? CT_PROTO_RFC6962 : CT_PROTO_STATIC;
	snprintf(d.state, sizeof d.state, "config");
	return ct_logdef_push(&st->manual, &st->n_manual, &d);
}

static int read_options(struct ctlog *st, const struct ctmon_config *cfg)
{
	const struct ctmon_host_api *api = st->api;
	int64_t t, r, b, mb;
	size_t n = 0;
	int rc;

	if (api->cfg_string(cfg, "log_list", &st->log_list) != CTMON_OK)
		st->log_list = "";
	if ((rc = read_int(st, cfg, "log_list_refresh", 60, 31536000,
			   &st->list_refresh_s)) ||
	    (rc = read_int(st, cfg, "start_index", -1, INT64_MAX,
			   &st->start_index)) ||
	    (rc = read_int(st, cfg, "batch_size", 1, 100000,
			   &st->batch_size)) ||
	    (rc = read_int(st, cfg, "max_entries_per_cycle", 0, INT64_MAX,
			   &st->max_per_cycle)) ||
	    (rc = read_int(st, cfg, "jobs", 1, 64, &st->jobs)) ||
	    (rc = read_int(st, cfg, "timeout", 1, 3600, &t)) ||
	    (rc = read_int(st, cfg, "retries", 1, 100, &r)) ||
	    (rc = read_int(st, cfg, "backoff_ms", 0, 3600000, &b)) ||
	    (rc = read_int(st, cfg, "max_backoff_ms", b, 86400000, &mb)))
		return rc;
	if (api->cfg_double(cfg, "qps", &st->qps) != CTMON_OK ||
	    !(st->qps >= 0 && st->qps <= 100000))
		return config_error(st, cfg, "qps", "must be in [0, 100000]");
	st->net.host = st->host;
	st->net.api = api;
	st->net.timeout_ms = t * 1000;
	st->net.attempts = (int)r;
	st->net.backoff_ms = b;
	st->net.max_backoff_ms = mb;
	st->net.max_body = 256u << 20;
	if (api->cfg_list_len(cfg, "log_states", &n) == CTMON_OK && n) {
		st->states = calloc(n, sizeof *st->states);
		if (!st->states)
			return CTMON_ENOMEM;
		for (size_t i = 0; i < n; i++)
			if (api->cfg_list_string(cfg, "log_states", i,
						 &st->states[i]) != CTMON_OK)
				return config_error(st, cfg, "log_states",
						    "not a list of strings");
		st->n_states = n;
	}
	n = 0;
	if (api->cfg_list_len(cfg, "logs", &n) != CTMON_OK)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ctmon_config *g;
		if (api->cfg_list_group(cfg, "logs", i, &g) != CTMON_OK)
			return config_error(st, cfg, "logs",
					    "not a list of groups");
		rc = read_manual(st, g, cfg);
		if (rc != CTMON_OK)
			return rc;
	}
	if (!st->log_list[0] && st->n_manual == 0)
		return config_error(st, cfg, "log_list",
				    "no log to follow: set log_list or logs");
	return CTMON_OK;
}

static void free_logs(struct ctlog *st)
{
	for (size_t i = 0; i < st->n_logs; i++) {
		ct_key_free(&st->logs[i].key);
		free(st->logs[i].def.name);
		free(st->logs[i].def.url);
		free(st->logs[i].def.submission_url);
		free(st->logs[i].def.key_b64);
		free(st->logs[i].def.log_id_b64);
	}
	free(st->logs);
	st->logs = NULL;
	st->n_logs = 0;
}

/* Takes over d's strings into a followed log; a log whose key is not
 * usable or does not match its listed ID is skipped with a warning. */
static int add_log(struct ctlog *st, struct ct_logdef *d)
{
	struct ct_log *grown, *l;
	const char *host, *end;
	size_t n;

	grown = realloc(st->logs, (st->n_logs + 1) * sizeof *grown);
	if (!grown)
		return CTMON_ENOMEM;
	st->logs = grown;
	l = &st->logs[st->n_logs];
	memset(l, 0, sizeof *l);
	l->def = *d;
	memset(d, 0, sizeof *d);
	if (ct_key_from_b64(&l->key, l->def.key_b64, st->hash) != 0) {
		st->api->log(st->host, CTMON_LOG_WARN,
			     "%s: key is not a P-256 or RSA >= 2048 public "
			     "key; log skipped", l->def.name);
		goto skip;
	}
	ct_b64_encode(l->key.log_id, CT_HASH_LEN, l->log_id);
	if (l->def.log_id_b64 && strcmp(l->def.log_id_b64, l->log_id) != 0) {
		st->api->log(st->host, CTMON_LOG_WARN,
			     "%s: log_id does not match its key; log skipped",
			     l->def.name);
		goto skip;
	}
	for (size_t i = 0; i < st->n_logs; i++)
		if (strcmp(st->logs[i].log_id, l->log_id) == 0)
			goto skip; /* listed twice (by hand and in the list) */
	if (l->def.submission_url)
		ct_origin_from_url(l->def.submission_url, l->origin,
				   sizeof l->origin);
	host = strstr(l->def.url, "://");
	host = host ? host + 3 : l->def.url;
	end = host + strcspn(host, ":/");
	n = (size_t)(end - host) < sizeof l->host_name - 1
		    ? (size_t)(end - host)
		    : sizeof l->host_name - 1;
	memcpy(l->host_name, host, n);
	l->host_name[n] = '\0';
	snprintf(l->rate_name, sizeof l->rate_name, "ctlog:%s", l->log_id);
	snprintf(l->cursor_key, sizeof l->cursor_key, "log:%s", l->log_id);
	st->n_logs++;
	return CTMON_OK;
skip:
	ct_key_free(&l->key);
	free(l->def.name);
	free(l->def.url);
	free(l->def.submission_url);
	free(l->def.key_b64);
	free(l->def.log_id_b64);
	return CTMON_OK;
}

static int read_list_text(struct ctlog *st, char **text, size_t *len)
{
	struct ct_resp resp;
	FILE *f;
	long sz;
	int rc;

	if (is_http(st->log_list)) {
		rc = ct_get(&st->net, st->log_list, NULL, 0, &resp);
		if (rc == CTMON_OK && resp.status != 200) {
			ct_resp_free(&resp);
			rc = CTMON_EAGAIN;
		}
		if (rc != CTMON_OK) {
			st->api->set_error(st->host, "log list %s: %s",
					   st->log_list, resp.err);
			return rc;
		}
		*text = resp.body;
		*len = resp.len;
		return CTMON_OK;
	}
	f = fopen(st->log_list, "rb");
	if (!f) {
		st->api->set_error(st->host, "log list %s: cannot open",
				   st->log_list);
		return CTMON_EIO;
	}
	rc = CTMON_EIO;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 &&
	    sz < (64L << 20) && fseek(f, 0, SEEK_SET) == 0) {
		*text = malloc((size_t)sz + 1);
		if (!*text) {
			rc = CTMON_ENOMEM;
		} else if (fread(*text, 1, (size_t)sz, f) == (size_t)sz) {
			(*text)[sz] = '\0';
			*len = (size_t)sz;
			rc = CTMON_OK;
		} else {
			free(*text);
			*text = NULL;
		}
	}
	fclose(f);
	if (rc != CTMON_OK)
		st->api->set_error(st->host, "log list %s: cannot read",
				   st->log_list);
	return rc;
}

/* (Re)builds the followed set: hand-listed logs, then the list's. */
static int refresh_logs(struct ctlog *st)
{
	struct ct_logdef *defs = NULL;
	size_t n = 0;
	char *text = NULL, err[256];
	size_t len = 0;
	int64_t now = st->api->now(st->host);
	int rc = CTMON_OK;

	if (st->logs && (!st->log_list[0] ||
			 now - st->list_loaded_at < st->list_refresh_s))
		return CTMON_OK;
	for (size_t i = 0; i < st->n_manual && rc == CTMON_OK; i++)
		rc = ct_logdef_push(&defs, &n, &st->manual[i]);
	if (rc == CTMON_OK && st->log_list[0]) {
		rc = read_list_text(st, &text, &len);
		if (rc == CTMON_OK) {
			rc = ct_loglist_parse(text, len, st->states,
					      st->n_states, &defs, &n, err,
					      sizeof err);
			if (rc != CTMON_OK)
				st->api->set_error(st->host, "%s: %s",
						   st->log_list, err);
		}
	}
	if (rc != CTMON_OK && st->logs) {
		/* Keep following the logs known so far. */
		st->api->log(st->host, CTMON_LOG_WARN,
			     "log list refresh failed; keeping %zu logs",
			     st->n_logs);
		rc = CTMON_OK;
		goto out;
	}
	if (rc != CTMON_OK)
		goto out;
	free_logs(st);
	for (size_t i = 0; i < n && rc == CTMON_OK; i++)
		rc = add_log(st, &defs[i]);
	st->list_loaded_at = now;
	st->api->log(st->host, CTMON_LOG_INFO, "following %zu logs",
		     st->n_logs);
out:
	free(text);
	ct_logdefs_free(defs, n);
	return rc;
}

static int ctlog_collect(void *state, const struct ctmon_watch *w,
			 struct ctmon_emitter *e)
{
	struct ctlog *st = state;
	const struct ctmon_host_api *api = st->api;
	int rc, failed = CTMON_OK;

	(void)w; /* a stream source: the core filters against the watch set */
	rc = refresh_logs(st);
	if (rc != CTMON_OK)
		return rc;
	for (size_t i = 0; i < st->n_logs && !api->should_stop(st->host);
	     i++) {
		struct ct_log *log = &st->logs[i];
		char key[96], *why = NULL;
		snprintf(key, sizeof key, "untrusted:%s", log->log_id);
		if (!log->untrusted &&
		    api->state_get(st->host, key, &why) == CTMON_OK)
			log->untrusted = 1;
		if (log->untrusted) {
			api->log(st->host, CTMON_LOG_WARN,
				 "%s: not followed, it misbehaved (%s); clear "
				 "state key %s to trust it again",
				 log->def.name, why ? why : "this run", key);
			api->free(why);
			continue;
		}
		api->free(why);
		rc = ct_follow_log(st, log, e);
		/* One log's outage does not stop the others. */
		if (rc != CTMON_OK && failed == CTMON_OK)
			failed = rc;
	}
	return failed;
}

static int host_complete(const struct ctmon_host_api *api)
{
	return CTMON_HOST_HAS(api, set_error) && CTMON_HOST_HAS(api, log) &&
	       CTMON_HOST_HAS(api, cfg_where) &&
	       CTMON_HOST_HAS(api, cfg_list_group) &&
	       CTMON_HOST_HAS(api, http_free) &&
	       CTMON_HOST_HAS(api, rate_limit) &&
	       CTMON_HOST_HAS(api, state_put) && CTMON_HOST_HAS(api, free) &&
	       CTMON_HOST_HAS(api, batch_begin) &&
	       CTMON_HOST_HAS(api, emit_cert) &&
	       CTMON_HOST_HAS(api, set_cursor) &&
	       CTMON_HOST_HAS(api, get_cursor) &&
	       CTMON_HOST_HAS(api, batch_commit) &&
	       CTMON_HOST_HAS(api, batch_abort) &&
	       CTMON_HOST_HAS(api, emit_warning) &&
	       CTMON_HOST_HAS(api, monotonic_ns);
}

static void ctlog_destroy(void *state)
{
	struct ctlog *st = state;

	if (!st)
		return;
	free_logs(st);
	ct_logdefs_free(st->manual, st->n_manual);
	free(st->states);
	ct_cert_free(&st->cert);
	ct_hash_free(st->hash);
	free(st);
}

static int ctlog_create(struct ctmon_host *host,
			const struct ctmon_host_api *api,
			const struct ctmon_config *cfg, void **state)
{
	struct ctlog *st = NULL;
	int rc;

	*state = NULL;
	if (!host_complete(api)) {
		if (CTMON_HOST_HAS(api, set_error))
			api->set_error(host, "the host API lacks members the "
					     "ctlog plugin needs");
		return CTMON_EUNSUPPORTED;
	}
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	ct_cert_init(&st->cert);
	st->hash = ct_hash_new();
	if (!st->hash) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	rc = read_options(st, cfg);
	if (rc != CTMON_OK)
		goto out;
	st->tty = isatty(STDERR_FILENO);
	*state = st;
	st = NULL;
out:
	ctlog_destroy(st);
	return rc;
}

static const struct ctmon_source_ops ctlog_ops = {
	sizeof(struct ctmon_source_ops),
	ctlog_collect,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_SOURCE, "ctlog", "0.1.0",
		    "Certificate Transparency logs read directly (RFC 6962 "
		    "and static-ct-api), verified",
		    ctlog_options, ctlog_create, NULL, NULL, ctlog_destroy,
		    &ctlog_ops);
