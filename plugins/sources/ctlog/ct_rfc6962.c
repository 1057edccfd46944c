/* ct_rfc6962.c - see ct_rfc6962.h. */
#include "ct_rfc6962.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctmon/plugin.h"

static struct json_object *parse_object(const char *json, size_t len,
					char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new_ex(16);
	struct json_object *o = NULL;

	if (!tok)
		return NULL;
	if (len <= (size_t)INT32_MAX)
		o = json_tokener_parse_ex(tok, json, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "response is not a JSON object");
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static int get_u64(struct json_object *o, const char *key, uint64_t *out)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	n = json_object_get_int64(v);
	if (n < 0)
		return -1;
	*out = (uint64_t)n;
	return 0;
}

static int get_b64(struct json_object *o, const char *key, uint8_t *out,
		   size_t cap, size_t *len)
{
	struct json_object *v;
	const char *s;
	size_t n;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (ct_b64_max(n) > cap)
		return -1;
	return ct_b64_decode(s, n, out, len);
}

int ct_sth_parse(const char *json, size_t len, struct ct_sth *out, char *err,
		 size_t errlen)
{
	struct json_object *o = parse_object(json, len, err, errlen);
	uint8_t root[CT_HASH_LEN + 4];
	size_t root_len = 0;
	int rc = CTMON_EFORMAT;

	memset(out, 0, sizeof *out);
	if (!o)
		return CTMON_EFORMAT;
	if (get_u64(o, "tree_size", &out->size) ||
	    get_u64(o, "timestamp", &out->timestamp)) {
		snprintf(err, errlen, "get-sth: tree_size or timestamp missing");
		goto out;
	}
	if (get_b64(o, "sha256_root_hash", root, sizeof root, &root_len) ||
	    root_len != CT_HASH_LEN) {
		snprintf(err, errlen, "get-sth: bad sha256_root_hash");
		goto out;
	}
	memcpy(out->root, root, CT_HASH_LEN);
	if (get_b64(o, "tree_head_signature", out->sig, sizeof out->sig,
		    &out->sig_len)) {
		snprintf(err, errlen, "get-sth: bad tree_head_signature");
		goto out;
	}
	rc = CTMON_OK;
out:
	json_object_put(o);
	return rc;
}

int ct_sth_verify(const struct ct_key *k, const struct ct_sth *s)
{
	uint8_t msg[CT_THS_LEN];

	ct_tree_head_input(msg, s->timestamp, s->size, s->root);
	return ct_verify_ds(k, msg, sizeof msg, s->sig, s->sig_len);
}

void ct_entries_free(struct ct_entries *e)
{
	free(e->v);
	free(e->arena);
	memset(e, 0, sizeof *e);
}

static int entry_string(struct json_object *item, const char *key,
			const char **s, size_t *n)
{
	struct json_object *v;

	if (!json_object_object_get_ex(item, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return -1;
	*s = json_object_get_string(v);
	*n = (size_t)json_object_get_string_len(v);
	return 0;
}

int ct_entries_parse(const char *json, size_t len, size_t max,
		     struct ct_entries *out, int *too_many, char *err,
		     size_t errlen)
{
	struct json_object *o = parse_object(json, len, err, errlen), *arr;
	size_t n, total = 0, off = 0;
	int rc = CTMON_EFORMAT;

	memset(out, 0, sizeof *out);
	*too_many = 0;
	if (!o)
		return CTMON_EFORMAT;
	if (!json_object_object_get_ex(o, "entries", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		snprintf(err, errlen, "get-entries: no entries array");
		goto out;
	}
	n = json_object_array_length(arr);
	if (n == 0) {
		snprintf(err, errlen, "get-entries: empty entries array");
		goto out;
	}
	if (n > max) {
		*too_many = 1;
		snprintf(err, errlen,
			 "get-entries: %zu entries returned for %zu asked", n,
			 max);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *it = json_object_array_get_idx(arr, i);
		const char *s;
		size_t sl, el;
		if (!json_object_is_type(it, json_type_object) ||
		    entry_string(it, "leaf_input", &s, &sl) ||
		    entry_string(it, "extra_data", &s, &el)) {
			snprintf(err, errlen,
				 "get-entries: entry %zu lacks leaf_input or "
				 "extra_data", i);
			goto out;
		}
		total += ct_b64_max(sl) + ct_b64_max(el);
	}
	out->v = calloc(n, sizeof *out->v);
	out->arena = malloc(total ? total : 1);
	if (!out->v || !out->arena) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *it = json_object_array_get_idx(arr, i);
		struct ct_raw_entry *e = &out->v[i];
		const char *s = NULL;
		size_t sl = 0;
		entry_string(it, "leaf_input", &s, &sl);
		e->li = out->arena + off;
		if (ct_b64_decode(s, sl, out->arena + off, &e->li_len))
			goto bad64;
		off += e->li_len;
		entry_string(it, "extra_data", &s, &sl);
		e->ed = out->arena + off;
		if (ct_b64_decode(s, sl, out->arena + off, &e->ed_len))
			goto bad64;
		off += e->ed_len;
		continue;
bad64:
		snprintf(err, errlen, "get-entries: entry %zu is not base64",
			 i);
		goto out;
	}
	out->n = n;
	rc = CTMON_OK;
out:
	json_object_put(o);
	if (rc != CTMON_OK)
		ct_entries_free(out);
	return rc;
}

int ct_proof_parse(const char *json, size_t len, const char *member,
		   struct ct_proof *out, uint8_t **leaf, size_t *leaf_len,
		   char *err, size_t errlen)
{
	struct json_object *o = parse_object(json, len, err, errlen), *arr, *v;
	size_t n;
	int rc = CTMON_EFORMAT;

	memset(out, 0, sizeof *out);
	if (!o)
		return CTMON_EFORMAT;
	if (!json_object_object_get_ex(o, member, &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) > CT_MAX_PROOF) {
		snprintf(err, errlen, "%s: missing or too long", member);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t tmp[CT_HASH_LEN + 4];
		size_t tl = 0;
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string) ||
		    (size_t)json_object_get_string_len(v) != 44 ||
		    ct_b64_decode(json_object_get_string(v), 44, tmp, &tl) ||
		    tl != CT_HASH_LEN) {
			snprintf(err, errlen, "%s: node %zu is not a hash",
				 member, i);
			goto out;
		}
		memcpy(out->nodes[i], tmp, CT_HASH_LEN);
		out->ptr[i] = out->nodes[i];
		out->lens[i] = CT_HASH_LEN;
	}
	out->n = n;
	if (leaf) {
		const char *s;
		size_t sl;
		if (!json_object_object_get_ex(o, "leaf_input", &v) ||
		    !json_object_is_type(v, json_type_string)) {
			snprintf(err, errlen, "leaf_input missing");
			goto out;
		}
		s = json_object_get_string(v);
		sl = (size_t)json_object_get_string_len(v);
		if (ct_b64_decode_alloc(s, sl, leaf, leaf_len)) {
			snprintf(err, errlen, "leaf_input is not base64");
			goto out;
		}
	}
	rc = CTMON_OK;
out:
	json_object_put(o);
	return rc;
}
