/* dns_cycle.c - the DNS step of a cycle and the dns_result host API
 * (docs/dns.md).  After the sources ran and before the checks, the
 * cycle's new subdomains, plus a bounded batch of older ones that are
 * due, are resolved at once and their results stored, so checks (and
 * new_subdomain's alert details) see them. */
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "engine_internal.h"
#include "log.h"
#include "names.h"
#include "store_dns.h"
#include "util.h"

/* Older names re-resolved per cycle, per name the resolver can have in
 * flight: enough to keep up, bounded so one cycle stays short. */
#define DUE_PER_SLOT 16

struct pair {
	char *domain;
	char *name;
};

struct dns_run {
	struct ctm_engine *e;
	struct pair *pairs;   /* sorted by name */
	size_t n, cap;
	size_t n_new;
	int oom;
	const char **names;   /* unique names */
	size_t *first;        /* names[i] is pairs[first[i] .. first[i+1]) */
	size_t n_names;
	int rc;               /* first store error */
};

static int add_pair(void *ctx, const char *domain, const char *name)
{
	struct dns_run *run = ctx;
	struct pair *p;

	if (!domain || !name)
		return 0;
	if (run->n == run->cap) {
		size_t cap = run->cap ? run->cap * 2 : 256;
		p = realloc(run->pairs, cap * sizeof *p);
		if (!p) {
			run->oom = 1;
			return 1;
		}
		run->pairs = p;
		run->cap = cap;
	}
	p = &run->pairs[run->n];
	p->domain = strdup(domain);
	p->name = strdup(name);
	if (!p->domain || !p->name) {
		free(p->domain);
		free(p->name);
		run->oom = 1;
		return 1;
	}
	run->n++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->domain, y->domain);
}

/* One name under two monitored domains is two rows, asked once.  The
 * same row twice (cannot happen today: new and due names are disjoint)
 * is kept once. */
static int unique_names(struct dns_run *run)
{
	size_t w = 0;

	if (run->n == 0)
		return CTMON_OK;
	qsort(run->pairs, run->n, sizeof *run->pairs, by_name);
	for (size_t i = 0; i < run->n; i++) {
		if (w > 0 && by_name(&run->pairs[i], &run->pairs[w - 1]) == 0) {
			free(run->pairs[i].domain);
			free(run->pairs[i].name);
			continue;
		}
		run->pairs[w++] = run->pairs[i];
	}
	run->n = w;
	run->names = calloc(run->n + 1, sizeof *run->names);
	run->first = calloc(run->n + 1, sizeof *run->first);
	if (!run->names || !run->first)
		return CTMON_ENOMEM;
	for (size_t i = 0; i < run->n; i++) {
		if (i > 0 &&
		    strcmp(run->pairs[i].name, run->pairs[i - 1].name) == 0)
			continue;
		run->first[run->n_names] = i;
		run->names[run->n_names++] = run->pairs[i].name;
	}
	run->first[run->n_names] = run->n;
	return CTMON_OK;
}

static void store_result(void *ctx, size_t i, const struct ctm_dns_result *r)
{
	struct dns_run *run = ctx;
	char *addrs, *cname;
	int oom = 0;

	if (r->status == CTM_DNS_SKIPPED || run->rc != CTMON_OK)
		return; /* left for the next cycle */
	addrs = ctm_dns_join(r->addresses, &oom);
	cname = ctm_dns_join(r->cname, &oom);
	/* The takeover signal, also when an old name turns dangling on
	 * re-resolution (no alert type covers that yet).  Hops are escaped
	 * by dns_parse.c, so the line is safe for a terminal. */
	if (r->status == CTM_DNS_DANGLING && cname)
		ctm_warn("dns: %s is a dangling CNAME (%s): its target does "
			 "not resolve", r->name, cname);
	if (oom) {
		run->rc = CTMON_ENOMEM;
	} else {
		for (size_t k = run->first[i];
		     k < run->first[i + 1] && run->rc == CTMON_OK; k++)
			run->rc = ctm_store_subdomain_set_dns(
				run->e->store, run->pairs[k].domain,
				run->pairs[k].name,
				ctm_dns_status_name(r->status), addrs, cname,
				run->e->now);
	}
	free(addrs);
	free(cname);
}

static void run_free(struct dns_run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		free(run->pairs[i].domain);
		free(run->pairs[i].name);
	}
	free(run->pairs);
	free(run->names);
	free(run->first);
}

static void log_summary(const struct dns_run *run,
			const struct ctm_dns_stats *st)
{
	const size_t *b = st->by_status;

	ctm_info("dns: %zu names (%zu new): %zu resolved, %zu nxdomain, "
		 "%zu nodata, %zu dangling_cname, %zu servfail, %zu timeout, "
		 "%zu error; %zu queries",
		 run->n_names, run->n_new, b[CTM_DNS_RESOLVED],
		 b[CTM_DNS_NXDOMAIN], b[CTM_DNS_NODATA], b[CTM_DNS_DANGLING],
		 b[CTM_DNS_SERVFAIL], b[CTM_DNS_TIMEOUT], b[CTM_DNS_ERROR],
		 st->queries);
	if (b[CTM_DNS_SKIPPED])
		ctm_warn("dns: %zu names left unresolved for the next cycle "
			 "(%s)", b[CTM_DNS_SKIPPED],
			 st->gave_up ? "the DNS servers answered nothing"
				     : "stopping");
}

int ctm_engine_resolve_dns(struct ctm_engine *e)
{
	const struct ctm_config *cfg = e->cfg;
	struct ctm_dns_opts o;
	struct ctm_dns_stats st;
	struct ctm_dns *d = NULL;
	struct dns_run run;
	char err[512];
	int64_t stale_before;
	int rc;

	if (!cfg->resolve_dns)
		return CTMON_OK;
	memset(&run, 0, sizeof run);
	run.e = e;
	memset(&o, 0, sizeof o);
	o.servers = cfg->dns_servers;
	o.concurrency = (int)cfg->dns_concurrency;
	o.timeout_ms = cfg->dns_timeout_ms > 0 ? cfg->dns_timeout_ms
			: cfg->timeout * 1000 < 5000 ? cfg->timeout * 1000
						     : 5000;
	o.retries = (int)cfg->dns_retries;
	o.fail_fast = 1;
	o.should_stop = ctm_engine_stopping;
	rc = ctm_store_subdomain_dns_new(e->store, e->now, add_pair, &run);
	run.n_new = run.n;
	stale_before = cfg->dns_max_age > 0 ? e->now - cfg->dns_max_age
					    : INT64_MIN;
	if (rc == CTMON_OK && !run.oom)
		rc = ctm_store_subdomain_dns_due(
			e->store, e->now, stale_before,
			(size_t)cfg->dns_concurrency * DUE_PER_SLOT, add_pair,
			&run);
	if (rc == CTMON_OK && run.oom)
		rc = CTMON_ENOMEM;
	if (rc == CTMON_OK)
		rc = unique_names(&run);
	if (rc != CTMON_OK || run.n_names == 0)
		goto out;
	/* A resolver that cannot start costs the DNS step, not the cycle:
	 * the names stay unresolved and are asked next time. */
	if (ctm_dns_new(&o, &d, err, sizeof err) != CTMON_OK) {
		ctm_warn("dns: cannot resolve this cycle: %s", err);
		goto out;
	}
	rc = ctm_dns_resolve(d, run.names, run.n_names, store_result, &run,
			     &st);
	if (rc == CTMON_OK)
		rc = run.rc;
	if (rc == CTMON_OK)
		log_summary(&run, &st);
out:
	ctm_dns_free(d);
	run_free(&run);
	return rc;
}

/* ---- dns_result (host API) ---------------------------------------------- */

struct ctm_dns_view {
	struct ctm_dns_row row;
	char **addrs;
	char **chain;
};

void ctm_host_dns_release(struct ctmon_host *h)
{
	if (!h->dns)
		return;
	ctm_dns_row_free(&h->dns->row);
	ctm_strv_free(h->dns->addrs);
	ctm_strv_free(h->dns->chain);
	free(h->dns);
	h->dns = NULL;
}

/* The store's space-separated text as a list (never NULL). */
static char **split(const char *t)
{
	char **v = calloc(1, sizeof *v);

	while (v && t && *t) {
		size_t n;
		t += strspn(t, " ");
		n = strcspn(t, " ");
		if (n == 0)
			break;
		char *w = ctm_strndup(t, n);
		if (!w || ctm_strv_push(&v, w) != 0) {
			free(w);
			ctm_strv_free(v);
			return NULL;
		}
		free(w);
		t += n;
	}
	return v;
}

#define FITS(out, member)                                                    \
	((out)->size >= offsetof(struct ctmon_dns_result, member) +          \
				sizeof((out)->member))

int ctm_host_dns_result(struct ctmon_host *h, const char *name,
			struct ctmon_dns_result *out)
{
	struct ctm_engine *e = h->eng;
	char norm[256];
	int rc = CTMON_ENOTFOUND;

	if (!name || !out || !FITS(out, status))
		return CTMON_EINVAL;
	if (!e->store || ctm_name_normalize(name, norm, sizeof norm) != 0 ||
	    ctm_name_is_wildcard(norm))
		return CTMON_ENOTFOUND;
	/* The previous answer's strings end here, as documented. */
	ctm_host_dns_release(h);
	h->dns = calloc(1, sizeof *h->dns);
	if (!h->dns)
		return CTMON_ENOMEM;
	for (size_t i = 0; i < e->cfg->n_domains && rc == CTMON_ENOTFOUND;
	     i++) {
		const char *d = e->cfg->domains[i];
		if (!ctm_name_under(norm, d) || strcmp(norm, d) == 0)
			continue;
		rc = ctm_store_subdomain_get_dns(e->store, d, norm,
						 &h->dns->row);
	}
	if (rc == CTMON_OK) {
		h->dns->addrs = split(h->dns->row.addresses);
		h->dns->chain = split(h->dns->row.cname);
		if (!h->dns->addrs || !h->dns->chain)
			rc = CTMON_ENOMEM;
	}
	if (rc != CTMON_OK) {
		ctm_host_dns_release(h);
		return rc;
	}
	out->status = h->dns->row.status;
	if (FITS(out, addresses))
		out->addresses = (const char *const *)h->dns->addrs;
	if (FITS(out, n_addresses))
		out->n_addresses = ctm_strv_len(h->dns->addrs);
	if (FITS(out, cname))
		out->cname = (const char *const *)h->dns->chain;
	if (FITS(out, n_cname))
		out->n_cname = ctm_strv_len(h->dns->chain);
	if (FITS(out, resolved_at))
		out->resolved_at = h->dns->row.resolved_at;
	return CTMON_OK;
}
