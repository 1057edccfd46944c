/*
 * crtsh.c - the crt.sh source: one search per watched pattern, the body
 * streamed through the incremental parser, each pattern one atomic batch.
 *
 * crt.sh often fails (502/503, HTML error pages with status 200, bodies cut
 * short); the core's HTTP policy retries, and whatever still fails leaves
 * nothing behind: the pattern's batch is aborted, the other patterns go on,
 * and collect() reports the failure at the end.
 *
 * Patterns checks add (typosquat candidates, thousands of them) cannot all
 * be searched every cycle under crt.sh's 60 requests a minute: each cycle
 * searches a window of at most max_candidate_queries of them, in name
 * order from where the previous cycle stopped (a cursor in the plugin's
 * state), so the whole set is covered every few cycles and no cycle
 * blocks for hours.  A failed candidate search is a warning, not a source
 * failure: it comes round again with the window.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctmon/plugin.h"
#include "crtsh_parse.h"
#include "crtsh_query.h"

/* crt.sh's JSON answer stops silently at this many identity rows. */
#define ROW_CAP 10000
/* Records between two looks at should_stop() while streaming. */
#define STOP_CHECK_EVERY 4096

struct crtsh {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	const char *url;        /* borrowed until destroy */
	int exclude_expired;
	int deduplicate;
	int64_t timeout_s;
	int64_t retries;
	int64_t backoff_ms;
	int64_t max_backoff_ms;
	double rate_per_minute;
	int64_t burst;
	int64_t max_body_mb;
	int64_t max_candidates;
	struct crtsh_parser *parser;
	struct fetch *cur;      /* the request being parsed */
	int local_failure;      /* the store failed: stop this collect */
};

/* One pattern's request: the sink context. */
struct fetch {
	struct crtsh *st;
	struct ctmon_emitter *e;
	const char *pattern;
	int begun;        /* the sink saw a 2xx attempt */
	int ended;        /* end() ran for the current attempt */
	int batch_open;
	int candidate;    /* a check's pattern, not a monitored domain */
	size_t bytes;
	size_t max_bytes;
	int rc_seen;      /* error our own callbacks returned */
	int local_failure; /* the host could not store (a full disk) */
	char reason[512];
};

static const struct ctmon_option crtsh_options[] = {
	{"url", CTMON_OPT_STRING, "https://crt.sh/", 0,
	 "crt.sh base URL (a local crt.sh-compatible server in tests)"},
	{"exclude_expired", CTMON_OPT_BOOL, "false", 0,
	 "ask crt.sh for unexpired certificates only (exclude=expired)"},
	{"timeout", CTMON_OPT_INT, "30", 0,
	 "seconds allowed for one HTTP attempt (the CLI's --timeout)"},
	{"retries", CTMON_OPT_INT, "5", 0,
	 "attempts per query on 429, 5xx, timeouts and broken bodies"},
	{"backoff_ms", CTMON_OPT_INT, "2000", 0,
	 "first retry delay in ms, doubled on each retry"},
	{"max_backoff_ms", CTMON_OPT_INT, "120000", 0,
	 "cap on one retry delay (and on Retry-After) in ms"},
	{"rate_per_minute", CTMON_OPT_DOUBLE, "60", 0,
	 "requests per minute to crt.sh, process-wide (crt.sh allows 60)"},
	{"burst", CTMON_OPT_INT, "5", 0,
	 "requests allowed back to back before the rate applies"},
	{"max_body_mb", CTMON_OPT_INT, "256", 0,
	 "largest response accepted, in MiB (it is streamed, not held)"},
	{"deduplicate", CTMON_OPT_BOOL, "false", 0,
	 "ask crt.sh for one row per precertificate/certificate pair"},
	{"max_candidate_queries", CTMON_OPT_INT, "100", 0,
	 "searches per cycle for patterns checks add (typosquat candidates); "
	 "a rotating window covers a larger set over several cycles"},
};

static int config_error(struct crtsh *st, const struct ctmon_config *cfg,
			const char *key, const char *what)
{
	const char *where = st->api->cfg_where(cfg, key);

	st->api->set_error(st->host, "%s: option \"%s\": %s",
			   where ? where : "config", key, what);
	return CTMON_ECONFIG;
}

static int read_int(struct crtsh *st, const struct ctmon_config *cfg,
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

static int read_options(struct crtsh *st, const struct ctmon_config *cfg)
{
	const struct ctmon_host_api *api = st->api;
	int rc;

	if (api->cfg_string(cfg, "url", &st->url) != CTMON_OK || !st->url)
		return config_error(st, cfg, "url", "missing");
	if (strncasecmp(st->url, "https://", 8) != 0 &&
	    strncasecmp(st->url, "http://", 7) != 0)
		return config_error(st, cfg, "url",
				    "must start with https:// or http://");
	if (api->cfg_bool(cfg, "exclude_expired", &st->exclude_expired) !=
	    CTMON_OK)
		return config_error(st, cfg, "exclude_expired", "missing");
	if (api->cfg_bool(cfg, "deduplicate", &st->deduplicate) != CTMON_OK)
		return config_error(st, cfg, "deduplicate", "missing");
	if ((rc = read_int(st, cfg, "timeout", 1, 86400, &st->timeout_s)) ||
	    (rc = read_int(st, cfg, "retries", 1, 100, &st->retries)) ||
	    (rc = read_int(st, cfg, "backoff_ms", 0, 3600000,
			   &st->backoff_ms)) ||
	    (rc = read_int(st, cfg, "max_backoff_ms", st->backoff_ms,
			   86400000, &st->max_backoff_ms)) ||
	    (rc = read_int(st, cfg, "burst", 1, 1000, &st->burst)) ||
	    (rc = read_int(st, cfg, "max_body_mb", 1, 65536,
			   &st->max_body_mb)) ||
	    (rc = read_int(st, cfg, "max_candidate_queries", 0, 1000000,
			   &st->max_candidates)))
		return rc;
	if (api->cfg_double(cfg, "rate_per_minute", &st->rate_per_minute) !=
	    CTMON_OK)
		return config_error(st, cfg, "rate_per_minute", "missing");
	if (!(st->rate_per_minute > 0 && st->rate_per_minute <= 60000))
		return config_error(st, cfg, "rate_per_minute",
				    "must be > 0 and <= 60000");
	return CTMON_OK;
}

/* Members this plugin calls; an older host without them cannot run it. */
static int host_complete(const struct ctmon_host_api *api)
{
	return CTMON_HOST_HAS(api, set_error) && CTMON_HOST_HAS(api, log) &&
	       CTMON_HOST_HAS(api, cfg_where) &&
	       CTMON_HOST_HAS(api, should_stop) &&
	       CTMON_HOST_HAS(api, http_set_sink) &&
	       CTMON_HOST_HAS(api, http_free) &&
	       CTMON_HOST_HAS(api, rate_limit) && CTMON_HOST_HAS(api, free) &&
	       CTMON_HOST_HAS(api, watch_get) &&
	       CTMON_HOST_HAS(api, batch_begin) &&
	       CTMON_HOST_HAS(api, emit_cert) &&
	       CTMON_HOST_HAS(api, set_cursor) &&
	       CTMON_HOST_HAS(api, get_cursor) &&
	       CTMON_HOST_HAS(api, batch_commit) &&
	       CTMON_HOST_HAS(api, batch_abort) &&
	       CTMON_HOST_HAS(api, emit_warning) &&
	       CTMON_HOST_HAS(api, state_get) && CTMON_HOST_HAS(api, state_put);
}

static int on_record(void *ctx, const struct crtsh_record *rec);

static int crtsh_create(struct ctmon_host *host,
			const struct ctmon_host_api *api,
			const struct ctmon_config *cfg, void **state)
{
	struct crtsh *st = NULL;
	int rc;

	*state = NULL;
	if (!host_complete(api)) {
		if (CTMON_HOST_HAS(api, set_error))
			api->set_error(host, "the host API lacks members the "
					     "crtsh plugin needs (ABI 1.0)");
		return CTMON_EUNSUPPORTED;
	}
	st = calloc(1, sizeof *st);
	if (!st) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	st->host = host;
	st->api = api;
	rc = read_options(st, cfg);
	if (rc != CTMON_OK)
		goto out;
	st->parser = crtsh_parser_new(on_record, st);
	if (!st->parser) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	*state = st;
	st = NULL;
out:
	if (st)
		crtsh_parser_free(st->parser);
	free(st);
	return rc;
}

static void crtsh_destroy(void *state)
{
	struct crtsh *st = state;

	if (!st)
		return;
	crtsh_parser_free(st->parser);
	free(st);
}

static void set_reason(struct fetch *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_reason(struct fetch *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof f->reason, fmt, ap);
	va_end(ap);
}

static int on_record(void *ctx, const struct crtsh_record *rec)
{
	struct crtsh *st = ctx;
	struct fetch *f = st->cur;
	const struct ctmon_host_api *api = f->st->api;
	const struct crtsh_stats *stats = crtsh_parser_stats(f->st->parser);
	struct ctmon_cert c;
	int rc;

	if (stats->records % STOP_CHECK_EVERY == 0 &&
	    api->should_stop(f->st->host)) {
		set_reason(f, "stopping");
		return f->rc_seen = CTMON_ESTOPPED;
	}
	crtsh_record_to_cert(rec, &c);
	rc = api->emit_cert(f->e, &c);
	if (rc != CTMON_OK) {
		set_reason(f, "storing crt.sh id %lld failed (rc %d)",
			   (long long)rec->id, rc);
		f->rc_seen = rc;
		f->local_failure = rc != CTMON_ESTOPPED;
	}
	return rc;
}

/* "application/json", "application/json; charset=..." or "...+json". */
static int is_json_type(const char *ct)
{
	size_t n = strcspn(ct, ";");

	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	return (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	       (n == 9 && strncasecmp(ct, "text/json", 9) == 0) ||
	       (n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0);
}

/* A new 2xx attempt: whatever an earlier attempt emitted is dropped, so a
 * retry never adds to a half-read body. */
static int sink_begin(void *ctx, long status, const char *content_type)
{
	struct fetch *f = ctx;
	const struct ctmon_host_api *api = f->st->api;
	int rc;

	(void)status;
	if (f->batch_open) {
		api->batch_abort(f->e);
		f->batch_open = 0;
	}
	f->begun = 1;
	f->ended = 0;
	f->bytes = 0;
	f->rc_seen = CTMON_OK;
	f->reason[0] = '\0';
	crtsh_parser_reset(f->st->parser);
	rc = api->batch_begin(f->e);
	if (rc != CTMON_OK) {
		set_reason(f, "cannot open a batch (rc %d)", rc);
		f->local_failure = 1;
		return f->rc_seen = rc;
	}
	f->batch_open = 1;
	/* crt.sh sends its error fragments as text/html with status 200; the
	 * parser keeps the page's start so the error can quote it. */
	if (content_type && *content_type && !is_json_type(content_type))
		crtsh_parser_expect_error_page(f->st->parser, content_type);
	return CTMON_OK;
}

static int sink_data(void *ctx, const void *buf, size_t len)
{
	struct fetch *f = ctx;
	int rc;

	if (len > f->max_bytes - f->bytes) {
		set_reason(f,
			   "response larger than max_body_mb (%lld MiB); "
			   "query a narrower name or raise max_body_mb",
			   (long long)f->st->max_body_mb);
		/* Not retried: the same query gives the same size. */
		return f->rc_seen = CTMON_EPERMANENT;
	}
	f->bytes += len;
	rc = crtsh_parser_feed(f->st->parser, buf, len);
	if (rc != CTMON_OK && f->rc_seen == CTMON_OK) {
		set_reason(f, "%s", crtsh_parser_error(f->st->parser));
		f->rc_seen = rc;
	}
	return rc;
}

static int sink_end(void *ctx)
{
	struct fetch *f = ctx;
	int rc;

	f->ended = 1;
	rc = crtsh_parser_finish(f->st->parser);
	if (rc != CTMON_OK && f->rc_seen == CTMON_OK) {
		set_reason(f, "%s", crtsh_parser_error(f->st->parser));
		f->rc_seen = rc;
	}
	return rc;
}

/* The final answer was not 2xx (the core already retried what it could). */
static int status_error(struct fetch *f, const struct ctmon_http_req *r,
			long status)
{
	const struct ctmon_host_api *api = f->st->api;
	size_t len = 0;
	const char *body = api->http_body ? api->http_body(r, &len) : NULL;
	char text[CRTSH_EXCERPT_MAX + 1] = "";

	if (body && len)
		crtsh_page_excerpt(body, len, text, sizeof text);
	if (status == 403 && body && strstr(body, "blocked due to abuse")) {
		set_reason(f,
			   "HTTP 403: crt.sh has blocked this User-Agent due "
			   "to abuse; send a descriptive User-Agent with a "
			   "contact address, lower rate_per_minute, or query "
			   "crt.sh's database directly (\"%s\")",
			   text);
		return CTMON_ECONFIG;
	}
	set_reason(f, "HTTP %ld%s%s%s", status,
		   status == 429 ? " (rate limited)" : "", text[0] ? ": " : "",
		   text);
	if (status == 429 || status == 408 || status >= 500)
		return CTMON_EAGAIN;
	if (status >= 400)
		return CTMON_EPERMANENT;
	return CTMON_EIO;
}

/* Returns 1 when the answer was likely cut at crt.sh's row cap. */
static int warn_if_truncated(struct fetch *f, const char *domain)
{
	const struct crtsh_stats *s = crtsh_parser_stats(f->st->parser);
	char text[512];

	if (s->sum_result_count < ROW_CAP && s->records < ROW_CAP)
		return 0;
	snprintf(text, sizeof text,
		 "crt.sh result for %s is likely truncated (%lld >= %d "
		 "identity rows in %zu records): crt.sh returns at most %d "
		 "identity rows per search without saying so; retry narrower "
		 "(query subdomains separately) or enable exclude_expired",
		 f->pattern,
		 (long long)(s->rows_with_count ? s->sum_result_count
						: (int64_t)s->records),
		 ROW_CAP, s->records, ROW_CAP);
	/* The core logs warnings as WARN and counts them in the summary. */
	f->st->api->emit_warning(f->e, domain, text);
	return 1;
}

/* The cursor records the highest crt.sh id seen; it never moves back (an
 * exclude_expired answer can lack ids an earlier one had). */
static int commit_cursor(struct fetch *f, int64_t *max_out)
{
	const struct ctmon_host_api *api = f->st->api;
	int64_t max_id = crtsh_parser_stats(f->st->parser)->max_id;
	char *old = NULL, buf[32];

	if (api->get_cursor(f->e, f->pattern, &old) == CTMON_OK && old) {
		char *end = NULL;
		long long prev = strtoll(old, &end, 10);
		if (end && end != old && *end == '\0' && prev > max_id)
			max_id = prev;
		api->free(old);
	}
	snprintf(buf, sizeof buf, "%lld", (long long)max_id);
	*max_out = max_id;
	return api->set_cursor(f->e, f->pattern, buf);
}

/* State "status.<domain>" for `ctmon --status` and the report: when the
 * domain was last searched and what came back.  Best effort: a display. */
static void put_status(struct fetch *f, int truncated, int64_t max_id)
{
	const struct ctmon_host_api *api = f->st->api;
	char key[300], json[256];

	snprintf(key, sizeof key, "status.%s", f->pattern);
	snprintf(json, sizeof json,
		 "{\"last_query_at\":%lld,\"records\":%zu,"
		 "\"truncated\":%s,\"max_crtsh_id\":%lld}",
		 (long long)api->now(f->st->host),
		 crtsh_parser_stats(f->st->parser)->records,
		 truncated ? "true" : "false", (long long)max_id);
	(void)api->state_put(f->st->host, key, json);
}

static int setup_request(struct crtsh *st, struct ctmon_http_req *r,
			 const struct ctmon_http_sink *sink)
{
	const struct ctmon_host_api *api = st->api;
	int rc;

	if ((rc = api->http_set_timeout_ms(r, st->timeout_s * 1000)) ||
	    (rc = api->http_set_retry(r, (int)st->retries, st->backoff_ms,
				      st->max_backoff_ms)) ||
	    (rc = api->http_set_header(r, "Accept: application/json")) ||
	    (rc = api->http_set_max_body(
		     r, (size_t)st->max_body_mb * 1024u * 1024u)) ||
	    (rc = api->http_set_sink(r, sink)))
		return rc;
	/* crt.sh may move (a GET without secrets): the host follows, never
	 * from https to http. */
	if (CTMON_HOST_HAS(api, http_set_follow_redirects))
		rc = api->http_set_follow_redirects(r, 5);
	return rc;
}

/* One search, one batch: committed with its cursor only if the whole
 * answer arrived and parsed. */
static int query_pattern(struct crtsh *st, struct ctmon_emitter *e,
			 const struct ctmon_watch_entry *we, int candidate)
{
	const struct ctmon_host_api *api = st->api;
	const char *domain = we->domain ? we->domain : we->pattern;
	struct crtsh_query_opts qo = {st->exclude_expired, st->deduplicate};
	struct fetch f;
	struct ctmon_http_sink sink = {sizeof sink, sink_begin, sink_data,
				       sink_end, &f};
	struct ctmon_http_req *r = NULL;
	char *url = NULL;
	int64_t max_id = 0;
	long status;
	int rc, truncated;

	memset(&f, 0, sizeof f);
	f.st = st;
	f.e = e;
	f.pattern = we->pattern;
	f.candidate = candidate;
	f.max_bytes = (size_t)st->max_body_mb * 1024u * 1024u;
	st->cur = &f;
	url = crtsh_query_url(st->url, we->pattern, &qo);
	if (!url) {
		rc = CTMON_ENOMEM;
		set_reason(&f, "out of memory");
		goto out;
	}
	rc = api->rate_limit(st->host, "crt.sh", st->rate_per_minute,
			     (int)st->burst);
	if (rc != CTMON_OK) {
		set_reason(&f, "rate limiter: rc %d", rc);
		goto out;
	}
	r = api->http_new(st->host, "GET", url);
	if (!r) {
		rc = CTMON_ENOMEM;
		set_reason(&f, "out of memory");
		goto out;
	}
	rc = setup_request(st, r, &sink);
	if (rc != CTMON_OK) {
		set_reason(&f, "cannot set up the request (rc %d)", rc);
		goto out;
	}
	rc = api->http_perform(r);
	if (rc != CTMON_OK) {
		/* Our sink's reason says more than the transport's text, if
		 * the last attempt failed in the sink (an earlier attempt may
		 * have failed there and the last one on the network). */
		const char *why = api->http_error(r);
		if (!f.reason[0] || rc != f.rc_seen)
			set_reason(&f, "%s",
				   why && *why ? why : "request failed");
		goto out;
	}
	status = api->http_status(r);
	if (status < 200 || status > 299) {
		rc = status_error(&f, r, status);
		goto out;
	}
	if (!f.begun) {
		rc = CTMON_EFORMAT;
		set_reason(&f, "empty body");
		goto out;
	}
	/* end() is optional for a host; the completeness check is not. */
	if (!f.ended && (rc = sink_end(&f)) != CTMON_OK)
		goto out;
	if (crtsh_parser_stats(st->parser)->skipped) {
		const struct crtsh_stats *ps = crtsh_parser_stats(st->parser);
		char text[600];

		snprintf(text, sizeof text,
			 "%s: skipped %zu crt.sh row(s) that are not records "
			 "(first: %s); the rest of the answer is stored",
			 we->pattern, ps->skipped, ps->first_skip);
		api->emit_warning(e, domain, text);
	}
	if (crtsh_parser_stats(st->parser)->bad_times)
		api->log(st->host, CTMON_LOG_WARN,
			 "%s: %zu crt.sh rows with unparsable timestamps",
			 domain, crtsh_parser_stats(st->parser)->bad_times);
	truncated = warn_if_truncated(&f, domain);
	/* Thousands of candidates mostly find nothing: no cursor row for
	 * those. */
	if (!candidate || crtsh_parser_stats(st->parser)->records)
		rc = commit_cursor(&f, &max_id);
	if (rc != CTMON_OK) {
		set_reason(&f, "cannot store the cursor (rc %d)", rc);
		goto out;
	}
	rc = api->batch_commit(e);
	f.batch_open = 0;
	if (rc != CTMON_OK) {
		set_reason(&f, "cannot commit the batch (rc %d)", rc);
		goto out;
	}
	/* Candidates are thousands of patterns: no status row each. */
	if (!candidate)
		put_status(&f, truncated, max_id);
	api->log(st->host, candidate ? CTMON_LOG_DEBUG : CTMON_LOG_INFO,
		 "%s: %zu crt.sh records%s%s", domain,
		 crtsh_parser_stats(st->parser)->records,
		 strcmp(domain, we->pattern) ? " for " : "",
		 strcmp(domain, we->pattern) ? we->pattern : "");
out:
	if (rc != CTMON_OK) {
		if (f.batch_open)
			api->batch_abort(e);
		enum ctmon_log_level lvl = rc == CTMON_ESTOPPED ? CTMON_LOG_INFO
					   : candidate	    ? CTMON_LOG_WARN
							    : CTMON_LOG_ERROR;
		api->log(st->host, lvl, "crt.sh query for %s failed: %s: %s",
			 domain,
			 url ? url : we->pattern, f.reason);
		api->set_error(st->host, "crt.sh query for %s failed: %s",
			       domain, f.reason);
	}
	if (f.local_failure)
		st->local_failure = 1;
	st->cur = NULL;
	if (r)
		api->http_free(r);
	free(url);
	return rc;
}

static int is_retryable(int rc)
{
	return rc == CTMON_EAGAIN || rc == CTMON_EIO ||
	       rc == CTMON_ETIMEDOUT || rc == CTMON_EFORMAT;
}

static int already_queried(const char **done, size_t n, const char *pattern)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(done[i], pattern) == 0)
			return 1;
	return 0;
}

static int is_domain_entry(const struct ctmon_watch_entry *we)
{
	return !we->tag || strcmp(we->tag, "domain") == 0;
}

/* Folds one query's result into collect()'s; 1 when collect must stop
 * (a blocked User-Agent or a stop: more requests would only make the
 * block worse). */
static int fold_rc(int rc, int *final)
{
	if (*final == CTMON_OK || (is_retryable(*final) && !is_retryable(rc)))
		*final = is_retryable(rc) ? CTMON_EAGAIN : rc;
	if (rc == CTMON_ECONFIG || rc == CTMON_ESTOPPED) {
		*final = rc;
		return 1;
	}
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct ctmon_watch_entry *)a)->pattern,
		      ((const struct ctmon_watch_entry *)b)->pattern);
}

#define CURSOR_KEY "candidate_cursor"

/* Searches the next window of check patterns; the window starts after the
 * pattern the previous cycle ended with (kept in the plugin's state, so
 * it moves only when the cycle commits). */
static int query_candidates(struct crtsh *st, const struct ctmon_watch *w,
			    struct ctmon_emitter *e, const char **done,
			    size_t n_done, int *final)
{
	const struct ctmon_host_api *api = st->api;
	size_t n = api->watch_count(w), m = 0, start = 0, todo, k;
	size_t failed = 0, queried = 0;
	struct ctmon_watch_entry *c = NULL;
	char *last = NULL;
	const char *end = NULL;
	int rc = CTMON_OK;

	if (st->max_candidates == 0)
		return CTMON_OK;
	c = calloc(n ? n : 1, sizeof *c);
	if (!c)
		return CTMON_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct ctmon_watch_entry we;
		memset(&we, 0, sizeof we);
		we.size = sizeof we;
		if (api->watch_get(w, i, &we) == CTMON_OK && we.pattern &&
		    !is_domain_entry(&we) &&
		    !already_queried(done, n_done, we.pattern))
			c[m++] = we;
	}
	/* Name order, duplicates dropped: a stable rotation whatever order
	 * the checks add their patterns in. */
	qsort(c, m, sizeof *c, cmp_entry);
	for (size_t i = 0; i < m; i++)
		if (start == 0 || strcmp(c[start - 1].pattern, c[i].pattern))
			c[start++] = c[i];
	m = start;
	start = 0;
	if (m == 0)
		goto out;
	if (api->state_get(st->host, CURSOR_KEY, &last) == CTMON_OK && last)
		while (start < m && strcmp(c[start].pattern, last) <= 0)
			start++;
	if (start == m)
		start = 0;
	todo = (size_t)st->max_candidates < m ? (size_t)st->max_candidates : m;
	for (k = 0; k < todo; k++) {
		const struct ctmon_watch_entry *we = &c[(start + k) % m];
		if (api->should_stop(st->host)) {
			*final = CTMON_ESTOPPED;
			break;
		}
		rc = query_pattern(st, e, we, 1);
		queried++;
		end = we->pattern;
		if (rc == CTMON_OK)
			continue;
		failed++;
		if (rc == CTMON_ECONFIG || rc == CTMON_ESTOPPED ||
		    st->local_failure) {
			*final = rc;
			break;
		}
	}
	rc = end ? api->state_put(st->host, CURSOR_KEY, end) : CTMON_OK;
	api->log(st->host, CTMON_LOG_INFO,
		 "searched %zu of %zu check patterns (from %s to %s), %zu "
		 "failed; the whole set takes %zu cycle(s)",
		 queried, m, c[start].pattern, end ? end : "-", failed,
		 (m + todo - 1) / todo);
	if (failed && *final != CTMON_ECONFIG && *final != CTMON_ESTOPPED) {
		char text[160];
		snprintf(text, sizeof text,
			 "%zu of %zu candidate searches failed; they come round "
			 "again with the rotation",
			 failed, queried);
		api->emit_warning(e, NULL, text);
	}
out:
	if (last)
		api->free(last);
	free(c);
	return rc;
}

static int crtsh_collect(void *state, const struct ctmon_watch *w,
			 struct ctmon_emitter *e)
{
	struct crtsh *st = state;
	const struct ctmon_host_api *api = st->api;
	size_t n = api->watch_count(w), n_done = 0, failed = 0;
	const char **done = NULL;
	int rc = CTMON_OK, final = CTMON_OK;

	done = calloc(n ? n : 1, sizeof *done);
	if (!done)
		return CTMON_ENOMEM;
	st->local_failure = 0;
	for (size_t i = 0; i < n; i++) {
		struct ctmon_watch_entry we;

		if (api->should_stop(st->host)) {
			final = CTMON_ESTOPPED;
			break;
		}
		memset(&we, 0, sizeof we);
		we.size = sizeof we;
		if (api->watch_get(w, i, &we) != CTMON_OK || !we.pattern ||
		    !is_domain_entry(&we) ||
		    already_queried(done, n_done, we.pattern))
			continue;
		done[n_done++] = we.pattern;
		rc = query_pattern(st, e, &we, 0);
		if (rc == CTMON_OK)
			continue;
		failed++;
		if (fold_rc(rc, &final))
			break;
		/* The store cannot write (a full disk): every other domain
		 * would download its answer only to fail the same way. */
		if (st->local_failure) {
			final = rc;
			break;
		}
	}
	if (final != CTMON_OK && final != CTMON_ESTOPPED && failed > 1)
		api->set_error(st->host,
			       "%zu of %zu crt.sh queries failed (see the log)",
			       failed, n_done);
	if (final != CTMON_ECONFIG && final != CTMON_ESTOPPED &&
	    !st->local_failure) {
		rc = query_candidates(st, w, e, done, n_done, &final);
		if (rc != CTMON_OK && final == CTMON_OK)
			final = rc;
	}
	free(done);
	return final;
}

static const struct ctmon_source_ops crtsh_ops = {
	sizeof(struct ctmon_source_ops),
	crtsh_collect,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_SOURCE, "crtsh", "1.0.0",
		    "Certificates from crt.sh's JSON search, per watched name",
		    crtsh_options, crtsh_create, NULL, NULL, crtsh_destroy,
		    &crtsh_ops);
