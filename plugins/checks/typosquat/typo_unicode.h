/* typo_unicode.h - the little Unicode a lookalike generator needs: UTF-8
 * to code points and back, and RFC 3492 Punycode to write IDN labels in
 * the A-label form certificates carry.  libidn2 validates (IDNA2008) and
 * decodes; encoding is done here because it runs for every one of tens of
 * thousands of candidates. */
#ifndef TYPO_UNICODE_H
#define TYPO_UNICODE_H

#include <stddef.h>
#include <stdint.h>

/* Longest label handled, in code points (a DNS label has <= 63 octets). */
#define TYPO_MAX_CPS 128

/* Decodes the UTF-8 text s[0..n) into at most max code points.  Returns
 * the count, or -1 for invalid UTF-8 or too many code points. */
int typo_utf8_decode(const char *s, size_t n, uint32_t *cps, size_t max);
/* Encodes code points as UTF-8 into out (outlen bytes, NUL-terminated).
 * Returns the byte length, or -1 if it does not fit. */
int typo_utf8_encode(const uint32_t *cps, size_t n, char *out, size_t outlen);

/* Punycode (RFC 3492) of cps into out, without the "xn--" prefix.
 * Returns the length, or -1 if it does not fit in outlen - 1 bytes. */
int typo_punycode(const uint32_t *cps, size_t n, char *out, size_t outlen);

/* One label in the form DNS uses: ASCII as it is, anything else "xn--" +
 * Punycode.  Returns the length (<= 63) or -1 when the result is longer
 * than a label may be.  Validity is the caller's business. */
int typo_label_ascii(const uint32_t *cps, size_t n, char *out, size_t outlen);

/* 1 if a label (ASCII, as written in DNS) is a valid LDH host-name label:
 * 1..63 of [a-z0-9-], no hyphen at either end, and "--" in positions 3-4
 * only for "xn--". */
int typo_ldh_label(const char *l, size_t n);

#endif
