/* host.c - the host API table given to every plugin instance.  Each member
 * forwards to a core module (log, config, http, store) after adding what
 * the instance handle knows: its log prefix, its state namespace, the
 * cycle's clock and transaction. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dn.h"
#include "engine_internal.h"
#include "http.h"
#include "log.h"
#include "names.h"
#include "util.h"

static CTMON_PRINTF(3, 0) void host_vlog(struct ctmon_host *h, enum ctmon_log_level lvl,
		      const char *fmt, va_list ap)
{
	ctm_vlog(lvl, h ? h->prefix : NULL, fmt, ap);
}

static CTMON_PRINTF(3, 4) void host_log(struct ctmon_host *h, enum ctmon_log_level lvl,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	host_vlog(h, lvl, fmt, ap);
	va_end(ap);
}

static CTMON_PRINTF(2, 3) void host_set_error(struct ctmon_host *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->error, sizeof h->error, fmt, ap);
	va_end(ap);
}

static int64_t host_now(struct ctmon_host *h)
{
	(void)h;
	return ctm_engine_now();
}

static uint64_t host_monotonic_ns(struct ctmon_host *h)
{
	struct timespec ts;
	(void)h;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int host_should_stop(struct ctmon_host *h)
{
	(void)h;
	return ctm_engine_stopping();
}

static int host_sleep_ms(struct ctmon_host *h, int64_t ms)
{
	(void)h;
	return ctm_sleep_ms(ms);
}

static struct ctmon_http_req *host_http_new(struct ctmon_host *h,
					    const char *method,
					    const char *url)
{
	struct ctmon_http_req *r = ctm_http_new(h->prefix, method, url);
	/* The instance's timeout, else the global one, bounds every request
	 * unless the plugin sets its own. */
	if (r) {
		int64_t t = h->inst->timeout > 0 ? h->inst->timeout
						 : h->eng->cfg->timeout;
		ctm_http_set_timeout_ms(r, t * 1000);
	}
	return r;
}

static int host_rate_limit(struct ctmon_host *h, const char *name,
			   double per_minute, int burst)
{
	(void)h;
	return ctm_rate_limit(name, per_minute, burst);
}

static int host_state_get(struct ctmon_host *h, const char *key, char **value)
{
	return ctm_store_kv_get(h->eng->store, h->ns, key, value);
}

static int host_state_put(struct ctmon_host *h, const char *key,
			  const char *value)
{
	return ctm_store_kv_put(h->eng->store, h->ns, key, value,
				ctm_engine_now());
}

static int host_state_delete(struct ctmon_host *h, const char *key)
{
	return ctm_store_kv_delete(h->eng->store, h->ns, key);
}

static void host_free(void *p) { free(p); }

static size_t host_watch_count(const struct ctmon_watch *w) { return w->n; }

static int host_watch_get(const struct ctmon_watch *w, size_t i,
			  struct ctmon_watch_entry *out)
{
	size_t n;

	if (i >= w->n || !out || out->size == 0)
		return CTMON_EINVAL;
	/* Copy only what the caller's struct can hold. */
	n = out->size < sizeof *out ? out->size : sizeof *out;
	memcpy((char *)out + sizeof out->size,
	       (const char *)&w->entries[i] + sizeof out->size,
	       n - sizeof out->size);
	return CTMON_OK;
}

static int host_watch_match(const struct ctmon_watch *w, const char *name)
{
	char norm[256];

	if (ctm_name_normalize(name, norm, sizeof norm) != 0)
		return 0;
	for (size_t i = 0; i < w->n; i++)
		if (ctm_name_matches(norm, w->entries[i].pattern))
			return 1;
	return 0;
}

static int host_batch_begin(struct ctmon_emitter *e)
{
	int rc;

	if (e->explicit_open)
		return CTMON_EINVAL;
	rc = ctm_store_savepoint(e->eng->store, "batch");
	if (rc != CTMON_OK)
		return rc;
	e->explicit_open = 1;
	e->explicit_mark = e->eng->n_pending;
	if (e->eng->st)
		e->explicit_st = *e->eng->st;
	e->error = 0;
	return CTMON_OK;
}

static int host_batch_abort(struct ctmon_emitter *e)
{
	int rc;

	if (!e->explicit_open)
		return CTMON_EINVAL;
	rc = ctm_store_rollback_to(e->eng->store, "batch");
	if (rc == CTMON_OK)
		rc = ctm_store_release(e->eng->store, "batch");
	ctm_engine_drop_pending(e->eng, e->explicit_mark);
	ctm_engine_undo_counts(e->eng, &e->explicit_st);
	e->explicit_open = 0;
	e->error = 0;
	return rc;
}

static int host_batch_commit(struct ctmon_emitter *e)
{
	if (!e->explicit_open)
		return CTMON_EINVAL;
	if (e->error) {
		/* A record of this batch failed to store: keeping the rest would
		 * advance the cursor past it. */
		host_batch_abort(e);
		return CTMON_EIO;
	}
	e->explicit_open = 0;
	return ctm_store_release(e->eng->store, "batch");
}

static int host_emit_cert(struct ctmon_emitter *e, const struct ctmon_cert *c)
{
	if (!c || c->size < offsetof(struct ctmon_cert, tbs_hash))
		return CTMON_EINVAL;
	return ctm_engine_ingest(e, c);
}

static int host_set_cursor(struct ctmon_emitter *e, const char *key,
			   const char *value)
{
	return ctm_store_cursor_set(e->eng->store, e->src->host.inst->id, key,
				    value, ctm_engine_now());
}

static int host_get_cursor(struct ctmon_emitter *e, const char *key,
			   char **value)
{
	return ctm_store_cursor_get(e->eng->store, e->src->host.inst->id, key,
				    value);
}

static void host_emit_warning(struct ctmon_emitter *e, const char *domain,
			      const char *text)
{
	ctm_log(CTMON_LOG_WARN, e->src->host.prefix, "%s: %s",
		domain ? domain : "-", text);
	if (e->eng->st)
		e->eng->st->warnings++;
}

static int host_emit_alert(struct ctmon_alert_sink *s,
			   const struct ctmon_alert *a)
{
	if (!a || a->size < offsetof(struct ctmon_alert, created_at) || !a->type ||
	    !a->domain || !a->key)
		return CTMON_EINVAL;
	return ctm_engine_store_alert(s, a);
}

/* A source's alert goes through the check path with the source's
 * instance as the raiser; it concerns no issuance. */
static int host_source_alert(struct ctmon_emitter *e,
			     const struct ctmon_alert *a)
{
	struct ctmon_alert_sink sink = {e->eng, e->src, NULL};

	if (!a || a->size < offsetof(struct ctmon_alert, created_at) ||
	    !a->type || !a->domain || !a->key || a->issuance_id != 0)
		return CTMON_EINVAL;
	return ctm_engine_store_alert(&sink, a);
}

/* Keeps a copy of s in the watch set's string list, which stays
 * NULL-terminated and grows by doubling: a check may add tens of
 * thousands of patterns (typosquat candidates). */
static const char *watch_keep(struct ctmon_watch *w, const char *s)
{
	char *copy;

	if (w->n_strings + 1 >= w->cap_strings) {
		size_t cap = w->cap_strings ? w->cap_strings * 2 : 64;
		char **ns = realloc(w->strings, cap * sizeof *ns);
		if (!ns)
			return NULL;
		w->strings = ns;
		w->cap_strings = cap;
	}
	copy = strdup(s);
	if (!copy)
		return NULL;
	w->strings[w->n_strings++] = copy;
	w->strings[w->n_strings] = NULL;
	return copy;
}

static int host_watch_add(struct ctmon_watch_builder *b,
			  const struct ctmon_watch_entry *in)
{
	struct ctmon_watch *w = b->w;
	struct ctmon_watch_entry *e;
	const char *pattern, *domain, *tag;
	char norm[256];

	if (!in || !in->pattern ||
	    ctm_name_normalize(in->pattern, norm, sizeof norm) != 0 ||
	    ctm_name_is_wildcard(norm))
		return CTMON_EINVAL;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct ctmon_watch_entry *ne =
			realloc(w->entries, cap * sizeof *ne);
		if (!ne)
			return CTMON_ENOMEM;
		w->entries = ne;
		w->cap = cap;
	}
	/* The strings list owns copies; entries point at them (the strings
	 * themselves never move when the list grows). */
	pattern = watch_keep(w, norm);
	domain = pattern ? watch_keep(w, in->domain ? in->domain : norm)
			 : NULL;
	tag = domain ? watch_keep(w, in->tag ? in->tag
					     : b->check->host.inst->id)
		     : NULL;
	if (!tag)
		return CTMON_ENOMEM;
	e = &w->entries[w->n++];
	e->size = sizeof *e;
	e->pattern = pattern;
	e->domain = domain;
	e->tag = tag;
	return CTMON_OK;
}

static int host_ca_count(struct ctmon_host *h, const char *domain,
			 int64_t *count)
{
	return ctm_store_ca_count(h->eng->store, domain, count);
}

static int host_ca_is_authorized(struct ctmon_host *h, const char *domain,
				 int64_t ca_id, const char *issuer_dn,
				 int *authorized)
{
	return ctm_store_ca_is_authorized(h->eng->store, domain, ca_id,
					  issuer_dn, authorized);
}

static int host_foreach_issuance(struct ctmon_host *h, const char *domain,
				 int64_t from, int64_t to,
				 int (*fn)(void *ctx,
					   const struct ctmon_issuance *is),
				 void *ctx)
{
	return ctm_store_foreach_issuance(h->eng->store, domain, from, to, fn,
					  ctx);
}

static int host_name_covered_until(struct ctmon_host *h, const char *name,
				   int64_t except_issuance, int64_t *until)
{
	return ctm_store_name_covered_until(h->eng->store, name,
					    except_issuance, ctm_engine_now(),
					    until);
}

/* The monitored domains of the running configuration. */
static int host_domain_get(struct ctmon_host *h, size_t i, const char **out)
{
	const struct ctm_config *cfg = h->eng->cfg;

	if (!out)
		return CTMON_EINVAL;
	if (i >= cfg->n_domains)
		return CTMON_ENOTFOUND;
	*out = cfg->domains[i];
	return CTMON_OK;
}

const struct ctmon_host_api ctm_host_api = {
	.size = sizeof(struct ctmon_host_api),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR,
	.abi_minor = CTMON_PLUGIN_ABI_MINOR,
	.log = host_log,
	.vlog = host_vlog,
	.set_error = host_set_error,
	.now = host_now,
	.monotonic_ns = host_monotonic_ns,
	.should_stop = host_should_stop,
	.sleep_ms = host_sleep_ms,
	.cfg_string = ctm_cfg_string,
	.cfg_int = ctm_cfg_int,
	.cfg_double = ctm_cfg_double,
	.cfg_bool = ctm_cfg_bool,
	.cfg_list_len = ctm_cfg_list_len,
	.cfg_list_string = ctm_cfg_list_string,
	.cfg_list_int = ctm_cfg_list_int,
	.cfg_group = ctm_cfg_group,
	.cfg_list_group = ctm_cfg_list_group,
	.cfg_member_name = ctm_cfg_member_name,
	.cfg_where = ctm_cfg_where,
	.http_new = host_http_new,
	.http_set_header = ctm_http_set_header,
	.http_set_body = ctm_http_set_body,
	.http_set_timeout_ms = ctm_http_set_timeout_ms,
	.http_set_retry = ctm_http_set_retry,
	.http_set_max_body = ctm_http_set_max_body,
	.http_set_sink = ctm_http_set_sink,
	.http_perform = ctm_http_perform,
	.http_status = ctm_http_status,
	.http_header = ctm_http_header,
	.http_body = ctm_http_body,
	.http_error = ctm_http_error,
	.http_free = ctm_http_free,
	.rate_limit = host_rate_limit,
	.state_get = host_state_get,
	.state_put = host_state_put,
	.state_delete = host_state_delete,
	.free = host_free,
	.watch_count = host_watch_count,
	.watch_get = host_watch_get,
	.watch_match = host_watch_match,
	.batch_begin = host_batch_begin,
	.emit_cert = host_emit_cert,
	.set_cursor = host_set_cursor,
	.get_cursor = host_get_cursor,
	.batch_commit = host_batch_commit,
	.batch_abort = host_batch_abort,
	.emit_warning = host_emit_warning,
	.emit_alert = host_emit_alert,
	.watch_add = host_watch_add,
	.ca_count = host_ca_count,
	.ca_is_authorized = host_ca_is_authorized,
	.dn_equal = ctm_dn_equal,
	.foreach_issuance = host_foreach_issuance,
	.name_covered_until = host_name_covered_until,
	.source_alert = host_source_alert,
	.domain_get = host_domain_get,
	.dns_result = ctm_host_dns_result,
	.http_set_ca_file = ctm_http_set_ca_file,
	.deliver_progress = ctm_host_deliver_progress,
	.deliver_retry_after = ctm_host_deliver_retry_after,
	.http_set_follow_redirects = ctm_http_set_follow_redirects,
};
