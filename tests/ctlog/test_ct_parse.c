/* test_ct_parse.c - entry formats and certificates against the real
 * vectors of tests/data/ctlog/: RFC 6962 leaves and extra_data,
 * precert/final-cert pairing by TBS hash, static-ct data and hash tiles,
 * tile paths, log lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ct_cert.h"
#include "ct_leaf.h"
#include "ct_loglist.h"
#include "ct_merkle.h"
#include "ct_rfc6962.h"
#include "ct_static.h"
#include "ct_tbs.h"
#include "ct_test.h"

static struct ct_hash *H;

static struct ct_entries load_entries(const char *rel)
{
	struct ct_entries es;
	size_t len = 0;
	char *t = fx_read(rel, &len), err[160];
	int too_many = 0;

	assert_non_null(t);
	assert_int_equal(ct_entries_parse(t, len, 100, &es, &too_many, err,
					  sizeof err),
			 CTMON_OK);
	free(t);
	return es;
}

static void b64_hash(const uint8_t *h, char *out) { ct_b64_encode(h, 32, out); }

/* Pilot-era entries: leaf hashes, chain, and the MTH of the four. */
static void test_pilot_entries(void **unused)
{
	struct json_object *ex = fx_json("rfc6962/expected.json");
	struct ct_entries es = load_entries("rfc6962/pilot-era_get-entries_4_x509.json");
	struct ct_range r;
	struct ct_cert ci;
	char got[48], key[160];
	(void)unused;

	ct_cert_init(&ci);
	ct_range_init(&r);
	assert_int_equal(es.n, 4);
	for (size_t i = 0; i < es.n; i++) {
		struct ct_entry e;
		uint8_t lh[32], d[32];
		char hex[65];
		ct_leaf_hash(H, es.v[i].li, es.v[i].li_len, lh);
		b64_hash(lh, got);
		snprintf(key, sizeof key, "pilot-era_get-entries_4_x509.json/"
					  "entries/%zu/leaf_hash_b64", i);
		assert_string_equal(got, jstr(ex, key));
		ct_range_append(&r, H, lh);
		assert_int_equal(ct_parse_leaf_input(es.v[i].li, es.v[i].li_len,
						     &e),
				 CTMON_OK);
		assert_int_equal(e.entry_type, CT_ENTRY_X509);
		assert_int_equal(ct_parse_extra_data(es.v[i].ed, es.v[i].ed_len,
						     &e),
				 CTMON_OK);
		snprintf(key, sizeof key, "pilot-era_get-entries_4_x509.json/"
					  "entries/%zu/chain_len", i);
		assert_int_equal(e.n_chain,
				 json_object_get_int(jget(ex, key)));
		ct_sha256(H, e.cert, e.cert_len, NULL, 0, NULL, 0, d);
		ct_hex(d, 32, hex);
		snprintf(key, sizeof key, "pilot-era_get-entries_4_x509.json/"
					  "entries/%zu/cert_sha256_hex", i);
		assert_string_equal(hex, jstr(ex, key));
		/* The certificate itself parses: fingerprint = its SHA-256. */
		assert_int_equal(ct_cert_parse(&ci, H, e.cert, e.cert_len, 0,
					       e.cert, e.cert_len),
				 CTMON_OK);
		assert_string_equal(ci.c.fingerprint, hex);
		assert_non_null(ci.c.issuer_dn);
		assert_true(ci.c.not_after > ci.c.not_before);
	}
	{
		uint8_t root[32];
		const char *mth = jstr(ex, "pilot-era_get-entries_4_x509.json/"
					   "mth_of_4_entries_b64");
		ct_range_root(&r, H, root);
		b64_hash(root, got);
		if (mth)
			assert_string_equal(got, mth);
	}
	ct_entries_free(&es);
	ct_cert_free(&ci);
	json_object_put(ex);
}

/* Synthetic x509 + precert entries: leaf hashes, the MTH, and a
 * precert's TBS hash equal to its final certificate's. */
static void test_synthetic_pair(void **unused)
{
	struct json_object *cx = fx_json("certs/expected.json");
	struct ct_entries es =
		load_entries("rfc6962/synthetic_get-entries_x509_and_precert.json");
	struct ct_entry e0, e1;
	struct ct_cert ci;
	struct ct_range r;
	uint8_t lh[32], root[32];
	char got[48], tbs_pre[65];
	FILE *f;
	X509 *fin;
	unsigned char *der = NULL;
	int n;
	(void)unused;

	ct_cert_init(&ci);
	ct_range_init(&r);
	assert_int_equal(es.n, 2);
	for (int i = 0; i < 2; i++) {
		char key[128];
		ct_leaf_hash(H, es.v[i].li, es.v[i].li_len, lh);
		ct_range_append(&r, H, lh);
		b64_hash(lh, got);
		snprintf(key, sizeof key, "synthetic_get-entries_x509_and_"
					  "precert.json/leaf_hashes_b64/%d", i);
		assert_string_equal(got, jstr(cx, key));
	}
	ct_range_root(&r, H, root);
	b64_hash(root, got);
	assert_string_equal(got, jstr(cx, "synthetic_get-entries_x509_and_"
					  "precert.json/mth_b64"));
	assert_int_equal(ct_parse_leaf_input(es.v[0].li, es.v[0].li_len, &e0), 0);
	assert_int_equal(ct_parse_leaf_input(es.v[1].li, es.v[1].li_len, &e1), 0);
	assert_int_equal(e1.entry_type, CT_ENTRY_PRECERT);
	assert_int_equal(ct_parse_extra_data(es.v[1].ed, es.v[1].ed_len, &e1), 0);
	assert_non_null(e1.pre_cert);
	assert_int_equal(e1.n_chain, 1);
	{
		char hex[65];
		ct_hex(e1.issuer_key_hash, 32, hex);
		assert_string_equal(hex, "02adddca08b8bf9861f035940c940156d8350"
					 "fdff899a6239c6bd77255b8f8fc");
	}
	/* The precert entry: TBS only, issuer from the TBS. */
	assert_int_equal(ct_cert_parse(&ci, H, e1.cert, e1.cert_len, 1,
				       e1.pre_cert, e1.pre_cert_len),
			 CTMON_OK);
	assert_string_equal(ci.c.tbs_hash,
			    "f891a12ef5a416b880296328e399ac1fce0b3d794781d11b62b"
			    "33375beb3a956");
	snprintf(tbs_pre, sizeof tbs_pre, "%s", ci.c.tbs_hash);
	assert_non_null(strstr(ci.c.issuer_dn, "Certificate Transparency CA"));
	/* The final certificate: TBS minus the SCT list hashes the same. */
	f = fopen(fx_path("certs/test-embedded-cert.pem"), "r");
	assert_non_null(f);
	fin = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(fin);
	n = i2d_X509(fin, &der);
	assert_true(n > 0);
	assert_int_equal(ct_cert_parse(&ci, H, der, (size_t)n, 0, der,
				       (size_t)n),
			 CTMON_OK);
	assert_string_equal(ci.c.tbs_hash, tbs_pre);
	OPENSSL_free(der);
	X509_free(fin);
	ct_entries_free(&es);
	ct_cert_free(&ci);
	json_object_put(cx);
}

/* Precert via a Precertificate Signing Certificate: its final
 * certificate's stripped TBS has the documented hash. */
static void test_preca_final(void **unused)
{
	FILE *f = fopen(fx_path("certs/test-embedded-with-preca-cert.pem"), "r");
	X509 *x;
	unsigned char *der = NULL;
	struct ct_cert ci;
	int n;
	(void)unused;

	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	n = i2d_X509(x, &der);
	ct_cert_init(&ci);
	assert_int_equal(ct_cert_parse(&ci, H, der, (size_t)n, 0, der,
				       (size_t)n),
			 CTMON_OK);
	assert_string_equal(ci.c.tbs_hash,
			    "ec0a5bbfd458d15ae617620513d7f6005ae279e205173fb4c74"
			    "54b13b73e534e");
	/* Garbage is refused, not crashed on. */
	assert_int_equal(ct_cert_parse(&ci, H, (const uint8_t *)"\x30\x03\x02"
								"\x01\x00",
				       5, 0, NULL, 0),
			 CTMON_EFORMAT);
	assert_int_equal(ct_cert_parse(&ci, H, der + 4, (size_t)n - 4, 1,
				       NULL, 0),
			 CTMON_EFORMAT);
	OPENSSL_free(der);
	X509_free(x);
	ct_cert_free(&ci);
}

/* Truncated and over-long leaves are refused. */
static void test_malformed_leaves(void **unused)
{
	struct ct_entries es =
		load_entries("rfc6962/synthetic_get-entries_x509_and_precert.json");
	struct ct_entry e;
	uint8_t *buf = malloc(es.v[0].li_len + 1);
	(void)unused;

	memcpy(buf, es.v[0].li, es.v[0].li_len);
	for (size_t cut = 3; cut < es.v[0].li_len; cut += 97)
		assert_int_equal(ct_parse_leaf_input(buf, cut, &e),
				 CTMON_EFORMAT);
	buf[es.v[0].li_len] = 0;
	assert_int_equal(ct_parse_leaf_input(buf, es.v[0].li_len + 1, &e),
			 CTMON_EFORMAT);
	/* An unknown entry type is hashed but not interpreted. */
	buf[11] = 7;
	assert_int_equal(ct_parse_leaf_input(buf, es.v[0].li_len, &e), CTMON_OK);
	assert_null(e.cert);
	free(buf);
	ct_entries_free(&es);
}

/* navigli2025h2: the data tile's entries re-hash to the level-0 tile,
 * leaf_index extensions count up from 768, roots from tiles. */
static void test_navigli_tiles(void **unused)
{
	struct json_object *ex = fx_json("static-ct/navigli2025h2/expected.json");
	size_t dlen = 0, hlen = 0, off = 0;
	char *data = fx_read("static-ct/navigli2025h2/tile/data/003.p/10", &dlen);
	char *l0 = fx_read("static-ct/navigli2025h2/tile/0/003.p/10", &hlen);
	uint8_t all[1024][32];
	struct ct_cert ci;
	(void)unused;

	assert_non_null(data);
	assert_int_equal(hlen, 320);
	ct_cert_init(&ci);
	for (int i = 0; i < 10; i++) {
		struct ct_entry e;
		uint8_t lh[32];
		size_t used = 0;
		assert_int_equal(ct_parse_tile_leaf((uint8_t *)data + off,
						    dlen - off, &e, &used),
				 CTMON_OK);
		off += used;
		assert_int_equal(e.entry_type, CT_ENTRY_PRECERT);
		assert_true(e.has_leaf_index);
		assert_int_equal(e.leaf_index, 768 + i);
		assert_true(e.n_fingerprints >= 1);
		ct_entry_leaf_hash(H, &e, lh);
		assert_memory_equal(lh, l0 + 32 * i, 32);
		assert_int_equal(ct_cert_parse(&ci, H, e.cert, e.cert_len, 1,
					       e.pre_cert, e.pre_cert_len),
				 CTMON_OK);
		assert_true(ci.c.n_names > 0 || ci.c.subject_cn);
	}
	assert_int_equal(off, dlen);
	/* Roots from the level-0 tiles at the documented sizes. */
	for (int t = 0; t < 4; t++) {
		char rel[64];
		size_t n = 0;
		char *tile;
		snprintf(rel, sizeof rel, "static-ct/navigli2025h2/tile/0/%03d", t);
		tile = fx_read(rel, &n);
		assert_int_equal(n, 8192);
		memcpy(all[t * 256], tile, 8192);
		free(tile);
	}
	{
		static const int sizes[] = {1, 255, 256, 257, 512, 778, 1000,
					    1024};
		for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
			struct ct_range r;
			uint8_t root[32];
			char hex[65], key[96];
			ct_range_init(&r);
			for (int i = 0; i < sizes[s]; i++)
				ct_range_append(&r, H, all[i]);
			ct_range_root(&r, H, root);
			ct_hex(root, 32, hex);
			snprintf(key, sizeof key, "roots_from_level0_tiles/%d/hex",
				 sizes[s]);
			assert_string_equal(hex, jstr(ex, key));
		}
	}
	ct_cert_free(&ci);
	free(data);
	free(l0);
	json_object_put(ex);
}

static void test_tile_paths(void **unused)
{
	struct json_object *o = fx_json("static-ct/tile_paths.json");
	struct json_object *arr = jget(o, "index_to_path");
	char path[96], want[96];
	(void)unused;

	assert_true(json_object_array_length(arr) >= 10);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *p = json_object_array_get_idx(arr, i);
		uint64_t idx = (uint64_t)json_object_get_int64(
			json_object_array_get_idx(p, 0));
		ct_tile_path(path, sizeof path, 0, idx, 0);
		snprintf(want, sizeof want, "tile/0/%s",
			 json_object_get_string(json_object_array_get_idx(p, 1)));
		assert_string_equal(path, want);
	}
	ct_tile_path(path, sizeof path, -1, 3, 10);
	assert_string_equal(path, jstr(o, "example_urls/data_partial"));
	ct_tile_path(path, sizeof path, 0, 273, 112);
	assert_string_equal(path, jstr(o, "example_urls/level0_partial_w112"));
	ct_origin_from_url("https://log.sycamore.ct.letsencrypt.org/2026h1/",
			   path, sizeof path);
	assert_string_equal(path, "log.sycamore.ct.letsencrypt.org/2026h1");
	json_object_put(o);
}

static size_t list_count(const char *rel, const char *const *states,
			 size_t n_states, struct ct_logdef **v)
{
	size_t len = 0, n = 0;
	char *t = fx_read(rel, &len), err[128];

	*v = NULL;
	assert_non_null(t);
	assert_int_equal(ct_loglist_parse(t, len, states, n_states, v, &n, err,
					  sizeof err),
			 CTMON_OK);
	free(t);
	return n;
}

static void test_log_lists(void **unused)
{
	static const char *const usable[] = {"usable"};
	static const char *const all[] = {"usable", "qualified", "readonly",
					  "retired", "rejected", "pending",
					  "none"};
	struct ct_logdef *v;
	size_t n, tiled = 0, ro = 0;
	(void)unused;

	n = list_count("loglist/ct-go_testdata_loglist3.json", all, 7, &v);
	for (size_t i = 0; i < n; i++)
		ro += v[i].has_final;
	assert_int_equal(n, 6);
	assert_int_equal(ro, 1);
	ct_logdefs_free(v, n);
	n = list_count("loglist/ct-go_testdata_loglist3.json", usable, 1, &v);
	assert_int_equal(n, 2);
	ct_logdefs_free(v, n);
	n = list_count("loglist/google_log_list_v93.3_excerpt.json", all, 7, &v);
	for (size_t i = 0; i < n; i++) {
		struct ct_key k;
		char id[48];
		tiled += v[i].proto == CT_PROTO_STATIC;
		/* Every listed key is usable and hashes to its log_id. */
		assert_int_equal(ct_key_from_b64(&k, v[i].key_b64, H), 0);
		ct_b64_encode(k.log_id, 32, id);
		assert_string_equal(id, v[i].log_id_b64);
		ct_key_free(&k);
		if (v[i].proto == CT_PROTO_STATIC)
			assert_string_not_equal(v[i].url, v[i].submission_url);
	}
	assert_int_equal(tiled, 2);
	ct_logdefs_free(v, n);
	n = list_count("loglist/google_all_logs_list_v53.34_2025-05-05.json",
		       all, 7, &v);
	/* 181 logs; those of log_type "test" are not followed. */
	assert_true(n > 100 && n < 181);
	ct_logdefs_free(v, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pilot_entries),
		cmocka_unit_test(test_synthetic_pair),
		cmocka_unit_test(test_preca_final),
		cmocka_unit_test(test_malformed_leaves),
		cmocka_unit_test(test_navigli_tiles),
		cmocka_unit_test(test_tile_paths),
		cmocka_unit_test(test_log_lists),
	};
	int rc;

	H = ct_hash_new();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	ct_hash_free(H);
	return rc;
}
