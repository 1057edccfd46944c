/*
 * bench_typosquat.c - the typosquat check's library at speed.
 *
 *   bench_typosquat gen [REPS]     candidate sets of the six domains of
 *                                  shared/docs/typosquat.md, every fuzzer,
 *                                  default words and TLDs; median of REPS
 *   bench_typosquat match [NAMES]  NAMES random host names (5 % IDN, 10 %
 *                                  wildcards, PSL suffixes) plus 1 %
 *                                  planted lookalikes of 10 protected
 *                                  domains, shuffled, through the matcher
 *                                  with the exact set alone and with the
 *                                  fuzzy rules; names/s on one core,
 *                                  recall per kind of lookalike, false
 *                                  positives among the random names
 *
 * bench/run_typosquat.sh runs both next to Debian's dnstwist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "typo_ctx.h"
#include "typo_gen.h"
#include "typo_match.h"
#include "typo_set.h"
#include "typo_unicode.h"

static const char *const SIX[] = {"example.com", "google.com", "paypal.com",
				  "bankofamerica.com",
				  "login.microsoftonline.com", "bbc.co.uk"};
static const char *const TEN[] = {"example.com", "google.com", "paypal.com",
				  "bankofamerica.com",
				  "login.microsoftonline.com", "bbc.co.uk",
				  "amazon.com", "apple.com", "netflix.com",
				  "chase.com"};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static struct typo_gen_opts default_opts(void)
{
	struct typo_gen_opts o = {0, typo_default_words, 0, typo_default_tlds,
				  0, 1};

	while (o.words[o.n_words])
		o.n_words++;
	while (o.tlds[o.n_tlds])
		o.n_tlds++;
	return o;
}

static int gen(int reps)
{
	struct typo_gen_opts o = default_opts();
	struct typo_ctx *c = NULL;
	double t0 = now_s(), totals[64], per[6][64];
	size_t counts[6] = {0};
	char err[256];

	if (typo_ctx_new(NULL, &c, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("context_ms %.2f\n", (now_s() - t0) * 1e3);
	if (reps < 1 || reps > 64)
		reps = 7;
	for (int r = 0; r < reps; r++) {
		double start = now_s();
		for (int d = 0; d < 6; d++) {
			struct typo_set *s = typo_set_new();
			double t = now_s();
			if (!s || typo_generate(c, SIX[d], &o, s, err,
						sizeof err) != 0) {
				fprintf(stderr, "%s: %s\n", SIX[d], err);
				return 1;
			}
			per[d][r] = now_s() - t;
			counts[d] = typo_set_count(s);
			typo_set_free(s);
		}
		totals[r] = now_s() - start;
	}
	qsort(totals, (size_t)reps, sizeof *totals, cmp_double);
	for (int d = 0; d < 6; d++) {
		qsort(per[d], (size_t)reps, sizeof *per[d], cmp_double);
		printf("domain %s %zu %.3f\n", SIX[d], counts[d],
		       per[d][reps / 2] * 1e3);
	}
	printf("total_ms %.3f\n", totals[reps / 2] * 1e3);
	typo_ctx_free(c);
	return 0;
}

/* ---- the stream --------------------------------------------------------- */

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void random_label(char *out, size_t cap)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	size_t n = 3 + rnd() % 13;

	if (rnd() % 20 == 0) {
		uint32_t cps[20];
		for (size_t i = 0; i < n; i++)
			cps[i] = rnd() % 3 ? (uint32_t)al[rnd() % 26]
					   : 0xe0 + (uint32_t)(rnd() % 30);
		if (typo_label_ascii(cps, n, out, cap) > 0)
			return;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = al[rnd() % (i == 0 || i == n - 1 ? 36 : 37)];
	out[n] = '\0';
}

static const char *const SUFFIXES[] = {
	"com", "com", "com", "net", "org", "de", "co.uk", "io", "xyz", "info",
	"github.io", "com.au", "fr", "ru", "nl", "shop", "blogspot.com",
	"herokuapp.com", "co.jp", "com.br", "online", "app", "dev", "eu"};
#define N_SUFFIXES (sizeof SUFFIXES / sizeof *SUFFIXES)

static void random_name(char *out, size_t cap)
{
	static const char *const subs[] = {"www", "mail", "api", "cdn", "m",
					   "shop", "login", "static"};
	char l1[80], l2[80];
	int depth = (int)(rnd() % 4);

	random_label(l1, sizeof l1);
	random_label(l2, sizeof l2);
	snprintf(out, cap, "%s%s%s%s%s%s.%s", rnd() % 10 == 0 ? "*." : "",
		 depth > 2 ? l2 : "", depth > 2 ? "." : "",
		 depth > 0 ? subs[rnd() % 8] : "", depth > 0 ? "." : "", l1,
		 SUFFIXES[rnd() % N_SUFFIXES]);
}

enum kind {
	K_RANDOM,
	K_ENUMERATED,   /* a candidate, with a random subdomain */
	K_HOMOGRAPH,    /* one letter replaced by its Cyrillic twin */
	K_OTHER_SUFFIX, /* the label under another suffix */
	K_LEVELSQUAT,   /* brand.com.something.tld */
	K_COMBO,        /* brand-word.tld */
	K_DOUBLE_TYPO,  /* two substitutions in a label of 8+ letters */
	K_COUNT
};
static const char *const KIND[K_COUNT] = {
	"random", "enumerated candidate", "homograph (1 Cyrillic letter)",
	"label under another suffix", "levelsquat (brand.com.x.tld)",
	"combosquat (brand-word.tld)", "two substitutions (label >= 8)"};

struct item {
	char *name;
	enum kind kind;
};

static const char *pick_candidate(struct typo_set *const *cands)
{
	const struct typo_set *s = cands[rnd() % 10];
	return typo_set_str(s, rnd() % typo_set_count(s), NULL);
}

static int fits(int n, size_t cap) { return n > 0 && (size_t)n < cap; }

/* A lookalike of one of the ten, of the given kind, or 0 if that kind
 * does not apply to the target drawn. */
static int planted(struct typo_ctx *c, struct typo_set *const *cands,
		   enum kind k, char *out, size_t cap)
{
	static const char *const words[] = {"rewards", "billing", "careers",
					    "help-desk", "promo"};
	static const char *const other[] = {"fr", "shop", "co", "us", "ca",
					    "com.mx"};
	struct typo_parts p;
	uint32_t cps[64];
	char label[80];
	size_t n;

	if (k == K_ENUMERATED) {
		return fits(snprintf(out, cap, "%s%s", rnd() % 2 ? "www." : "",
				     pick_candidate(cands)),
			    cap);
	}
	if (typo_split(c, TEN[rnd() % 10], &p) != 0)
		return 0;
	n = p.n_ucps;
	switch (k) {
	case K_HOMOGRAPH:
		memcpy(cps, p.ucps, n * sizeof *cps);
		for (int tries = 0; tries < 8; tries++) {
			size_t i = rnd() % n;
			if (cps[i] < 128 && c->cyrillic[cps[i]]) {
				cps[i] = c->cyrillic[cps[i]];
				if (typo_label_ascii(cps, n, label,
						     sizeof label) < 0)
					return 0;
				return fits(snprintf(out, cap, "%s.%s", label,
						     p.suffix),
					    cap);
			}
		}
		return 0;
	case K_OTHER_SUFFIX:
		return fits(snprintf(out, cap, "www.%s.%s", p.label,
				     other[rnd() % 6]),
			    cap);
	case K_LEVELSQUAT:
		random_label(label, sizeof label);
		return fits(snprintf(out, cap, "%s.%s.%s.xyz", p.label,
				     p.suffix, label),
			    cap);
	case K_COMBO:
		if (n < 5)
			return 0;
		return fits(snprintf(out, cap, "%s-%s.com", p.label,
				     words[rnd() % 5]),
			    cap);
	case K_DOUBLE_TYPO:
		if (n < 8)
			return 0;
		if (!fits(snprintf(label, sizeof label, "%s", p.label),
			  sizeof label))
			return 0;
		for (int e = 0; e < 2; e++) {
			size_t i = 1 + rnd() % (n - 2);
			label[i] = (char)('a' + rnd() % 26);
		}
		if (strcmp(label, p.label) == 0)
			return 0;
		return fits(snprintf(out, cap, "%s.%s", label, p.suffix),
			    cap);
	default:
		return 0;
	}
}

struct result {
	double seconds;
	size_t hits[K_COUNT];
};

static void run(const struct typo_matcher *m, const struct item *items,
		size_t n, struct result *r)
{
	double t;

	memset(r, 0, sizeof *r);
	t = now_s();
	for (size_t i = 0; i < n; i++) {
		struct typo_hit h;
		if (typo_match(m, items[i].name, &h))
			r->hits[items[i].kind]++;
	}
	r->seconds = now_s() - t;
}

/* The random names a matcher flags (the false positives), for a look. */
static void show_false_positives(const struct typo_matcher *m,
				 const struct item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct typo_hit h;
		if (items[i].kind == K_RANDOM && typo_match(m, items[i].name, &h))
			printf("false_positive\t%s\t%s\t%s\t%s\t%d\n",
			       items[i].name, typo_rule_names[h.rule],
			       typo_matcher_domain(m, h.target), h.key,
			       h.score);
	}
}

static int match(size_t n_random)
{
	struct typo_set *cands[10];
	struct typo_matcher *exact = NULL, *fuzzy = NULL;
	struct typo_match_opts eo = {0, 5, 5}, fo = {1, 5, 5};
	struct typo_gen_opts o = default_opts();
	struct typo_ctx *c = NULL;
	size_t n_planted = n_random / 100, total, counts[K_COUNT] = {0};
	struct item *items;
	struct result re, rf;
	char err[256], buf[300];

	if (typo_ctx_new(NULL, &c, err, sizeof err) != 0 ||
	    typo_matcher_new(c, &eo, &exact) != 0 ||
	    typo_matcher_new(c, &fo, &fuzzy) != 0)
		return 1;
	for (int i = 0; i < 10; i++) {
		cands[i] = typo_set_new();
		if (typo_generate(c, TEN[i], &o, cands[i], err, sizeof err) ||
		    typo_matcher_add_target(exact, TEN[i], cands[i], err,
					    sizeof err) ||
		    typo_matcher_add_target(fuzzy, TEN[i], cands[i], err,
					    sizeof err)) {
			fprintf(stderr, "%s: %s\n", TEN[i], err);
			return 1;
		}
	}
	total = n_random + n_planted;
	items = calloc(total, sizeof *items);
	if (!items)
		return 1;
	for (size_t i = 0; i < n_random; i++) {
		random_name(buf, sizeof buf);
		items[i].name = strdup(buf);
		items[i].kind = K_RANDOM;
	}
	for (size_t i = n_random; i < total;) {
		/* Half from the candidate sets, half the kinds no list
		 * enumerates. */
		enum kind k = i % 2 ? K_ENUMERATED
				    : (enum kind)(K_HOMOGRAPH + rnd() % 5);
		if (!planted(c, cands, k, buf, sizeof buf))
			continue;
		items[i].name = strdup(buf);
		items[i].kind = k;
		i++;
	}
	for (size_t i = total - 1; i > 0; i--) {
		size_t j = rnd() % (i + 1);
		struct item t = items[i];
		items[i] = items[j];
		items[j] = t;
	}
	for (size_t i = 0; i < total; i++)
		counts[items[i].kind]++;
	printf("protected %zu keys %zu names %zu planted %zu\n",
	       typo_matcher_count(fuzzy), typo_matcher_keys(fuzzy), total,
	       n_planted);
	run(exact, items, total, &re);
	run(fuzzy, items, total, &rf);
	printf("exact_names_per_s %.0f\n", (double)total / re.seconds);
	printf("fuzzy_names_per_s %.0f\n", (double)total / rf.seconds);
	for (int k = 0; k < K_COUNT; k++)
		printf("kind\t%s\t%zu\t%zu\t%zu\n", KIND[k], counts[k],
		       re.hits[k], rf.hits[k]);
	show_false_positives(fuzzy, items, total);
	for (size_t i = 0; i < total; i++)
		free(items[i].name);
	free(items);
	for (int i = 0; i < 10; i++)
		typo_set_free(cands[i]);
	typo_matcher_free(exact);
	typo_matcher_free(fuzzy);
	typo_ctx_free(c);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "gen") == 0)
		return gen(argc > 2 ? (int)strtol(argv[2], NULL, 10) : 7);
	if (argc >= 2 && strcmp(argv[1], "match") == 0)
		return match(argc > 2 ? (size_t)strtoull(argv[2], NULL, 10)
				      : 2000000);
	fprintf(stderr, "usage: bench_typosquat gen [REPS] | match [NAMES]\n");
	return 2;
}
