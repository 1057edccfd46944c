/* fuzz_typosquat.c - the typosquat matcher on certificate names: two
 * protected domains with their generated candidates, exact and fuzzy
 * rules, and a name from the input (any case, wildcard, trailing dot). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "typo_ctx.h"
#include "typo_domain.h"
#include "typo_gen.h"
#include "typo_match.h"
#include "typo_set.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const targets[] = {"example.com", "paypal.co.uk"};

/* Static so they stay reachable: not leaks, the process's lifetime. */
static struct typo_ctx *ctx;
static struct typo_set *cands[2];
static struct typo_matcher *exact, *fuzzy;

static void setup(void)
{
	struct typo_match_opts eo = {0, 5, 5}, fo = {1, 5, 5};
	struct typo_gen_opts go;
	char err[256];

	memset(&go, 0, sizeof go);
	go.allow_idn = 1;
	/* The context and candidate sets live as long as the process. */
	if (typo_ctx_new(NULL, &ctx, err, sizeof err) != 0 ||
	    typo_matcher_new(ctx, &eo, &exact) != 0 ||
	    typo_matcher_new(ctx, &fo, &fuzzy) != 0)
		__builtin_trap();
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		struct typo_set *s = cands[i] = typo_set_new();

		if (!s ||
		    typo_generate(ctx, targets[i], &go, s, err, sizeof err) ||
		    typo_matcher_add_target(exact, targets[i], s, err,
					    sizeof err) ||
		    typo_matcher_add_target(fuzzy, targets[i], s, err,
					    sizeof err))
			__builtin_trap();
	}
	if (typo_matcher_allow(fuzzy, "example.net") != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct typo_hit hit;
	char *name, norm[300];
	int wildcard = 0;

	if (!exact)
		setup();
	name = malloc(size + 1);
	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	if (typo_match(exact, name, &hit) && hit.target >= 2)
		__builtin_trap();
	if (typo_match(fuzzy, name, &hit) &&
	    (hit.target >= 2 || hit.score < 0 || hit.score > 100))
		__builtin_trap();
	(void)typo_matcher_owned(fuzzy, name);
	(void)typo_normalise(name, norm, sizeof norm, &wildcard);
	free(name);
	return 0;
}
