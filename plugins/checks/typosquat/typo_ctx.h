/* typo_ctx.h - what candidate generation and matching share, built once
 * per plugin instance and read-only afterwards (so threads may share it):
 * the public suffix list, keyboard neighbours, homoglyphs as code points,
 * registry IDN policies, and the code points known to be valid IDNA2008. */
#ifndef TYPO_CTX_H
#define TYPO_CTX_H

#include <stddef.h>
#include <stdint.h>

#include <libpsl.h>

#include "typo_tables.h"

#define TYPO_GLYPH_MAX 3 /* code points in one homoglyph ("rn") */

struct typo_glyph {
	uint32_t cps[TYPO_GLYPH_MAX];
	uint8_t n;
	uint8_t ascii; /* every code point is ASCII */
};

struct typo_policy {
	const struct typo_policy_def *def; /* NULL: anything IDNA2008 allows */
	uint32_t *chars;                   /* sorted, TYPO_IDN_SET */
	size_t n_chars;
};

struct typo_ctx {
	psl_ctx_t *psl_owned;
	const psl_ctx_t *psl;
	/* Neighbours of each ASCII key on each layout, NUL-terminated. */
	char kb[TYPO_N_KEYBOARDS][128][12];
	struct typo_glyph *glyphs[128];
	size_t n_glyphs[128];
	uint32_t cyrillic[128];
	struct typo_policy *policies; /* parallel to typo_policies[] */
	struct typo_policy any;       /* the default */
	struct typo_policy ascii_only;/* allow_idn = false */
	uint32_t *valid;              /* sorted code points libidn2 accepts */
	size_t n_valid;
};

/* Builds the context.  psl_file: a public suffix list file (the
 * publicsuffix.org text or a DAFSA) to use instead of libpsl's newest
 * built-in or distribution copy; NULL or "" for that.  CTMON_OK, or an
 * error with a message in err. */
int typo_ctx_new(const char *psl_file, struct typo_ctx **out, char *err,
		 size_t errlen);
void typo_ctx_free(struct typo_ctx *c);

/* The IDN policy for a public suffix ("co.uk", "com"). */
const struct typo_policy *typo_ctx_policy(const struct typo_ctx *c,
					  const char *suffix);
/* 1 if a label under this policy may hold code point cp (>= 0x80). */
int typo_policy_allows(const struct typo_policy *p, uint32_t cp);
/* 1 if cp (>= 0x80) was checked valid in an IDNA2008 label. */
int typo_ctx_cp_valid(const struct typo_ctx *c, uint32_t cp);

#endif
