/* typo_match.h - is this certificate name a lookalike of a protected
 * domain?  Every name goes through an exact lookup in the candidates'
 * hash set (the name and each parent, so www.paypa1.com finds
 * paypa1.com), then, unless turned off, through rules that need no
 * enumeration, on the registrable label (libpsl), IDNs decoded
 * (libidn2):
 *
 *   skeleton     same confusables skeleton as the target's label, any
 *                suffix: homographs, 0/o, rn/m, whole-script Cyrillic
 *   same-label   the very label under another suffix (paypal.de)
 *   edit         optimal-alignment distance <= 1 (<= 2 for labels of 8+
 *                letters) on the label or its skeleton; none below 5
 *   split        the label cut by '-' or '.': pay-pal.com, pay.pal.com
 *   embed        the label as a token left of the registrable domain:
 *                paypal.com.evil.net, login-paypal.evil.net
 *   combo        the label inside a longer one: paypal-login.com
 *
 * The owner's own domains (each target's registrable domain and an
 * allowlist) never match. */
#ifndef TYPO_MATCH_H
#define TYPO_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "typo_ctx.h"
#include "typo_set.h"

enum typo_rule {
	TYPO_RULE_EXACT,
	TYPO_RULE_SKELETON,
	TYPO_RULE_SAME_LABEL,
	TYPO_RULE_EDIT,
	TYPO_RULE_SPLIT,
	TYPO_RULE_EMBED,
	TYPO_RULE_COMBO,
	TYPO_RULE_COUNT
};
extern const char *const typo_rule_names[TYPO_RULE_COUNT];

/* What raised the score above the rule's base. */
#define TYPO_WHY_WILDCARD 0x01u
#define TYPO_WHY_MIXED_SCRIPT 0x02u
#define TYPO_WHY_WHOLE_SCRIPT 0x04u
#define TYPO_WHY_BAD_PUNYCODE 0x08u
#define TYPO_WHY_SUSPICIOUS_TLD 0x10u
#define TYPO_WHY_KEYWORD 0x20u
#define TYPO_WHY_COUNT 6
extern const char *const typo_why_names[TYPO_WHY_COUNT];

struct typo_match_opts {
	int fuzzy;          /* the rules beyond the exact set */
	size_t min_edit;    /* shortest target label for "edit" (5) */
	size_t min_combo;   /* shortest target label for "combo" (5) */
};

struct typo_hit {
	enum typo_rule rule;
	int score;          /* 0..100 */
	size_t target;      /* index of the protected domain */
	int fuzzer;         /* exact: the fuzzer that made it; else -1 */
	int distance;       /* edit: the distance */
	unsigned why;       /* TYPO_WHY_* */
	char name[256];     /* the name, normalised */
	char key[256];      /* what findings are grouped by: the candidate
			       (exact) or the registrable domain */
};

struct typo_matcher;

int typo_matcher_new(const struct typo_ctx *c, const struct typo_match_opts *o,
		     struct typo_matcher **out);
void typo_matcher_free(struct typo_matcher *m);

/* Protects `domain`; its candidates (typo_generate's output, or NULL)
 * join the exact set.  CTMON_OK, CTMON_EINVAL (err says why),
 * CTMON_ENOMEM. */
int typo_matcher_add_target(struct typo_matcher *m, const char *domain,
			    const struct typo_set *cands, char *err,
			    size_t errlen);
/* The owner's own domain: it and every name under it never match. */
int typo_matcher_allow(struct typo_matcher *m, const char *domain);

size_t typo_matcher_count(const struct typo_matcher *m);
const char *typo_matcher_domain(const struct typo_matcher *m, size_t i);
/* Candidates in the exact set. */
size_t typo_matcher_keys(const struct typo_matcher *m);

/* 1 if `name` is one of the owner's: under a protected domain's
 * registrable domain or under the allowlist. */
int typo_matcher_owned(const struct typo_matcher *m, const char *name);

/* 1 and *hit filled when `name` (as a certificate carries it: any case,
 * "*." and a final dot allowed) is a lookalike; 0 when it is not or is no
 * host name. */
int typo_match(const struct typo_matcher *m, const char *name,
	       struct typo_hit *hit);

#endif
