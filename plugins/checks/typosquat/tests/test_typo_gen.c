/* test_typo_gen.c - candidate generation: each fuzzer on small labels,
 * the public-suffix split, registry IDN policies, key offsets, and every
 * candidate of the six reference domains being a valid host name whose
 * IDN labels libidn2 decodes and re-encodes to the same A-label. */
#include <stdlib.h>

#include <idn2.h>

#include "typo_domain.h"
#include "typo_test.h"
#include "typo_unicode.h"

static void split_uses_the_public_suffix_list(void **unused)
{
	struct typo_parts p;

	(void)unused;
	assert_int_equal(typo_split(CTX, "bbc.co.uk", &p), 0);
	assert_string_equal(p.label, "bbc");
	assert_string_equal(p.suffix, "co.uk");
	assert_string_equal(p.sub, "");
	assert_int_equal(typo_split(CTX, "login.microsoftonline.com", &p), 0);
	assert_string_equal(p.sub, "login");
	assert_string_equal(p.label, "microsoftonline");
	assert_string_equal(p.reg, "microsoftonline.com");
	/* A private-section suffix: the label is the user's. */
	assert_int_equal(typo_split(CTX, "octocat.github.io", &p), 0);
	assert_string_equal(p.label, "octocat");
	assert_string_equal(p.suffix, "github.io");
	/* An IDN label is permuted as the reader sees it. */
	assert_int_equal(typo_split(CTX, "xn--bcher-kva.de", &p), 0);
	assert_int_equal(p.n_ucps, 6);
	assert_int_equal(p.ucps[1], 0xfc);
	assert_int_not_equal(typo_split(CTX, "co.uk", &p), 0);
	assert_int_not_equal(typo_split(CTX, "-bad-.com", &p), 0);
}

static void reference_fuzzers_on_a_small_label(void **unused)
{
	static const char *const omission[] = {"bcd.com", "acd.com", "abd.com",
					       "abc.com", NULL};
	static const char *const transposition[] = {"bacd.com", "acbd.com",
						    "abdc.com", NULL};
	static const char *const hyphenation[] = {"a-bcd.com", "ab-cd.com",
						  "abc-d.com", NULL};
	static const char *const repetition[] = {"aabcd.com", "abbcd.com",
						 "abccd.com", "abcdd.com", NULL};
	static const char *const subdomain[] = {"a.bcd.com", "ab.cd.com", NULL};
	static const char *const vowels[] = {"ebcd.com", "ibcd.com", "obcd.com",
					     "ubcd.com", NULL};
	struct typo_set *s;

	(void)unused;
	s = tt_gen("abcd.com", BIT(TF_OMISSION), NULL, NULL);
	tt_assert_exactly(s, omission);
	typo_set_free(s);
	s = tt_gen("abcd.com", BIT(TF_TRANSPOSITION), NULL, NULL);
	tt_assert_exactly(s, transposition);
	typo_set_free(s);
	s = tt_gen("abcd.com", BIT(TF_HYPHENATION), NULL, NULL);
	tt_assert_exactly(s, hyphenation);
	typo_set_free(s);
	s = tt_gen("abcd.com", BIT(TF_REPETITION), NULL, NULL);
	tt_assert_exactly(s, repetition);
	typo_set_free(s);
	s = tt_gen("abcd.com", BIT(TF_SUBDOMAIN), NULL, NULL);
	tt_assert_exactly(s, subdomain);
	typo_set_free(s);
	s = tt_gen("abcd.com", BIT(TF_VOWEL_SWAP), NULL, NULL);
	tt_assert_exactly(s, vowels);
	typo_set_free(s);
}

static void bitsquatting_keeps_only_ldh(void **unused)
{
	struct typo_set *s = tt_gen("abcd.com", BIT(TF_BITSQUATTING), NULL,
				    NULL);

	(void)unused;
	/* a = 0x61: flips to c, e, i, q are host-name letters; 0x60, 'A',
	 * '!' and 0xe1 are not. */
	tt_assert_has(s, "cbcd.com");
	tt_assert_has(s, "ebcd.com");
	tt_assert_has(s, "ibcd.com");
	tt_assert_has(s, "qbcd.com");
	for (size_t i = 0; i < typo_set_count(s); i++) {
		const char *n = typo_set_str(s, i, NULL);
		assert_true(typo_valid_name(n, strlen(n)));
	}
	/* 'm' ^ 0x40 is '-': kept inside a label, never at its edge. */
	typo_set_free(s);
	s = tt_gen("amazon.com", BIT(TF_BITSQUATTING), NULL, NULL);
	tt_assert_has(s, "a-azon.com");
	typo_set_free(s);
}

static void keyboards_cover_qwerty_qwertz_azerty_dvorak(void **unused)
{
	struct typo_set *s = tt_gen("abcd.com", BIT(TF_REPLACEMENT), NULL,
				    NULL);

	(void)unused;
	tt_assert_has(s, "qbcd.com"); /* qwerty: q above a */
	tt_assert_has(s, "zbcd.com"); /* qwerty: z below a */
	tt_assert_has(s, "ybcd.com"); /* qwertz: y below a */
	tt_assert_has(s, "1bcd.com"); /* azerty: 1 above a */
	tt_assert_has(s, "obcd.com"); /* dvorak: o right of a */
	tt_assert_has(s, "abce.com"); /* qwerty: e above d */
	tt_assert_lacks(s, "pbcd.com");
	typo_set_free(s);
	/* Insertion also next to the first and last letters, which Debian's
	 * dnstwist skips (wexample.com, examplwe.com). */
	s = tt_gen("example.com", BIT(TF_INSERTION), NULL, NULL);
	tt_assert_has(s, "wexample.com");
	tt_assert_has(s, "ewxample.com");
	tt_assert_has(s, "examplwe.com");
	tt_assert_has(s, "exam0ple.com");
	typo_set_free(s);
}

static void addition_plural_dictionary_tld(void **unused)
{
	static const char *const words[] = {"login", NULL};
	static const char *const tlds[] = {"net", "com", "co.uk", NULL};
	static const char *const dict[] = {"abcd-login.com", "abcdlogin.com",
					   "login-abcd.com", "loginabcd.com",
					   NULL};
	static const char *const dash[] = {"my-bank-login.com",
					   "my-banklogin.com",
					   "login-my-bank.com",
					   "loginmy-bank.com", "my-login.com",
					   "login-bank.com", NULL};
	static const char *const swap[] = {"abcd.net", "abcd.co.uk", NULL};
	struct typo_set *s;

	(void)unused;
	s = tt_gen("abcd.com", BIT(TF_ADDITION), NULL, NULL);
	assert_int_equal(typo_set_count(s), 72);
	tt_assert_has(s, "abcd7.com");
	tt_assert_has(s, "zabcd.com");
	typo_set_free(s);
	s = tt_gen("abcdef.com", BIT(TF_PLURAL), NULL, NULL);
	tt_assert_has(s, "abcsdef.com");
	tt_assert_has(s, "abcdsef.com");
	assert_int_equal(typo_set_count(s), 2);
	typo_set_free(s);
	s = tt_gen("boxes.com", BIT(TF_PLURAL), NULL, NULL);
	tt_assert_has(s, "boxeses.com");
	typo_set_free(s);
	s = tt_gen("abcd.com", BIT(TF_DICTIONARY), words, NULL);
	tt_assert_exactly(s, dict);
	typo_set_free(s);
	s = tt_gen("my-bank.com", BIT(TF_DICTIONARY), words, NULL);
	tt_assert_exactly(s, dash);
	typo_set_free(s);
	s = tt_gen("abcd.com", BIT(TF_TLD_SWAP), NULL, tlds);
	tt_assert_exactly(s, swap);
	typo_set_free(s);
}

static void various_and_subdomain_targets(void **unused)
{
	static const char *const uk[] = {"bbc.uk", "bbcco.uk", "bbccouk.com",
					 NULL};
	static const char *const sub[] = {
		"login.microsoftonlinecom.com", "loginmicrosoftonline.com",
		"login-microsoftonline.com", NULL};
	struct typo_set *s;

	(void)unused;
	s = tt_gen("bbc.co.uk", BIT(TF_VARIOUS), NULL, NULL);
	tt_assert_exactly(s, uk);
	typo_set_free(s);
	s = tt_gen("login.microsoftonline.com", BIT(TF_VARIOUS), NULL, NULL);
	tt_assert_exactly(s, sub);
	typo_set_free(s);
}

/* Only the registrable label is permuted: bbc.co.uk never becomes
 * bbc.cp.uk, and every label-fuzzer result keeps ".co.uk". */
static void only_the_registrable_label_changes(void **unused)
{
	struct typo_set *s = tt_gen("bbc.co.uk", 0, NULL, NULL);

	(void)unused;
	assert_true(typo_set_count(s) > 100);
	for (size_t i = 0; i < typo_set_count(s); i++) {
		size_t len;
		const char *n = typo_set_str(s, i, &len);
		int fz = TYPO_VAL_FUZZER(typo_set_val(s, i));
		if (fz == TF_TLD_SWAP || fz == TF_VARIOUS)
			continue;
		if (len < 6 || strcmp(n + len - 6, ".co.uk") != 0)
			fail_msg("%s (%s) changed the suffix", n,
				 typo_fuzzer_names[fz]);
	}
	tt_assert_lacks(s, "bbc.cp.uk");
	typo_set_free(s);
}

static int has_idn(const struct typo_set *s)
{
	for (size_t i = 0; i < typo_set_count(s); i++)
		if (strstr(typo_set_str(s, i, NULL), "xn--"))
			return 1;
	return 0;
}

/* IDN candidates only with characters the suffix's registry registers. */
static void registry_idn_policies(void **unused)
{
	struct typo_set *s;
	int saw_umlaut = 0;

	(void)unused;
	s = tt_gen("bbc.co.uk", 0, NULL, NULL);
	assert_false(has_idn(s)); /* Nominet: no IDNs */
	tt_assert_has(s, "bbe.co.uk"); /* ASCII homoglyph c -> e */
	typo_set_free(s);
	s = tt_gen("paypal.com", 0, NULL, NULL);
	assert_true(has_idn(s)); /* Verisign: many scripts */
	/* One Cyrillic letter among Latin ones is no registrable label
	 * (the skeleton rule catches it in certificates instead). */
	tt_assert_lacks(s, "xn--pypal-4ve.com");
	typo_set_free(s);
	s = tt_gen("paypal.de", 0, NULL, NULL);
	assert_true(has_idn(s));
	for (size_t i = 0; i < typo_set_count(s); i++) {
		const char *n = typo_set_str(s, i, NULL);
		char *u8 = NULL;
		uint32_t cps[128];
		int k;
		if (!strstr(n, "xn--"))
			continue;
		assert_int_equal(idn2_to_unicode_8z8z(n, &u8, 0), IDN2_OK);
		k = typo_utf8_decode(u8, strlen(u8), cps, 128);
		for (int j = 0; j < k; j++) {
			/* Latin alpha and small capitals are not DENIC's. */
			assert_int_not_equal(cps[j], 0x0251);
			assert_false(cps[j] >= 0x1d00 && cps[j] <= 0x1d2b);
			saw_umlaut |= cps[j] == 0xe4;
		}
		idn2_free(u8);
	}
	assert_true(saw_umlaut);
	typo_set_free(s);
}

static void cyrillic_whole_script_only(void **unused)
{
	struct typo_set *s = tt_gen("paypal.com", BIT(TF_CYRILLIC), NULL, NULL);
	uint32_t want[] = {0x0440, 0x0430, 0x0443, 0x0440, 0x0430, 0x04cf};
	char a[64], name[80];

	(void)unused;
	assert_int_equal(typo_set_count(s), 1);
	assert_int_equal(typo_label_ascii(want, 6, a, sizeof a) > 0, 1);
	snprintf(name, sizeof name, "%s.com", a);
	tt_assert_has(s, name);
	typo_set_free(s);
	/* n and f have no Cyrillic twin: no whole-script candidate. */
	s = tt_gen("bankofamerica.com", BIT(TF_CYRILLIC), NULL, NULL);
	assert_int_equal(typo_set_count(s), 0);
	typo_set_free(s);
}

static void homoglyph_windows_and_rounds(void **unused)
{
	struct typo_set *s = tt_gen("mom.com", BIT(TF_HOMOGLYPH), NULL, NULL);

	(void)unused;
	tt_assert_has(s, "rnom.com");   /* one m */
	tt_assert_has(s, "momn.com");   /* the other m: m -> n */
	tt_assert_has(s, "rnorn.com");  /* both m, second round */
	tt_assert_has(s, "m0m.com");    /* o -> 0 */
	tt_assert_has(s, "rn0m.com");   /* two glyphs, two rounds */
	tt_assert_lacks(s, "mom.com");  /* never the domain itself */
	tt_assert_lacks(s, "rn0rn.com");/* three substitutions */
	typo_set_free(s);
}

/* The subdomain of a monitored name is not part of the lookalike: the
 * key of login.micr0softonline.com is micr0softonline.com; a dot inserted
 * into the label keeps the whole name. */
static void keys_drop_the_domains_own_subdomain(void **unused)
{
	struct typo_set *s = tt_gen("login.microsoftonline.com", 0, NULL,
				    NULL);
	size_t i;

	(void)unused;
	i = typo_set_find(s, "login.micr0softonline.com", 25);
	assert_int_not_equal(i, TYPO_NONE);
	assert_int_equal(TYPO_VAL_KEYOFF(typo_set_val(s, i)), 6);
	i = typo_set_find(s, "login.micro.softonline.com", 26);
	assert_int_not_equal(i, TYPO_NONE);
	assert_int_equal(TYPO_VAL_FUZZER(typo_set_val(s, i)), TF_SUBDOMAIN);
	assert_int_equal(TYPO_VAL_KEYOFF(typo_set_val(s, i)), 0);
	i = typo_set_find(s, "loginmicrosoftonline.com", 24);
	assert_int_not_equal(i, TYPO_NONE);
	assert_int_equal(TYPO_VAL_KEYOFF(typo_set_val(s, i)), 0);
	typo_set_free(s);
}

/* Our Punycode against libidn2's, for every IDN candidate of a domain. */
static void every_candidate_is_a_valid_name(void **unused)
{
	static const char *const domains[] = {
		"example.com", "google.com", "paypal.com", "bankofamerica.com",
		"login.microsoftonline.com", "bbc.co.uk", "paypal.de"};
	size_t idn = 0;

	(void)unused;
	for (size_t d = 0; d < sizeof domains / sizeof *domains; d++) {
		struct typo_set *s = tt_gen(domains[d], 0, NULL, NULL);
		for (size_t i = 0; i < typo_set_count(s); i++) {
			size_t len;
			const char *n = typo_set_str(s, i, &len);
			char *u8 = NULL;
			uint8_t *back = NULL;
			if (!typo_valid_name(n, len))
				fail_msg("%s is not a valid host name", n);
			if (!strstr(n, "xn--"))
				continue;
			idn++;
			if (idn2_to_unicode_8z8z(n, &u8, 0) != IDN2_OK ||
			    idn2_lookup_u8((const uint8_t *)u8, &back,
					   IDN2_NO_TR46) != IDN2_OK ||
			    strcmp((const char *)back, n) != 0)
				fail_msg("%s does not round-trip through "
					 "libidn2 (%s)", n,
					 back ? (const char *)back : "error");
			idn2_free(u8);
			idn2_free(back);
		}
		typo_set_free(s);
	}
	/* Most of every .com and .de set is IDN; none of bbc.co.uk's. */
	assert_true(idn > 30000);
}

static void punycode_samples(void **unused)
{
	/* Expected values from Python's punycode codec. */
	static const uint32_t l[] = {0x3042, 0x3044, 0x3046, 0x3048, 0x304a};
	static const uint32_t manana[] = {'m', 'a', 0xf1, 'a', 'n', 'a'};
	static const uint32_t bucher[] = {'b', 0xfc, 'c', 'h', 'e', 'r'};
	char out[64];

	(void)unused;
	assert_int_equal(typo_punycode(l, 5, out, sizeof out), 7);
	assert_string_equal(out, "l8jegik");
	assert_int_equal(typo_punycode(manana, 6, out, sizeof out), 9);
	assert_string_equal(out, "maana-pta");
	assert_true(typo_label_ascii(bucher, 6, out, sizeof out) > 0);
	assert_string_equal(out, "xn--bcher-kva");
	/* Too long for a label: refused, not cut. */
	{
		uint32_t big[70];
		for (int i = 0; i < 70; i++)
			big[i] = 0xe4;
		assert_int_equal(typo_label_ascii(big, 70, out, sizeof out),
				 -1);
	}
}

static void tables_are_sorted(void **unused)
{
	(void)unused;
	for (size_t i = 1; i < typo_n_confusables; i++)
		if (typo_confusables[i - 1].cp >= typo_confusables[i].cp)
			fail_msg("confusables out of order at U+%04X",
				 typo_confusables[i].cp);
	/* Every homoglyph survived libidn2's check (none dropped). */
	for (int c = 0; c < 128; c++) {
		const char *g = typo_glyphs_of((char)c);
		size_t n = 0;
		for (const char *p = g; p && *p; p++)
			n += *p != ' ' && (p == g || p[-1] == ' ');
		assert_int_equal(CTX->n_glyphs[c], n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_uses_the_public_suffix_list),
		cmocka_unit_test(reference_fuzzers_on_a_small_label),
		cmocka_unit_test(bitsquatting_keeps_only_ldh),
		cmocka_unit_test(keyboards_cover_qwerty_qwertz_azerty_dvorak),
		cmocka_unit_test(addition_plural_dictionary_tld),
		cmocka_unit_test(various_and_subdomain_targets),
		cmocka_unit_test(only_the_registrable_label_changes),
		cmocka_unit_test(registry_idn_policies),
		cmocka_unit_test(cyrillic_whole_script_only),
		cmocka_unit_test(homoglyph_windows_and_rounds),
		cmocka_unit_test(keys_drop_the_domains_own_subdomain),
		cmocka_unit_test(every_candidate_is_a_valid_name),
		cmocka_unit_test(punycode_samples),
		cmocka_unit_test(tables_are_sorted),
	};
	return cmocka_run_group_tests(tests, tt_setup, tt_teardown);
}
