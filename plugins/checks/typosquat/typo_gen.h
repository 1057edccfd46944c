/* typo_gen.h - lookalike candidates for one domain.  Only the registrable
 * label is permuted (bbc.co.uk permutes "bbc", never "co"); the domain's
 * own subdomain labels and suffix are put back around each result, as
 * dnstwist does, and each candidate remembers where its registrable part
 * starts: that part is what a query source watches and what the exact
 * matcher indexes. */
#ifndef TYPO_GEN_H
#define TYPO_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "typo_ctx.h"
#include "typo_domain.h"
#include "typo_set.h"

struct typo_gen_opts {
	uint32_t fuzzers;          /* bit per enum typo_fuzzer; 0 = all */
	const char *const *words;  /* dictionary (combosquat) words */
	size_t n_words;
	const char *const *tlds;   /* suffixes for tld-swap */
	size_t n_tlds;
	int allow_idn;             /* 0: ASCII candidates only */
};

/* A candidate is an item of the output set: its string is the full name,
 * its value packs the fuzzer and the offset of the registrable part (the
 * key: the name minus the domain's own subdomain labels, or the whole
 * name for dot insertions such as pay.pal.com). */
#define TYPO_VAL(fz, off) ((uint32_t)(fz) | ((uint32_t)(off) << 8))
#define TYPO_VAL_FUZZER(v) ((int)((v)&0xff))
#define TYPO_VAL_KEYOFF(v) ((size_t)(((v) >> 8) & 0xff))

/* Adds the candidates of `domain` (normalised, A-labels) to `out`; a name
 * already there keeps its first fuzzer.  The domain itself is never a
 * candidate.  CTMON_OK, CTMON_EINVAL (with err: not a registrable host
 * name) or CTMON_ENOMEM. */
int typo_generate(const struct typo_ctx *c, const char *domain,
		  const struct typo_gen_opts *o, struct typo_set *out,
		  char *err, size_t errlen);

/* ---- internal: shared by typo_gen.c and typo_gen_glyph.c -------------- */

struct typo_gen {
	const struct typo_ctx *ctx;
	const struct typo_gen_opts *o;
	const struct typo_parts *p;
	const struct typo_policy *pol;
	struct typo_set *labels; /* permuted labels (UTF-8) -> fuzzer */
	struct typo_set *out;
	int rc;
};

/* Records a permuted label (it may contain '.', from dot insertion). */
void typo_gen_emit(struct typo_gen *g, int fuzzer, const uint32_t *cps,
		   size_t n);
void typo_gen_homoglyph(struct typo_gen *g);
void typo_gen_cyrillic(struct typo_gen *g);

#endif
