/* typo_unicode.c - see typo_unicode.h.  Punycode follows RFC 3492
 * section 6.3 with its section 5 parameters. */
#include "typo_unicode.h"

#include <string.h>

int typo_utf8_decode(const char *s, size_t n, uint32_t *cps, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k = 0;

	while (i < n) {
		uint32_t c = p[i];
		size_t len;
		uint32_t min;

		if (c < 0x80) {
			len = 1;
			min = 0;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2;
			c &= 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			c &= 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			c &= 0x07;
			min = 0x10000;
		} else {
			return -1;
		}
		if (i + len > n)
			return -1;
		for (size_t j = 1; j < len; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return -1;
			c = (c << 6) | (p[i + j] & 0x3f);
		}
		/* Overlong forms, surrogates and out-of-range values are
		 * not text. */
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return -1;
		if (k == max)
			return -1;
		cps[k++] = c;
		i += len;
	}
	return (int)k;
}

int typo_utf8_encode(const uint32_t *cps, size_t n, char *out, size_t outlen)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t c = cps[i];
		if (c < 0x80) {
			if (k + 1 >= outlen)
				return -1;
			out[k++] = (char)c;
		} else if (c < 0x800) {
			if (k + 2 >= outlen)
				return -1;
			out[k++] = (char)(0xc0 | (c >> 6));
			out[k++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			if (k + 3 >= outlen)
				return -1;
			out[k++] = (char)(0xe0 | (c >> 12));
			out[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[k++] = (char)(0x80 | (c & 0x3f));
		} else {
			if (k + 4 >= outlen)
				return -1;
			out[k++] = (char)(0xf0 | (c >> 18));
			out[k++] = (char)(0x80 | ((c >> 12) & 0x3f));
			out[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[k++] = (char)(0x80 | (c & 0x3f));
		}
	}
	if (k >= outlen)
		return -1;
	out[k] = '\0';
	return (int)k;
}

enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700,
       INITIAL_BIAS = 72, INITIAL_N = 128 };

static uint32_t adapt(uint32_t delta, uint32_t points, int first)
{
	uint32_t k = 0;

	delta = first ? delta / DAMP : delta / 2;
	delta += delta / points;
	while (delta > ((BASE - TMIN) * TMAX) / 2) {
		delta /= BASE - TMIN;
		k += BASE;
	}
	return k + (BASE - TMIN + 1) * delta / (delta + SKEW);
}

static char digit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

int typo_punycode(const uint32_t *cps, size_t n, char *out, size_t outlen)
{
	uint32_t cp_n = INITIAL_N, delta = 0, bias = INITIAL_BIAS, h, b;
	size_t k = 0;

	if (outlen == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (cps[i] >= 0x80)
			continue;
		if (k + 1 >= outlen)
			return -1;
		out[k++] = (char)cps[i];
	}
	h = b = (uint32_t)k;
	if (b > 0) {
		if (k + 1 >= outlen)
			return -1;
		out[k++] = '-';
	}
	while (h < n) {
		uint32_t m = UINT32_MAX;
		for (size_t i = 0; i < n; i++)
			if (cps[i] >= cp_n && cps[i] < m)
				m = cps[i];
		/* Labels are at most TYPO_MAX_CPS long, so this cannot
		 * overflow; the check keeps it so for any input. */
		if ((uint64_t)(m - cp_n) * (h + 1) > UINT32_MAX - delta)
			return -1;
		delta += (m - cp_n) * (h + 1);
		cp_n = m;
		for (size_t i = 0; i < n; i++) {
			if (cps[i] < cp_n && ++delta == 0)
				return -1;
			if (cps[i] != cp_n)
				continue;
			uint32_t q = delta;
			for (uint32_t kk = BASE;; kk += BASE) {
				uint32_t t = kk <= bias ? TMIN
					   : kk >= bias + TMAX ? TMAX
							       : kk - bias;
				if (q < t)
					break;
				if (k + 1 >= outlen)
					return -1;
				out[k++] = digit(t + (q - t) % (BASE - t));
				q = (q - t) / (BASE - t);
			}
			if (k + 1 >= outlen)
				return -1;
			out[k++] = digit(q);
			bias = adapt(delta, h + 1, h == b);
			delta = 0;
			h++;
		}
		delta++;
		cp_n++;
	}
	out[k] = '\0';
	return (int)k;
}

int typo_label_ascii(const uint32_t *cps, size_t n, char *out, size_t outlen)
{
	int ascii = 1, len;

	for (size_t i = 0; i < n && ascii; i++)
		ascii = cps[i] < 0x80;
	if (ascii) {
		if (n > 63 || n + 1 > outlen)
			return -1;
		for (size_t i = 0; i < n; i++)
			out[i] = (char)cps[i];
		out[n] = '\0';
		return (int)n;
	}
	if (outlen < 5)
		return -1;
	memcpy(out, "xn--", 4);
	len = typo_punycode(cps, n, out + 4, outlen - 4);
	if (len < 0 || len + 4 > 63)
		return -1;
	return len + 4;
}

int typo_ldh_label(const char *l, size_t n)
{
	if (n == 0 || n > 63 || l[0] == '-' || l[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = l[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return 0;
	}
	/* RFC 5891 4.2.3.1: "--" in positions 3 and 4 is reserved for
	 * A-labels. */
	if (n >= 4 && l[2] == '-' && l[3] == '-' &&
	    !(l[0] == 'x' && l[1] == 'n'))
		return 0;
	return 1;
}
