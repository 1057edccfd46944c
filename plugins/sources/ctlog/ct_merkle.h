/*
 * ct_merkle.h - RFC 6962 Merkle tree hashing: the compact range of a
 * downloaded prefix (how a monitor that reads every entry verifies a log,
 * ct-protocols.md §5.2) and the inclusion and consistency proof checks of
 * RFC 9162 §2.1.3.2 / §2.1.4.2.
 */
#ifndef CT_MERKLE_H
#define CT_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "ct_util.h"

/* A tree of 2^64 leaves has at most 64 perfect subtrees in its prefix. */
#define CT_RANGE_MAX 64

/* Roots of the perfect subtrees covering leaves [0, size), left to right:
 * one per set bit of size, largest first. */
struct ct_range {
	uint64_t size;
	size_t n;
	uint8_t nodes[CT_RANGE_MAX][CT_HASH_LEN];
};

void ct_leaf_hash(struct ct_hash *h, const uint8_t *leaf, size_t len,
		  uint8_t out[CT_HASH_LEN]);
void ct_node_hash(struct ct_hash *h, const uint8_t *l, const uint8_t *r,
		  uint8_t out[CT_HASH_LEN]);

void ct_range_init(struct ct_range *r);
void ct_range_append(struct ct_range *r, struct ct_hash *h,
		     const uint8_t leaf_hash[CT_HASH_LEN]);
/* MTH of the prefix; SHA-256("") for size 0. */
void ct_range_root(const struct ct_range *r, struct ct_hash *h,
		   uint8_t out[CT_HASH_LEN]);
/* Pushes the root of a perfect subtree of 2^bits leaves that starts at
 * r->size (used when rebuilding a range from tiles). */
int ct_range_push(struct ct_range *r, unsigned bits,
		  const uint8_t node[CT_HASH_LEN]);

/* Text form kept in the cursor: "<size>" then ":<hex node>" per node.
 * ct_range_text needs CT_RANGE_TEXT_MAX bytes. */
#define CT_RANGE_TEXT_MAX (21 + CT_RANGE_MAX * (1 + 2 * CT_HASH_LEN) + 1)
void ct_range_text(const struct ct_range *r, char *out);
/* Parses the text form; checks the node count matches the size.  Returns
 * 0, or -1 if malformed.  `end` (may be NULL) gets the first unread char. */
int ct_range_parse(struct ct_range *r, const char *s, const char **end);

/*
 * From an inclusion proof of leaf `index` in a tree of `size` whose root is
 * `root`: verifies it and, when `range` is not NULL, fills it with the
 * compact range of size index + 1 (the proof's left siblings plus the
 * leaf).  Hashes are given with their lengths; anything but 32 bytes
 * fails.  Returns 0 if the proof verifies, -1 otherwise.
 */
int ct_verify_inclusion(struct ct_hash *h, uint64_t index, uint64_t size,
			const uint8_t *leaf_hash, size_t leaf_len,
			const uint8_t *const *path, const size_t *path_lens,
			size_t n, const uint8_t *root, size_t root_len,
			struct ct_range *range);

/* Consistency proof between trees of size first (root1) and second
 * (root2).  first == 0 is unverifiable (fails).  Returns 0 or -1. */
int ct_verify_consistency(struct ct_hash *h, uint64_t first, uint64_t second,
			  const uint8_t *root1, size_t len1,
			  const uint8_t *root2, size_t len2,
			  const uint8_t *const *path, const size_t *path_lens,
			  size_t n);

#endif
