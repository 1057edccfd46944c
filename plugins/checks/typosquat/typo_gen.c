/* typo_gen.c - the label fuzzers of the reference agent (omission,
 * transposition, keyboard replacement, bitsquatting) and of dnstwist
 * (addition, hyphenation, insertion, repetition, subdomain, vowel swap,
 * dictionary, TLD swap, various), plus plural insertion and insertions
 * next to the first and last letters that Debian's dnstwist leaves out.
 * Permuted labels are collected first (a label several fuzzers make is
 * encoded once), then written in DNS form around the domain's own
 * subdomain and suffix and checked to be valid host names. */
#include "typo_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctmon/plugin.h"

#define MAXL TYPO_MAX_CPS

static int on(const struct typo_gen *g, int fz)
{
	return !g->o->fuzzers || (g->o->fuzzers & (1u << fz));
}

void typo_gen_emit(struct typo_gen *g, int fuzzer, const uint32_t *cps,
		   size_t n)
{
	char buf[MAXL * 4 + 1];
	int len;

	if (g->rc != CTMON_OK || n == 0 || n > MAXL)
		return;
	len = typo_utf8_encode(cps, n, buf, sizeof buf);
	if (len > 0)
		g->rc = typo_set_add(g->labels, buf, (size_t)len,
				     (uint32_t)fuzzer, NULL, NULL);
}

/* Emits L[0..i) + ins[0..k) + L[j..n): a splice of the domain's label. */
static void splice(struct typo_gen *g, int fz, size_t i, const uint32_t *ins,
		   size_t k, size_t j)
{
	const uint32_t *l = g->p->ucps;
	size_t n = g->p->n_ucps, m = 0;
	uint32_t buf[MAXL];

	if (i + k + (n - j) > MAXL)
		return;
	memcpy(buf, l, i * sizeof *l);
	m = i;
	if (k)
		memcpy(buf + m, ins, k * sizeof *ins);
	m += k;
	memcpy(buf + m, l + j, (n - j) * sizeof *l);
	m += n - j;
	typo_gen_emit(g, fz, buf, m);
}

static const char alnum[] = "0123456789abcdefghijklmnopqrstuvwxyz";

static void addition(struct typo_gen *g)
{
	size_t n = g->p->n_ucps;

	for (const char *c = alnum; *c; c++) {
		uint32_t ch = (uint32_t)*c;
		splice(g, TF_ADDITION, n, &ch, 1, n);
		splice(g, TF_ADDITION, 0, &ch, 1, 0);
	}
}

static int ldh(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static void bitsquatting(struct typo_gen *g)
{
	for (size_t i = 0; i < g->p->n_ucps; i++)
		for (int bit = 0; bit < 8; bit++) {
			uint32_t b = g->p->ucps[i] ^ (1u << bit);
			if (ldh(b))
				splice(g, TF_BITSQUATTING, i, &b, 1, i + 1);
		}
}

static void hyphenation(struct typo_gen *g)
{
	uint32_t h = '-';

	for (size_t i = 1; i < g->p->n_ucps; i++)
		splice(g, TF_HYPHENATION, i, &h, 1, i);
}

static const char *neighbours(const struct typo_gen *g, int kb, uint32_t c)
{
	return c < 128 ? g->ctx->kb[kb][c] : "";
}

/* Keyboard neighbours of each letter typed just before or after it. */
static void insertion(struct typo_gen *g)
{
	for (size_t i = 0; i < g->p->n_ucps; i++)
		for (int kb = 0; kb < TYPO_N_KEYBOARDS; kb++)
			for (const char *c = neighbours(g, kb, g->p->ucps[i]);
			     *c; c++) {
				uint32_t pair[2] = {(uint32_t)*c,
						    g->p->ucps[i]};
				splice(g, TF_INSERTION, i, pair, 2, i + 1);
				pair[0] = g->p->ucps[i];
				pair[1] = (uint32_t)*c;
				splice(g, TF_INSERTION, i, pair, 2, i + 1);
			}
}

static void omission(struct typo_gen *g)
{
	for (size_t i = 0; i < g->p->n_ucps; i++)
		splice(g, TF_OMISSION, i, NULL, 0, i + 1);
}

static void repetition(struct typo_gen *g)
{
	for (size_t i = 0; i < g->p->n_ucps; i++)
		splice(g, TF_REPETITION, i, &g->p->ucps[i], 1, i);
}

static void replacement(struct typo_gen *g)
{
	for (size_t i = 0; i < g->p->n_ucps; i++)
		for (int kb = 0; kb < TYPO_N_KEYBOARDS; kb++)
			for (const char *c = neighbours(g, kb, g->p->ucps[i]);
			     *c; c++) {
				uint32_t ch = (uint32_t)*c;
				splice(g, TF_REPLACEMENT, i, &ch, 1, i + 1);
			}
}

/* A dot inside the label: pay.pal.com, whose registrable domain is
 * someone else's pal.com. */
static void subdomain(struct typo_gen *g)
{
	const uint32_t *l = g->p->ucps;
	uint32_t dot = '.';

	for (size_t i = 1; i + 1 < g->p->n_ucps; i++)
		if (l[i] != '-' && l[i] != '.' && l[i - 1] != '-' &&
		    l[i - 1] != '.')
			splice(g, TF_SUBDOMAIN, i, &dot, 1, i);
}

static void transposition(struct typo_gen *g)
{
	for (size_t i = 0; i + 1 < g->p->n_ucps; i++) {
		uint32_t sw[2] = {g->p->ucps[i + 1], g->p->ucps[i]};
		splice(g, TF_TRANSPOSITION, i, sw, 2, i + 2);
	}
}

static int is_vowel(uint32_t c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static void vowel_swap(struct typo_gen *g)
{
	static const char vowels[] = "aeiou";

	for (size_t i = 0; i < g->p->n_ucps; i++) {
		if (!is_vowel(g->p->ucps[i]))
			continue;
		for (const char *v = vowels; *v; v++) {
			uint32_t ch = (uint32_t)*v;
			splice(g, TF_VOWEL_SWAP, i, &ch, 1, i + 1);
		}
	}
}

/* An "s" at an inner word boundary: banksofamerica, payspal. */
static void plural(struct typo_gen *g)
{
	size_t n = g->p->n_ucps;

	for (size_t i = 2; i + 2 < n; i++) {
		uint32_t c = g->p->ucps[i];
		uint32_t es[2] = {'e', 's'};
		if (c == 's' || c == 'x' || c == 'z')
			splice(g, TF_PLURAL, i + 1, es, 2, i + 1);
		else
			splice(g, TF_PLURAL, i + 1, es + 1, 1, i + 1);
	}
}

/* Emits a[0..na) + sep + b[0..nb) (sep 0: none). */
static void join2(struct typo_gen *g, const uint32_t *a, size_t na,
		  uint32_t sep, const uint32_t *b, size_t nb)
{
	uint32_t buf[MAXL];
	size_t m = 0;

	if (na + nb + 1 > MAXL)
		return;
	memcpy(buf, a, na * sizeof *a);
	m = na;
	if (sep)
		buf[m++] = sep;
	memcpy(buf + m, b, nb * sizeof *b);
	typo_gen_emit(g, TF_DICTIONARY, buf, m + nb);
}

static void dictionary(struct typo_gen *g)
{
	const uint32_t *l = g->p->ucps;
	size_t n = g->p->n_ucps, first = n, last = n;

	for (size_t i = 0; i < n; i++)
		if (l[i] == '-') {
			if (first == n)
				first = i;
			last = i;
		}
	for (size_t w = 0; w < g->o->n_words; w++) {
		uint32_t word[MAXL];
		int k = typo_utf8_decode(g->o->words[w],
					 strlen(g->o->words[w]), word, MAXL);
		if (k <= 0 || ((size_t)k == n && !memcmp(word, l, n * 4)))
			continue;
		join2(g, l, n, '-', word, (size_t)k);
		join2(g, l, n, 0, word, (size_t)k);
		join2(g, word, (size_t)k, '-', l, n);
		join2(g, word, (size_t)k, 0, l, n);
		/* A hyphenated name also gets its first or last part
		 * replaced: my-bank -> my-login, login-bank. */
		if (first < n) {
			join2(g, l, last, '-', word, (size_t)k);
			join2(g, word, (size_t)k, '-', l + first + 1,
			      n - first - 1);
		}
	}
}

/* Adds sub + "." + middle + "." + suffix (empty parts left out) to the
 * output if it is a valid host name other than the domain. */
static void add_name(struct typo_gen *g, int fz, const char *sub,
		     const char *middle, const char *suffix)
{
	char name[512];
	size_t off = 0;
	int len;

	if (g->rc != CTMON_OK)
		return;
	len = snprintf(name, sizeof name, "%s%s%s%s%s", sub, *sub ? "." : "",
		       middle, *suffix ? "." : "", suffix);
	if (len < 0 || (size_t)len >= sizeof name ||
	    !typo_valid_name(name, (size_t)len) ||
	    strcmp(name, g->p->name) == 0)
		return;
	/* The key is what is left once the domain's own subdomain labels are
	 * taken off - unless a dot was inserted into the label. */
	if (*sub && !strchr(middle, '.'))
		off = strlen(sub) + 1;
	g->rc = typo_set_add(g->out, name, (size_t)len, TYPO_VAL(fz, off),
			     NULL, NULL);
}

/* Permuted labels in DNS form around the domain's subdomain and suffix. */
static void finish_labels(struct typo_gen *g)
{
	for (size_t i = 0; i < typo_set_count(g->labels) && !g->rc; i++) {
		size_t len, start = 0, m = 0;
		const char *s = typo_set_str(g->labels, i, &len);
		uint32_t cps[MAXL];
		char enc[512];
		int n = typo_utf8_decode(s, len, cps, MAXL), ok = n > 0;

		for (int j = 0; ok && j <= n; j++) {
			int piece;
			if (j < n && cps[j] != '.')
				continue;
			piece = typo_encode_label(g->ctx, g->pol, cps + start,
						  (size_t)j - start, enc + m,
						  sizeof enc - m - 1);
			ok = piece > 0;
			m += ok ? (size_t)piece : 0;
			if (ok && j < n)
				enc[m++] = '.';
			start = (size_t)j + 1;
		}
		if (!ok)
			continue;
		enc[m] = '\0';
		add_name(g, TYPO_VAL_FUZZER(typo_set_val(g->labels, i)),
			 g->p->sub, enc, g->p->suffix);
	}
}

static void tld_swap(struct typo_gen *g)
{
	for (size_t i = 0; i < g->o->n_tlds; i++)
		if (strcmp(g->o->tlds[i], g->p->suffix) != 0)
			add_name(g, TF_TLD_SWAP, g->p->sub, g->p->label,
				 g->o->tlds[i]);
}

static void no_dots(char *dst, size_t cap, const char *src, char repl)
{
	size_t k = 0;

	for (; *src && k + 1 < cap; src++)
		if (*src != '.')
			dst[k++] = *src;
		else if (repl)
			dst[k++] = repl;
	dst[k] = '\0';
}

/* dnstwist's "various" (suffix glued on or moved: bbcco.uk, bbc.uk,
 * paypalcom.com, paypal-de.com; a subdomain merged into the label:
 * loginmicrosoftonline.com) and newer dnstwist's paypaldecom.com form. */
static void various(struct typo_gen *g)
{
	const struct typo_parts *p = g->p;
	const char *last = strrchr(p->suffix, '.');
	char mid[512], flat[256];

	no_dots(flat, sizeof flat, p->suffix, 0);
	if (last) {
		add_name(g, TF_VARIOUS, p->sub, p->label, last + 1);
		snprintf(mid, sizeof mid, "%s%s", p->label, p->suffix);
		/* "bbcco.uk": the glued text keeps the suffix's own dots. */
		add_name(g, TF_VARIOUS, p->sub, mid, "");
	} else {
		snprintf(mid, sizeof mid, "%s%s", p->label, p->suffix);
		add_name(g, TF_VARIOUS, p->sub, mid, p->suffix);
		if (strcmp(p->suffix, "com") != 0) {
			snprintf(mid, sizeof mid, "%s-%s", p->label, p->suffix);
			add_name(g, TF_VARIOUS, p->sub, mid, "com");
		}
	}
	if (strcmp(p->suffix, "com") != 0) {
		snprintf(mid, sizeof mid, "%s%s", p->label, flat);
		add_name(g, TF_VARIOUS, p->sub, mid, "com");
	}
	if (*p->sub) {
		char sub_flat[256], sub_dash[256];
		no_dots(sub_flat, sizeof sub_flat, p->sub, 0);
		no_dots(sub_dash, sizeof sub_dash, p->sub, '-');
		snprintf(mid, sizeof mid, "%s%s", p->sub, p->label);
		add_name(g, TF_VARIOUS, "", mid, p->suffix);
		snprintf(mid, sizeof mid, "%s%s", sub_flat, p->label);
		add_name(g, TF_VARIOUS, "", mid, p->suffix);
		snprintf(mid, sizeof mid, "%s-%s", p->sub, p->label);
		add_name(g, TF_VARIOUS, "", mid, p->suffix);
		snprintf(mid, sizeof mid, "%s-%s", sub_dash, p->label);
		add_name(g, TF_VARIOUS, "", mid, p->suffix);
	}
}

int typo_generate(const struct typo_ctx *c, const char *domain,
		  const struct typo_gen_opts *o, struct typo_set *out,
		  char *err, size_t errlen)
{
	static const struct typo_gen_opts defaults = {0, NULL, 0, NULL, 0, 1};
	struct typo_parts *p = calloc(1, sizeof *p);
	struct typo_gen g;
	int rc;

	memset(&g, 0, sizeof g);
	if (!p) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	rc = typo_split(c, domain, p);
	if (rc != CTMON_OK) {
		snprintf(err, errlen,
			 "\"%s\" is not a host name with a registrable part "
			 "(public suffix list)", domain);
		goto out;
	}
	g.ctx = c;
	g.o = o ? o : &defaults;
	g.p = p;
	g.pol = g.o->allow_idn ? typo_ctx_policy(c, p->suffix) : &c->ascii_only;
	g.out = out;
	g.labels = typo_set_new();
	if (!g.labels) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	if (on(&g, TF_ADDITION))
		addition(&g);
	if (on(&g, TF_BITSQUATTING))
		bitsquatting(&g);
	if (on(&g, TF_CYRILLIC) && g.o->allow_idn)
		typo_gen_cyrillic(&g);
	if (on(&g, TF_HOMOGLYPH))
		typo_gen_homoglyph(&g);
	if (on(&g, TF_HYPHENATION))
		hyphenation(&g);
	if (on(&g, TF_INSERTION))
		insertion(&g);
	if (on(&g, TF_OMISSION))
		omission(&g);
	if (on(&g, TF_REPETITION))
		repetition(&g);
	if (on(&g, TF_REPLACEMENT))
		replacement(&g);
	if (on(&g, TF_SUBDOMAIN))
		subdomain(&g);
	if (on(&g, TF_TRANSPOSITION))
		transposition(&g);
	if (on(&g, TF_VOWEL_SWAP))
		vowel_swap(&g);
	if (on(&g, TF_PLURAL))
		plural(&g);
	if (on(&g, TF_DICTIONARY))
		dictionary(&g);
	finish_labels(&g);
	if (on(&g, TF_TLD_SWAP))
		tld_swap(&g);
	if (on(&g, TF_VARIOUS))
		various(&g);
	rc = g.rc;
	if (rc == CTMON_ENOMEM)
		snprintf(err, errlen, "out of memory");
out:
	typo_set_free(g.labels);
	free(p);
	return rc;
}
