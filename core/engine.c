/* engine.c - instance lifecycle and the monitoring cycle (design.md §1):
 * sources emit into one store transaction, checks see each new issuance
 * once, alerts are stored once and queued per notifier, then delivered. */
#include "engine.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_internal.h"
#include "engine_malformed.h"
#include "http.h"
#include "log.h"
#include "names.h"
#include "util.h"

static volatile sig_atomic_t stop_requested;

void ctm_engine_request_stop(void) { stop_requested = 1; }

int ctm_engine_stopping(void) { return stop_requested != 0; }

int64_t ctm_engine_now(void)
{
	const char *fake = getenv("CTMON_NOW");
	int64_t t;

	/* Tests pin the clock to exercise expiry and "last 24 hours". */
	if (fake && ctm_parse_int64(fake, &t) == 0)
		return t;
	return (int64_t)time(NULL);
}

struct ctm_store *ctm_engine_store(struct ctm_engine *e) { return e->store; }

/* ---- loading ---------------------------------------------------------- */

static struct ctm_plugin *find_loaded(struct ctm_engine *e, const char *name,
				      enum ctmon_kind kind)
{
	for (size_t i = 0; i < e->n_plugins; i++)
		if (e->plugins[i]->desc.kind == kind &&
		    strcmp(e->plugins[i]->desc.name, name) == 0)
			return e->plugins[i];
	return NULL;
}

static int load_plugin(struct ctm_engine *e, struct ctm_instance *inst,
		       struct ctm_plugin **out, struct ctm_error *err)
{
	struct ctm_plugin *pl = find_loaded(e, inst->plugin, inst->kind);
	struct ctm_plugin **grown;
	int rc;

	if (pl) {
		*out = pl;
		return CTMON_OK;
	}
	rc = ctm_plugin_load(&e->path, inst->plugin, inst->kind, &pl, err);
	if (rc != CTMON_OK)
		return rc;
	grown = realloc(e->plugins, (e->n_plugins + 1) * sizeof *grown);
	if (!grown) {
		ctm_plugin_unload(pl);
		return CTMON_ENOMEM;
	}
	e->plugins = grown;
	e->plugins[e->n_plugins++] = pl;
	*out = pl;
	return CTMON_OK;
}

/* Prefixes a loader/validation error with where the instance came from. */
static void error_in_instance(struct ctm_error *err,
			      const struct ctm_instance *inst)
{
	struct ctm_buf b;
	size_t n;

	if (!inst->file || !strncmp(err->text, inst->file, strlen(inst->file)))
		return;
	ctm_buf_init(&b);
	ctm_buf_printf(&b, "%s:%d: %s \"%s\": %s", inst->file, inst->line,
		       ctm_kind_name(inst->kind), inst->id, err->text);
	if (!b.oom) {
		n = b.len < sizeof err->text - 1 ? b.len : sizeof err->text - 1;
		memcpy(err->text, b.data, n);
		err->text[n] = '\0';
	}
	ctm_buf_free(&b);
}

static int create_instance(struct ctm_engine *e, struct ctm_instance *inst,
			   struct ctm_rt *rt, struct ctm_error *err)
{
	struct ctm_plugin *pl = NULL;
	int rc;

	memset(rt, 0, sizeof *rt);
	rt->host.eng = e;
	rt->host.inst = inst;
	snprintf(rt->host.prefix, sizeof rt->host.prefix, "[%s:%s:%s]",
		 ctm_kind_name(inst->kind), inst->plugin, inst->id);
	snprintf(rt->host.ns, sizeof rt->host.ns, "%s:%s",
		 ctm_kind_name(inst->kind), inst->id);
	if (!inst->enabled)
		return CTMON_OK;
	rc = load_plugin(e, inst, &pl, err);
	if (rc != CTMON_OK)
		goto fail;
	rt->host.plugin = pl;
	rc = ctm_config_validate_instance(inst, pl->desc.options,
					  pl->desc.n_options,
					  pl->desc.option_size, err);
	if (rc != CTMON_OK)
		return rc; /* already carries file:line and the instance */
	rt->host.error[0] = '\0';
	rc = pl->desc.create(&rt->host, &ctm_host_api, inst->pconf,
			     &rt->state);
	if (rc != CTMON_OK) {
		snprintf(err->text, sizeof err->text, "%s", rt->host.error[0]
			 ? rt->host.error : "create failed");
		rt->state = NULL;
		goto fail;
	}
	rt->created = 1;
	if (pl->desc.start && !e->opts.check_only) {
		rc = pl->desc.start(rt->state);
		if (rc != CTMON_OK) {
			snprintf(err->text, sizeof err->text, "start failed: %s",
				 rt->host.error[0] ? rt->host.error : "?");
			goto fail;
		}
		rt->started = 1;
	}
	return CTMON_OK;
fail:
	error_in_instance(err, inst);
	return rc;
}

static void destroy_instance(struct ctm_rt *rt)
{
	const struct ctmon_plugin *d;

	if (!rt->created)
		return;
	d = &rt->host.plugin->desc;
	if (rt->started && d->stop)
		d->stop(rt->state);
	d->destroy(rt->state);
	rt->created = 0;
	ctm_host_dns_release(&rt->host);
}

static int create_kind(struct ctm_engine *e, struct ctm_instance *insts,
		       size_t n, struct ctm_rt **out, size_t *n_out,
		       struct ctm_error *err)
{
	struct ctm_rt *rts = calloc(n ? n : 1, sizeof *rts);

	if (!rts)
		return CTMON_ENOMEM;
	*out = rts;
	*n_out = n;
	for (size_t i = 0; i < n; i++) {
		int rc = create_instance(e, &insts[i], &rts[i], err);
		if (rc == CTMON_OK)
			continue;
		if (!insts[i].optional)
			return rc;
		ctm_warn("optional %s \"%s\" skipped: %s",
			 ctm_kind_name(insts[i].kind), insts[i].id, err->text);
		destroy_instance(&rts[i]);
	}
	return CTMON_OK;
}

int ctm_engine_new(struct ctm_config *cfg, const struct ctm_engine_opts *o,
		   struct ctm_engine **out, struct ctm_error *err)
{
	struct ctm_engine *e = calloc(1, sizeof *e);
	int rc;

	*out = NULL;
	if (!e)
		return CTMON_ENOMEM;
	e->cfg = cfg;
	/* ~40 bytes a pair: bounded at a few MB; beyond it, touch again. */
	ctm_nameset_init(&e->touched, 131072);
	if (o)
		e->opts = *o;
	ctm_plugin_path_default(&e->path, cfg->plugin_dir);
	if (!e->opts.check_only) {
		rc = ctm_store_open(cfg->database, &e->store, err);
		if (rc != CTMON_OK)
			goto fail;
	}
	rc = create_kind(e, cfg->sources, cfg->n_sources, &e->sources,
			 &e->n_sources, err);
	if (rc == CTMON_OK)
		rc = create_kind(e, cfg->checks, cfg->n_checks, &e->checks,
				 &e->n_checks, err);
	if (rc == CTMON_OK)
		rc = create_kind(e, cfg->notifiers, cfg->n_notifiers,
				 &e->notifiers, &e->n_notifiers, err);
	if (rc != CTMON_OK)
		goto fail;
	*out = e;
	return CTMON_OK;
fail:
	ctm_engine_free(e);
	return rc;
}

static void free_rts(struct ctm_rt *rts, size_t n)
{
	for (size_t i = 0; rts && i < n; i++)
		destroy_instance(&rts[i]);
	free(rts);
}

void ctm_engine_free(struct ctm_engine *e)
{
	if (!e)
		return;
	free_rts(e->sources, e->n_sources);
	free_rts(e->checks, e->n_checks);
	free_rts(e->notifiers, e->n_notifiers);
	for (size_t i = 0; i < e->n_plugins; i++)
		ctm_plugin_unload(e->plugins[i]);
	free(e->plugins);
	ctm_nameset_clear(&e->touched);
	if (e->store)
		ctm_store_close(e->store);
	free(e);
}

/* ---- the cycle: ingest ------------------------------------------------- */

int ctm_engine_in_baseline(const struct ctm_engine *e, const char *domain)
{
	for (size_t i = 0; e->baseline_domains && e->baseline_domains[i]; i++)
		if (strcmp(e->baseline_domains[i], domain) == 0)
			return 1;
	return 0;
}

void ctm_engine_drop_pending(struct ctm_engine *e, size_t mark)
{
	if (e->n_pending > mark)
		e->n_pending = mark;
	/* A rollback also undid touches the set remembers. */
	ctm_nameset_clear(&e->touched);
}

void ctm_engine_undo_counts(struct ctm_engine *e,
			    const struct ctm_cycle_stats *mark)
{
	struct ctm_cycle_stats *st = e->st;

	if (!st)
		return;
	st->records_rolled_back += st->records - mark->records;
	st->records = mark->records;
	st->new_certs = mark->new_certs;
	st->new_issuances = mark->new_issuances;
	st->new_subdomains = mark->new_subdomains;
	st->alerts = mark->alerts;
	st->alerts_queued = mark->alerts_queued;
}

static void free_pending(struct ctm_engine *e)
{
	ctm_nameset_clear(&e->touched);
	free(e->pending);
	e->pending = NULL;
	e->n_pending = e->cap_pending = 0;
}

/* Queues (issuance, domain) for the checks unless it already is.  Entries
 * of one ingest sit at the tail; an older issuance gaining names (rare)
 * may be anywhere, so only then is everything scanned. */
static int queue_pending(struct ctm_engine *e, int64_t id,
			 const char *domain, int fresh)
{
	struct ctm_pending *p;

	for (size_t i = e->n_pending; i-- > 0;) {
		if (e->pending[i].issuance_id == id &&
		    e->pending[i].domain == domain)
			return CTMON_OK;
		if (fresh && e->pending[i].issuance_id != id)
			break;
	}
	if (e->n_pending == e->cap_pending) {
		size_t cap = e->cap_pending ? e->cap_pending * 2 : 256;
		p = realloc(e->pending, cap * sizeof *p);
		if (!p)
			return CTMON_ENOMEM;
		e->pending = p;
		e->cap_pending = cap;
	}
	e->pending[e->n_pending].issuance_id = id;
	e->pending[e->n_pending].domain = domain;
	e->n_pending++;
	return CTMON_OK;
}

/* Normalised, unique host names of a record: SAN names plus the CN.
 * Name-like strings that fail validation go to *bad. */
static int normalise_names(const struct ctmon_cert *c, char ***out,
			   struct ctm_malformed *bad)
{
	char norm[256];
	char **v = calloc(1, sizeof *v);
	size_t total = c->n_names + (c->subject_cn ? 1 : 0);

	if (!v)
		return CTMON_ENOMEM;
	for (size_t i = 0; i < total; i++) {
		const char *raw = i < c->n_names ? c->names[i] : c->subject_cn;
		int dup = 0;
		if (!raw)
			continue;
		if (ctm_name_normalize(raw, norm, sizeof norm) != 0) {
			if (ctm_malformed_add(bad, raw) != CTMON_OK) {
				ctm_strv_free(v);
				return CTMON_ENOMEM;
			}
			continue;
		}
		for (size_t j = 0; v[j] && !dup; j++)
			dup = strcmp(v[j], norm) == 0;
		if (!dup && ctm_strv_push(&v, norm) != 0) {
			ctm_strv_free(v);
			return CTMON_ENOMEM;
		}
	}
	*out = v;
	return CTMON_OK;
}

static void run_on_any(struct ctm_engine *e, const struct ctmon_cert *c)
{
	for (size_t i = 0; i < e->n_checks; i++) {
		struct ctm_rt *rt = &e->checks[i];
		struct ctmon_alert_sink sink = {e, rt, NULL};
		if (!rt->created || !rt->host.plugin->check.on_any)
			continue;
		if (rt->host.plugin->check.on_any(rt->state, c, &sink) !=
		    CTMON_OK)
			ctm_log(CTMON_LOG_WARN, rt->host.prefix, "on_any: %s",
				rt->host.error);
	}
}

/* Records the names of an issuance under one monitored domain as
 * subdomains; queues the issuance for the checks when it is new or
 * brought names never seen before. */
static int track_domain(struct ctm_engine *e, const char *domain,
			char **names, const struct ctm_ingest_result *res)
{
	int queued = 0, under = 0, rc;

	for (size_t i = 0; names[i]; i++) {
		const char *base = ctm_name_base(names[i]);
		int is_new = 0;
		if (!ctm_name_matches(names[i], domain))
			continue;
		under = 1;
		/* A wildcard covering the watched name is not a subdomain
		 * of it: "*.example.com" for a watched "api.example.com". */
		if (strcmp(base, domain) == 0 || !ctm_name_under(base, domain))
			continue;
		if (ctm_nameset_add(&e->touched, domain, base) == 0)
			continue; /* touched earlier this cycle: not new */
		rc = ctm_store_subdomain_touch(e->store, domain, base,
					       res->issuance_id, e->now,
					       &is_new);
		if (rc != CTMON_OK)
			return rc;
		if (!is_new)
			continue;
		if (e->st)
			e->st->new_subdomains++;
		if (!queued) {
			rc = queue_pending(e, res->issuance_id, domain,
					   res->issuance_is_new);
			if (rc != CTMON_OK)
				return rc;
			queued = 1;
		}
	}
	if (res->issuance_is_new && under && !queued)
		return queue_pending(e, res->issuance_id, domain, 1);
	return CTMON_OK;
}

int ctm_engine_ingest(struct ctmon_emitter *em, const struct ctmon_cert *c)
{
	struct ctm_engine *e = em->eng;
	struct ctm_cert_in in;
	struct ctm_ingest_result res;
	struct ctm_malformed bad = {NULL, NULL, 0};
	char **names = NULL;
	int matched = 0, rc;

	if (e->st)
		e->st->records++;
	run_on_any(e, c);
	rc = normalise_names(c, &names, &bad);
	if (rc != CTMON_OK)
		goto out;
	for (size_t d = 0; d < e->cfg->n_domains && !matched; d++) {
		for (size_t i = 0; names[i] && !matched; i++)
			matched = ctm_name_matches(names[i], e->cfg->domains[d]);
		matched = matched ||
			  ctm_malformed_matches(&bad, e->cfg->domains[d]);
	}
	if (!matched)
		goto out; /* not ours: only firehose checks care */
	if (!em->explicit_open && !em->implicit_open) {
		rc = ctm_store_savepoint(e->store, "implicit");
		if (rc != CTMON_OK)
			goto out;
		em->implicit_open = 1;
		em->implicit_mark = e->n_pending;
		if (e->st) {
			em->implicit_st = *e->st;
			em->implicit_st.records--; /* this one is in it */
		}
	}
	memset(&in, 0, sizeof in);
	in.src = c;
	in.source_id = em->src->host.inst->id;
	in.names = names;
	in.n_names = ctm_strv_len(names);
	rc = ctm_store_ingest(e->store, &in, e->now, &res);
	if (rc != CTMON_OK)
		goto out;
	if (e->st) {
		e->st->new_certs += res.cert_is_new;
		e->st->new_issuances += res.issuance_is_new;
	}
	/* A record that adds no name to a known issuance (the final
	 * certificate of a precertificate, a record seen before) teaches
	 * nothing new. */
	for (size_t d = 0; d < e->cfg->n_domains && rc == CTMON_OK &&
			   (res.issuance_is_new || res.names_added > 0);
	     d++)
		rc = track_domain(e, e->cfg->domains[d], names, &res);
	for (size_t d = 0; d < e->cfg->n_domains && rc == CTMON_OK && bad.n;
	     d++)
		if (ctm_malformed_matches(&bad, e->cfg->domains[d]))
			rc = ctm_malformed_alert(e, em->src, &bad, c,
						 res.issuance_id,
						 e->cfg->domains[d]);
out:
	if (rc != CTMON_OK) {
		em->error = 1;
		ctm_log(CTMON_LOG_ERROR, em->src->host.prefix,
			"could not store record (crt.sh id %lld): %s",
			(long long)c->crtsh_id, ctm_store_errmsg(e->store));
	}
	ctm_strv_free(names);
	ctm_malformed_free(&bad);
	return rc;
}

/* ---- the cycle: alerts ------------------------------------------------- */

static int severity_allowed(const struct ctm_instance *n,
			    enum ctmon_severity sev, const char *type,
			    const char *domain)
{
	int ok;

	if (sev < n->min_severity)
		return 0;
	if (n->types) {
		ok = 0;
		for (size_t i = 0; n->types[i] && !ok; i++)
			ok = strcmp(n->types[i], type) == 0;
		if (!ok)
			return 0;
	}
	if (n->filter_domains) {
		ok = 0;
		for (size_t i = 0; n->filter_domains[i] && !ok; i++)
			ok = ctm_name_under(domain, n->filter_domains[i]);
		if (!ok)
			return 0;
	}
	return 1;
}

int ctm_engine_queue_alert(struct ctm_engine *e, int64_t alert_id,
			   const char *type, enum ctmon_severity sev,
			   const char *domain)
{
	for (size_t i = 0; i < e->n_notifiers; i++) {
		struct ctm_rt *rt = &e->notifiers[i];
		int rc;
		if (!rt->created ||
		    !severity_allowed(rt->host.inst, sev, type, domain))
			continue;
		rc = ctm_store_outbox_enqueue(e->store, alert_id,
					      rt->host.inst->id, e->now);
		if (rc != CTMON_OK)
			return rc;
		if (e->st)
			e->st->alerts_queued++;
	}
	return CTMON_OK;
}

/* Appends the issuance's identifying facts to the details object so every
 * alert names the certificate it is about. */
static void append_issuance_json(struct ctm_buf *b,
				 const struct ctmon_issuance *is)
{
	const struct ctmon_cert *c = is->cert;
	char t[32];

	ctm_buf_printf(b, "{\"id\":%lld,\"crtsh_ids\":[", (long long)is->id);
	for (size_t i = 0; i < is->n_crtsh_ids; i++)
		ctm_buf_printf(b, "%s%lld", i ? "," : "",
			       (long long)is->crtsh_ids[i]);
	ctm_buf_puts(b, "],\"fingerprint\":");
	if (c && c->fingerprint)
		ctm_buf_json_string(b, c->fingerprint);
	else
		ctm_buf_puts(b, "null");
	ctm_buf_puts(b, ",\"issuer\":");
	ctm_buf_json_string(b, c && c->issuer_dn ? c->issuer_dn : "");
	ctm_buf_printf(b, ",\"issuer_ca_id\":%lld,\"serial\":",
		       (long long)(c ? c->issuer_ca_id : 0));
	ctm_buf_json_string(b, c && c->serial ? c->serial : "");
	ctm_buf_puts(b, ",\"names\":[");
	for (size_t i = 0; i < is->n_names; i++) {
		if (i)
			ctm_buf_puts(b, ",");
		ctm_buf_json_string(b, is->names[i]);
	}
	ctm_format_time(c ? c->not_before : 0, t, sizeof t);
	ctm_buf_printf(b, "],\"not_before\":\"%s\"", t);
	ctm_format_time(c ? c->not_after : 0, t, sizeof t);
	ctm_buf_printf(b, ",\"not_after\":\"%s\"}", t);
}

/* details = the plugin's object with "issuance" added. */
static char *merge_details(const char *plugin_json,
			   const struct ctmon_issuance *is)
{
	struct ctm_buf b;
	size_t len;
	const char *p = plugin_json ? plugin_json : "{}";

	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	len = strlen(p);
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\n' ||
		       p[len - 1] == '\t' || p[len - 1] == '\r'))
		len--;
	if (len < 2 || p[0] != '{' || p[len - 1] != '}')
		return NULL;
	ctm_buf_init(&b);
	ctm_buf_append(&b, p, len - 1);
	if (is) {
		/* "{}" has no members: no comma before ours. */
		int empty = 1;
		for (size_t i = 1; i + 1 < len && empty; i++)
			empty = p[i] == ' ' || p[i] == '\n' || p[i] == '\t' ||
				p[i] == '\r';
		ctm_buf_puts(&b, empty ? "\"issuance\":" : ",\"issuance\":");
		append_issuance_json(&b, is);
	}
	ctm_buf_puts(&b, "}");
	return ctm_buf_take(&b);
}

int ctm_engine_store_alert(struct ctmon_alert_sink *s,
			   const struct ctmon_alert *a)
{
	struct ctm_engine *e = s->eng;
	struct ctmon_issuance *loaded = NULL;
	const struct ctmon_issuance *is = NULL;
	struct ctm_alert_in in;
	char *details = NULL;
	int64_t id = 0;
	int inserted = 0, rc;

	if (a->issuance_id > 0) {
		if (s->is && s->is->id == a->issuance_id) {
			is = s->is;
		} else {
			rc = ctm_store_issuance_load(e->store, a->issuance_id,
						     a->domain, &loaded);
			if (rc != CTMON_OK)
				goto out;
			is = loaded;
		}
	}
	details = merge_details(a->details_json, is);
	if (!details) {
		rc = CTMON_EINVAL;
		ctm_log(CTMON_LOG_ERROR, s->check->host.prefix,
			"alert %s: details are not a JSON object", a->type);
		goto out;
	}
	memset(&in, 0, sizeof in);
	in.type = a->type;
	in.severity = a->severity;
	in.domain = a->domain;
	in.key = a->key;
	in.details_json = details;
	in.issuance_id = a->issuance_id;
	in.baseline = ctm_engine_in_baseline(e, a->domain);
	in.check_id = s->check->host.inst->id;
	rc = ctm_store_alert_insert(e->store, &in, e->now, &id, &inserted);
	if (rc != CTMON_OK || !inserted)
		goto out;
	if (e->st)
		e->st->alerts++;
	if (!in.baseline || e->cfg->notify_baseline)
		rc = ctm_engine_queue_alert(e, id, a->type, a->severity,
					    a->domain);
out:
	ctm_store_issuance_free(loaded);
	free(details);
	return rc;
}

/* ---- the cycle --------------------------------------------------------- */

static void watch_free(struct ctmon_watch *w)
{
	free(w->entries);
	ctm_strv_free(w->strings);
	memset(w, 0, sizeof *w);
}

static int build_watch(struct ctm_engine *e, struct ctmon_watch *w)
{
	struct ctmon_watch_builder b = {w, NULL};
	int rc;

	for (size_t i = 0; i < e->cfg->n_domains; i++) {
		struct ctmon_watch_entry en = {sizeof en, e->cfg->domains[i],
					       e->cfg->domains[i], "domain"};
		rc = ctm_host_api.watch_add(&b, &en);
		if (rc != CTMON_OK)
			return rc;
	}
	for (size_t i = 0; i < e->n_checks; i++) {
		struct ctm_rt *rt = &e->checks[i];
		if (!rt->created || !rt->host.plugin->check.watch)
			continue;
		b.check = rt;
		if (rt->host.plugin->check.watch(rt->state, &b) != CTMON_OK) {
			ctm_log(CTMON_LOG_ERROR, rt->host.prefix, "watch: %s",
				rt->host.error);
			e->st->check_failures++;
		}
	}
	return CTMON_OK;
}

int ctm_engine_print_watch(struct ctm_engine *e, FILE *fp, size_t *n)
{
	struct ctm_cycle_stats st;
	struct ctmon_watch w;
	int rc;

	memset(&st, 0, sizeof st);
	memset(&w, 0, sizeof w);
	*n = 0;
	e->st = &st;
	rc = build_watch(e, &w);
	for (size_t i = 0; rc == CTMON_OK && i < w.n; i++) {
		if (strcmp(w.entries[i].tag, "domain") == 0)
			continue;
		fprintf(fp, "%s\t%s\n", w.entries[i].pattern,
			w.entries[i].tag);
		(*n)++;
	}
	if (rc == CTMON_OK && st.check_failures)
		rc = CTMON_EIO;
	e->st = NULL;
	watch_free(&w);
	return rc;
}

/* Runs one source; its implicit batch commits only if collect succeeds. */
static void run_source(struct ctm_engine *e, struct ctm_rt *rt,
		       const struct ctmon_watch *w)
{
	struct ctmon_emitter em;
	int rc;

	memset(&em, 0, sizeof em);
	em.eng = e;
	em.src = rt;
	em.watch = w;
	rt->host.error[0] = '\0';
	rc = rt->host.plugin->source.collect(rt->state, w, &em);
	if (em.explicit_open) {
		/* The plugin left a batch open: it did not finish it. */
		ctm_host_api.batch_abort(&em);
		if (rc == CTMON_OK)
			rc = CTMON_EINTERNAL;
	}
	if (em.implicit_open) {
		if (rc == CTMON_OK && !em.error) {
			rc = ctm_store_release(e->store, "implicit");
		} else {
			ctm_store_rollback_to(e->store, "implicit");
			ctm_store_release(e->store, "implicit");
			ctm_engine_drop_pending(e, em.implicit_mark);
			ctm_engine_undo_counts(e, &em.implicit_st);
			if (rc == CTMON_OK)
				rc = CTMON_EIO;
		}
	}
	if (rc != CTMON_OK && ctm_engine_stopping()) {
		/* Batches committed before the stop are kept and checked;
		 * the unfinished one is fetched again next time. */
		e->st->sources_stopped++;
		ctm_log(CTMON_LOG_INFO, rt->host.prefix,
			"stopped; the unfinished batch is collected again "
			"next cycle");
	} else if (rc != CTMON_OK) {
		e->st->source_failures++;
		ctm_log(CTMON_LOG_ERROR, rt->host.prefix,
			"collect failed (rc %d): %s; nothing of the failed "
			"part was stored", rc,
			rt->host.error[0] ? rt->host.error : "no detail");
	}
}

/* Every queued issuance goes through the checks, even after a stop was
 * requested: what the cycle stored is committed, and an issuance stored
 * without being checked would never be checked (it is not new again). */
static void run_checks(struct ctm_engine *e)
{
	for (size_t p = 0; p < e->n_pending; p++) {
		struct ctm_pending *pd = &e->pending[p];
		struct ctmon_issuance *is = NULL;
		char **new_names = NULL;
		if (ctm_store_issuance_load(e->store, pd->issuance_id,
					    pd->domain, &is) != CTMON_OK ||
		    ctm_store_subdomains_first_in(e->store, pd->domain,
						  pd->issuance_id, e->now,
						  &new_names) != CTMON_OK) {
			ctm_err("cannot load issuance %lld: %s",
				(long long)pd->issuance_id,
				ctm_store_errmsg(e->store));
			ctm_store_issuance_free(is);
			e->st->check_failures++;
			continue;
		}
		is->new_names = (const char *const *)new_names;
		is->n_new_names = ctm_strv_len(new_names);
		is->baseline = ctm_engine_in_baseline(e, pd->domain);
		for (size_t i = 0; i < e->n_checks; i++) {
			struct ctm_rt *rt = &e->checks[i];
			struct ctmon_alert_sink sink = {e, rt, is};
			if (!rt->created)
				continue;
			rt->host.error[0] = '\0';
			if (rt->host.plugin->check.on_issuance(rt->state, is,
							       &sink) ==
			    CTMON_OK)
				continue;
			e->st->check_failures++;
			ctm_log(CTMON_LOG_ERROR, rt->host.prefix,
				"issuance %lld: %s", (long long)is->id,
				rt->host.error);
		}
		is->new_names = NULL;
		is->n_new_names = 0;
		ctm_store_issuance_free(is);
		ctm_strv_free(new_names);
	}
}

/* Whole-store checks (expiry) judge what the store holds, so they wait
 * for a cycle that collected everything: on partial data a certificate's
 * renewal may not be stored yet, and its expiry would be a false alarm. */
static void run_cycle_checks(struct ctm_engine *e)
{
	if (ctm_engine_stopping() || e->st->sources_stopped ||
	    e->st->source_failures) {
		ctm_info("expiry checks wait for a cycle in which every source "
			 "completes");
		return;
	}
	for (size_t i = 0; i < e->n_checks; i++) {
		struct ctm_rt *rt = &e->checks[i];
		struct ctmon_alert_sink sink = {e, rt, NULL};
		if (!rt->created || !rt->host.plugin->check.on_cycle)
			continue;
		rt->host.error[0] = '\0';
		if (rt->host.plugin->check.on_cycle(rt->state, &sink) !=
		    CTMON_OK) {
			e->st->check_failures++;
			ctm_log(CTMON_LOG_ERROR, rt->host.prefix,
				"on_cycle: %s", rt->host.error);
		}
	}
}

static int prepare_domains(struct ctm_engine *e)
{
	for (size_t i = 0; i < e->cfg->n_domains; i++) {
		int baselined = 0;
		int rc = ctm_store_domain_ensure(e->store, e->cfg->domains[i],
						 e->now, &baselined);
		if (rc != CTMON_OK)
			return rc;
		if (!baselined &&
		    ctm_strv_push(&e->baseline_domains, e->cfg->domains[i]))
			return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

static int finish_domains(struct ctm_engine *e)
{
	int added;

	for (size_t i = 0; i < e->cfg->n_domains; i++) {
		const char *d = e->cfg->domains[i];
		int rc;
		if (e->opts.auto_baseline) {
			rc = ctm_store_ca_auto_baseline(e->store, d, e->now,
							&added);
			if (rc != CTMON_OK)
				return rc;
			if (added)
				ctm_info("auto-baseline: %d CA(s) of %s "
					 "recorded as authorised", added, d);
		}
	}
	return CTMON_OK;
}

int ctm_engine_cycle(struct ctm_engine *e, struct ctm_cycle_stats *st)
{
	struct ctmon_watch w;
	int rc;

	memset(st, 0, sizeof *st);
	memset(&w, 0, sizeof w);
	e->st = st;
	e->now = ctm_engine_now();
	rc = ctm_store_begin(e->store);
	if (rc != CTMON_OK) {
		ctm_err("cycle not started: %s", ctm_store_errmsg(e->store));
		goto out;
	}
	rc = prepare_domains(e);
	if (rc == CTMON_OK)
		rc = build_watch(e, &w);
	if (rc != CTMON_OK)
		goto rollback;
	for (size_t i = 0; i < e->n_sources && !ctm_engine_stopping(); i++)
		if (e->sources[i].created)
			run_source(e, &e->sources[i], &w);
	rc = finish_domains(e);
	/* New subdomains get their DNS results before the checks see
	 * them (new_subdomain puts them in its alert). */
	if (rc == CTMON_OK && !ctm_engine_stopping())
		rc = ctm_engine_resolve_dns(e);
	if (rc != CTMON_OK)
		goto rollback;
	run_checks(e);
	run_cycle_checks(e);
	/* A domain's first cycle is its baseline only once everything was
	 * collected; after a failure or a stop the next cycle is baseline
	 * again. */
	if (st->source_failures == 0 && st->sources_stopped == 0 &&
	    !ctm_engine_stopping())
		for (size_t i = 0; e->baseline_domains &&
				   e->baseline_domains[i] && rc == CTMON_OK;
		     i++)
			rc = ctm_store_domain_set_baselined(
				e->store, e->baseline_domains[i], e->now);
	if (rc != CTMON_OK)
		goto rollback;
	rc = ctm_store_commit(e->store);
	if (rc != CTMON_OK)
		goto rollback;
	ctm_info("cycle: %lld records, %lld new certificates, %lld new "
		 "issuances, %lld new subdomains, %lld alerts (%lld queued)"
		 "%s%s",
		 (long long)st->records, (long long)st->new_certs,
		 (long long)st->new_issuances, (long long)st->new_subdomains,
		 (long long)st->alerts, (long long)st->alerts_queued,
		 st->source_failures ? "; some sources failed" : "",
		 st->records_rolled_back ? "; records of failed batches were "
					   "rolled back and are fetched again"
					 : "");
	/* Deliver after the commit: what is sent is already durable. */
	rc = ctm_engine_deliver(e, st);
	goto out;
rollback:
	ctm_err("cycle aborted, store unchanged: %s",
		ctm_store_errmsg(e->store));
	ctm_store_rollback(e->store);
out:
	watch_free(&w);
	free_pending(e);
	ctm_strv_free(e->baseline_domains);
	e->baseline_domains = NULL;
	e->st = NULL;
	return rc;
}
