/*
 * ct_rfc6962.h - the JSON of the RFC 6962 read API (ct-protocols.md §2):
 * get-sth, get-entries, get-sth-consistency, get-entry-and-proof.  Pure
 * parsing and signature checks; fetching is the caller's (ct_net.h).
 */
#ifndef CT_RFC6962_H
#define CT_RFC6962_H

#include <stddef.h>
#include <stdint.h>

#include "ct_sig.h"
#include "ct_util.h"

#define CT_MAX_PROOF 65

struct ct_sth {
	uint64_t size;
	uint64_t timestamp;          /* ms */
	uint8_t root[CT_HASH_LEN];
	uint8_t sig[1024];           /* DigitallySigned */
	size_t sig_len;
};

/* Parses a get-sth body.  CTMON_OK or CTMON_EFORMAT (err says why). */
int ct_sth_parse(const char *json, size_t len, struct ct_sth *out, char *err,
		 size_t errlen);
/* 0 if the STH's signature verifies with the log's key. */
int ct_sth_verify(const struct ct_key *k, const struct ct_sth *s);

struct ct_raw_entry {
	const uint8_t *li;
	size_t li_len;
	const uint8_t *ed;
	size_t ed_len;
};

struct ct_entries {
	struct ct_raw_entry *v;
	size_t n;
	uint8_t *arena;              /* decoded bytes */
};

/* Parses a get-entries body: at least one entry, at most `max` (more is a
 * protocol violation: CTMON_EFORMAT with err saying so and *too_many 1). */
int ct_entries_parse(const char *json, size_t len, size_t max,
		     struct ct_entries *out, int *too_many, char *err,
		     size_t errlen);
void ct_entries_free(struct ct_entries *e);

/* A proof: `member` ("consistency" or "audit_path") as 32-byte nodes; a
 * node of another length is CTMON_EFORMAT.  For get-entry-and-proof,
 * leaf_input is decoded into *leaf (free()) when leaf is not NULL. */
struct ct_proof {
	uint8_t nodes[CT_MAX_PROOF][CT_HASH_LEN];
	const uint8_t *ptr[CT_MAX_PROOF];
	size_t lens[CT_MAX_PROOF];
	size_t n;
};
int ct_proof_parse(const char *json, size_t len, const char *member,
		   struct ct_proof *out, uint8_t **leaf, size_t *leaf_len,
		   char *err, size_t errlen);

#endif
