/* test_ct_verify.c - Merkle hashing, compact ranges, inclusion and
 * consistency proofs, STH and checkpoint signatures, against the real
 * vectors of tests/data/ctlog/. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ct_merkle.h"
#include "ct_rfc6962.h"
#include "ct_sig.h"
#include "ct_static.h"
#include "ct_test.h"
#include "ctmon/plugin.h"

static struct ct_hash *H;

static void hex_to(const char *hex, uint8_t *out, size_t len)
{
	assert_non_null(hex);
	assert_int_equal(strlen(hex), 2 * len);
	assert_int_equal(ct_unhex(hex, out, len), 0);
}

/* Roots of the reference tree for sizes 0..8 through the compact range,
 * and the text form of the range surviving a round trip. */
static void test_reference_roots(void **unused)
{
	struct json_object *o = fx_json("merkle/reference_tree.json");
	struct ct_range r, back;
	char text[CT_RANGE_TEXT_MAX], key[64];
	(void)unused;

	assert_non_null(o);
	ct_range_init(&r);
	for (int n = 0; n <= 8; n++) {
		uint8_t want[CT_HASH_LEN], got[CT_HASH_LEN];
		snprintf(key, sizeof key, "root_hash_by_tree_size_hex/%d", n);
		hex_to(jstr(o, key), want, CT_HASH_LEN);
		ct_range_root(&r, H, got);
		assert_memory_equal(got, want, CT_HASH_LEN);
		ct_range_text(&r, text);
		assert_int_equal(ct_range_parse(&back, text, NULL), 0);
		assert_int_equal(back.size, (uint64_t)n);
		ct_range_root(&back, H, got);
		assert_memory_equal(got, want, CT_HASH_LEN);
		if (n < 8) {
			const char *in;
			uint8_t leaf[64], lh[CT_HASH_LEN];
			size_t len;
			snprintf(key, sizeof key, "leaf_inputs_hex/%d", n);
			in = jstr(o, key);
			len = strlen(in) / 2;
			assert_int_equal(ct_unhex(in, leaf, len), 0);
			ct_leaf_hash(H, leaf, len, lh);
			ct_range_append(&r, H, lh);
		}
	}
	/* A range whose node count does not fit its size is refused. */
	assert_int_equal(ct_range_parse(&back, "3:00", NULL), -1);
	json_object_put(o);
}

/* Decodes a JSON array of base64 hashes; lengths as found. */
static size_t b64_list(struct json_object *arr, uint8_t (*buf)[64],
		       const uint8_t **ptr, size_t *lens)
{
	size_t n = arr && json_object_is_type(arr, json_type_array)
			   ? json_object_array_length(arr)
			   : 0;

	assert_true(n <= 70);
	for (size_t i = 0; i < n; i++) {
		const char *s =
			json_object_get_string(json_object_array_get_idx(arr, i));
		size_t l = strlen(s);
		assert_true(ct_b64_max(l) <= 64);
		if (ct_b64_decode(s, l, buf[i], &lens[i]) != 0)
			lens[i] = 0;
		ptr[i] = buf[i];
	}
	return n;
}

static size_t b64_one(const char *s, uint8_t *out)
{
	size_t n = 0;

	if (!s || ct_b64_max(strlen(s)) > 64 ||
	    ct_b64_decode(s, strlen(s), out, &n) != 0)
		return 0;
	return n;
}

struct counts {
	int pass, fail;
};

static void run_case(const char *rel, int consistency, struct counts *c)
{
	struct json_object *o = fx_json(rel), *v;
	uint8_t nodes[70][64], a[64], b[64];
	const uint8_t *ptr[70];
	size_t lens[70], n, la, lb;
	int want_err, ok;

	assert_non_null(o);
	want_err = json_object_object_get_ex(o, "wantErr", &v) &&
		   json_object_get_boolean(v);
	n = b64_list(jget(o, "proof"), nodes, ptr, lens);
	if (consistency) {
		la = b64_one(jstr(o, "root1"), a);
		lb = b64_one(jstr(o, "root2"), b);
		ok = ct_verify_consistency(
			     H, (uint64_t)json_object_get_int64(jget(o, "size1")),
			     (uint64_t)json_object_get_int64(jget(o, "size2")), a,
			     la, b, lb, ptr, lens, n) == 0;
	} else {
		la = b64_one(jstr(o, "leafHash"), a);
		lb = b64_one(jstr(o, "root"), b);
		ok = ct_verify_inclusion(
			     H, (uint64_t)json_object_get_int64(jget(o, "leafIdx")),
			     (uint64_t)json_object_get_int64(jget(o, "treeSize")),
			     a, la, ptr, lens, n, b, lb, NULL) == 0;
	}
	if (ok == want_err)
		fail_msg("%s: verified=%d, wantErr=%d", rel, ok, want_err);
	if (ok)
		c->pass++;
	else
		c->fail++;
	json_object_put(o);
}

/* Every case under merkle/<kind>/, at any depth (names contain '@',
 * '[': walked, not globbed). */
static void walk(const char *kind, int consistency, struct counts *c)
{
	char dir[4096], rel[8192];
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof dir, "%s", fx_path(kind));
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof rel, "%s/%s", kind, de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 5, ".json") != 0) {
			if (strlen(rel) < 4000)
				walk(rel, consistency, c);
			continue;
		}
		/* Equal 12-byte placeholder roots: a 32-byte-hash
		 * implementation cannot represent them (README). */
		if (strcmp(de->d_name, "sizes-are-equal-one-and-proof-is-"
				   "empty.json") == 0)
			continue;
		run_case(rel, consistency, c);
	}
	closedir(d);
}

static void test_proof_vectors(void **unused)
{
	struct counts inc = {0, 0}, con = {0, 0};
	(void)unused;

	walk("merkle/inclusion", 0, &inc);
	walk("merkle/consistency", 1, &con);
	/* README: 12 positive and 184 negative cases (one skipped). */
	assert_int_equal(inc.pass + con.pass + inc.fail + con.fail, 195);
	assert_int_equal(inc.pass + con.pass, 11);
	assert_true(inc.pass > 0 && con.pass > 0);
}

/* The compact range read off an inclusion proof's left siblings. */
static void test_range_from_inclusion(void **unused)
{
	struct json_object *o = fx_json("merkle/reference_tree.json");
	uint8_t leaves[8][CT_HASH_LEN], root[CT_HASH_LEN], got[CT_HASH_LEN];
	struct ct_range full, from_proof;
	(void)unused;

	ct_range_init(&full);
	for (int i = 0; i < 8; i++) {
		char key[64];
		uint8_t in[64];
		const char *hx;
		snprintf(key, sizeof key, "leaf_inputs_hex/%d", i);
		hx = jstr(o, key);
		assert_int_equal(ct_unhex(hx, in, strlen(hx) / 2), 0);
		ct_leaf_hash(H, in, strlen(hx) / 2, leaves[i]);
	}
	/* For every tree size and leaf: the proof RFC 6962 defines, built
	 * from the reference tree by recomputing subtrees. */
	for (uint64_t size = 1; size <= 8; size++) {
		ct_range_init(&full);
		for (uint64_t i = 0; i < size; i++)
			ct_range_append(&full, H, leaves[i]);
		ct_range_root(&full, H, root);
		for (uint64_t idx = 0; idx < size; idx++) {
			/* path = siblings bottom-up, computed naively */
			uint8_t path[8][CT_HASH_LEN];
			const uint8_t *ptr[8];
			size_t lens[8], n = 0;
			uint64_t lo = 0, hi = size;
			uint8_t stack[8][CT_HASH_LEN];
			size_t sn = 0;
			while (hi - lo > 1) {
				uint64_t k = 1;
				struct ct_range sub;
				while (k * 2 < hi - lo)
					k *= 2;
				ct_range_init(&sub);
				if (idx < lo + k) {
					for (uint64_t j = lo + k; j < hi; j++)
						ct_range_append(&sub, H, leaves[j]);
					hi = lo + k;
				} else {
					for (uint64_t j = lo; j < lo + k; j++)
						ct_range_append(&sub, H, leaves[j]);
					lo = lo + k;
				}
				ct_range_root(&sub, H, stack[sn++]);
			}
			while (sn) {
				memcpy(path[n], stack[--sn], CT_HASH_LEN);
				ptr[n] = path[n];
				lens[n++] = CT_HASH_LEN;
			}
			assert_int_equal(ct_verify_inclusion(H, idx, size,
							     leaves[idx], 32,
							     ptr, lens, n, root,
							     32, &from_proof),
					 0);
			assert_int_equal(from_proof.size, idx + 1);
			{
				struct ct_range pre;
				ct_range_init(&pre);
				for (uint64_t j = 0; j <= idx; j++)
					ct_range_append(&pre, H, leaves[j]);
				ct_range_root(&pre, H, root);
				ct_range_root(&from_proof, H, got);
				assert_memory_equal(got, root, CT_HASH_LEN);
				ct_range_root(&full, H, root);
			}
		}
	}
	json_object_put(o);
}

static void load_sth(const char *rel, struct ct_sth *s)
{
	size_t len = 0;
	char *t = fx_read(rel, &len), err[128];

	assert_non_null(t);
	assert_int_equal(ct_sth_parse(t, len, s, err, sizeof err), CTMON_OK);
	free(t);
}

static void test_sth_signatures(void **unused)
{
	struct ct_key pilot, argon;
	struct ct_sth s1, s2, s3;
	char id[48];
	(void)unused;

	assert_int_equal(ct_key_from_pem_file(&pilot,
					      fx_path("rfc6962/pilot_pubkey.pem"),
					      H),
			 0);
	ct_b64_encode(pilot.log_id, 32, id);
	assert_string_equal(id, "pLkJkLQYWBSHuxOizGdwCjw1mAT5G9+443fNDsgN3BA=");
	load_sth("rfc6962/pilot_get-sth.json", &s1);
	assert_int_equal(s1.size, 3721782);
	assert_int_equal(ct_sth_verify(&pilot, &s1), 0);
	assert_int_equal(ct_key_from_pem_file(
				 &argon, fx_path("rfc6962/argon2027h1_pubkey.pem"),
				 H),
			 0);
	ct_b64_encode(argon.log_id, 32, id);
	assert_string_equal(id, "1tWNqdAXU/NqSqDHV0kCr+vH3CzTjNn3ZMgMiRkenwI=");
	load_sth("rfc6962/argon2027h1_get-sth_384065451.json", &s2);
	load_sth("rfc6962/argon2027h1_get-sth_384071894.json", &s3);
	assert_int_equal(ct_sth_verify(&argon, &s2), 0);
	assert_int_equal(ct_sth_verify(&argon, &s3), 0);
	/* Wrong key, changed size, changed root: refused. */
	assert_int_equal(ct_sth_verify(&pilot, &s2), -1);
	s2.size++;
	assert_int_equal(ct_sth_verify(&argon, &s2), -1);
	s2.size--;
	s2.root[5] ^= 1;
	assert_int_equal(ct_sth_verify(&argon, &s2), -1);
	s2.root[5] ^= 1;
	/* A signature claiming RSA for an EC key is refused. */
	s2.sig[1] = 1;
	assert_int_equal(ct_sth_verify(&argon, &s2), -1);
	ct_key_free(&pilot);
	ct_key_free(&argon);
}

/* The real 23-node Argon2027h1 proof between the two STHs. */
static void test_argon_consistency(void **unused)
{
	struct ct_sth a, b;
	struct ct_proof *p = malloc(sizeof *p);
	size_t len = 0;
	char *t = fx_read("rfc6962/argon2027h1_get-sth-consistency_384065451_"
			  "384071894.json",
			  &len),
	     err[128];
	(void)unused;

	assert_non_null(t);
	assert_non_null(p);
	load_sth("rfc6962/argon2027h1_get-sth_384065451.json", &a);
	load_sth("rfc6962/argon2027h1_get-sth_384071894.json", &b);
	assert_int_equal(ct_proof_parse(t, len, "consistency", p, NULL, NULL,
					err, sizeof err),
			 CTMON_OK);
	assert_int_equal(p->n, 23);
	assert_int_equal(ct_verify_consistency(H, a.size, b.size, a.root, 32,
					       b.root, 32, p->ptr, p->lens,
					       p->n),
			 0);
	p->nodes[7][0] ^= 0x80;
	assert_int_equal(ct_verify_consistency(H, a.size, b.size, a.root, 32,
					       b.root, 32, p->ptr, p->lens,
					       p->n),
			 -1);
	free(p);
	free(t);
}

static void test_checkpoints(void **unused)
{
	struct json_object *lj = fx_json("static-ct/rome2026h1.log.v3.json");
	struct json_object *ex = fx_json("static-ct/checkpoints_expected.json");
	struct ct_key k;
	struct ct_checkpoint cp;
	uint8_t log_id[32], kid[4];
	size_t len = 0, n;
	char *t = fx_read("static-ct/rome2026h1.checkpoint", &len), err[160];
	char *bad;
	int badsig;
	(void)unused;

	assert_non_null(t);
	assert_int_equal(ct_key_from_b64(&k, jstr(lj, "key"), H), 0);
	assert_int_equal(ct_checkpoint_verify(t, len, "rome2026h1.example.org",
					      &k, H, &cp, &badsig, err,
					      sizeof err),
			 CTMON_OK);
	assert_int_equal(cp.size, 300);
	assert_int_equal(badsig, 0);
	/* Another origin, a changed size: refused (the second as a bad
	 * signature: misbehaviour). */
	assert_int_equal(ct_checkpoint_verify(t, len, "rome2026h1.example.com",
					      &k, H, &cp, &badsig, err,
					      sizeof err),
			 CTMON_EFORMAT);
	bad = strdup(t);
	bad[strlen("rome2026h1.example.org\n") + 2] = '1'; /* 300 -> 301 */
	assert_int_equal(ct_checkpoint_verify(bad, len, "rome2026h1.example.org",
					      &k, H, &cp, &badsig, err,
					      sizeof err),
			 CTMON_EFORMAT);
	assert_int_equal(badsig, 1);
	free(bad);
	ct_key_free(&k);
	/* Sycamore: key ID derivation from the log ID. */
	assert_int_equal(ct_b64_decode(jstr(ex, "sycamore2024h2.checkpoint/"
					       "log_id_b64"),
				       44, log_id, &n),
			 0);
	ct_checkpoint_key_id(H, "sycamore.ct.letsencrypt.org/2024h2", log_id,
			     kid);
	assert_memory_equal(kid, "\x3d\xd9\x08\x6a", 4);
	free(t);
	json_object_put(lj);
	json_object_put(ex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_roots),
		cmocka_unit_test(test_proof_vectors),
		cmocka_unit_test(test_range_from_inclusion),
		cmocka_unit_test(test_sth_signatures),
		cmocka_unit_test(test_argon_consistency),
		cmocka_unit_test(test_checkpoints),
	};
	int rc;

	H = ct_hash_new();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	ct_hash_free(H);
	return rc;
}
