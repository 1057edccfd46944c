/*
 * typosquat.c - the typosquat check: lookalike domains of the protected
 * domains (the monitored ones, through the host's domain_get, plus the
 * `domains` option) getting certificates.
 *
 * Active mode: watch() adds every candidate's registrable part to the
 * watch set, tagged "typosquat:<fuzzer>", and a query source (crt.sh)
 * searches them a window per cycle.  Passive mode: with a stream source
 * every certificate reaches on_any anyway.  Either way on_any matches each
 * name (exact candidate set, then fuzzy rules: typo_match.h), findings
 * are gathered per candidate, and on_cycle raises one typosquat_detected
 * alert (high) per candidate with the certificates' count, issuers and
 * earliest date.  Written only against ctmon/plugin.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "typo_domain.h"
#include "typosquat_internal.h"

static const struct ctmon_option typosquat_options[] = {
	{"domains", CTMON_OPT_STRING_LIST, "[]", 0,
	 "domains to protect besides the monitored ones (brands)"},
	{"allowlist", CTMON_OPT_STRING_LIST, "[]", 0,
	 "the owner's own lookalike domains: they and names under them "
	 "never alert"},
	{"fuzzers", CTMON_OPT_STRING_LIST, "[]", 0,
	 "candidate generators to run; empty: all of addition, "
	 "bitsquatting, cyrillic, homoglyph, hyphenation, insertion, "
	 "omission, repetition, replacement, subdomain, transposition, "
	 "vowel-swap, plural, dictionary, tld-swap, various"},
	{"words", CTMON_OPT_STRING_LIST, NULL, 0,
	 "dictionary words for brand-word candidates (default: login, "
	 "secure, account, support, ... 18 words)"},
	{"words_file", CTMON_OPT_STRING, "", 0,
	 "more dictionary words, one per line (dnstwist -d format)"},
	{"tlds", CTMON_OPT_STRING_LIST, NULL, 0,
	 "suffixes for tld-swap (default: com net org info biz co io app "
	 "online site xyz top shop us de eu)"},
	{"tlds_file", CTMON_OPT_STRING, "", 0,
	 "more suffixes, one per line (dnstwist --tld format)"},
	{"idn", CTMON_OPT_BOOL, "true", 0,
	 "IDN candidates (homoglyph, Cyrillic), only with characters the "
	 "suffix's registry accepts"},
	{"psl_file", CTMON_OPT_STRING, "", 0,
	 "public suffix list file (default: libpsl's newest copy)"},
	{"fuzzy", CTMON_OPT_BOOL, "true", 0,
	 "match names by skeleton, edit distance, split, embedding and "
	 "combination too, not only against the candidates"},
	{"min_edit_length", CTMON_OPT_INT, "5", 0,
	 "shortest label matched by edit distance (shorter ones: too many "
	 "false positives)"},
	{"min_combo_length", CTMON_OPT_INT, "5", 0,
	 "shortest label matched inside longer labels (paypal-login)"},
	{"watch_candidates", CTMON_OPT_BOOL, "true", 0,
	 "add the candidates to the watch set so query sources (crt.sh) "
	 "search them; off when only stream sources run"},
	{"keep_subdomain", CTMON_OPT_BOOL, "false", 0,
	 "watch login.micr0softonline.com rather than micr0softonline.com "
	 "(dnstwist's form)"},
	{"max_findings", CTMON_OPT_INT, "10000", 0,
	 "lookalikes remembered per cycle"},
	{"skip_owner_certs", CTMON_OPT_BOOL, "true", 0,
	 "a certificate that also names a protected or allowlisted domain "
	 "was validated by its owner: its other names are not lookalikes"},
};

/* Members this plugin calls; an older host without them cannot run it. */
static int host_complete(const struct ctmon_host_api *api)
{
	return CTMON_HOST_HAS(api, set_error) && CTMON_HOST_HAS(api, log) &&
	       CTMON_HOST_HAS(api, cfg_string) && CTMON_HOST_HAS(api, cfg_int) &&
	       CTMON_HOST_HAS(api, cfg_bool) &&
	       CTMON_HOST_HAS(api, cfg_list_len) &&
	       CTMON_HOST_HAS(api, cfg_list_string) &&
	       CTMON_HOST_HAS(api, cfg_where) &&
	       CTMON_HOST_HAS(api, emit_alert) &&
	       CTMON_HOST_HAS(api, watch_add);
}

static void free_built(struct typosquat *st)
{
	size_t n = st->matcher ? typo_matcher_count(st->matcher) : 0;

	for (size_t i = 0; st->cands && i < n; i++)
		typo_set_free(st->cands[i]);
	free(st->cands);
	st->cands = NULL;
	typo_matcher_free(st->matcher);
	st->matcher = NULL;
	ts_strv_free(st->domains);
	st->domains = NULL;
	st->built = 0;
}

static int push_unique(char ***v, const char *s)
{
	for (size_t i = 0; *v && (*v)[i]; i++)
		if (strcmp((*v)[i], s) == 0)
			return CTMON_OK;
	return ts_strv_push(v, s);
}

/* The monitored domains, then the `domains` option, lower-cased. */
static int protected_domains(struct typosquat *st, char ***out)
{
	const struct ctmon_host_api *api = st->api;
	size_t n = 0;
	int rc = CTMON_OK;

	if (CTMON_HOST_HAS(api, domain_get)) {
		const char *d = NULL;
		for (size_t i = 0; rc == CTMON_OK &&
				   api->domain_get(st->host, i, &d) == CTMON_OK;
		     i++)
			rc = push_unique(out, d);
	}
	if (rc == CTMON_OK &&
	    api->cfg_list_len(st->cfg, "domains", &n) != CTMON_OK)
		n = 0;
	for (size_t i = 0; rc == CTMON_OK && i < n; i++) {
		const char *d = NULL;
		char norm[256];
		int wild;
		if (api->cfg_list_string(st->cfg, "domains", i, &d) != CTMON_OK ||
		    typo_normalise(d, norm, sizeof norm, &wild) < 0)
			continue;
		rc = push_unique(out, norm);
	}
	return rc;
}

static int same_list(char *const *a, char *const *b)
{
	size_t i = 0;

	for (; a && b && a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return (!a || !a[i]) && (!b || !b[i]);
}

/* Candidates and matcher for the current protected domains; rebuilt only
 * when they change (a SIGHUP reload builds a new instance anyway). */
static int build(struct typosquat *st)
{
	struct typo_matcher *m = NULL;
	char **domains = NULL;
	size_t total = 0, nd;
	char err[256];
	int rc;

	rc = protected_domains(st, &domains);
	if (rc != CTMON_OK)
		goto out;
	if (st->built && same_list(domains, st->domains))
		goto out;
	free_built(st);
	rc = typo_matcher_new(st->ctx, &st->match, &m);
	if (rc != CTMON_OK)
		goto out;
	nd = ts_strv_len(domains);
	st->cands = calloc(nd ? nd : 1, sizeof *st->cands);
	if (!st->cands) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nd; i++) {
		struct typo_set *s = typo_set_new();
		size_t t = typo_matcher_count(m);
		if (!s) {
			rc = CTMON_ENOMEM;
			goto out;
		}
		rc = typo_generate(st->ctx, domains[i], &st->gen, s, err,
				   sizeof err);
		if (rc == CTMON_OK)
			rc = typo_matcher_add_target(m, domains[i], s, err,
						     sizeof err);
		if (rc == CTMON_OK && typo_matcher_count(m) == t + 1) {
			st->cands[t] = s;
			total += typo_set_count(s);
			continue;
		}
		typo_set_free(s);
		if (rc != CTMON_EINVAL)
			goto out;
		st->api->log(st->host, CTMON_LOG_WARN,
			     "%s: not protected: %s", domains[i], err);
		rc = CTMON_OK;
	}
	rc = ts_allow_options(st, m);
	if (rc != CTMON_OK)
		goto out;
	st->matcher = m;
	m = NULL;
	st->domains = domains;
	domains = NULL;
	st->built = 1;
	st->api->log(st->host, CTMON_LOG_INFO,
		     "%zu lookalike candidates for %zu domain(s)", total,
		     typo_matcher_count(st->matcher));
out:
	if (m) {
		for (size_t i = 0; st->cands && i < typo_matcher_count(m); i++)
			typo_set_free(st->cands[i]);
		free(st->cands);
		st->cands = NULL;
		typo_matcher_free(m);
	}
	ts_strv_free(domains);
	return rc;
}

static void typosquat_destroy(void *state)
{
	struct typosquat *st = state;

	if (!st)
		return;
	free_built(st);
	agg_free(st->agg);
	ts_free_options(st);
	free(st);
}

/* The `domains` option must name domains with a registrable part. */
static int check_domains(struct typosquat *st)
{
	size_t n = 0;

	if (st->api->cfg_list_len(st->cfg, "domains", &n) != CTMON_OK)
		return CTMON_OK;
	for (size_t i = 0; i < n; i++) {
		const char *d = NULL;
		struct typo_parts p;
		char norm[256];
		int wild;
		if (st->api->cfg_list_string(st->cfg, "domains", i, &d) !=
			    CTMON_OK ||
		    typo_normalise(d, norm, sizeof norm, &wild) < 0 || wild ||
		    typo_split(st->ctx, norm, &p) != CTMON_OK) {
			const char *where = st->api->cfg_where(st->cfg,
							       "domains");
			st->api->set_error(st->host,
					   "%s: option \"domains\": \"%s\" is "
					   "not a domain with a registrable "
					   "part",
					   where ? where : "config",
					   d ? d : "");
			return CTMON_ECONFIG;
		}
	}
	return CTMON_OK;
}

static int typosquat_create(struct ctmon_host *host,
			    const struct ctmon_host_api *api,
			    const struct ctmon_config *cfg, void **state)
{
	struct typosquat *st;
	int rc;

	*state = NULL;
	if (!host_complete(api)) {
		if (CTMON_HOST_HAS(api, set_error))
			api->set_error(host, "the host API lacks members the "
					     "typosquat plugin needs");
		return CTMON_EUNSUPPORTED;
	}
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	st->cfg = cfg;
	st->watch = 1;
	st->skip_owner_certs = 1;
	rc = ts_read_options(st);
	if (rc == CTMON_OK)
		rc = check_domains(st);
	if (rc == CTMON_OK)
		rc = ts_allow_options(st, NULL);
	if (rc == CTMON_OK) {
		st->agg = agg_new(st->max_findings);
		if (!st->agg)
			rc = CTMON_ENOMEM;
	}
	if (rc != CTMON_OK) {
		typosquat_destroy(st);
		return rc;
	}
	*state = st;
	return CTMON_OK;
}

/* Issuances of monitored domains are the owner's own; lookalikes arrive
 * through on_any. */
static int typosquat_on_issuance(void *state, const struct ctmon_issuance *is,
				 struct ctmon_alert_sink *out)
{
	(void)state;
	(void)is;
	(void)out;
	return CTMON_OK;
}

static int typosquat_watch(void *state, struct ctmon_watch_builder *b)
{
	struct typosquat *st = state;
	struct typo_set *seen = NULL;
	size_t added = 0, refused = 0;
	int rc = build(st);

	if (rc != CTMON_OK || !st->watch)
		return rc;
	seen = typo_set_new();
	if (!seen)
		return CTMON_ENOMEM;
	for (size_t t = 0; t < typo_matcher_count(st->matcher) && !rc; t++) {
		const struct typo_set *s = st->cands[t];
		for (size_t i = 0; i < typo_set_count(s) && !rc; i++) {
			size_t len, off = TYPO_VAL_KEYOFF(typo_set_val(s, i));
			const char *name = typo_set_str(s, i, &len);
			const char *pattern = st->keep_subdomain ? name
								 : name + off;
			char tag[64];
			struct ctmon_watch_entry e;
			int fresh;

			rc = typo_set_add(seen, pattern, strlen(pattern), 0,
					  NULL, &fresh);
			if (rc != CTMON_OK || !fresh)
				continue;
			snprintf(tag, sizeof tag, "typosquat:%s",
				 typo_fuzzer_names[TYPO_VAL_FUZZER(
					 typo_set_val(s, i))]);
			memset(&e, 0, sizeof e);
			e.size = sizeof e;
			e.pattern = pattern;
			e.domain = typo_matcher_domain(st->matcher, t);
			e.tag = tag;
			rc = st->api->watch_add(b, &e);
			if (rc == CTMON_EINVAL) {
				refused++;
				rc = CTMON_OK;
			} else if (rc == CTMON_OK) {
				added++;
			}
		}
	}
	typo_set_free(seen);
	if (refused)
		st->api->log(st->host, CTMON_LOG_WARN,
			     "the host refused %zu candidate patterns", refused);
	st->api->log(st->host, CTMON_LOG_DEBUG,
		     "%zu candidates added to the watch set", added);
	return rc;
}

static int typosquat_on_any(void *state, const struct ctmon_cert *c,
			    struct ctmon_alert_sink *out)
{
	struct typosquat *st = state;
	size_t total;
	int rc = CTMON_OK;

	(void)out;
	if (!c)
		return CTMON_EINVAL;
	if (!st->built && (rc = build(st)) != CTMON_OK)
		return rc;
	if (typo_matcher_count(st->matcher) == 0)
		return CTMON_OK;
	total = c->n_names + (c->subject_cn ? 1 : 0);
	/* Only whoever controls the owner's domain can get it certified, so
	 * names sharing its certificate are the owner's too (example.com's
	 * certificates also carry example.org). */
	for (size_t i = 0; i < total && st->skip_owner_certs; i++) {
		const char *name = i < c->n_names ? c->names[i]
						  : c->subject_cn;
		if (name && typo_matcher_owned(st->matcher, name))
			return CTMON_OK;
	}
	for (size_t i = 0; i < total && rc == CTMON_OK; i++) {
		const char *name = i < c->n_names ? c->names[i]
						  : c->subject_cn;
		struct typo_hit hit;
		if (name && typo_match(st->matcher, name, &hit))
			rc = agg_add(st->agg, &hit, c);
	}
	return rc;
}

static int typosquat_on_cycle(void *state, struct ctmon_alert_sink *out)
{
	struct typosquat *st = state;
	size_t n = agg_count(st->agg);
	int rc;

	if (n)
		st->api->log(st->host, CTMON_LOG_INFO,
			     "%zu lookalike domain(s) with certificates this "
			     "cycle",
			     n);
	rc = ts_emit_findings(st, out);
	agg_clear(st->agg);
	return rc;
}

static const struct ctmon_check_ops typosquat_ops = {
	.size = sizeof(struct ctmon_check_ops),
	.on_issuance = typosquat_on_issuance,
	.on_cycle = typosquat_on_cycle,
	.watch = typosquat_watch,
	.on_any = typosquat_on_any,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_CHECK, "typosquat", "1.0.0",
		    "Lookalike domains of the protected ones getting "
		    "certificates (candidates for query sources, fuzzy "
		    "matching for streams)",
		    typosquat_options, typosquat_create, NULL, NULL,
		    typosquat_destroy, &typosquat_ops)
