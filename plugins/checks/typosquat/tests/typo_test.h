/* typo_test.h - what the typosquat library's unit tests share: one
 * context, generating a domain's candidates, and looking them up. */
#ifndef TYPO_TEST_H
#define TYPO_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "typo_ctx.h"
#include "typo_gen.h"
#include "typo_match.h"
#include "typo_set.h"

static struct typo_ctx *CTX;

static inline int tt_setup(void **unused)
{
	char err[256];

	(void)unused;
	if (typo_ctx_new(NULL, &CTX, err, sizeof err) != 0)
		fail_msg("context: %s", err);
	return 0;
}

static inline int tt_teardown(void **unused)
{
	(void)unused;
	typo_ctx_free(CTX);
	return 0;
}

/* The candidates of `domain` from the fuzzers in `mask` (0: all). */
static inline struct typo_set *tt_gen(const char *domain, uint32_t mask,
				      const char *const *words,
				      const char *const *tlds)
{
	struct typo_gen_opts o = {mask, words, 0, tlds, 0, 1};
	struct typo_set *s = typo_set_new();
	char err[256];

	for (; words && words[o.n_words];)
		o.n_words++;
	for (; tlds && tlds[o.n_tlds];)
		o.n_tlds++;
	assert_non_null(s);
	if (typo_generate(CTX, domain, &o, s, err, sizeof err) != 0)
		fail_msg("%s: %s", domain, err);
	return s;
}

static inline int tt_has(const struct typo_set *s, const char *name)
{
	return typo_set_find(s, name, strlen(name)) != TYPO_NONE;
}

#define tt_assert_has(s, name)                                               \
	do {                                                                 \
		if (!tt_has((s), (name)))                                    \
			fail_msg("candidate %s missing", (name));            \
	} while (0)
#define tt_assert_lacks(s, name)                                             \
	do {                                                                 \
		if (tt_has((s), (name)))                                     \
			fail_msg("%s must not be a candidate", (name));      \
	} while (0)

/* The candidates must be exactly `want` (NULL-terminated). */
static inline void tt_assert_exactly(const struct typo_set *s,
				     const char *const *want)
{
	size_t n = 0;

	for (; want[n]; n++)
		tt_assert_has(s, want[n]);
	if (typo_set_count(s) != n) {
		for (size_t i = 0; i < typo_set_count(s); i++)
			fprintf(stderr, "  got %s\n", typo_set_str(s, i, NULL));
		fail_msg("%zu candidates, want %zu", typo_set_count(s), n);
	}
}

#define BIT(f) (1u << (f))

#endif
