/*
 * ct_leaf.h - the binary entry formats of CT logs (ct-protocols.md §3,
 * §6.4): RFC 6962 MerkleTreeLeaf + extra_data, and static-ct-api TileLeaf.
 * Every length is checked against what remains; nothing is copied: the
 * entry points into the caller's buffers.
 */
#ifndef CT_LEAF_H
#define CT_LEAF_H

#include <stddef.h>
#include <stdint.h>

#include "ct_util.h"

#define CT_ENTRY_X509 0
#define CT_ENTRY_PRECERT 1
#define CT_MAX_CHAIN 16

struct ct_entry {
	uint64_t timestamp;      /* ms */
	int entry_type;          /* CT_ENTRY_*, or the unknown value */
	/* x509: the certificate; precert: the (poison-free) TBSCertificate */
	const uint8_t *cert;
	size_t cert_len;
	const uint8_t *issuer_key_hash; /* precert: 32 bytes */
	const uint8_t *pre_cert; /* precert: the logged precertificate */
	size_t pre_cert_len;
	const uint8_t *ext;      /* CtExtensions bytes */
	size_t ext_len;
	int has_leaf_index;      /* static-ct leaf_index extension */
	uint64_t leaf_index;
	/* Issuer chain: DER (RFC 6962) or SHA-256 fingerprints (tiles). */
	const uint8_t *chain[CT_MAX_CHAIN];
	size_t chain_len[CT_MAX_CHAIN];
	size_t n_chain;
	const uint8_t *fingerprints; /* n_fingerprints * 32 bytes */
	size_t n_fingerprints;
	/* The bytes the leaf hash covers, minus the 00 00 header for tiles:
	 * leaf_input = hdr (2 bytes, 00 00) || te. */
	const uint8_t *te;
	size_t te_len;
};

/* A MerkleTreeLeaf (get-entries leaf_input).  Returns CTMON_OK or
 * CTMON_EFORMAT; a well-formed leaf of an unknown entry type parses with
 * cert NULL (the leaf still counts in the tree). */
int ct_parse_leaf_input(const uint8_t *li, size_t len, struct ct_entry *e);
/* The get-entries extra_data of an entry parsed above. */
int ct_parse_extra_data(const uint8_t *ed, size_t len, struct ct_entry *e);
/* One TileLeaf at p (len bytes remain); *used gets its length. */
int ct_parse_tile_leaf(const uint8_t *p, size_t len, struct ct_entry *e,
		       size_t *used);
/* Leaf hash of a parsed entry (te with the 00 00 header). */
void ct_entry_leaf_hash(struct ct_hash *h, const struct ct_entry *e,
			uint8_t out[CT_HASH_LEN]);

#endif
