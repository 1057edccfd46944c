/* fakehost.c - the fake host's life cycle (load through ctmon's loader and
 * option validation), its API table, the calls that drive a plugin, the
 * clock and the captured logs.  Store, source, alert and HTTP members live
 * in the other fakehost_*.c files. */
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "dn.h"
#include "fakehost_internal.h"

/* ---- logging, errors, time ------------------------------------------------ */

static CTMON_PRINTF(3, 0) void host_vlog(struct ctmon_host *h, enum ctmon_log_level lvl,
		      const char *fmt, va_list ap)
{
	static const char *const tags[] = {"ERROR", "WARN", "INFO", "DEBUG"};
	struct fh_host *fh = h->fh;
	struct fh_log_rec *rec;
	char msg[2048];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (lvl < CTMON_LOG_ERROR || lvl > CTMON_LOG_DEBUG)
		lvl = CTMON_LOG_DEBUG;
	/* Echoed so a failing test's output shows what the plugin said. */
	fprintf(stderr, "fakehost %-5s %s %s\n", tags[lvl], fh->prefix, msg);
	rec = calloc(1, sizeof *rec);
	if (!rec)
		return;
	rec->lvl = lvl;
	rec->text = strdup(msg);
	pthread_mutex_lock(&fh->lock);
	if (!rec->text || fh_vec_push(&fh->logs, rec) != 0) {
		free(rec->text);
		free(rec);
	}
	pthread_mutex_unlock(&fh->lock);
}

static CTMON_PRINTF(3, 4) void host_log(struct ctmon_host *h, enum ctmon_log_level lvl,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	host_vlog(h, lvl, fmt, ap);
	va_end(ap);
}

void fh_logf(struct fh_host *fh, enum ctmon_log_level lvl, const char *fmt,
	     ...)
{
	va_list ap;

	va_start(ap, fmt);
	host_vlog(&fh->handle, lvl, fmt, ap);
	va_end(ap);
}

static CTMON_PRINTF(2, 3) void host_set_error(struct ctmon_host *h, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&h->fh->lock);
	va_start(ap, fmt);
	vsnprintf(h->fh->error, sizeof h->fh->error, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&h->fh->lock);
}

static int64_t host_now(struct ctmon_host *h) { return h->fh->now; }

static uint64_t host_monotonic_ns(struct ctmon_host *h)
{
	uint64_t t;

	pthread_mutex_lock(&h->fh->lock);
	t = h->fh->mono_ns;
	pthread_mutex_unlock(&h->fh->lock);
	return t;
}

static int host_should_stop(struct ctmon_host *h) { return h->fh->stop; }

static int host_sleep_ms(struct ctmon_host *h, int64_t ms)
{
	struct fh_host *fh = h->fh;

	if (fh->stop)
		return CTMON_ESTOPPED;
	if (ms <= 0)
		return CTMON_OK;
	pthread_mutex_lock(&fh->lock);
	fh->slept_ms += ms;
	fh->mono_ns += (uint64_t)ms * 1000000u;
	pthread_mutex_unlock(&fh->lock);
	return CTMON_OK;
}

static int host_rate_limit(struct ctmon_host *h, const char *name,
			   double per_minute, int burst)
{
	(void)per_minute;
	(void)burst;
	if (!name)
		return CTMON_EINVAL;
	pthread_mutex_lock(&h->fh->lock);
	h->fh->rate_calls++;
	pthread_mutex_unlock(&h->fh->lock);
	return h->fh->stop ? CTMON_ESTOPPED : CTMON_OK;
}

static void host_free(void *p) { free(p); }

/* ---- notifiers: what deliver() reports ------------------------------------- */

/* Like ctmon: only during deliver(), and never more than the batch. */
int fh_deliver_progress_api(struct ctmon_host *h, size_t n)
{
	struct fh_host *fh = h ? h->fh : NULL;
	int rc = CTMON_EINVAL;

	if (!fh)
		return CTMON_EINVAL;
	pthread_mutex_lock(&fh->lock);
	if (fh->delivering && n <= fh->deliver_n) {
		fh->deliver_progress = (int64_t)n;
		rc = CTMON_OK;
	}
	pthread_mutex_unlock(&fh->lock);
	return rc;
}

int fh_deliver_retry_after_api(struct ctmon_host *h, int64_t seconds)
{
	struct fh_host *fh = h ? h->fh : NULL;
	int rc = CTMON_EINVAL;

	if (!fh)
		return CTMON_EINVAL;
	pthread_mutex_lock(&fh->lock);
	if (fh->delivering && seconds >= 0) {
		fh->deliver_retry_after = seconds;
		rc = CTMON_OK;
	}
	pthread_mutex_unlock(&fh->lock);
	return rc;
}

int64_t fh_deliver_progress(const struct fh_host *fh)
{
	return fh ? fh->deliver_progress : -1;
}

int64_t fh_deliver_retry_after(const struct fh_host *fh)
{
	return fh ? fh->deliver_retry_after : -1;
}

static const struct ctmon_host_api fake_api = {
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
	.http_new = fh_http_new,
	.http_set_header = fh_http_set_header,
	.http_set_body = fh_http_set_body,
	.http_set_timeout_ms = fh_http_set_timeout_ms,
	.http_set_retry = fh_http_set_retry,
	.http_set_max_body = fh_http_set_max_body,
	.http_set_sink = fh_http_set_sink,
	.http_perform = fh_http_perform,
	.http_status = fh_http_status,
	.http_header = fh_http_header,
	.http_body = fh_http_body,
	.http_error = fh_http_error,
	.http_free = fh_http_free,
	.rate_limit = host_rate_limit,
	.state_get = fh_state_get_api,
	.state_put = fh_state_put_api,
	.state_delete = fh_state_delete_api,
	.free = host_free,
	.watch_count = fh_watch_count_api,
	.watch_get = fh_watch_get_api,
	.watch_match = fh_watch_match_api,
	.batch_begin = fh_batch_begin,
	.emit_cert = fh_emit_cert,
	.set_cursor = fh_set_cursor_api,
	.get_cursor = fh_get_cursor_api,
	.batch_commit = fh_batch_commit,
	.batch_abort = fh_batch_abort,
	.emit_warning = fh_emit_warning,
	.emit_alert = fh_emit_alert,
	.watch_add = fh_watch_add_api,
	.ca_count = fh_ca_count,
	.ca_is_authorized = fh_ca_is_authorized,
	.dn_equal = ctm_dn_equal,
	.foreach_issuance = fh_foreach_issuance,
	.name_covered_until = fh_name_covered_until,
	/* ABI 1.1 */
	.source_alert = fh_source_alert,
	.domain_get = fh_domain_get_api,
	.dns_result = fh_dns_result_api,
	.http_set_ca_file = fh_http_set_ca_file,
	.deliver_progress = fh_deliver_progress_api,
	.deliver_retry_after = fh_deliver_retry_after_api,
	/* ABI 1.2 */
	.http_set_follow_redirects = fh_http_set_follow_redirects,
};

const struct ctmon_host_api *fh_api(void) { return &fake_api; }

struct ctmon_host *fh_handle(struct fh_host *fh)
{
	return fh ? &fh->handle : NULL;
}

/* ---- life cycle ------------------------------------------------------------ */

struct fh_host *fh_new(void)
{
	struct fh_host *fh = calloc(1, sizeof *fh);

	if (!fh)
		return NULL;
	if (pthread_mutex_init(&fh->lock, NULL) != 0) {
		free(fh);
		return NULL;
	}
	fh->handle.fh = fh;
	fh->now = FH_DEFAULT_NOW;
	fh->mono_ns = 1000000000u;
	fh->http_chunk = 4096;
	fh->deliver_progress = -1;
	fh->deliver_retry_after = -1;
	snprintf(fh->prefix, sizeof fh->prefix, "[fakehost]");
	return fh;
}

static void free_log(void *p)
{
	struct fh_log_rec *rec = p;

	free(rec->text);
	free(rec);
}

void fh_free(struct fh_host *fh)
{
	if (!fh)
		return;
	if (fh->created) {
		if (fh->plugin->desc.stop)
			fh->plugin->desc.stop(fh->state);
		fh->plugin->desc.destroy(fh->state);
	}
	ctm_cfg_view_free(fh->inst.pconf);
	if (fh->cfg) {
		config_destroy(fh->cfg);
		free(fh->cfg);
	}
	/* After destroy: the descriptor and option strings live in the .so. */
	ctm_plugin_unload(fh->plugin);
	fh_store_free(fh);
	fh_domains_free(fh);
	fh_source_free(fh);
	fh_alerts_free(fh);
	fh_http_free_all(fh);
	fh_vec_free(&fh->logs, free_log);
	free(fh->inst.plugin);
	free(fh->inst.id);
	pthread_mutex_destroy(&fh->lock);
	free(fh);
}

static void put_err(char *err, size_t errlen, const char *fmt, ...)
	CTMON_PRINTF(3, 4);

static void put_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Parses the snippet as the `config` group of an instance.  The group
 * opens on the snippet's first line so libconfig's line numbers are the
 * snippet's own. */
static int parse_snippet(struct fh_host *fh, const char *snippet, char *err,
			 size_t errlen)
{
	size_t len = strlen(snippet) + sizeof "config = { \n};";
	char *text = malloc(len);
	config_t *cfg = calloc(1, sizeof *cfg);
	int rc = CTMON_OK;

	if (!text || !cfg) {
		put_err(err, errlen, "out of memory");
		free(text);
		free(cfg);
		return CTMON_ENOMEM;
	}
	config_init(cfg);
	fh->cfg = cfg;
	snprintf(text, len, "config = { %s\n};", snippet);
	if (config_read_string(cfg, text) != CONFIG_TRUE) {
		put_err(err, errlen, "%s:%d: %s", CTM_CFG_BUILTIN,
			config_error_line(cfg), config_error_text(cfg));
		rc = CTMON_ECONFIG;
	} else {
		fh->inst.raw = config_lookup(cfg, "config");
	}
	free(text);
	return rc;
}

/* What the instance is called in messages and in ctmon's config. */
static int make_instance(struct fh_host *fh)
{
	const struct ctmon_plugin *d = &fh->plugin->desc;

	fh->inst.kind = d->kind;
	fh->inst.plugin = strdup(d->name);
	fh->inst.id = strdup(d->name);
	fh->inst.enabled = 1;
	fh->inst.file = CTM_CFG_BUILTIN;
	fh->inst.line = 1;
	if (!fh->inst.plugin || !fh->inst.id)
		return CTMON_ENOMEM;
	snprintf(fh->prefix, sizeof fh->prefix, "[%s:%s:%s]",
		 ctm_kind_name(d->kind), d->name, d->name);
	return CTMON_OK;
}

int fh_load(struct fh_host *fh, const char *so_path,
	    const char *config_snippet, char *err, size_t errlen)
{
	struct ctm_plugin_path path = {0};
	struct ctm_error cerr = {{0}};
	const struct ctmon_plugin *d;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!fh || !so_path || !strchr(so_path, '/') || fh->plugin) {
		put_err(err, errlen, "fh_load: needs a fresh fh_host and a "
				     "path containing '/'");
		return CTMON_EINVAL;
	}
	rc = ctm_plugin_load(&path, so_path, 0, &fh->plugin, &cerr);
	if (rc != CTMON_OK) {
		put_err(err, errlen, "%s", cerr.text);
		return rc;
	}
	d = &fh->plugin->desc;
	rc = make_instance(fh);
	if (rc == CTMON_OK)
		rc = parse_snippet(fh, config_snippet ? config_snippet : "",
				   err, errlen);
	if (rc != CTMON_OK)
		goto out;
	rc = ctm_config_validate_instance(&fh->inst, d->options, d->n_options,
					  d->option_size, &cerr);
	if (rc != CTMON_OK) {
		put_err(err, errlen, "%s", cerr.text);
		goto out;
	}
	fh->error[0] = '\0';
	rc = d->create(&fh->handle, &fake_api, fh->inst.pconf, &fh->state);
	if (rc != CTMON_OK) {
		put_err(err, errlen, "%s", fh->error[0] ? fh->error
						       : "create() failed");
		goto out;
	}
	fh->created = 1;
	if (d->start) {
		rc = d->start(fh->state);
		if (rc != CTMON_OK) {
			put_err(err, errlen, "%s", fh->error[0] ? fh->error
							       : "start() failed");
			goto out;
		}
	}
out:
	if (rc == CTMON_ENOMEM && err && errlen && !err[0])
		put_err(err, errlen, "out of memory");
	return rc;
}

const struct ctmon_plugin *fh_plugin(const struct fh_host *fh)
{
	return fh && fh->plugin ? &fh->plugin->desc : NULL;
}

/* ---- driving the plugin ---------------------------------------------------- */

/* Checks the instance is ready for a call of `kind` and has `op`. */
static int ready(struct fh_host *fh, enum ctmon_kind kind, const void *op,
		 const char *what)
{
	if (!fh)
		return CTMON_EINVAL;
	fh->error[0] = '\0';
	fh->rejected_in_call = 0;
	if (!fh->created || fh->plugin->desc.kind != kind || !op) {
		snprintf(fh->error, sizeof fh->error,
			 "fakehost: the loaded plugin has no %s", what);
		return CTMON_EUNSUPPORTED;
	}
	return CTMON_OK;
}

/* An invalid alert fails the call even if the plugin ignored the
 * refusal: that is a bug the test must see. */
static int finish(struct fh_host *fh, int rc)
{
	if (rc == CTMON_OK && fh->rejected_in_call > 0)
		return CTMON_EFORMAT;
	return rc;
}

int fh_on_issuance(struct fh_host *fh, const struct ctmon_issuance *is)
{
	struct ctmon_alert_sink sink = {fh, is};
	int rc = ready(fh, CTMON_KIND_CHECK,
		       fh && fh->plugin ? (const void *)fh->plugin->check
						  .on_issuance
					: NULL,
		       "on_issuance");

	if (rc != CTMON_OK)
		return rc;
	return finish(fh, fh->plugin->check.on_issuance(fh->state, is, &sink));
}

int fh_on_cycle(struct fh_host *fh)
{
	struct ctmon_alert_sink sink = {fh, NULL};
	int rc = ready(fh, CTMON_KIND_CHECK,
		       fh && fh->plugin ? (const void *)fh->plugin->check.on_cycle
					: NULL,
		       "on_cycle");

	if (rc != CTMON_OK)
		return rc;
	return finish(fh, fh->plugin->check.on_cycle(fh->state, &sink));
}

int fh_watch(struct fh_host *fh)
{
	struct ctmon_watch_builder b = {fh};
	int rc = ready(fh, CTMON_KIND_CHECK,
		       fh && fh->plugin ? (const void *)fh->plugin->check.watch
					: NULL,
		       "watch");

	if (rc != CTMON_OK)
		return rc;
	return fh->plugin->check.watch(fh->state, &b);
}

int fh_on_any(struct fh_host *fh, const struct ctmon_cert *c)
{
	struct ctmon_alert_sink sink = {fh, NULL};
	int rc = ready(fh, CTMON_KIND_CHECK,
		       fh && fh->plugin ? (const void *)fh->plugin->check.on_any
					: NULL,
		       "on_any");

	if (rc != CTMON_OK)
		return rc;
	return finish(fh, fh->plugin->check.on_any(fh->state, c, &sink));
}

int fh_deliver(struct fh_host *fh, const struct ctmon_alert *const *alerts,
	       size_t n)
{
	int rc = ready(fh, CTMON_KIND_NOTIFIER,
		       fh && fh->plugin ? (const void *)fh->plugin->notifier
						  .deliver
					: NULL,
		       "deliver");

	if (rc != CTMON_OK)
		return rc;
	pthread_mutex_lock(&fh->lock);
	fh->delivering = 1;
	fh->deliver_n = n;
	fh->deliver_progress = -1;
	fh->deliver_retry_after = -1;
	pthread_mutex_unlock(&fh->lock);
	rc = fh->plugin->notifier.deliver(fh->state, alerts, n);
	pthread_mutex_lock(&fh->lock);
	fh->delivering = 0;
	pthread_mutex_unlock(&fh->lock);
	return rc;
}

int fh_collect(struct fh_host *fh, const char *const *watch_domains, size_t n)
{
	struct ctmon_emitter em = {fh, 0, 0};
	struct ctmon_watch w = {NULL, 0};
	int rc = ready(fh, CTMON_KIND_SOURCE,
		       fh && fh->plugin ? (const void *)fh->plugin->source.collect
					: NULL,
		       "collect");

	if (rc != CTMON_OK)
		return rc;
	if (n > 0) {
		w.entries = calloc(n, sizeof *w.entries);
		if (!w.entries)
			return CTMON_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		w.entries[i].size = sizeof w.entries[i];
		w.entries[i].pattern = watch_domains[i];
		w.entries[i].domain = watch_domains[i];
		w.entries[i].tag = "domain";
	}
	w.n = n;
	rc = fh->plugin->source.collect(fh->state, &w, &em);
	fh_collect_finish(&em, rc);
	free(w.entries);
	return finish(fh, rc);
}

const char *fh_last_error(const struct fh_host *fh)
{
	return fh ? fh->error : "";
}

/* ---- clock ------------------------------------------------------------------ */

void fh_set_now(struct fh_host *fh, int64_t t)
{
	if (fh)
		fh->now = t;
}

int64_t fh_now(const struct fh_host *fh) { return fh ? fh->now : 0; }

void fh_set_stop(struct fh_host *fh, int stop)
{
	if (fh)
		fh->stop = stop ? 1 : 0;
}

int64_t fh_slept_ms(const struct fh_host *fh) { return fh ? fh->slept_ms : 0; }

size_t fh_rate_limit_calls(const struct fh_host *fh)
{
	return fh ? fh->rate_calls : 0;
}

/* ---- logs ------------------------------------------------------------------- */

size_t fh_log_count(const struct fh_host *fh) { return fh ? fh->logs.n : 0; }

const char *fh_log_line(const struct fh_host *fh, size_t i)
{
	const struct fh_log_rec *rec =
		fh && i < fh->logs.n ? fh->logs.items[i] : NULL;

	return rec ? rec->text : NULL;
}

enum ctmon_log_level fh_log_level(const struct fh_host *fh, size_t i)
{
	const struct fh_log_rec *rec =
		fh && i < fh->logs.n ? fh->logs.items[i] : NULL;

	return rec ? rec->lvl : CTMON_LOG_DEBUG;
}

size_t fh_log_contains(const struct fh_host *fh, const char *substring)
{
	size_t n = 0;

	for (size_t i = 0; fh && substring && i < fh->logs.n; i++) {
		const struct fh_log_rec *rec = fh->logs.items[i];
		n += strstr(rec->text, substring) != NULL;
	}
	return n;
}
