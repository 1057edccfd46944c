/* typo_skel.c - see typo_skel.h. */
#include "typo_skel.h"

#include <string.h>

#include "typo_tables.h"
#include "typo_unicode.h"

int typo_skeleton(const uint32_t *cps, size_t n, char *out, size_t outlen)
{
	size_t k = 0, w = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t c = cps[i];
		const char *a;
		if (c < 0x80) {
			if (k + 2 > outlen)
				return -1;
			out[k++] = c == '0' ? 'o' : c == '1' ? 'l' : (char)c;
			continue;
		}
		a = typo_confusable_of(c);
		if (a) {
			size_t len = strlen(a);
			if (k + len + 1 > outlen)
				return -1;
			memcpy(out + k, a, len);
			k += len;
		} else {
			int len = typo_utf8_encode(&c, 1, out + k, outlen - k);
			if (len < 0)
				return -1;
			k += (size_t)len;
		}
	}
	/* Fold the two-letter look-alikes in place, left to right. */
	for (size_t r = 0; r < k; r++) {
		char a = out[r], b = r + 1 < k ? out[r + 1] : '\0';
		if ((a == 'r' && b == 'n') || (a == 'v' && b == 'v') ||
		    (a == 'c' && b == 'l')) {
			out[w++] = a == 'r' ? 'm' : a == 'v' ? 'w' : 'd';
			r++;
		} else {
			out[w++] = a;
		}
	}
	out[w] = '\0';
	return (int)w;
}

#define OSA_MAX TYPO_SKEL_MAX

static int min2(int a, int b) { return a < b ? a : b; }

int typo_osa(const char *a, size_t na, const char *b, size_t nb, int k)
{
	int rows[3][OSA_MAX + 1];
	int *pp = rows[0], *p = rows[1], *c = rows[2];
	const int inf = k + 1;
	size_t diff = na > nb ? na - nb : nb - na;

	if (k < 0 || diff > (size_t)k || nb > OSA_MAX || na > OSA_MAX)
		return inf;
	for (size_t j = 0; j <= nb; j++) {
		p[j] = j <= (size_t)k ? (int)j : inf;
		pp[j] = inf;
	}
	/* Only cells with |i - j| <= k can stay within k: a band. */
	for (size_t i = 1; i <= na; i++) {
		size_t lo = i > (size_t)k ? i - (size_t)k : 1;
		size_t hi = i + (size_t)k < nb ? i + (size_t)k : nb;
		int best = inf;
		int *t;

		c[0] = i <= (size_t)k ? (int)i : inf;
		if (lo > 1)
			c[lo - 1] = inf;
		else
			best = c[0];
		for (size_t j = lo; j <= hi; j++) {
			int v = p[j - 1] + (a[i - 1] != b[j - 1]);
			v = min2(v, p[j] + 1);
			v = min2(v, c[j - 1] + 1);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1])
				v = min2(v, pp[j - 2] + 1);
			c[j] = min2(v, inf);
			best = min2(best, c[j]);
		}
		if (hi + 1 <= nb)
			c[hi + 1] = inf;
		if (best > k)
			return inf;
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[nb] <= k ? p[nb] : inf;
}

unsigned typo_scripts(const uint32_t *cps, size_t n)
{
	unsigned s = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t c = cps[i];
		if ((c >= 'a' && c <= 'z') || (c >= 0xc0 && c <= 0x2af) ||
		    (c >= 0x1d00 && c <= 0x1dbf) ||
		    (c >= 0x1e00 && c <= 0x1eff) ||
		    (c >= 0x2c60 && c <= 0x2c7f) ||
		    (c >= 0xa720 && c <= 0xa7ff))
			s |= TYPO_SCRIPT_LATIN;
		else if (c >= 0x370 && c <= 0x3ff)
			s |= TYPO_SCRIPT_GREEK;
		else if (c >= 0x400 && c <= 0x52f)
			s |= TYPO_SCRIPT_CYRILLIC;
		else if (c >= 0x80)
			s |= TYPO_SCRIPT_OTHER;
	}
	return s;
}
