/*
 * ct_sig.h - a CT log's public key and the DigitallySigned checks of STHs
 * and checkpoints (ct-protocols.md §4): SHA-256 with ECDSA P-256 or
 * RSASSA-PKCS1-v1_5 (>= 2048 bits), nothing else.
 */
#ifndef CT_SIG_H
#define CT_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "ct_util.h"

struct ct_key {
	void *pkey;                  /* EVP_PKEY */
	int sig_alg;                 /* 3 ECDSA, 1 RSA */
	uint8_t log_id[CT_HASH_LEN]; /* SHA-256 of the DER SPKI */
};

/* From DER SubjectPublicKeyInfo.  Returns 0, or -1 for anything but a
 * P-256 or >= 2048-bit RSA key. */
int ct_key_from_der(struct ct_key *k, const uint8_t *der, size_t len,
		    struct ct_hash *h);
int ct_key_from_b64(struct ct_key *k, const char *b64, struct ct_hash *h);
/* From a PEM "PUBLIC KEY" file (tests, hand-listed logs). */
int ct_key_from_pem_file(struct ct_key *k, const char *path,
			 struct ct_hash *h);
void ct_key_free(struct ct_key *k);

/* The 50-byte TreeHeadSignature input of RFC 6962 §3.5. */
#define CT_THS_LEN 50
void ct_tree_head_input(uint8_t out[CT_THS_LEN], uint64_t timestamp_ms,
			uint64_t tree_size, const uint8_t root[CT_HASH_LEN]);

/* Verifies a TLS DigitallySigned structure (hash, sig_alg, uint16 length,
 * signature; no trailing bytes) over msg.  Returns 0 if valid. */
int ct_verify_ds(const struct ct_key *k, const uint8_t *msg, size_t msg_len,
		 const uint8_t *ds, size_t ds_len);

#endif
