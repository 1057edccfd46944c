/* ct_util.c - see ct_util.h. */
#include "ct_util.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

struct ct_hash {
	EVP_MD *md;
	EVP_MD_CTX *ctx;
};

struct ct_hash *ct_hash_new(void)
{
	struct ct_hash *h = calloc(1, sizeof *h);

	if (!h)
		return NULL;
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	h->ctx = EVP_MD_CTX_new();
	if (!h->md || !h->ctx) {
		ct_hash_free(h);
		return NULL;
	}
	return h;
}

void ct_hash_free(struct ct_hash *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
}

void ct_sha256(struct ct_hash *h, const void *a, size_t alen, const void *b,
	       size_t blen, const void *c, size_t clen,
	       uint8_t out[CT_HASH_LEN])
{
	unsigned int n = 0;

	/* SHA-256 cannot fail on a fetched digest short of memory errors;
	 * a zero digest then fails every later comparison. */
	if (EVP_DigestInit_ex2(h->ctx, h->md, NULL) != 1 ||
	    EVP_DigestUpdate(h->ctx, a, alen) != 1 ||
	    (b && EVP_DigestUpdate(h->ctx, b, blen) != 1) ||
	    (c && EVP_DigestUpdate(h->ctx, c, clen) != 1) ||
	    EVP_DigestFinal_ex(h->ctx, out, &n) != 1)
		memset(out, 0, CT_HASH_LEN);
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

size_t ct_b64_max(size_t len) { return (len / 4) * 3 + 3; }

int ct_b64_decode(const char *in, size_t len, uint8_t *out, size_t *outlen)
{
	size_t o = 0;

	if (len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int v[4], pad = 0;
		for (int k = 0; k < 4; k++) {
			unsigned char ch = (unsigned char)in[i + k];
			if (ch == '=' && i + 4 == len && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad) /* data after padding */
				return -1;
			v[k] = b64_value(ch);
			if (v[k] < 0)
				return -1;
		}
		out[o++] = (uint8_t)((v[0] << 2) | (v[1] >> 4));
		if (pad < 2)
			out[o++] = (uint8_t)(((v[1] & 15) << 4) | (v[2] >> 2));
		if (pad < 1)
			out[o++] = (uint8_t)(((v[2] & 3) << 6) | v[3]);
	}
	*outlen = o;
	return 0;
}

int ct_b64_decode_alloc(const char *in, size_t len, uint8_t **out,
			size_t *outlen)
{
	uint8_t *buf = malloc(ct_b64_max(len) + 1);

	if (!buf)
		return -1;
	if (ct_b64_decode(in, len, buf, outlen) != 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

void ct_b64_encode(const uint8_t *in, size_t len, char *out)
{
	size_t o = 0, i = 0;

	for (; i + 2 < len; i += 3) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) |
			     in[i + 2];
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

void ct_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ct_unhex(const char *in, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(in[2 * i]), lo = hi < 0 ? -1 : hexval(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
