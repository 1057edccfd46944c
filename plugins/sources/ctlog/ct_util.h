/*
 * ct_util.h - byte helpers shared by the CT log code: base64, hex,
 * big-endian reads and a reusable SHA-256 context.  No host calls.
 */
#ifndef CT_UTIL_H
#define CT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define CT_HASH_LEN 32

/* A SHA-256 digester fetched once and reused: OpenSSL 3's one-shot
 * helpers fetch the algorithm on every call, which dominates the cost of
 * hashing millions of short leaves.  One per thread. */
struct ct_hash;

struct ct_hash *ct_hash_new(void);
void ct_hash_free(struct ct_hash *h);
/* SHA-256 of the concatenation of up to three parts (b, c may be NULL). */
void ct_sha256(struct ct_hash *h, const void *a, size_t alen, const void *b,
	       size_t blen, const void *c, size_t clen,
	       uint8_t out[CT_HASH_LEN]);

/* Decodes standard base64 with padding (whitespace is not allowed).
 * out must hold ct_b64_max(len) bytes.  Returns 0 or -1 if malformed. */
size_t ct_b64_max(size_t len);
int ct_b64_decode(const char *in, size_t len, uint8_t *out, size_t *outlen);
/* Decodes into a new buffer (free()). */
int ct_b64_decode_alloc(const char *in, size_t len, uint8_t **out,
			size_t *outlen);
/* Encodes; out must hold 4 * ((len + 2) / 3) + 1 bytes. */
void ct_b64_encode(const uint8_t *in, size_t len, char *out);

/* Lower-case hex; out must hold 2 * len + 1 bytes. */
void ct_hex(const uint8_t *in, size_t len, char *out);
/* Parses exactly 2 * len hex digits.  Returns 0 or -1. */
int ct_unhex(const char *in, uint8_t *out, size_t len);

static inline uint64_t ct_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static inline void ct_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

#endif
