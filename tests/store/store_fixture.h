/* store_fixture.h - a fresh store in a temporary directory per test, and a
 * compact way to ingest certificate records. */
#ifndef STORE_FIXTURE_H
#define STORE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"

struct fx {
	char dir[64];
	char path[128];
	struct ctm_store *s;
};

static inline void fx_remove_files(struct fx *f)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char p[160];

	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
		unlink(p);
	}
	rmdir(f->dir);
}

static inline int fx_setup(void **state)
{
	struct ctm_error err;
	struct fx *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/ctm-store-test-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/ct.db", f->dir);
	if (ctm_store_open(f->path, &f->s, &err) != CTMON_OK) {
		fprintf(stderr, "open: %s\n", err.text);
		fx_remove_files(f);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;

	ctm_store_close(f->s);
	fx_remove_files(f);
	free(f);
	return 0;
}

/* A certificate record in one initialiser. */
struct spec {
	int64_t crtsh_id;
	const char *serial;
	const char *names[8];
	int64_t ca_id;
	const char *issuer;
	int64_t not_before;
	int64_t not_after;
	int is_precert;
	const char *log_id;
	int64_t log_index;
	const char *fingerprint;
	const char *tbs_hash;
};

static inline int fx_ingest(struct ctm_store *s, const struct spec *sp,
			    int64_t now, struct ctm_ingest_result *res)
{
	struct ctmon_cert c;
	struct ctm_cert_in in;
	size_t n = 0;

	while (n < 8 && sp->names[n])
		n++;
	memset(&c, 0, sizeof c);
	c.size = sizeof c;
	c.crtsh_id = sp->crtsh_id;
	c.log_id = sp->log_id;
	c.log_index = sp->log_id ? sp->log_index : -1;
	c.fingerprint = sp->fingerprint;
	c.issuer_dn = sp->issuer ? sp->issuer : "C=US, O=Test, CN=Test CA";
	c.issuer_ca_id = sp->ca_id;
	c.subject_cn = sp->names[0];
	c.names = sp->names;
	c.n_names = n;
	c.serial = sp->serial;
	c.not_before = sp->not_before ? sp->not_before : 1700000000;
	c.not_after = sp->not_after ? sp->not_after : 1710000000;
	c.is_precert = sp->is_precert;
	c.tbs_hash = sp->tbs_hash;
	memset(&in, 0, sizeof in);
	in.src = &c;
	in.source_id = "test";
	in.names = (char **)sp->names;
	in.n_names = n;
	return ctm_store_ingest(s, &in, now, res);
}

/* One integer from a query, for checking what really is in the tables. */
static inline int64_t fx_count(struct ctm_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(ctm_store_db(s), sql, -1, &st, NULL) !=
	    SQLITE_OK)
		return -2;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

#endif
