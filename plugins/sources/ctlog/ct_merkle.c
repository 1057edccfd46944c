/* ct_merkle.c - see ct_merkle.h.  64-bit unsigned arithmetic throughout. */
#include "ct_merkle.h"

#include <stdio.h>
#include <string.h>

static const uint8_t leaf_prefix = 0x00, node_prefix = 0x01;

void ct_leaf_hash(struct ct_hash *h, const uint8_t *leaf, size_t len,
		  uint8_t out[CT_HASH_LEN])
{
	ct_sha256(h, &leaf_prefix, 1, leaf, len, NULL, 0, out);
}

void ct_node_hash(struct ct_hash *h, const uint8_t *l, const uint8_t *r,
		  uint8_t out[CT_HASH_LEN])
{
	uint8_t tmp[CT_HASH_LEN];

	/* out may alias l or r. */
	ct_sha256(h, &node_prefix, 1, l, CT_HASH_LEN, r, CT_HASH_LEN, tmp);
	memcpy(out, tmp, CT_HASH_LEN);
}

static size_t popcount64(uint64_t v)
{
	size_t n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

void ct_range_init(struct ct_range *r)
{
	r->size = 0;
	r->n = 0;
}

void ct_range_append(struct ct_range *r, struct ct_hash *h,
		     const uint8_t leaf_hash[CT_HASH_LEN])
{
	memcpy(r->nodes[r->n++], leaf_hash, CT_HASH_LEN);
	r->size++;
	/* Each trailing zero bit of the new size is a merge of two equal
	 * subtrees. */
	for (uint64_t s = r->size; (s & 1) == 0 && r->n >= 2; s >>= 1) {
		ct_node_hash(h, r->nodes[r->n - 2], r->nodes[r->n - 1],
			     r->nodes[r->n - 2]);
		r->n--;
	}
}

int ct_range_push(struct ct_range *r, unsigned bits,
		  const uint8_t node[CT_HASH_LEN])
{
	uint64_t add;

	if (bits > 63 || r->n >= CT_RANGE_MAX)
		return -1;
	add = (uint64_t)1 << bits;
	/* The new subtree must be aligned and smaller than the last one. */
	if (r->size & (add - 1) || (r->size & add) ||
	    r->size + add < r->size)
		return -1;
	memcpy(r->nodes[r->n++], node, CT_HASH_LEN);
	r->size += add;
	return popcount64(r->size) == r->n ? 0 : -1;
}

void ct_range_root(const struct ct_range *r, struct ct_hash *h,
		   uint8_t out[CT_HASH_LEN])
{
	uint8_t acc[CT_HASH_LEN];

	if (r->n == 0) {
		ct_sha256(h, "", 0, NULL, 0, NULL, 0, out);
		return;
	}
	memcpy(acc, r->nodes[r->n - 1], CT_HASH_LEN);
	for (size_t i = r->n - 1; i-- > 0;)
		ct_node_hash(h, r->nodes[i], acc, acc);
	memcpy(out, acc, CT_HASH_LEN);
}

void ct_range_text(const struct ct_range *r, char *out)
{
	size_t o = (size_t)snprintf(out, 22, "%llu",
				    (unsigned long long)r->size);

	for (size_t i = 0; i < r->n; i++) {
		out[o++] = ':';
		ct_hex(r->nodes[i], CT_HASH_LEN, out + o);
		o += 2 * CT_HASH_LEN;
	}
	out[o] = '\0';
}

int ct_range_parse(struct ct_range *r, const char *s, const char **end)
{
	uint64_t size = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (size > (UINT64_MAX - 9) / 10)
			return -1;
		size = size * 10 + (uint64_t)(*p - '0');
	}
	r->size = size;
	r->n = 0;
	while (*p == ':') {
		if (r->n >= CT_RANGE_MAX ||
		    ct_unhex(p + 1, r->nodes[r->n], CT_HASH_LEN) != 0)
			return -1;
		r->n++;
		p += 1 + 2 * CT_HASH_LEN;
	}
	if (popcount64(size) != r->n)
		return -1;
	if (end)
		*end = p;
	return 0;
}

int ct_verify_inclusion(struct ct_hash *h, uint64_t index, uint64_t size,
			const uint8_t *leaf_hash, size_t leaf_len,
			const uint8_t *const *path, const size_t *path_lens,
			size_t n, const uint8_t *root, size_t root_len,
			struct ct_range *range)
{
	uint8_t r[CT_HASH_LEN];
	const uint8_t *left[CT_RANGE_MAX];
	size_t n_left = 0;
	uint64_t fn = index, sn;

	if (index >= size || leaf_len != CT_HASH_LEN ||
	    root_len != CT_HASH_LEN || n > CT_RANGE_MAX)
		return -1;
	sn = size - 1;
	memcpy(r, leaf_hash, CT_HASH_LEN);
	for (size_t i = 0; i < n; i++) {
		if (path_lens[i] != CT_HASH_LEN || sn == 0)
			return -1;
		if ((fn & 1) || fn == sn) {
			/* A left sibling: part of the prefix before the leaf. */
			ct_node_hash(h, path[i], r, r);
			left[n_left++] = path[i];
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			ct_node_hash(h, r, path[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || memcmp(r, root, CT_HASH_LEN) != 0)
		return -1;
	if (range) {
		ct_range_init(range);
		for (size_t i = n_left; i-- > 0;) {
			memcpy(range->nodes[range->n++], left[i], CT_HASH_LEN);
		}
		range->size = index;
		if (popcount64(index) != range->n)
			return -1;
		ct_range_append(range, h, leaf_hash);
	}
	return 0;
}

int ct_verify_consistency(struct ct_hash *h, uint64_t first, uint64_t second,
			  const uint8_t *root1, size_t len1,
			  const uint8_t *root2, size_t len2,
			  const uint8_t *const *path, const size_t *path_lens,
			  size_t n)
{
	uint8_t fr[CT_HASH_LEN], sr[CT_HASH_LEN];
	const uint8_t *seed;
	size_t i = 0;
	uint64_t fn, sn;

	if (first == 0 || first > second)
		return -1;
	if (first == second)
		return n == 0 && len1 == len2 && memcmp(root1, root2, len1) == 0
			       ? 0
			       : -1;
	if (n == 0 || n > CT_RANGE_MAX + 1 || len1 != CT_HASH_LEN ||
	    len2 != CT_HASH_LEN)
		return -1;
	for (size_t k = 0; k < n; k++)
		if (path_lens[k] != CT_HASH_LEN)
			return -1;
	/* A power-of-two first tree is itself a node of the second: the
	 * proof leaves it out. */
	if ((first & (first - 1)) == 0) {
		seed = root1;
	} else {
		seed = path[0];
		i = 1;
	}
	fn = first - 1;
	sn = second - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, seed, CT_HASH_LEN);
	memcpy(sr, seed, CT_HASH_LEN);
	for (; i < n; i++) {
		if (sn == 0)
			return -1;
		if ((fn & 1) || fn == sn) {
			ct_node_hash(h, path[i], fr, fr);
			ct_node_hash(h, path[i], sr, sr);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			ct_node_hash(h, sr, path[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(fr, root1, CT_HASH_LEN) == 0 &&
			       memcmp(sr, root2, CT_HASH_LEN) == 0
		       ? 0
		       : -1;
}
