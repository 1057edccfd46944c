/* ct_sig.c - see ct_sig.h. */
#include "ct_sig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static int key_accept(struct ct_key *k, EVP_PKEY *pk)
{
	char group[64];
	size_t glen = 0;

	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(pk, group, sizeof group, &glen) !=
			    1 ||
		    (strcmp(group, "prime256v1") != 0 &&
		     strcmp(group, "P-256") != 0))
			return -1;
		k->sig_alg = 3;
		return 0;
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(pk) < 2048)
			return -1;
		k->sig_alg = 1;
		return 0;
	default:
		return -1;
	}
}

int ct_key_from_der(struct ct_key *k, const uint8_t *der, size_t len,
		    struct ct_hash *h)
{
	const unsigned char *p = der;
	EVP_PKEY *pk;

	memset(k, 0, sizeof *k);
	if (len == 0 || len > 16384)
		return -1;
	pk = d2i_PUBKEY(NULL, &p, (long)len);
	/* Trailing bytes would give two texts one log ID. */
	if (!pk || p != der + len || key_accept(k, pk) != 0) {
		EVP_PKEY_free(pk);
		memset(k, 0, sizeof *k);
		return -1;
	}
	k->pkey = pk;
	ct_sha256(h, der, len, NULL, 0, NULL, 0, k->log_id);
	return 0;
}

int ct_key_from_b64(struct ct_key *k, const char *b64, struct ct_hash *h)
{
	uint8_t *der = NULL;
	size_t len = 0;
	int rc;

	memset(k, 0, sizeof *k);
	if (ct_b64_decode_alloc(b64, strlen(b64), &der, &len) != 0)
		return -1;
	rc = ct_key_from_der(k, der, len, h);
	free(der);
	return rc;
}

int ct_key_from_pem_file(struct ct_key *k, const char *path,
			 struct ct_hash *h)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *pk = NULL;
	unsigned char *der = NULL;
	int len, rc = -1;

	memset(k, 0, sizeof *k);
	if (!f)
		return -1;
	pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!pk)
		goto out;
	len = i2d_PUBKEY(pk, &der);
	if (len > 0)
		rc = ct_key_from_der(k, der, (size_t)len, h);
out:
	OPENSSL_free(der);
	EVP_PKEY_free(pk);
	return rc;
}

void ct_key_free(struct ct_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
}

void ct_tree_head_input(uint8_t out[CT_THS_LEN], uint64_t timestamp_ms,
			uint64_t tree_size, const uint8_t root[CT_HASH_LEN])
{
	out[0] = 0x00; /* v1 */
	out[1] = 0x01; /* tree_hash */
	ct_put_be64(out + 2, timestamp_ms);
	ct_put_be64(out + 10, tree_size);
	memcpy(out + 18, root, CT_HASH_LEN);
}

int ct_verify_ds(const struct ct_key *k, const uint8_t *msg, size_t msg_len,
		 const uint8_t *ds, size_t ds_len)
{
	EVP_MD_CTX *c = NULL;
	size_t sig_len;
	int ok = 0;

	if (!k || !k->pkey || ds_len < 4)
		return -1;
	sig_len = (size_t)ct_be(ds + 2, 2);
	/* SHA-256 only, and the algorithm must be the key's. */
	if (ds[0] != 4 || ds[1] != k->sig_alg || sig_len != ds_len - 4 ||
	    sig_len == 0)
		return -1;
	c = EVP_MD_CTX_new();
	if (!c)
		return -1;
	ok = EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
	     EVP_DigestVerify(c, ds + 4, sig_len, msg, msg_len) == 1;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}
