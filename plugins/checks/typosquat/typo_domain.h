/* typo_domain.h - a host name cut where its owner's control starts
 * (public suffix list through libpsl), and the checks a candidate must
 * pass to be a name anyone could register and certify. */
#ifndef TYPO_DOMAIN_H
#define TYPO_DOMAIN_H

#include <stddef.h>
#include <stdint.h>

#include "typo_ctx.h"
#include "typo_unicode.h"

/* login.microsoftonline.com = sub "login" + label "microsoftonline" +
 * suffix "com"; reg = "microsoftonline.com". */
struct typo_parts {
	char name[254];
	char sub[254];
	char label[64];   /* as in DNS (A-label for an IDN) */
	char suffix[254];
	char reg[254];
	uint32_t ucps[64];/* the label as code points (U-label) */
	size_t n_ucps;
};

/* Splits a normalised name (lower case, no trailing dot).  CTMON_OK,
 * CTMON_EINVAL (not a host name, or a public suffix itself). */
int typo_split(const struct typo_ctx *c, const char *name,
	       struct typo_parts *p);

/* Writes label code points in DNS form (ASCII, or "xn--" + Punycode) if
 * the label is valid IDNA2008 and the policy allows its characters.
 * Returns the length, or -1. */
int typo_encode_label(const struct typo_ctx *c, const struct typo_policy *p,
		      const uint32_t *cps, size_t n, char *out, size_t outlen);

/* 1 if name is a valid host name: 4..253 octets, LDH labels of 1..63,
 * and a top-level label of at least two characters, not all digits. */
int typo_valid_name(const char *name, size_t len);

/* Lower-cases and checks a certificate name into out: strips one "*."
 * (sets *wildcard) and a trailing dot.  Returns the length, or -1 when it
 * is no host name. */
int typo_normalise(const char *in, char *out, size_t outlen, int *wildcard);

#endif
