/* typo_ctx.c - see typo_ctx.h. */
#include "typo_ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "ctmon/plugin.h"
#include "typo_unicode.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int in_sorted(const uint32_t *v, size_t n, uint32_t cp)
{
	return v && n && bsearch(&cp, v, n, sizeof *v, cmp_u32) != NULL;
}

/* Keys within one key width on the rows above and below, and the keys
 * left and right: the six neighbours of a staggered keyboard. */
static void build_keyboards(struct typo_ctx *c)
{
	for (int k = 0; k < TYPO_N_KEYBOARDS; k++) {
		const struct typo_keyboard *kb = &typo_keyboards[k];
		for (int r = 0; r < 4; r++) {
			for (size_t i = 0; kb->rows[r][i]; i++) {
				unsigned char key = (unsigned char)kb->rows[r][i];
				char *out = c->kb[k][key & 127];
				size_t n = 0;
				int x = kb->offset_q[r] + 4 * (int)i;
				if (key == '_')
					continue;
				for (int rr = r - 1; rr <= r + 1; rr++) {
					if (rr < 0 || rr > 3)
						continue;
					for (size_t j = 0; kb->rows[rr][j]; j++) {
						int xx = kb->offset_q[rr] + 4 * (int)j;
						int dx = xx > x ? xx - x : x - xx;
						char nb = kb->rows[rr][j];
						if (nb == '_' || (rr == r && j == i))
							continue;
						if ((rr == r && dx == 4) ||
						    (rr != r && dx < 4))
							if (n + 1 < sizeof c->kb[k][0])
								out[n++] = nb;
					}
				}
				out[n] = '\0';
			}
		}
	}
}

static int add_valid(uint32_t **v, size_t *n, size_t *cap, uint32_t cp)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		uint32_t *nv = realloc(*v, nc * sizeof *nv);
		if (!nv)
			return CTMON_ENOMEM;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = cp;
	return CTMON_OK;
}

/* 1 if libidn2 accepts cp between two ASCII letters as an IDNA2008 label
 * (PVALID, no mapping). */
static int idna_ok(uint32_t cp)
{
	uint32_t cps[3] = {'a', cp, 'a'};
	char u8[16];
	uint8_t *out = NULL;
	int rc;

	if (typo_utf8_encode(cps, 3, u8, sizeof u8) < 0)
		return 0;
	rc = idn2_lookup_u8((const uint8_t *)u8, &out, IDN2_NO_TR46);
	idn2_free(out);
	return rc == IDN2_OK;
}

/* Parses the homoglyph strings; records which of their code points (and
 * the Cyrillic map's) libidn2 accepts. */
static int build_glyphs(struct typo_ctx *c, size_t *cap_valid)
{
	for (int ch = 0; ch < 128; ch++) {
		const char *s = typo_glyphs_of((char)ch);
		size_t count = 0;
		c->cyrillic[ch] = typo_cyrillic_of((char)ch);
		if (c->cyrillic[ch] && idna_ok(c->cyrillic[ch]) &&
		    add_valid(&c->valid, &c->n_valid, cap_valid,
			      c->cyrillic[ch]))
			return CTMON_ENOMEM;
		if (!s)
			continue;
		for (const char *p = s; *p; p++)
			count += (*p != ' ' && (p == s || p[-1] == ' '));
		c->glyphs[ch] = calloc(count, sizeof *c->glyphs[ch]);
		if (!c->glyphs[ch])
			return CTMON_ENOMEM;
		while (*s) {
			size_t len = strcspn(s, " ");
			uint32_t cps[TYPO_GLYPH_MAX];
			int n = typo_utf8_decode(s, len, cps, TYPO_GLYPH_MAX);
			struct typo_glyph *g = &c->glyphs[ch][c->n_glyphs[ch]];
			int ascii = 1, ok = n > 0;
			for (int i = 0; i < n && ok; i++) {
				if (cps[i] < 0x80)
					continue;
				ascii = 0;
				ok = idna_ok(cps[i]);
				if (ok && add_valid(&c->valid, &c->n_valid,
						    cap_valid, cps[i]))
					return CTMON_ENOMEM;
			}
			/* A glyph IDNA2008 forbids could never be a name. */
			if (ok) {
				memcpy(g->cps, cps, (size_t)n * sizeof *cps);
				g->n = (uint8_t)n;
				g->ascii = (uint8_t)ascii;
				c->n_glyphs[ch]++;
			}
			s += len;
			while (*s == ' ')
				s++;
		}
	}
	return CTMON_OK;
}

static int build_policies(struct typo_ctx *c)
{
	c->policies = calloc(typo_n_policies, sizeof *c->policies);
	if (!c->policies)
		return CTMON_ENOMEM;
	for (size_t i = 0; i < typo_n_policies; i++) {
		const struct typo_policy_def *d = &typo_policies[i];
		struct typo_policy *p = &c->policies[i];
		uint32_t cps[TYPO_MAX_CPS];
		int n = 0;
		p->def = d;
		if (d->kind != TYPO_IDN_SET || !d->chars || !*d->chars)
			continue;
		n = typo_utf8_decode(d->chars, strlen(d->chars), cps,
				     TYPO_MAX_CPS);
		if (n <= 0)
			return CTMON_EINTERNAL;
		p->chars = malloc((size_t)n * sizeof *p->chars);
		if (!p->chars)
			return CTMON_ENOMEM;
		memcpy(p->chars, cps, (size_t)n * sizeof *cps);
		qsort(p->chars, (size_t)n, sizeof *p->chars, cmp_u32);
		p->n_chars = (size_t)n;
	}
	return CTMON_OK;
}

static const struct typo_policy_def ascii_only = {
	"", TYPO_IDN_NONE, NULL, 0, "IDN candidates are turned off"};

int typo_ctx_new(const char *psl_file, struct typo_ctx **out, char *err,
		 size_t errlen)
{
	struct typo_ctx *c = calloc(1, sizeof *c);
	size_t cap_valid = 0;
	int rc = CTMON_ENOMEM;

	*out = NULL;
	if (!c)
		goto fail;
	if (psl_file && *psl_file) {
		c->psl_owned = psl_load_file(psl_file);
		if (!c->psl_owned) {
			snprintf(err, errlen,
				 "cannot load the public suffix list \"%s\"",
				 psl_file);
			rc = CTMON_ECONFIG;
			goto fail;
		}
		c->psl = c->psl_owned;
	} else {
		/* The newer of libpsl's built-in list and the distribution's
		 * (Debian's publicsuffix package). */
		c->psl_owned = psl_latest(NULL);
		c->psl = c->psl_owned ? c->psl_owned : psl_builtin();
	}
	if (!c->psl) {
		snprintf(err, errlen, "libpsl has no public suffix list");
		rc = CTMON_ECONFIG;
		goto fail;
	}
	c->ascii_only.def = &ascii_only;
	build_keyboards(c);
	if ((rc = build_glyphs(c, &cap_valid)) != CTMON_OK ||
	    (rc = build_policies(c)) != CTMON_OK)
		goto fail;
	qsort(c->valid, c->n_valid, sizeof *c->valid, cmp_u32);
	*out = c;
	return CTMON_OK;
fail:
	if (rc == CTMON_ENOMEM)
		snprintf(err, errlen, "out of memory");
	typo_ctx_free(c);
	return rc;
}

void typo_ctx_free(struct typo_ctx *c)
{
	if (!c)
		return;
	if (c->psl_owned)
		psl_free(c->psl_owned);
	for (int i = 0; i < 128; i++)
		free(c->glyphs[i]);
	for (size_t i = 0; c->policies && i < typo_n_policies; i++)
		free(c->policies[i].chars);
	free(c->policies);
	free(c->valid);
	free(c);
}

const struct typo_policy *typo_ctx_policy(const struct typo_ctx *c,
					  const char *suffix)
{
	const char *last = strrchr(suffix, '.');

	for (int pass = 0; pass < 2; pass++) {
		const char *want = pass == 0 ? suffix : (last ? last + 1 : NULL);
		if (!want)
			break;
		for (size_t i = 0; i < typo_n_policies; i++)
			if (strcmp(typo_policies[i].suffix, want) == 0)
				return &c->policies[i];
	}
	return &c->any;
}

int typo_policy_allows(const struct typo_policy *p, uint32_t cp)
{
	if (cp < 0x80 || !p->def || p->def->kind == TYPO_IDN_ANY)
		return 1;
	if (p->def->kind == TYPO_IDN_NONE)
		return 0;
	if (cp >= 0x400 && cp <= 0x52f)
		return p->def->cyrillic;
	return in_sorted(p->chars, p->n_chars, cp);
}

int typo_ctx_cp_valid(const struct typo_ctx *c, uint32_t cp)
{
	return in_sorted(c->valid, c->n_valid, cp);
}
