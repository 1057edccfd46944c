/*
 * ct_drive_static.c - the static-ct-api driver (ct-protocols.md §6):
 * checkpoint, the compact range at a position rebuilt from hash tiles
 * (§6.6), and data tiles fetched in parallel, parsed in order, each
 * entry's leaf_index extension checked against its position.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_static.h"
#include "ctlog_internal.h"

static int get_path(struct ctlog *st, struct ct_log *log, const char *path,
		    struct ct_resp *resp, char *err, size_t errlen)
{
	char *url = ct_url(log, path);
	int rc;

	if (!url)
		return CTMON_ENOMEM;
	rc = ct_get(&st->net, url, log->rate_name, st->qps, resp);
	if (rc == CTMON_OK && (resp->status < 200 || resp->status > 299))
		rc = resp->status == 404 ? CTMON_ENOTFOUND
		     : resp->status >= 500 || resp->status == 429
			     ? CTMON_EAGAIN
			     : CTMON_EPERMANENT;
	if (rc != CTMON_OK)
		snprintf(err, errlen, "GET %s: %s", url,
			 resp->err[0] ? resp->err : "failed");
	free(url);
	return rc;
}

static int head(struct ctlog *st, struct ct_log *log, struct ct_head *h,
		int *bad, char *err, size_t errlen)
{
	struct ct_resp resp;
	struct ct_checkpoint cp;
	int rc = get_path(st, log, "checkpoint", &resp, err, errlen);

	*bad = 0;
	if (rc == CTMON_OK)
		rc = ct_checkpoint_verify(resp.body, resp.len, log->origin,
					  &log->key, st->hash, &cp, bad, err,
					  errlen);
	ct_resp_free(&resp);
	if (rc != CTMON_OK)
		return rc;
	h->size = cp.size;
	h->timestamp = cp.timestamp;
	memcpy(h->root, cp.root, CT_HASH_LEN);
	return CTMON_OK;
}

/* Tile (level, index) as the tree of `size` has it: full, or partial.
 * A partial tile may be gone once full: then the full one's prefix. */
static int get_tile(struct ctlog *st, struct ct_log *log, int level,
		    uint64_t index, uint64_t size, struct ct_resp *resp,
		    unsigned *width, char *err, size_t errlen)
{
	unsigned shift = level < 0 ? 8 : 8 * ((unsigned)level + 1);
	uint64_t span_end = (index + 1) << shift;
	char path[128];
	int rc;

	*width = span_end <= size
			 ? CT_TILE_WIDTH
			 : (unsigned)((size >> (shift - 8)) & 0xff);
	ct_tile_path(path, sizeof path, level, index, *width);
	rc = get_path(st, log, path, resp, err, errlen);
	if (rc == CTMON_ENOTFOUND && *width < CT_TILE_WIDTH) {
		ct_tile_path(path, sizeof path, level, index, 0);
		rc = get_path(st, log, path, resp, err, errlen);
	}
	return rc;
}

/* Root of the perfect tree over n (a power of two) node hashes. */
static void subtree_root(struct ct_hash *h, const uint8_t *hs, size_t n,
			 uint8_t out[CT_HASH_LEN])
{
	uint8_t l[CT_HASH_LEN], r[CT_HASH_LEN];

	if (n == 1) {
		memcpy(out, hs, CT_HASH_LEN);
		return;
	}
	subtree_root(h, hs, n / 2, l);
	subtree_root(h, hs + (n / 2) * CT_HASH_LEN, n / 2, r);
	ct_node_hash(h, l, r, out);
}

static int range_at(struct ctlog *st, struct ct_log *log, uint64_t pos,
		    const struct ct_head *h, struct ct_range *r, int *bad,
		    char *err, size_t errlen)
{
	int top = 0;

	*bad = 0;
	ct_range_init(r);
	while (top < 7 && (pos >> (8 * (top + 1))) > 0)
		top++;
	for (int l = top; l >= 0 && pos > 0; l--) {
		unsigned w = (unsigned)((pos >> (8 * l)) & 0xff), width, i = 0;
		struct ct_resp resp;
		int rc;
		if (w == 0)
			continue;
		rc = get_tile(st, log, l, pos >> (8 * (l + 1)), h->size, &resp,
			      &width, err, errlen);
		/* Exactly the width asked, or a full tile in its place. */
		if (rc == CTMON_OK &&
		    (resp.len % CT_HASH_LEN || resp.len / CT_HASH_LEN < w ||
		     (resp.len / CT_HASH_LEN != width &&
		      resp.len / CT_HASH_LEN != CT_TILE_WIDTH))) {
			snprintf(err, errlen, "level %d tile has %zu bytes", l,
				 resp.len);
			*bad = 1;
			rc = CTMON_EFORMAT;
		}
		for (int b = 7; b >= 0 && rc == CTMON_OK; b--) {
			uint8_t node[CT_HASH_LEN];
			if (!(w & (1u << b)))
				continue;
			subtree_root(st->hash,
				     (const uint8_t *)resp.body +
					     (size_t)i * CT_HASH_LEN,
				     (size_t)1 << b, node);
			if (ct_range_push(r, (unsigned)(8 * l + b), node) != 0)
				rc = CTMON_EINTERNAL;
			i += 1u << b;
		}
		ct_resp_free(&resp);
		if (rc != CTMON_OK)
			return rc;
	}
	return CTMON_OK;
}

struct tiles {
	struct ctlog *st;
	struct ct_log *log;
	uint64_t first, size;
	struct ct_resp *resp;
	unsigned *width;
	char (*err)[512];
};

static int fetch_tile(void *ctx, size_t i)
{
	struct tiles *t = ctx;

	if (t->st->api->should_stop(t->st->host))
		return CTMON_ESTOPPED;
	return get_tile(t->st, t->log, -1, t->first + i, t->size, &t->resp[i],
			&t->width[i], t->err[i], sizeof t->err[i]);
}

/* Entries of one data tile in [from, to). */
static int use_tile(struct ct_follow *f, const struct ct_resp *resp,
		    uint64_t base, unsigned width, uint64_t from, uint64_t to,
		    char *err, size_t errlen)
{
	const uint8_t *p = (const uint8_t *)resp->body;
	size_t left = resp->len;
	char det[160];

	for (unsigned k = 0; k < width; k++) {
		struct ct_entry e;
		uint8_t lh[CT_HASH_LEN];
		uint64_t idx = base + k;
		size_t used = 0;
		int rc;
		if (ct_parse_tile_leaf(p, left, &e, &used) != CTMON_OK) {
			snprintf(det, sizeof det, "data tile entry %llu cannot "
						  "be delimited",
				 (unsigned long long)idx);
			ct_misbehaviour(f->st, f->log, f->e, "malformed data "
							     "tile", det);
			snprintf(err, errlen, "%s", det);
			return CTMON_EPERMANENT;
		}
		p += used;
		left -= used;
		if (idx < from)
			continue;
		if (idx >= to)
			return CTMON_OK;
		if (e.has_leaf_index && e.leaf_index != idx) {
			snprintf(det, sizeof det, "entry %llu carries "
						  "leaf_index %llu",
				 (unsigned long long)idx,
				 (unsigned long long)e.leaf_index);
			ct_misbehaviour(f->st, f->log, f->e,
					"leaf_index mismatch", det);
			snprintf(err, errlen, "%s", det);
			return CTMON_EPERMANENT;
		}
		ct_entry_leaf_hash(f->st->hash, &e, lh);
		rc = ct_follow_entry(f, idx, lh, &e, NULL);
		if (rc != CTMON_OK)
			return rc;
	}
	/* A full (or requested-width) tile with more bytes than entries. */
	if (left != 0 && width == CT_TILE_WIDTH) {
		snprintf(det, sizeof det, "data tile %llu holds more than %u "
					  "entries",
			 (unsigned long long)(base / CT_TILE_WIDTH), width);
		ct_misbehaviour(f->st, f->log, f->e,
				"entries past the signed size", det);
		snprintf(err, errlen, "%s", det);
		return CTMON_EPERMANENT;
	}
	return CTMON_OK;
}

static int fetch(struct ct_follow *f, uint64_t from, uint64_t to, char *err,
		 size_t errlen)
{
	struct tiles t;
	size_t n = (size_t)((to - 1) / CT_TILE_WIDTH - from / CT_TILE_WIDTH + 1);
	int rc = CTMON_ENOMEM;

	memset(&t, 0, sizeof t);
	t.st = f->st;
	t.log = f->log;
	t.first = from / CT_TILE_WIDTH;
	t.size = f->target.size;
	t.resp = calloc(n, sizeof *t.resp);
	t.width = calloc(n, sizeof *t.width);
	t.err = calloc(n, sizeof *t.err);
	if (t.resp && t.width && t.err)
		rc = ct_parallel(n, (size_t)f->st->jobs, fetch_tile, &t);
	for (size_t i = 0; i < n && t.err; i++) {
		if (rc != CTMON_OK && !err[0] && t.err[i][0])
			snprintf(err, errlen, "%s", t.err[i]);
		if (rc == CTMON_OK)
			rc = use_tile(f, &t.resp[i],
				      (t.first + i) * CT_TILE_WIDTH,
				      t.width[i], from, to, err, errlen);
		ct_resp_free(&t.resp[i]);
	}
	free(t.resp);
	free(t.width);
	free(t.err);
	return rc;
}

const struct ct_driver ct_driver_static = {head, NULL, range_at, fetch};
