/*
 * ct_static.h - the static-ct-api formats (ct-protocols.md §6):
 * checkpoints with their RFC6962NoteSignature, and tile paths.
 */
#ifndef CT_STATIC_H
#define CT_STATIC_H

#include <stddef.h>
#include <stdint.h>

#include "ct_sig.h"
#include "ct_util.h"

#define CT_TILE_WIDTH 256

struct ct_checkpoint {
	char origin[256];
	uint64_t size;
	uint8_t root[CT_HASH_LEN];
	uint64_t timestamp;      /* ms, from the log's signature */
};

/* key ID = SHA-256(origin || 0x0A || 0x05 || log_id)[0:4]. */
void ct_checkpoint_key_id(struct ct_hash *h, const char *origin,
			  const uint8_t log_id[CT_HASH_LEN], uint8_t out[4]);

/*
 * Parses a checkpoint and verifies the log's signature line (name =
 * origin, key ID of `k`); other signature lines are ignored.  Returns
 * CTMON_OK, or CTMON_EFORMAT (malformed, wrong origin, or no signature by
 * this log: err says which) with *bad_signature set when the log's own
 * signature line is present but does not verify.
 */
int ct_checkpoint_verify(const char *text, size_t len, const char *origin,
			 const struct ct_key *k, struct ct_hash *h,
			 struct ct_checkpoint *out, int *bad_signature,
			 char *err, size_t errlen);

/* "tile/<level>/<N>[.p/<W>]", level -1 = "data"; width 0 or 256 = full.
 * out needs 96 bytes. */
void ct_tile_path(char *out, size_t cap, int level, uint64_t index,
		  unsigned width);

/* The origin of a submission URL: no scheme, no trailing '/'. */
void ct_origin_from_url(const char *url, char *out, size_t cap);

#endif
