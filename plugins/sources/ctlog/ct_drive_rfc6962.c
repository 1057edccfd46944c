/*
 * ct_drive_rfc6962.c - the RFC 6962 driver: get-sth, get-sth-consistency,
 * get-entry-and-proof (the compact range at a position, ct-protocols.md
 * §5.2) and get-entries, fetched by several workers per round, each
 * re-asking for the rest of its range when the log answers short.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_rfc6962.h"
#include "ctlog_internal.h"

static int get_json(struct ctlog *st, struct ct_log *log, const char *path,
		    struct ct_resp *resp, char *err, size_t errlen)
{
	char *url = ct_url(log, path);
	int rc;

	if (!url)
		return CTMON_ENOMEM;
	rc = ct_get(&st->net, url, log->rate_name, st->qps, resp);
	if (rc == CTMON_OK && (resp->status < 200 || resp->status > 299))
		rc = resp->status >= 500 || resp->status == 429
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
	struct ct_sth sth;
	int rc = get_json(st, log, "ct/v1/get-sth", &resp, err, errlen);

	*bad = 0;
	if (rc == CTMON_OK)
		rc = ct_sth_parse(resp.body, resp.len, &sth, err, errlen);
	ct_resp_free(&resp);
	if (rc != CTMON_OK)
		return rc;
	if (ct_sth_verify(&log->key, &sth) != 0) {
		snprintf(err, errlen, "STH of tree size %llu: the signature "
				      "does not verify with the log's key",
			 (unsigned long long)sth.size);
		*bad = 1;
		return CTMON_EFORMAT;
	}
	h->size = sth.size;
	h->timestamp = sth.timestamp;
	memcpy(h->root, sth.root, CT_HASH_LEN);
	return CTMON_OK;
}

static int consistent(struct ctlog *st, struct ct_log *log,
		      const struct ct_head *older, const struct ct_head *newer,
		      int *bad, char *err, size_t errlen)
{
	struct ct_resp resp;
	struct ct_proof *proof = NULL;
	char path[128];
	int rc;

	*bad = 0;
	if (older->size == 0)
		return CTMON_OK; /* an empty tree is a prefix of every tree */
	snprintf(path, sizeof path, "ct/v1/get-sth-consistency?first=%llu"
				    "&second=%llu",
		 (unsigned long long)older->size,
		 (unsigned long long)newer->size);
	rc = get_json(st, log, path, &resp, err, errlen);
	proof = malloc(sizeof *proof);
	if (rc == CTMON_OK && !proof)
		rc = CTMON_ENOMEM;
	if (rc == CTMON_OK)
		rc = ct_proof_parse(resp.body, resp.len, "consistency", proof,
				    NULL, NULL, err, errlen);
	if (rc == CTMON_OK &&
	    ct_verify_consistency(st->hash, older->size, newer->size,
				  older->root, CT_HASH_LEN, newer->root,
				  CT_HASH_LEN, proof->ptr, proof->lens,
				  proof->n) != 0) {
		snprintf(err, errlen, "consistency proof %llu -> %llu does "
				      "not verify",
			 (unsigned long long)older->size,
			 (unsigned long long)newer->size);
		*bad = 1;
		rc = CTMON_EFORMAT;
	}
	free(proof);
	ct_resp_free(&resp);
	return rc;
}

static int range_at(struct ctlog *st, struct ct_log *log, uint64_t pos,
		    const struct ct_head *h, struct ct_range *r, int *bad,
		    char *err, size_t errlen)
{
	struct ct_resp resp;
	struct ct_proof *proof = NULL;
	uint8_t *leaf = NULL, lh[CT_HASH_LEN];
	size_t leaf_len = 0;
	char path[128];
	int rc;

	*bad = 0;
	ct_range_init(r);
	if (pos == 0)
		return CTMON_OK;
	/* Leaf pos-1's audit path: its left siblings are the range. */
	snprintf(path, sizeof path, "ct/v1/get-entry-and-proof?leaf_index=%llu"
				    "&tree_size=%llu",
		 (unsigned long long)(pos - 1), (unsigned long long)h->size);
	rc = get_json(st, log, path, &resp, err, errlen);
	proof = malloc(sizeof *proof);
	if (rc == CTMON_OK && !proof)
		rc = CTMON_ENOMEM;
	if (rc == CTMON_OK)
		rc = ct_proof_parse(resp.body, resp.len, "audit_path", proof,
				    &leaf, &leaf_len, err, errlen);
	if (rc == CTMON_OK) {
		ct_leaf_hash(st->hash, leaf, leaf_len, lh);
		if (ct_verify_inclusion(st->hash, pos - 1, h->size, lh,
					CT_HASH_LEN, proof->ptr, proof->lens,
					proof->n, h->root, CT_HASH_LEN,
					r) != 0) {
			snprintf(err, errlen, "inclusion proof of entry %llu "
					      "in tree size %llu does not "
					      "verify",
				 (unsigned long long)(pos - 1),
				 (unsigned long long)h->size);
			*bad = 1;
			rc = CTMON_EFORMAT;
		}
	}
	free(leaf);
	free(proof);
	ct_resp_free(&resp);
	return rc;
}

/* One worker's share of a round: [from, to), in get-entries calls. */
struct chunk {
	uint64_t from, to;
	struct ct_entries *parts;
	size_t n_parts;
	int too_many;
	char err[512];
};

struct round {
	struct ctlog *st;
	struct ct_log *log;
	struct chunk *chunks;
};

static int fetch_chunk(void *ctx, size_t i)
{
	struct round *r = ctx;
	struct chunk *c = &r->chunks[i];
	uint64_t at = c->from;
	int rc = CTMON_OK;

	while (at < c->to && rc == CTMON_OK) {
		struct ct_resp resp;
		struct ct_entries *grown;
		char path[128];
		if (r->st->api->should_stop(r->st->host))
			return CTMON_ESTOPPED;
		snprintf(path, sizeof path, "ct/v1/get-entries?start=%llu&"
					    "end=%llu",
			 (unsigned long long)at,
			 (unsigned long long)(c->to - 1));
		rc = get_json(r->st, r->log, path, &resp, c->err,
			      sizeof c->err);
		grown = rc == CTMON_OK
				? realloc(c->parts,
					  (c->n_parts + 1) * sizeof *grown)
				: NULL;
		if (rc == CTMON_OK && !grown)
			rc = CTMON_ENOMEM;
		if (rc == CTMON_OK) {
			c->parts = grown;
			rc = ct_entries_parse(resp.body, resp.len, c->to - at,
					      &c->parts[c->n_parts],
					      &c->too_many, c->err,
					      sizeof c->err);
			if (rc == CTMON_OK)
				at += c->parts[c->n_parts++].n;
		}
		ct_resp_free(&resp);
	}
	return rc;
}

static int fetch(struct ct_follow *f, uint64_t from, uint64_t to, char *err,
		 size_t errlen)
{
	struct ctlog *st = f->st;
	uint64_t bs = (uint64_t)st->batch_size, at = from;
	struct round r = {st, f->log, NULL};
	size_t n = 0, cap = (size_t)st->jobs + 1;
	int rc;

	r.chunks = calloc(cap, sizeof *r.chunks);
	if (!r.chunks)
		return CTMON_ENOMEM;
	/* Aligned chunks: logs that cut responses at multiples of their
	 * page size then answer in full. */
	while (at < to && n < cap) {
		uint64_t end = (at / bs + 1) * bs;
		r.chunks[n].from = at;
		r.chunks[n].to = end < to ? end : to;
		at = r.chunks[n++].to;
	}
	rc = ct_parallel(n, (size_t)st->jobs, fetch_chunk, &r);
	for (size_t i = 0; i < n; i++) {
		struct chunk *c = &r.chunks[i];
		uint64_t idx = c->from;
		if (c->too_many) {
			ct_misbehaviour(st, f->log, f->e,
					"entries past the signed size", c->err);
			rc = CTMON_EPERMANENT;
		}
		if (rc != CTMON_OK && !err[0])
			snprintf(err, errlen, "%s", c->err);
		for (size_t p = 0; p < c->n_parts; p++) {
			struct ct_entries *es = &c->parts[p];
			for (size_t k = 0; k < es->n && rc == CTMON_OK;
			     k++, idx++) {
				struct ct_raw_entry *re = &es->v[k];
				struct ct_entry e;
				uint8_t lh[CT_HASH_LEN];
				const char *why = NULL;
				ct_leaf_hash(st->hash, re->li, re->li_len, lh);
				if (ct_parse_leaf_input(re->li, re->li_len,
							&e) != CTMON_OK)
					why = "leaf_input is malformed";
				else if (e.cert &&
					 ct_parse_extra_data(re->ed, re->ed_len,
							     &e) != CTMON_OK)
					why = "extra_data is malformed";
				rc = ct_follow_entry(f, idx, lh,
						     why ? NULL : &e, why);
			}
			ct_entries_free(es);
		}
		free(c->parts);
	}
	free(r.chunks);
	return rc;
}

const struct ct_driver ct_driver_rfc6962 = {head, consistent, range_at,
					    fetch};
