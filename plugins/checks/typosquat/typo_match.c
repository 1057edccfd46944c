/* typo_match.c - see typo_match.h.  Scores: exact and skeleton 95, edit
 * distance 1 85, same label 80, split 80, embed 75, edit distance 2 70,
 * combo 65; +5 for each aggravating sign (wildcard, mixed scripts, a
 * whole-script look-alike, broken Punycode, a TLD phishing favours, a
 * phishing word), at most 100. */
#include "typo_match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "ctmon/plugin.h"
#include "typo_domain.h"
#include "typo_gen.h"
#include "typo_skel.h"

const char *const typo_rule_names[TYPO_RULE_COUNT] = {
	"exact", "skeleton", "same-label", "edit-distance",
	"split", "embed",    "combo",
};

const char *const typo_why_names[TYPO_WHY_COUNT] = {
	"wildcard", "mixed-script", "whole-script-lookalike",
	"invalid-punycode", "suspicious-tld", "phishing-keyword",
};

static const int base_score[TYPO_RULE_COUNT] = {95, 95, 80, 85, 80, 75, 65};

struct target {
	struct typo_parts p;
	char skel[TYPO_SKEL_MAX];
	size_t skel_len;
	char nodash[64];      /* label without '-' */
	size_t nodash_len;
	char flat[256];       /* label + suffix without dots: "paypalcom" */
	size_t label_len;     /* A-label octets */
	size_t letters;       /* U-label code points */
};

struct typo_matcher {
	const struct typo_ctx *ctx;
	struct typo_match_opts o;
	struct target *t;
	size_t n;
	struct typo_set *keys;  /* candidate key -> target << 8 | fuzzer */
	struct typo_set *allow; /* the owner's domains */
};

int typo_matcher_new(const struct typo_ctx *c, const struct typo_match_opts *o,
		     struct typo_matcher **out)
{
	struct typo_matcher *m = calloc(1, sizeof *m);

	*out = NULL;
	if (!m)
		return CTMON_ENOMEM;
	m->ctx = c;
	m->o.fuzzy = 1;
	m->o.min_edit = 5;
	m->o.min_combo = 5;
	if (o)
		m->o = *o;
	m->keys = typo_set_new();
	m->allow = typo_set_new();
	if (!m->keys || !m->allow) {
		typo_matcher_free(m);
		return CTMON_ENOMEM;
	}
	*out = m;
	return CTMON_OK;
}

void typo_matcher_free(struct typo_matcher *m)
{
	if (!m)
		return;
	free(m->t);
	typo_set_free(m->keys);
	typo_set_free(m->allow);
	free(m);
}

static size_t strip(char *dst, size_t cap, const char *src, const char *drop)
{
	size_t k = 0;

	for (; *src && k + 1 < cap; src++)
		if (!strchr(drop, *src))
			dst[k++] = *src;
	dst[k] = '\0';
	return k;
}

int typo_matcher_allow(struct typo_matcher *m, const char *domain)
{
	char norm[256];
	int wild, n = typo_normalise(domain, norm, sizeof norm, &wild);

	if (n < 0)
		return CTMON_EINVAL;
	return typo_set_add(m->allow, norm, (size_t)n, 0, NULL, NULL);
}

int typo_matcher_add_target(struct typo_matcher *m, const char *domain,
			    const struct typo_set *cands, char *err,
			    size_t errlen)
{
	struct target *grown, *t;
	int n, rc;

	grown = realloc(m->t, (m->n + 1) * sizeof *grown);
	if (!grown)
		return CTMON_ENOMEM;
	m->t = grown;
	t = &m->t[m->n];
	memset(t, 0, sizeof *t);
	if (typo_split(m->ctx, domain, &t->p) != CTMON_OK) {
		snprintf(err, errlen,
			 "\"%s\" is not a host name with a registrable part",
			 domain);
		return CTMON_EINVAL;
	}
	n = typo_skeleton(t->p.ucps, t->p.n_ucps, t->skel, sizeof t->skel);
	if (n < 0)
		return CTMON_EINVAL;
	t->skel_len = (size_t)n;
	t->nodash_len = strip(t->nodash, sizeof t->nodash, t->p.label, "-");
	snprintf(t->flat, sizeof t->flat, "%s", t->p.label);
	strip(t->flat + strlen(t->flat), sizeof t->flat - strlen(t->flat),
	      t->p.suffix, ".");
	t->label_len = strlen(t->p.label);
	t->letters = t->p.n_ucps;
	/* The owner's registrable domain is theirs, under any name. */
	rc = typo_set_add(m->allow, t->p.reg, strlen(t->p.reg), 0, NULL, NULL);
	for (size_t i = 0; rc == CTMON_OK && cands &&
			   i < typo_set_count(cands);
	     i++) {
		size_t len;
		const char *s = typo_set_str(cands, i, &len);
		uint32_t v = typo_set_val(cands, i);
		size_t off = TYPO_VAL_KEYOFF(v);
		if (off >= len)
			continue;
		rc = typo_set_add(m->keys, s + off, len - off,
				  (uint32_t)(m->n << 8) |
					  (uint32_t)TYPO_VAL_FUZZER(v),
				  NULL, NULL);
	}
	if (rc == CTMON_OK)
		m->n++;
	return rc;
}

size_t typo_matcher_count(const struct typo_matcher *m) { return m->n; }

const char *typo_matcher_domain(const struct typo_matcher *m, size_t i)
{
	return m->t[i].p.name;
}

size_t typo_matcher_keys(const struct typo_matcher *m)
{
	return typo_set_count(m->keys);
}

/* The first of name and its parents (down to two labels) in the set. */
static size_t find_up(const struct typo_set *s, const char *name, size_t len,
		      size_t *at)
{
	size_t off = 0;

	for (;;) {
		size_t idx = typo_set_find(s, name + off, len - off);
		const char *dot;
		if (idx != TYPO_NONE) {
			*at = off;
			return idx;
		}
		dot = memchr(name + off, '.', len - off);
		if (!dot || !memchr(dot + 1, '.', len - (size_t)(dot + 1 - name)))
			return TYPO_NONE;
		off = (size_t)(dot + 1 - name);
	}
}

static int in_list(const char *const *list, const char *s, size_t n)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
			return 1;
	return 0;
}

/* Signs that make any hit worse, from the name alone. */
static unsigned name_signs(const char *name, size_t len, int wildcard)
{
	const char *tld = strrchr(name, '.');
	unsigned why = wildcard ? TYPO_WHY_WILDCARD : 0;

	if (tld && in_list(typo_suspicious_tlds, tld + 1,
			   len - (size_t)(tld + 1 - name)))
		why |= TYPO_WHY_SUSPICIOUS_TLD;
	for (size_t i = 0; typo_phishing_words[i]; i++)
		if (strstr(name, typo_phishing_words[i])) {
			why |= TYPO_WHY_KEYWORD;
			break;
		}
	return why;
}

static int score_of(enum typo_rule r, int distance, unsigned why)
{
	int s = r == TYPO_RULE_EDIT && distance > 1 ? 70 : base_score[r];

	for (unsigned b = why; b; b &= b - 1)
		s += 5;
	return s > 100 ? 100 : s;
}

/* The label of the name's registrable domain, decoded. */
struct label {
	const char *reg;        /* in the name */
	const char *a;          /* A-label text */
	size_t alen;
	const char *prefix;     /* names left of reg, "" if none */
	size_t plen;
	uint32_t cps[TYPO_MAX_CPS];
	size_t n;
	int ascii;
	char skel[TYPO_SKEL_MAX];
	size_t skel_len;
	unsigned why;
};

static int read_label(const struct typo_matcher *m, const char *name,
		      struct label *l)
{
	const char *dot;
	char *u8 = NULL;
	int n = -1;

	memset(l, 0, sizeof *l);
	l->reg = psl_registrable_domain(m->ctx->psl, name);
	if (!l->reg || !(dot = strchr(l->reg, '.')))
		return -1;
	l->a = l->reg;
	l->alen = (size_t)(dot - l->reg);
	if (l->alen > 63)
		return -1; /* no host-name label: malformed names are
			    * alerted by the core, not matched here */
	l->prefix = name;
	l->plen = l->reg > name ? (size_t)(l->reg - name - 1) : 0;
	l->ascii = 1;
	if (l->alen > 4 && memcmp(l->a, "xn--", 4) == 0) {
		char a[64];
		memcpy(a, l->a, l->alen);
		a[l->alen] = '\0';
		if (idn2_to_unicode_8z8z(a, &u8, 0) == IDN2_OK)
			n = typo_utf8_decode(u8, strlen(u8), l->cps,
					     TYPO_MAX_CPS);
		idn2_free(u8);
		if (n < 0)
			l->why |= TYPO_WHY_BAD_PUNYCODE;
		else
			l->ascii = 0;
	}
	if (n < 0) {
		for (size_t i = 0; i < l->alen; i++)
			l->cps[i] = (unsigned char)l->a[i];
		n = (int)l->alen;
	}
	l->n = (size_t)n;
	n = typo_skeleton(l->cps, l->n, l->skel, sizeof l->skel);
	if (n < 0)
		return -1;
	l->skel_len = (size_t)n;
	if (!l->ascii) {
		unsigned s = typo_scripts(l->cps, l->n);
		if (s & (s - 1))
			l->why |= TYPO_WHY_MIXED_SCRIPT;
		else if (s && s != TYPO_SCRIPT_LATIN)
			l->why |= TYPO_WHY_WHOLE_SCRIPT;
	}
	return 0;
}

static int eq(const char *a, size_t na, const char *b, size_t nb)
{
	return na == nb && memcmp(a, b, na) == 0;
}

static int contains(const char *hay, size_t nh, const char *needle, size_t nn)
{
	if (nn == 0 || nn > nh)
		return 0;
	for (size_t i = 0; i + nn <= nh; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nn) == 0)
			return 1;
	return 0;
}

/* pay.pal.com, login.micro.softonline.com: the prefix's tail and the
 * label, separators dropped, end with the target's label. */
static int split_across(const struct label *l, const struct target *t)
{
	char joined[512];
	size_t k = 0, need = t->label_len;

	if (!l->plen || !l->ascii || l->alen >= need ||
	    memcmp(t->p.label + need - l->alen, l->a, l->alen) != 0)
		return 0;
	for (size_t i = 0; i < l->plen && k + 1 < sizeof joined; i++)
		if (l->prefix[i] != '.' && l->prefix[i] != '-')
			joined[k++] = l->prefix[i];
	if (k + l->alen < need)
		return 0;
	return memcmp(joined + k - (need - l->alen), t->p.label,
		      need - l->alen) == 0;
}

/* The target's label as a '.'/'-' token left of the registrable part. */
static int embedded(const struct label *l, const struct target *t)
{
	size_t i = 0;

	while (i < l->plen) {
		size_t j = i;
		while (j < l->plen && l->prefix[j] != '.' && l->prefix[j] != '-')
			j++;
		if (eq(l->prefix + i, j - i, t->p.label, t->label_len) ||
		    eq(l->prefix + i, j - i, t->flat, strlen(t->flat)))
			return 1;
		i = j + 1;
	}
	return 0;
}

/* The best rule for one target, or -1: rules are tried in the order of
 * their scores. */
static int rule_for(const struct typo_matcher *m, const struct label *l,
		    const struct target *t, int *distance)
{
	char nodash[TYPO_SKEL_MAX];
	size_t nd;
	int d = 3;

	if (l->ascii && eq(l->a, l->alen, t->p.label, t->label_len))
		return TYPO_RULE_SAME_LABEL;
	if (eq(l->skel, l->skel_len, t->skel, t->skel_len))
		return TYPO_RULE_SKELETON;
	if (t->letters >= m->o.min_edit) {
		int k = t->letters >= 8 ? 2 : 1, ds;
		d = k + 1;
		if (l->ascii)
			d = typo_osa(l->a, l->alen, t->p.label, t->label_len,
				     k);
		ds = typo_osa(l->skel, l->skel_len, t->skel, t->skel_len, k);
		if (ds < d)
			d = ds;
		d = d <= k ? d : 3;
		*distance = d;
		if (d == 1)
			return TYPO_RULE_EDIT;
	}
	nd = strip(nodash, sizeof nodash, l->skel, "-");
	if (nd != l->skel_len && eq(nodash, nd, t->nodash, t->nodash_len))
		return TYPO_RULE_SPLIT;
	if (split_across(l, t))
		return TYPO_RULE_SPLIT;
	if (embedded(l, t))
		return TYPO_RULE_EMBED;
	if (d == 2)
		return TYPO_RULE_EDIT;
	if (t->letters >= m->o.min_combo &&
	    contains(l->skel, l->skel_len, t->skel, t->skel_len))
		return TYPO_RULE_COMBO;
	return -1;
}

static int fuzzy(const struct typo_matcher *m, const char *name,
		 struct typo_hit *hit)
{
	struct label l;
	int best = -1;

	if (read_label(m, name, &l) != 0)
		return 0;
	for (size_t i = 0; i < m->n; i++) {
		int d = 0, r = rule_for(m, &l, &m->t[i], &d);
		int s = r < 0 ? -1 : score_of((enum typo_rule)r, d, 0);
		if (r < 0 || s <= best)
			continue;
		best = s;
		hit->rule = (enum typo_rule)r;
		hit->target = i;
		hit->distance = d;
	}
	if (best < 0)
		return 0;
	hit->fuzzer = -1;
	hit->why |= l.why;
	snprintf(hit->key, sizeof hit->key, "%s", l.reg);
	return 1;
}

/* A name can imitate two monitored domains at once when one's label is
 * inside the other's: "evilshop-example.org" plays on example.com and on
 * shop-example.org.  It is filed under the more specific one, the domain
 * it imitates, whichever rule matched first. */
static void prefer_specific(const struct typo_matcher *m, struct typo_hit *hit)
{
	const struct target *cur;
	struct label l;

	if (!m->o.fuzzy || read_label(m, hit->name, &l) != 0)
		return;
	for (size_t j = 0; j < m->n; j++) {
		const struct target *t = &m->t[j];
		int d = 0, r;
		cur = &m->t[hit->target];
		if (j == hit->target || t->skel_len <= cur->skel_len ||
		    !contains(t->skel, t->skel_len, cur->skel, cur->skel_len))
			continue;
		r = rule_for(m, &l, t, &d);
		if (r < 0)
			continue;
		hit->rule = (enum typo_rule)r;
		hit->target = j;
		hit->distance = d;
		hit->fuzzer = -1;
	}
}

int typo_matcher_owned(const struct typo_matcher *m, const char *name)
{
	char norm[256];
	int wildcard, len = typo_normalise(name, norm, sizeof norm, &wildcard);
	size_t at;

	return len > 0 &&
	       find_up(m->allow, norm, (size_t)len, &at) != TYPO_NONE;
}

int typo_match(const struct typo_matcher *m, const char *name,
	       struct typo_hit *hit)
{
	int wildcard, len;
	size_t at, idx;

	len = typo_normalise(name, hit->name, sizeof hit->name, &wildcard);
	if (len < 0 || !memchr(hit->name, '.', (size_t)len))
		return 0;
	if (find_up(m->allow, hit->name, (size_t)len, &at) != TYPO_NONE)
		return 0;
	hit->why = 0;
	hit->distance = 0;
	idx = find_up(m->keys, hit->name, (size_t)len, &at);
	if (idx != TYPO_NONE) {
		uint32_t v = typo_set_val(m->keys, idx);
		hit->rule = TYPO_RULE_EXACT;
		hit->target = v >> 8;
		hit->fuzzer = (int)(v & 0xff);
		snprintf(hit->key, sizeof hit->key, "%s", hit->name + at);
		if (m->o.fuzzy) {
			struct label l;
			if (read_label(m, hit->name, &l) == 0)
				hit->why |= l.why;
		}
	} else if (!m->o.fuzzy || !fuzzy(m, hit->name, hit)) {
		return 0;
	}
	prefer_specific(m, hit);
	hit->why |= name_signs(hit->name, (size_t)len, wildcard);
	hit->score = score_of(hit->rule, hit->distance, hit->why);
	return 1;
}
