/* typosquat_conf.c - the typosquat check's options: which fuzzers, the
 * dictionary and TLD lists (inline or dnstwist-style files), IDN and
 * fuzzy matching switches.  Every mistake is a config error with the
 * option's file:line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "typo_domain.h"
#include "typosquat_internal.h"

size_t ts_strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int ts_strv_push(char ***v, const char *s)
{
	size_t n = ts_strv_len(*v);
	char **nv = realloc(*v, (n + 2) * sizeof *nv);

	if (!nv)
		return CTMON_ENOMEM;
	*v = nv;
	nv[n] = strdup(s);
	nv[n + 1] = NULL;
	return nv[n] ? CTMON_OK : CTMON_ENOMEM;
}

void ts_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int bad(struct typosquat *st, const char *key, const char *what,
	       const char *value)
{
	const char *where = st->api->cfg_where(st->cfg, key);

	st->api->set_error(st->host, "%s: option \"%s\": %s%s%s%s",
			   where ? where : "config", key, what,
			   value ? " \"" : "", value ? value : "",
			   value ? "\"" : "");
	return CTMON_ECONFIG;
}

/* A dictionary word: letters and digits (any script), as dnstwist's -d
 * keeps them; lower-cased. */
static int word_ok(char *w)
{
	if (!*w)
		return 0;
	for (char *p = w; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 'A' && c <= 'Z')
			*p = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c >= 0x80))
			return 0;
	}
	return 1;
}

/* A suffix for tld-swap: one or two labels of 2..63 LDH characters. */
static int tld_ok(char *t)
{
	size_t labels = 0, len = 0;

	for (char *p = t;; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 'A' && c <= 'Z')
			*p = (char)(c - 'A' + 'a');
		c = (unsigned char)*p;
		if (c == '.' || c == '\0') {
			if (len < 2 || len > 63)
				return 0;
			labels++;
			len = 0;
			if (c == '\0')
				break;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return 0;
		len++;
	}
	return labels <= 2;
}

/* The list option `key`, or `fallback` when it is absent. */
static int read_list(struct typosquat *st, const char *key,
		     const char *const *fallback, int (*ok)(char *),
		     char ***out)
{
	size_t n = 0;
	int rc = st->api->cfg_list_len(st->cfg, key, &n);
	char buf[256];

	if (rc == CTMON_ENOTFOUND) {
		for (size_t i = 0; fallback[i]; i++)
			if ((rc = ts_strv_push(out, fallback[i])) != CTMON_OK)
				return rc;
		return CTMON_OK;
	}
	if (rc != CTMON_OK)
		return bad(st, key, "cannot be read", NULL);
	for (size_t i = 0; i < n; i++) {
		const char *s = NULL;
		if (st->api->cfg_list_string(st->cfg, key, i, &s) != CTMON_OK ||
		    !s || strlen(s) >= sizeof buf)
			return bad(st, key, "entry too long or not a string",
				   NULL);
		memcpy(buf, s, strlen(s) + 1);
		if (!ok(buf))
			return bad(st, key, "not a valid entry:", s);
		if ((rc = ts_strv_push(out, buf)) != CTMON_OK)
			return rc;
	}
	return CTMON_OK;
}

/* Adds the usable lines of a word or TLD file (others are skipped, as
 * dnstwist skips them). */
static int read_file(struct typosquat *st, const char *key, int (*ok)(char *),
		     char ***out)
{
	const char *path = NULL;
	char line[512];
	FILE *fp;
	int rc = CTMON_OK;

	if (st->api->cfg_string(st->cfg, key, &path) != CTMON_OK || !path ||
	    !*path)
		return CTMON_OK;
	fp = fopen(path, "r");
	if (!fp)
		return bad(st, key, "cannot open", path);
	while (rc == CTMON_OK && fgets(line, sizeof line, fp)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (ok(line))
			rc = ts_strv_push(out, line);
	}
	fclose(fp);
	return rc;
}

static int read_fuzzers(struct typosquat *st)
{
	size_t n = 0;

	if (st->api->cfg_list_len(st->cfg, "fuzzers", &n) != CTMON_OK)
		return CTMON_OK;
	for (size_t i = 0; i < n; i++) {
		const char *s = NULL;
		int f;
		if (st->api->cfg_list_string(st->cfg, "fuzzers", i, &s) !=
		    CTMON_OK)
			return bad(st, "fuzzers", "cannot be read", NULL);
		f = typo_fuzzer_by_name(s);
		if (f < 0)
			return bad(st, "fuzzers",
				   "unknown fuzzer (addition, bitsquatting, "
				   "cyrillic, homoglyph, hyphenation, "
				   "insertion, omission, repetition, "
				   "replacement, subdomain, transposition, "
				   "vowel-swap, plural, dictionary, tld-swap, "
				   "various):",
				   s);
		st->gen.fuzzers |= 1u << f;
	}
	return CTMON_OK;
}

static int read_int(struct typosquat *st, const char *key, int64_t min,
		    int64_t max, int64_t *out)
{
	if (st->api->cfg_int(st->cfg, key, out) != CTMON_OK)
		return bad(st, key, "missing", NULL);
	if (*out < min || *out > max)
		return bad(st, key, "out of range", NULL);
	return CTMON_OK;
}

int ts_read_options(struct typosquat *st)
{
	const struct ctmon_host_api *api = st->api;
	char err[256];
	const char *psl = NULL;
	int64_t v;
	int rc, idn = 1, fuzzy = 1;

	if ((rc = read_fuzzers(st)) != CTMON_OK ||
	    (rc = read_list(st, "words", typo_default_words, word_ok,
			    &st->words)) != CTMON_OK ||
	    (rc = read_file(st, "words_file", word_ok, &st->words)) !=
		    CTMON_OK ||
	    (rc = read_list(st, "tlds", typo_default_tlds, tld_ok,
			    &st->tlds)) != CTMON_OK ||
	    (rc = read_file(st, "tlds_file", tld_ok, &st->tlds)) != CTMON_OK)
		return rc;
	st->gen.words = (const char *const *)st->words;
	st->gen.n_words = ts_strv_len(st->words);
	st->gen.tlds = (const char *const *)st->tlds;
	st->gen.n_tlds = ts_strv_len(st->tlds);
	api->cfg_bool(st->cfg, "idn", &idn);
	api->cfg_bool(st->cfg, "fuzzy", &fuzzy);
	api->cfg_bool(st->cfg, "watch_candidates", &st->watch);
	api->cfg_bool(st->cfg, "keep_subdomain", &st->keep_subdomain);
	api->cfg_bool(st->cfg, "skip_owner_certs", &st->skip_owner_certs);
	st->gen.allow_idn = idn;
	st->match.fuzzy = fuzzy;
	if ((rc = read_int(st, "min_edit_length", 1, 63, &v)) != CTMON_OK)
		return rc;
	st->match.min_edit = (size_t)v;
	if ((rc = read_int(st, "min_combo_length", 1, 63, &v)) != CTMON_OK)
		return rc;
	st->match.min_combo = (size_t)v;
	if ((rc = read_int(st, "max_findings", 1, 10000000, &v)) != CTMON_OK)
		return rc;
	st->max_findings = (size_t)v;
	api->cfg_string(st->cfg, "psl_file", &psl);
	rc = typo_ctx_new(psl, &st->ctx, err, sizeof err);
	if (rc == CTMON_ECONFIG)
		return bad(st, "psl_file", err, NULL);
	return rc;
}

int ts_allow_options(struct typosquat *st, struct typo_matcher *m)
{
	size_t n = 0;

	if (st->api->cfg_list_len(st->cfg, "allowlist", &n) != CTMON_OK)
		return CTMON_OK;
	for (size_t i = 0; i < n; i++) {
		const char *s = NULL;
		int rc;
		if (st->api->cfg_list_string(st->cfg, "allowlist", i, &s) !=
		    CTMON_OK)
			return bad(st, "allowlist", "cannot be read", NULL);
		if (m) {
			rc = typo_matcher_allow(m, s);
		} else {
			char norm[256];
			int wild;
			rc = typo_normalise(s, norm, sizeof norm, &wild) > 0 &&
					     strchr(norm, '.')
				     ? CTMON_OK
				     : CTMON_EINVAL;
		}
		if (rc == CTMON_EINVAL)
			return bad(st, "allowlist", "not a host name:", s);
		if (rc != CTMON_OK)
			return rc;
	}
	return CTMON_OK;
}

void ts_free_options(struct typosquat *st)
{
	ts_strv_free(st->words);
	ts_strv_free(st->tlds);
	st->words = st->tlds = NULL;
	typo_ctx_free(st->ctx);
	st->ctx = NULL;
}
