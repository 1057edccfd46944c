/* ct_leaf.c - see ct_leaf.h. */
#include "ct_leaf.h"

#include <string.h>

#include "ct_merkle.h"
#include "ctmon/plugin.h"

/* A bounded reader over a byte string. */
struct rd {
	const uint8_t *p;
	size_t left;
};

static int take(struct rd *r, size_t n, const uint8_t **out)
{
	if (n > r->left)
		return -1;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return 0;
}

static int take_uint(struct rd *r, size_t bytes, uint64_t *v)
{
	const uint8_t *b;

	if (take(r, bytes, &b) != 0)
		return -1;
	*v = ct_be(b, bytes);
	return 0;
}

/* A vector with a `bytes`-wide length prefix. */
static int take_vec(struct rd *r, size_t bytes, const uint8_t **out,
		    size_t *len)
{
	uint64_t n;

	if (take_uint(r, bytes, &n) != 0 || take(r, (size_t)n, out) != 0)
		return -1;
	*len = (size_t)n;
	return 0;
}

/* The leaf_index extension of static-ct-api, if present. */
static int parse_extensions(struct ct_entry *e)
{
	struct rd r = {e->ext, e->ext_len};

	while (r.left) {
		uint64_t type;
		const uint8_t *data;
		size_t len;
		if (take_uint(&r, 1, &type) != 0 ||
		    take_vec(&r, 2, &data, &len) != 0)
			return -1;
		if (type == 0) {
			if (len != 5 || e->has_leaf_index)
				return -1;
			e->has_leaf_index = 1;
			e->leaf_index = ct_be(data, 5);
		}
	}
	return 0;
}

/* TimestampedEntry: timestamp, entry_type, signed_entry, extensions. */
static int parse_timestamped(struct rd *r, struct ct_entry *e)
{
	const uint8_t *start = r->p;
	uint64_t type;

	if (take_uint(r, 8, &e->timestamp) != 0 || take_uint(r, 2, &type) != 0)
		return -1;
	e->entry_type = (int)type;
	if (type == CT_ENTRY_X509) {
		if (take_vec(r, 3, &e->cert, &e->cert_len) != 0 ||
		    e->cert_len == 0)
			return -1;
	} else if (type == CT_ENTRY_PRECERT) {
		if (take(r, CT_HASH_LEN, &e->issuer_key_hash) != 0 ||
		    take_vec(r, 3, &e->cert, &e->cert_len) != 0 ||
		    e->cert_len == 0)
			return -1;
	} else {
		return 1; /* unknown: the caller keeps the bytes */
	}
	if (take_vec(r, 2, &e->ext, &e->ext_len) != 0 ||
	    parse_extensions(e) != 0)
		return -1;
	e->te = start;
	e->te_len = (size_t)(r->p - start);
	return 0;
}

int ct_parse_leaf_input(const uint8_t *li, size_t len, struct ct_entry *e)
{
	struct rd r = {li, len};
	int rc;

	memset(e, 0, sizeof *e);
	if (len < 2 || li[0] != 0 || li[1] != 0) {
		/* Unknown version or leaf type: hashed, not interpreted. */
		e->entry_type = -1;
		return len >= 2 ? CTMON_OK : CTMON_EFORMAT;
	}
	r.p += 2;
	r.left -= 2;
	rc = parse_timestamped(&r, e);
	if (rc > 0) {
		e->cert = NULL;
		return CTMON_OK;
	}
	/* Trailing bytes after a complete leaf are refused. */
	return rc == 0 && r.left == 0 ? CTMON_OK : CTMON_EFORMAT;
}

/* A chain vector: uint24 total, then uint24-prefixed certificates. */
static int parse_chain(struct rd *r, struct ct_entry *e)
{
	const uint8_t *all;
	size_t total;
	struct rd c;

	if (take_vec(r, 3, &all, &total) != 0)
		return -1;
	c.p = all;
	c.left = total;
	while (c.left) {
		const uint8_t *der;
		size_t dlen;
		if (take_vec(&c, 3, &der, &dlen) != 0)
			return -1;
		if (e->n_chain < CT_MAX_CHAIN) {
			e->chain[e->n_chain] = der;
			e->chain_len[e->n_chain++] = dlen;
		}
	}
	return 0;
}

int ct_parse_extra_data(const uint8_t *ed, size_t len, struct ct_entry *e)
{
	struct rd r = {ed, len};

	e->n_chain = 0;
	if (e->entry_type == CT_ENTRY_PRECERT) {
		if (take_vec(&r, 3, &e->pre_cert, &e->pre_cert_len) != 0)
			return CTMON_EFORMAT;
	} else if (e->entry_type != CT_ENTRY_X509) {
		return CTMON_OK;
	}
	if (parse_chain(&r, e) != 0 || r.left != 0)
		return CTMON_EFORMAT;
	return CTMON_OK;
}

int ct_parse_tile_leaf(const uint8_t *p, size_t len, struct ct_entry *e,
		       size_t *used)
{
	struct rd r = {p, len};
	const uint8_t *fps;
	size_t fps_len;

	memset(e, 0, sizeof *e);
	/* A tile leaf of an unknown type cannot be delimited: an error. */
	if (parse_timestamped(&r, e) != 0)
		return CTMON_EFORMAT;
	if (e->entry_type == CT_ENTRY_PRECERT &&
	    take_vec(&r, 3, &e->pre_cert, &e->pre_cert_len) != 0)
		return CTMON_EFORMAT;
	if (take_vec(&r, 2, &fps, &fps_len) != 0 || fps_len % CT_HASH_LEN)
		return CTMON_EFORMAT;
	e->fingerprints = fps;
	e->n_fingerprints = fps_len / CT_HASH_LEN;
	*used = len - r.left;
	return CTMON_OK;
}

void ct_entry_leaf_hash(struct ct_hash *h, const struct ct_entry *e,
			uint8_t out[CT_HASH_LEN])
{
	static const uint8_t hdr[3] = {0x00, 0x00, 0x00};

	/* 00 (leaf prefix) || 00 (v1) || 00 (timestamped_entry) || te */
	ct_sha256(h, hdr, 3, e->te, e->te_len, NULL, 0, out);
}
