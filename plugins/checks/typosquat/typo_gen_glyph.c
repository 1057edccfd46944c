/* typo_gen_glyph.c - homoglyph and whole-script Cyrillic candidates.
 *
 * The homoglyph fuzzer reproduces dnstwist's, whose windowed loop
 * (every window of width 1..len-1, every character in it, every glyph:
 * replace all of that character inside the window) comes down to: for
 * each character c, each run of consecutive occurrences of c that does
 * not span the whole label, and each glyph g, replace that run's
 * occurrences by g.  Enumerating runs directly gives the same set without
 * the loop's duplicates; a second round is applied to every first-round
 * result.  Glyphs the suffix's registry refuses are skipped here, so a
 * .co.uk domain never grows IDN candidates at all. */
#include <string.h>

#include "ctmon/plugin.h"
#include "typo_gen.h"

#define MAXL TYPO_MAX_CPS

/* Glyphs of c this domain's registry accepts. */
static int glyph_ok(const struct typo_gen *g, const struct typo_glyph *gl)
{
	for (uint8_t i = 0; i < gl->n; i++)
		if (!typo_policy_allows(g->pol, gl->cps[i]))
			return 0;
	return 1;
}

/* One round over s; first-round results also go to `next`. */
static void mix(struct typo_gen *g, const uint32_t *s, size_t n,
		struct typo_set *next)
{
	unsigned char seen[128] = {0};
	size_t occ[MAXL];

	for (size_t start = 0; start < n && g->rc == CTMON_OK; start++) {
		uint32_t c = s[start];
		size_t k = 0;

		if (c >= 128 || seen[c] || g->ctx->n_glyphs[c] == 0)
			continue;
		seen[c] = 1;
		for (size_t i = start; i < n; i++)
			if (s[i] == c)
				occ[k++] = i;
		for (size_t gi = 0; gi < g->ctx->n_glyphs[c]; gi++) {
			const struct typo_glyph *gl = &g->ctx->glyphs[c][gi];
			if (!glyph_ok(g, gl))
				continue;
			for (size_t a = 0; a < k; a++)
				for (size_t b = a; b < k; b++) {
					uint32_t buf[MAXL];
					size_t m = 0;
					/* A window is never the whole label. */
					if (occ[a] == 0 && occ[b] == n - 1)
						continue;
					if (n + (b - a + 1) * gl->n > MAXL)
						continue;
					memcpy(buf, s, occ[a] * sizeof *s);
					m = occ[a];
					for (size_t i = occ[a]; i <= occ[b]; i++) {
						if (s[i] != c) {
							buf[m++] = s[i];
							continue;
						}
						memcpy(buf + m, gl->cps,
						       gl->n * sizeof *buf);
						m += gl->n;
					}
					memcpy(buf + m, s + occ[b] + 1,
					       (n - occ[b] - 1) * sizeof *s);
					m += n - occ[b] - 1;
					typo_gen_emit(g, TF_HOMOGLYPH, buf, m);
					if (next && g->rc == CTMON_OK) {
						char u8[MAXL * 4 + 1];
						int len = typo_utf8_encode(
							buf, m, u8, sizeof u8);
						if (len > 0)
							g->rc = typo_set_add(
								next, u8,
								(size_t)len, 0,
								NULL, NULL);
					}
				}
		}
	}
}

void typo_gen_homoglyph(struct typo_gen *g)
{
	struct typo_set *round1 = typo_set_new();

	if (!round1) {
		g->rc = CTMON_ENOMEM;
		return;
	}
	mix(g, g->p->ucps, g->p->n_ucps, round1);
	for (size_t i = 0; i < typo_set_count(round1) && !g->rc; i++) {
		size_t len;
		const char *s = typo_set_str(round1, i, &len);
		uint32_t cps[MAXL];
		int n = typo_utf8_decode(s, len, cps, MAXL);
		if (n > 0)
			mix(g, cps, (size_t)n, NULL);
	}
	typo_set_free(round1);
}

/* Every letter replaced by its Cyrillic twin, or nothing: a label mixing
 * scripts is refused by registries, a whole-script one is not. */
void typo_gen_cyrillic(struct typo_gen *g)
{
	uint32_t buf[MAXL];
	size_t n = g->p->n_ucps;

	for (size_t i = 0; i < n; i++) {
		uint32_t c = g->p->ucps[i];
		buf[i] = c < 128 ? g->ctx->cyrillic[c] : 0;
		if (!buf[i] || !typo_policy_allows(g->pol, buf[i]))
			return;
	}
	typo_gen_emit(g, TF_CYRILLIC, buf, n);
}
