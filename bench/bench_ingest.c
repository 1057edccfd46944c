/* bench_ingest.c - crt.sh ingest: bytes to committed rows.
 *
 *   bench_ingest gen N FILE       write a crt.sh-shaped response of N records
 *   bench_ingest ctmon FILE DB    ctmon's path: streamed parse (64 KiB reads,
 *                                 the crtsh plugin's parser) -> the engine's
 *                                 ingest (normalise, match, store, subdomains)
 *                                 -> one commit
 *   bench_ingest naive FILE DB    the baseline, the reference agent's way:
 *                                 whole body read and parsed as one json-c
 *                                 tree, then one SELECT + one INSERT per
 *                                 record and per subdomain name, statements
 *                                 prepared per use
 *
 * The generated rows follow the real fixtures: precert/cert pairs, the
 * four issuer spellings seen there, e-mail identities mixed in, 1-8 names
 * a row drawn from a pool a quarter the size of the response.
 *
 * Each run prints "records seconds records_per_s peak_rss_kb"; the driver
 * script (bench/run_ingest.sh) runs both modes in the same script on the
 * same file and records the ratio in bench/RESULTS.md.
 */
#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "crtsh_parse.h"
#include "engine_internal.h"
#include "util.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* ---- generator: shapes of the real fixtures ---------------------------- */

static const char *const issuers[] = {
	"C=US, O=DigiCert Inc, CN=DigiCert TLS RSA SHA256 2020 CA1",
	"C=US, O=Let's Encrypt, CN=R3",
	"C=US, O=\\\"DigiCert, Inc.\\\", CN=DigiCert SHA2 Secure Server CA",
	("C=GB, ST=Greater Manchester, L=Salford, O=Sectigo Limited, "
	 "CN=Sectigo RSA Domain Validation Secure Server CA"),
};

static int gen(long n, const char *path)
{
	FILE *fp = fopen(path, "w");
	unsigned seed = 42;

	if (!fp)
		return 1;
	fputc('[', fp);
	for (long i = 0; i < n; i++) {
		/* Precert/cert pairs: records 2k and 2k+1 share issuer, serial,
		 * validity and names; ids differ. */
		long pair = i / 2;
		int iss = (int)(pair % 4);
		/* Real responses carry 1.3 to 4.9 names per row, and a
		 * quarter or fewer of the names are distinct (renewals repeat
		 * them): 1 to 8 names per row from a pool of n/4 names. */
		int nnames = 1 + (int)(pair % 8);
		long pool = n / 4 > 100 ? n / 4 : 100;
		seed = seed * 1103515245u + 12345u;
		fprintf(fp, "%s{\"issuer_ca_id\":%d,\"issuer_name\":\"%s\","
			"\"common_name\":\"host%ld.www.example.com\","
			"\"name_value\":\"",
			i ? "," : "", 1000 + iss, issuers[iss],
			(pair * 7) % pool);
		for (int k = 0; k < nnames; k++)
			fprintf(fp, "%shost%ld.%s.example.com",
				k ? "\\n" : "", (pair * 7 + k * 13) % pool,
				k % 3 ? "svc" : "www");
		fprintf(fp, "\\nuser%ld@example.com\",\"id\":%ld,"
			"\"entry_timestamp\":\"2023-01-13T13:18:21.%03d\","
			"\"not_before\":\"%s\",\"not_after\":\"2031-02-13T23:59:59\","
			"\"serial_number\":\"0c%014lx%016lx\",\"result_count\":%d}",
			pair, 8000000000L + i, (int)(seed % 1000),
			"2023-01-13T00:00:00", pair,
			(unsigned long)pair * 2654435761ul, nnames + 1);
	}
	fputs("]", fp);
	return fclose(fp) == 0 ? 0 : 1;
}

/* ---- ctmon's path ------------------------------------------------------ */

struct feed {
	struct ctmon_emitter *em;
	long records;
	int rc;
};

static int on_record(void *ctx, const struct crtsh_record *r)
{
	struct feed *f = ctx;
	struct ctmon_cert c;

	crtsh_record_to_cert(r, &c);
	f->records++;
	return ctm_engine_ingest(f->em, &c);
}

static int run_ctmon(const char *file, const char *db)
{
	char *domains[] = {"example.com", NULL};
	struct ctm_config cfg;
	struct ctm_instance inst;
	struct ctm_engine eng;
	struct ctm_rt rt;
	struct ctmon_emitter em;
	struct ctm_error err;
	struct crtsh_parser *p = NULL;
	struct feed f = {&em, 0, 0};
	static char buf[65536];
	FILE *fp = NULL;
	size_t n;
	double t0, t1;
	int rc = 1, step = 0;

	memset(&cfg, 0, sizeof cfg);
	memset(&inst, 0, sizeof inst);
	memset(&eng, 0, sizeof eng);
	memset(&rt, 0, sizeof rt);
	memset(&em, 0, sizeof em);
	cfg.domains = domains;
	cfg.n_domains = 1;
	inst.id = "crtsh";
	rt.host.inst = &inst;
	eng.cfg = &cfg;
	eng.now = 1700000000;
	ctm_nameset_init(&eng.touched, 131072);
	em.eng = &eng;
	em.src = &rt;
	t0 = now_s();
	if (ctm_store_open(db, &eng.store, &err) != CTMON_OK) {
		fprintf(stderr, "%s\n", err.text);
		goto out;
	}
	p = crtsh_parser_new(on_record, &f);
	fp = fopen(file, "rb");
	if (!p || !fp || ctm_store_begin(eng.store) != CTMON_OK ||
	    ctm_host_api.batch_begin(&em) != CTMON_OK)
		goto out;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		if ((step = crtsh_parser_feed(p, buf, n)) != CTMON_OK)
			goto out;
	if ((step = crtsh_parser_finish(p)) != CTMON_OK ||
	    (step = ctm_host_api.batch_commit(&em)) != CTMON_OK ||
	    (step = ctm_store_commit(eng.store)) != CTMON_OK)
		goto out;
	t1 = now_s();
	printf("%ld %.3f %.0f %ld\n", f.records, t1 - t0,
	       (double)f.records / (t1 - t0), peak_rss_kb());
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "ctmon path failed (rc %d): %s %s\n", step,
			p ? crtsh_parser_error(p) : "",
			eng.store ? ctm_store_errmsg(eng.store) : "");
	if (fp)
		fclose(fp);
	crtsh_parser_free(p);
	ctm_engine_drop_pending(&eng, 0);
	free(eng.pending);
	ctm_nameset_clear(&eng.touched);
	if (eng.store)
		ctm_store_close(eng.store);
	return rc;
}

/* ---- the naive baseline ------------------------------------------------ */

static int naive_subdomains(sqlite3 *db, const char *name_value)
{
	char *copy = strdup(name_value ? name_value : "");
	char *save = NULL;
	int rc = copy ? 0 : 1;

	for (char *n = copy ? strtok_r(copy, "\n", &save) : NULL;
	     n && rc == 0; n = strtok_r(NULL, "\n", &save)) {
		sqlite3_stmt *st = NULL;
		int found;
		if (strchr(n, '@') || strchr(n, ' '))
			continue;
		if (sqlite3_prepare_v2(db, "SELECT 1 FROM subs WHERE name = ?",
				       -1, &st, NULL) != SQLITE_OK) {
			rc = 1;
			break;
		}
		sqlite3_bind_text(st, 1, n, -1, SQLITE_TRANSIENT);
		found = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (found)
			continue;
		st = NULL;
		if (sqlite3_prepare_v2(db, "INSERT INTO subs(name) VALUES (?)",
				       -1, &st, NULL) != SQLITE_OK) {
			rc = 1;
			break;
		}
		sqlite3_bind_text(st, 1, n, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : 1;
		sqlite3_finalize(st);
	}
	free(copy);
	return rc;
}

static int naive_store(sqlite3 *db, json_object *row)
{
	json_object *v;
	sqlite3_stmt *st = NULL;
	int64_t id = json_object_object_get_ex(row, "id", &v)
			     ? json_object_get_int64(v) : 0;
	int found, rc = 1;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM certs WHERE crtsh_id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	st = NULL;
	if (found)
		return 0;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO certs(crtsh_id, issuer, names, "
			       "serial, not_before, not_after) "
			       "VALUES (?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
#define BIND_STR(i, key)                                                    \
	sqlite3_bind_text(st, i,                                            \
			  json_object_object_get_ex(row, key, &v)           \
				  ? json_object_get_string(v) : NULL,       \
			  -1, SQLITE_TRANSIENT)
	BIND_STR(2, "issuer_name");
	BIND_STR(3, "name_value");
	BIND_STR(4, "serial_number");
	BIND_STR(5, "not_before");
	BIND_STR(6, "not_after");
#undef BIND_STR
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : 1;
	sqlite3_finalize(st);
	st = NULL;
	/* discover_subdomains: one SELECT + INSERT per name. */
	if (rc == 0 && json_object_object_get_ex(row, "name_value", &v))
		rc = naive_subdomains(db, json_object_get_string(v));
out:
	sqlite3_finalize(st);
	return rc;
}

static int run_naive(const char *file, const char *path)
{
	sqlite3 *db = NULL;
	json_object *root = NULL;
	char *body = NULL;
	FILE *fp = NULL;
	long len;
	size_t nrec = 0;
	double t0, t1;
	int rc = 1;

	t0 = now_s();
	fp = fopen(file, "rb");
	if (!fp || fseek(fp, 0, SEEK_END) || (len = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET))
		goto out;
	body = malloc((size_t)len + 1);
	if (!body || fread(body, 1, (size_t)len, fp) != (size_t)len)
		goto out;
	body[len] = '\0';
	root = json_tokener_parse(body);
	if (!root || !json_object_is_type(root, json_type_array))
		goto out;
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db,
			 "PRAGMA journal_mode=WAL;"
			 "CREATE TABLE IF NOT EXISTS certs(id INTEGER PRIMARY "
			 "KEY, crtsh_id INTEGER, issuer TEXT, names TEXT, "
			 "serial TEXT, not_before TEXT, not_after TEXT);"
			 "CREATE INDEX IF NOT EXISTS certs_id ON certs(crtsh_id);"
			 "CREATE TABLE IF NOT EXISTS subs(name TEXT PRIMARY KEY);"
			 "BEGIN;",
			 NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	nrec = json_object_array_length(root);
	for (size_t i = 0; i < nrec; i++)
		if (naive_store(db, json_object_array_get_idx(root, i)))
			goto out;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	t1 = now_s();
	printf("%zu %.3f %.0f %ld\n", nrec, t1 - t0, (double)nrec / (t1 - t0),
	       peak_rss_kb());
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "naive path failed: %s\n",
			db ? sqlite3_errmsg(db) : "read/parse");
	json_object_put(root);
	free(body);
	if (fp)
		fclose(fp);
	sqlite3_close(db);
	return rc;
}

int main(int argc, char **argv)
{
	int64_t n;

	if (argc == 4 && strcmp(argv[1], "gen") == 0 &&
	    ctm_parse_int64(argv[2], &n) == 0)
		return gen((long)n, argv[3]);
	if (argc == 4 && strcmp(argv[1], "ctmon") == 0)
		return run_ctmon(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "naive") == 0)
		return run_naive(argv[2], argv[3]);
	fprintf(stderr, "usage: bench_ingest gen N FILE | ctmon FILE DB | "
		"naive FILE DB\n");
	return 2;
}
