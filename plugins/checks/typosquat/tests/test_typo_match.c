/* test_typo_match.c - matching certificate names against protected
 * domains: skeletons, the bounded edit distance (against a plain
 * dynamic-programming reference), and every rule on names built to fire
 * it - or, for the owner's names and unrelated ones, not to. */
#include <stdlib.h>

#include "typo_skel.h"
#include "typo_test.h"
#include "typo_unicode.h"

static struct typo_matcher *M;     /* fuzzy rules on */
static struct typo_matcher *EXACT; /* exact set only */

static const char *const PROTECTED[] = {"paypal.com", "example.com",
					"bbc.co.uk",
					"login.microsoftonline.com"};

static struct typo_matcher *matcher(int fuzzy)
{
	struct typo_match_opts o = {fuzzy, 5, 5};
	struct typo_matcher *m = NULL;
	char err[256];

	assert_int_equal(typo_matcher_new(CTX, &o, &m), 0);
	for (size_t i = 0; i < 4; i++) {
		struct typo_set *s = tt_gen(PROTECTED[i], 0, NULL, NULL);
		if (typo_matcher_add_target(m, PROTECTED[i], s, err,
					    sizeof err) != 0)
			fail_msg("%s", err);
		typo_set_free(s);
	}
	assert_int_equal(typo_matcher_allow(m, "paypal-corp.com"), 0);
	return m;
}

static int setup(void **state)
{
	tt_setup(state);
	M = matcher(1);
	EXACT = matcher(0);
	return 0;
}

static int teardown(void **state)
{
	typo_matcher_free(M);
	typo_matcher_free(EXACT);
	return tt_teardown(state);
}

static void skel_of(const char *utf8, char *out, size_t len)
{
	uint32_t cps[128];
	int n = typo_utf8_decode(utf8, strlen(utf8), cps, 128);

	assert_true(n > 0);
	assert_true(typo_skeleton(cps, (size_t)n, out, len) >= 0);
}

static void skeletons(void **unused)
{
	char a[256], b[256];

	(void)unused;
	skel_of("paypal", a, sizeof a);
	skel_of("p\xd0\xb0yp\xd0\xb0l", b, sizeof b); /* Cyrillic а twice */
	assert_string_equal(a, b);
	skel_of("rnicrosoft", b, sizeof b);
	skel_of("microsoft", a, sizeof a);
	assert_string_equal(a, b);
	skel_of("g00gle", a, sizeof a);
	assert_string_equal(a, "google");
	skel_of("vvikipedia", a, sizeof a);
	assert_string_equal(a, "wikipedia");
	skel_of("\xc3\xa9\xe1\xb4\x84l\xc8\xaf", a, sizeof a); /* éᴄlȯ */
	assert_string_equal(a, "edo");
	skel_of("stra\xc3\x9f" "e", a, sizeof a); /* ß */
	assert_string_equal(a, "strasse");
	/* Unknown characters stay, so they never equal ASCII. */
	skel_of("p\xe4\xb8\x80ypal", a, sizeof a);
	assert_string_not_equal(a, "paypal");
}

/* Full optimal-string-alignment distance, the textbook way. */
static int osa_reference(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	int d[40][40];

	for (size_t i = 0; i <= na; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= nb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= na; i++)
		for (size_t j = 1; j <= nb; j++) {
			int v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[na][nb];
}

static unsigned rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static void bounded_distance_agrees_with_reference(void **unused)
{
	unsigned seed = 12345;
	char a[32], b[32];

	(void)unused;
	assert_int_equal(typo_osa("paypal", 6, "paypla", 6, 1), 1);
	assert_int_equal(typo_osa("example", 7, "exmaple", 7, 1), 1);
	assert_int_equal(typo_osa("example", 7, "example", 7, 0), 0);
	assert_int_equal(typo_osa("abc", 3, "xyz", 3, 1), 2);
	/* Random pairs over a four-letter alphabet, so that distances are
	 * small and every band width is exercised. */
	for (int t = 0; t < 20000; t++) {
		size_t na = 1 + rnd(&seed) % 12, nb = 1 + rnd(&seed) % 12;
		int k = (int)(rnd(&seed) % 4), want, got;
		for (size_t i = 0; i < na; i++)
			a[i] = (char)('a' + rnd(&seed) % 4);
		a[na] = '\0';
		/* b: a with a few edits, or unrelated. */
		for (size_t i = 0; i < nb; i++)
			b[i] = i < na && rnd(&seed) % 4 ? a[i]
							: (char)('a' + rnd(&seed) % 4);
		b[nb] = '\0';
		want = osa_reference(a, b);
		got = typo_osa(a, na, b, nb, k);
		if ((want <= k && got != want) || (want > k && got != k + 1))
			fail_msg("osa(%s, %s, k=%d) = %d, want %d", a, b, k,
				 got, want);
	}
}

struct expect {
	const char *name;
	enum typo_rule rule;   /* TYPO_RULE_COUNT: no match */
	const char *target;
	const char *key;
};

static void rules_fire_on_built_names(void **unused)
{
	static const struct expect cases[] = {
		/* exact: the name or a parent is a candidate */
		{"paypa1.com", TYPO_RULE_EXACT, "paypal.com", "paypa1.com"},
		{"www.paypa1.com", TYPO_RULE_EXACT, "paypal.com", "paypa1.com"},
		{"*.PAYPA1.COM.", TYPO_RULE_EXACT, "paypal.com", "paypa1.com"},
		{"pay.pal.com", TYPO_RULE_EXACT, "paypal.com", "pay.pal.com"},
		{"micr0softonline.com", TYPO_RULE_EXACT,
		 "login.microsoftonline.com", "micr0softonline.com"},
		{"bcc.co.uk", TYPO_RULE_EXACT, "bbc.co.uk", "bcc.co.uk"},
		/* skeleton: homographs the generator never lists */
		{"xn--pypal-4ve.com", TYPO_RULE_SKELETON, "paypal.com",
		 "xn--pypal-4ve.com"},
		{"exarnple.org", TYPO_RULE_SKELETON, "example.com",
		 "exarnple.org"},
		/* the label under another suffix */
		{"paypal.de", TYPO_RULE_SAME_LABEL, "paypal.com", "paypal.de"},
		{"www.bbc.com", TYPO_RULE_SAME_LABEL, "bbc.co.uk", "bbc.com"},
		/* edit distance, any suffix (distance 1 beats a split) */
		{"pay-pal.net", TYPO_RULE_EDIT, "paypal.com", "pay-pal.net"},
		{"paypall.net", TYPO_RULE_EDIT, "paypal.com", "paypall.net"},
		{"mircosoftonlnie.com", TYPO_RULE_EDIT,
		 "login.microsoftonline.com", "mircosoftonlnie.com"},
		/* split by '-' or '.' */
		{"micro-soft-online.net", TYPO_RULE_SPLIT,
		 "login.microsoftonline.com", "micro-soft-online.net"},
		{"login.micro.softonline.net", TYPO_RULE_SPLIT,
		 "login.microsoftonline.com", "softonline.net"},
		/* embedded left of the registrable domain */
		{"paypal.com.evil.net", TYPO_RULE_EMBED, "paypal.com",
		 "evil.net"},
		{"secure-paypal.evil.net", TYPO_RULE_EMBED, "paypal.com",
		 "evil.net"},
		{"paypalcom.evil.net", TYPO_RULE_EMBED, "paypal.com",
		 "evil.net"},
		/* combination with a word */
		{"example-login.com", TYPO_RULE_COMBO, "example.com",
		 "example-login.com"},
		{"myexamp1eshop.net", TYPO_RULE_COMBO, "example.com",
		 "myexamp1eshop.net"},
		/* the owner's names, unrelated names, short labels */
		{"paypal.com", TYPO_RULE_COUNT, NULL, NULL},
		{"www.paypal.com", TYPO_RULE_COUNT, NULL, NULL},
		{"login.microsoftonline.com", TYPO_RULE_COUNT, NULL, NULL},
		{"sts.microsoftonline.com", TYPO_RULE_COUNT, NULL, NULL},
		{"shop.paypal-corp.com", TYPO_RULE_COUNT, NULL, NULL},
		{"weather.org", TYPO_RULE_COUNT, NULL, NULL},
		{"abbcd.com", TYPO_RULE_COUNT, NULL, NULL},
		{"bbcnews.com", TYPO_RULE_COUNT, NULL, NULL},
		{"localhost", TYPO_RULE_COUNT, NULL, NULL},
		{"bad name.com", TYPO_RULE_COUNT, NULL, NULL},
		{"co.uk", TYPO_RULE_COUNT, NULL, NULL},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct expect *e = &cases[i];
		struct typo_hit h;
		int hit = typo_match(M, e->name, &h);
		if (e->rule == TYPO_RULE_COUNT) {
			if (hit)
				fail_msg("%s matched %s by %s", e->name,
					 typo_matcher_domain(M, h.target),
					 typo_rule_names[h.rule]);
			continue;
		}
		if (!hit)
			fail_msg("%s: no match, want %s", e->name,
				 typo_rule_names[e->rule]);
		if (h.rule != e->rule ||
		    strcmp(typo_matcher_domain(M, h.target), e->target) ||
		    strcmp(h.key, e->key))
			fail_msg("%s: %s/%s/%s, want %s/%s/%s", e->name,
				 typo_rule_names[h.rule],
				 typo_matcher_domain(M, h.target), h.key,
				 typo_rule_names[e->rule], e->target, e->key);
		assert_true(h.score >= 65 && h.score <= 100);
	}
}

static void scores_and_signs(void **unused)
{
	struct typo_hit h;

	(void)unused;
	assert_int_equal(typo_match(M, "paypa1.com", &h), 1);
	assert_int_equal(h.score, 95);
	assert_string_equal(typo_fuzzer_names[h.fuzzer], "homoglyph");
	assert_int_equal(typo_match(M, "*.paypa1.com", &h), 1);
	assert_true(h.why & TYPO_WHY_WILDCARD);
	assert_int_equal(h.score, 100);
	/* Latin and Cyrillic in one label. */
	assert_int_equal(typo_match(M, "xn--pypal-4ve.com", &h), 1);
	assert_true(h.why & TYPO_WHY_MIXED_SCRIPT);
	/* paypal.com.evil.xyz: a phishing TLD on top of the embedding. */
	assert_int_equal(typo_match(M, "paypal.com.evil.xyz", &h), 1);
	assert_true(h.why & TYPO_WHY_SUSPICIOUS_TLD);
	assert_int_equal(h.score, 80);
	assert_int_equal(typo_match(M, "paypal-verify.com", &h), 1);
	assert_true(h.why & TYPO_WHY_KEYWORD);
	/* Edit distance 2 scores lower than 1. */
	assert_int_equal(typo_match(M, "mcrosoftonlie.com", &h), 1);
	assert_int_equal(h.rule, TYPO_RULE_EDIT);
	assert_int_equal(h.distance, 2);
	assert_int_equal(h.score, 70);
}

/* Issue #11: with example.com and shop-example.org both monitored, a
 * name playing on shop-example.org is filed under it, not under the
 * shorter example.com its label also contains. */
static void filed_under_the_domain_it_imitates(void **unused)
{
	static const char *const targets[] = {"example.com",
					      "shop-example.org"};
	static const char *const names[] = {"shop-example.com",
					    "evilshop-example.org",
					    "shop-exampie.org"};
	struct typo_match_opts o = {1, 5, 5};
	struct typo_matcher *m = NULL;
	char err[256];

	(void)unused;
	assert_int_equal(typo_matcher_new(CTX, &o, &m), 0);
	for (size_t i = 0; i < 2; i++) {
		struct typo_set *s = tt_gen(targets[i], 0, NULL, NULL);
		if (typo_matcher_add_target(m, targets[i], s, err,
					    sizeof err) != 0)
			fail_msg("%s", err);
		typo_set_free(s);
	}
	for (size_t i = 0; i < 3; i++) {
		struct typo_hit h;
		if (!typo_match(m, names[i], &h))
			fail_msg("%s: no match", names[i]);
		if (strcmp(typo_matcher_domain(m, h.target),
			   "shop-example.org") != 0)
			fail_msg("%s filed under %s", names[i],
				 typo_matcher_domain(m, h.target));
	}
	/* example.com keeps what plays on example.com alone. */
	{
		struct typo_hit h;
		assert_true(typo_match(m, "examp1e.com", &h));
		assert_string_equal(typo_matcher_domain(m, h.target),
				    "example.com");
	}
	typo_matcher_free(m);
}

static void exact_set_alone(void **unused)
{
	struct typo_hit h;

	(void)unused;
	assert_int_equal(typo_match(EXACT, "www.paypa1.com", &h), 1);
	assert_int_equal(h.rule, TYPO_RULE_EXACT);
	assert_int_equal(typo_match(EXACT, "paypal.de", &h), 0);
	assert_int_equal(typo_match(EXACT, "xn--pypal-4ve.com", &h), 0);
	assert_int_equal(typo_match(EXACT, "paypal.com.evil.net", &h), 0);
	assert_true(typo_matcher_keys(EXACT) > 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(skeletons),
		cmocka_unit_test(bounded_distance_agrees_with_reference),
		cmocka_unit_test(rules_fire_on_built_names),
		cmocka_unit_test(scores_and_signs),
		cmocka_unit_test(exact_set_alone),
		cmocka_unit_test(filed_under_the_domain_it_imitates),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
