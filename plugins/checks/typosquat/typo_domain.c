/* typo_domain.c - see typo_domain.h. */
#include "typo_domain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "ctmon/plugin.h"

static int copy(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int typo_split(const struct typo_ctx *c, const char *name,
	       struct typo_parts *p)
{
	size_t len = strlen(name), rlen;
	const char *reg, *dot;
	char *u8 = NULL;
	int n;

	memset(p, 0, sizeof *p);
	if (!typo_valid_name(name, len) || copy(p->name, sizeof p->name, name,
						len))
		return CTMON_EINVAL;
	reg = psl_registrable_domain(c->psl, name);
	if (!reg || !(dot = strchr(reg, '.')))
		return CTMON_EINVAL;
	rlen = strlen(reg);
	if (copy(p->reg, sizeof p->reg, reg, rlen) ||
	    copy(p->label, sizeof p->label, reg, (size_t)(dot - reg)) ||
	    copy(p->suffix, sizeof p->suffix, dot + 1, strlen(dot + 1)))
		return CTMON_EINVAL;
	if (len > rlen && copy(p->sub, sizeof p->sub, name, len - rlen - 1))
		return CTMON_EINVAL;
	/* Fuzzers work on what a reader sees: the U-label of an IDN. */
	if (strncmp(p->label, "xn--", 4) == 0 &&
	    idn2_to_unicode_8z8z(p->label, &u8, 0) == IDN2_OK) {
		n = typo_utf8_decode(u8, strlen(u8), p->ucps, 63);
		idn2_free(u8);
	} else {
		n = typo_utf8_decode(p->label, strlen(p->label), p->ucps, 63);
	}
	if (n <= 0)
		return CTMON_EINVAL;
	p->n_ucps = (size_t)n;
	return CTMON_OK;
}

/* IDNA2008 rules on the U-label that code points alone do not show. */
static int hyphens_ok(const uint32_t *cps, size_t n)
{
	if (n == 0 || cps[0] == '-' || cps[n - 1] == '-')
		return 0;
	return !(n >= 4 && cps[2] == '-' && cps[3] == '-');
}

int typo_encode_label(const struct typo_ctx *c, const struct typo_policy *p,
		      const uint32_t *cps, size_t n, char *out, size_t outlen)
{
	int ascii = 1, known = 1, len;
	char u8[TYPO_MAX_CPS * 4 + 1];
	uint8_t *a = NULL;

	for (size_t i = 0; i < n; i++) {
		if (cps[i] < 0x80) {
			uint32_t ch = cps[i];
			if (!((ch >= 'a' && ch <= 'z') ||
			      (ch >= '0' && ch <= '9') || ch == '-'))
				return -1;
			continue;
		}
		ascii = 0;
		if (!typo_policy_allows(p, cps[i]))
			return -1;
		known = known && typo_ctx_cp_valid(c, cps[i]);
	}
	if (ascii) {
		len = typo_label_ascii(cps, n, out, outlen);
		return len >= 0 && typo_ldh_label(out, (size_t)len) ? len : -1;
	}
	if (!hyphens_ok(cps, n))
		return -1;
	if (known)
		return typo_label_ascii(cps, n, out, outlen);
	/* Characters the tables never vetted (dictionary words): libidn2
	 * decides, without TR46 mapping, as IDNA2008 registration does. */
	if (typo_utf8_encode(cps, n, u8, sizeof u8) < 0 ||
	    idn2_lookup_u8((const uint8_t *)u8, &a, IDN2_NO_TR46) != IDN2_OK) {
		idn2_free(a);
		return -1;
	}
	len = (int)strlen((const char *)a);
	if (len > 63 || copy(out, outlen, (const char *)a, (size_t)len))
		len = -1;
	idn2_free(a);
	return len;
}

int typo_valid_name(const char *name, size_t len)
{
	size_t start = 0, labels = 0, last_start = 0;
	int all_digits = 1;

	if (len < 4 || len > 253)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && name[i] != '.')
			continue;
		if (!typo_ldh_label(name + start, i - start))
			return 0;
		last_start = start;
		labels++;
		start = i + 1;
	}
	if (labels < 2 || len - last_start < 2)
		return 0;
	for (size_t i = last_start; i < len && all_digits; i++)
		all_digits = name[i] >= '0' && name[i] <= '9';
	return !all_digits;
}

int typo_normalise(const char *in, char *out, size_t outlen, int *wildcard)
{
	size_t n = strlen(in), k = 0, start = 0;

	*wildcard = 0;
	if (n >= 2 && in[0] == '*' && in[1] == '.') {
		*wildcard = 1;
		start = 2;
	}
	if (n > start && in[n - 1] == '.')
		n--;
	if (n <= start || n - start >= outlen || n - start > 253)
		return -1;
	for (size_t i = start; i < n; i++) {
		char ch = in[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '-' || ch == '.' || ch == '_'))
			return -1;
		out[k++] = ch;
	}
	out[k] = '\0';
	return (int)k;
}
