/* fakehost_source.c - the source side of the fake host (batches,
 * certificates, cursors, warnings, the watch set) and the watch builder
 * checks extend.
 *
 * Certificates, cursor writes and source alerts are kept in emission
 * order, each tagged with the batch it belongs to; committing a batch
 * retags its records, aborting one removes them.  Cursor writes form a log read newest first,
 * so a read inside a batch sees the batch's own writes, as in SQLite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost_internal.h"
#include "names.h"

static void cert_rec_free(void *p)
{
	struct fh_cert_rec *rec = p;

	fh_owned_free(&rec->own);
	free(rec);
}

static void kv_rec_free(void *p)
{
	struct fh_kv *kv = p;

	free(kv->key);
	free(kv->value);
	free(kv);
}

/* Lock held.  Moves records of tier `from` to COMMITTED, or drops them. */
static void settle(struct fh_host *fh, enum fh_tier from, int keep)
{
	size_t kept = 0;

	for (size_t i = 0; i < fh->certs.n; i++) {
		struct fh_cert_rec *rec = fh->certs.items[i];
		if (rec->tier == from && !keep) {
			cert_rec_free(rec);
			continue;
		}
		if (rec->tier == from)
			rec->tier = FH_COMMITTED;
		fh->certs.items[kept++] = rec;
	}
	fh->certs.n = kept;
	kept = 0;
	for (size_t i = 0; i < fh->cursors.n; i++) {
		struct fh_kv *kv = fh->cursors.items[i];
		if (kv->tier == from && !keep) {
			kv_rec_free(kv);
			continue;
		}
		if (kv->tier == from)
			kv->tier = FH_COMMITTED;
		fh->cursors.items[kept++] = kv;
	}
	fh->cursors.n = kept;
	fh_alerts_settle(fh, from, keep);
}

enum fh_tier fh_emitter_tier(const struct ctmon_emitter *e)
{
	return e->explicit_open ? FH_EXPLICIT : FH_IMPLICIT;
}

int fh_batch_begin(struct ctmon_emitter *e)
{
	if (e->explicit_open)
		return CTMON_EINVAL;
	e->explicit_open = 1;
	e->error = 0;
	return CTMON_OK;
}

int fh_batch_abort(struct ctmon_emitter *e)
{
	struct fh_host *fh = e->fh;

	if (!e->explicit_open)
		return CTMON_EINVAL;
	pthread_mutex_lock(&fh->lock);
	settle(fh, FH_EXPLICIT, 0);
	fh->aborts++;
	pthread_mutex_unlock(&fh->lock);
	e->explicit_open = 0;
	e->error = 0;
	return CTMON_OK;
}

int fh_batch_commit(struct ctmon_emitter *e)
{
	struct fh_host *fh = e->fh;

	if (!e->explicit_open)
		return CTMON_EINVAL;
	/* Keeping the rest of a batch whose record failed would advance the
	 * cursor past the lost record: ctmon aborts, so does the fake. */
	if (e->error) {
		fh_batch_abort(e);
		return CTMON_EIO;
	}
	pthread_mutex_lock(&fh->lock);
	settle(fh, FH_EXPLICIT, 1);
	fh->commits++;
	pthread_mutex_unlock(&fh->lock);
	e->explicit_open = 0;
	return CTMON_OK;
}

void fh_collect_finish(struct ctmon_emitter *e, int collect_rc)
{
	struct fh_host *fh = e->fh;

	pthread_mutex_lock(&fh->lock);
	if (e->explicit_open)
		settle(fh, FH_EXPLICIT, 0);
	settle(fh, FH_IMPLICIT, collect_rc == CTMON_OK);
	pthread_mutex_unlock(&fh->lock);
	e->explicit_open = 0;
}

int fh_emit_cert(struct ctmon_emitter *e, const struct ctmon_cert *c)
{
	struct fh_host *fh = e->fh;
	struct fh_cert_rec *rec;
	int rc = CTMON_OK;

	if (!c || c->size < offsetof(struct ctmon_cert, tbs_hash)) {
		rc = CTMON_EINVAL;
		goto out;
	}
	rec = calloc(1, sizeof *rec);
	if (!rec || fh_copy_cert(&rec->own, c, &rec->cert) != 0) {
		if (rec)
			cert_rec_free(rec);
		rc = CTMON_ENOMEM;
		goto out;
	}
	rec->tier = fh_emitter_tier(e);
	pthread_mutex_lock(&fh->lock);
	if (fh_vec_push(&fh->certs, rec) != 0) {
		cert_rec_free(rec);
		rc = CTMON_ENOMEM;
	}
	pthread_mutex_unlock(&fh->lock);
out:
	if (rc != CTMON_OK && e->explicit_open)
		e->error = 1;
	return rc;
}

/* Lock held. */
static int cursor_push(struct fh_host *fh, const char *key, const char *value,
		       enum fh_tier tier)
{
	struct fh_kv *kv = calloc(1, sizeof *kv);

	if (!kv)
		return CTMON_ENOMEM;
	kv->key = strdup(key);
	kv->value = strdup(value);
	kv->tier = tier;
	if (!kv->key || !kv->value || fh_vec_push(&fh->cursors, kv) != 0) {
		kv_rec_free(kv);
		return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

static const struct fh_kv *cursor_find(const struct fh_host *fh,
				       const char *key, int committed_only)
{
	for (size_t i = fh->cursors.n; i-- > 0;) {
		const struct fh_kv *kv = fh->cursors.items[i];
		if (strcmp(kv->key, key) == 0 &&
		    (!committed_only || kv->tier == FH_COMMITTED))
			return kv;
	}
	return NULL;
}

int fh_set_cursor_api(struct ctmon_emitter *e, const char *key,
		      const char *value)
{
	int rc;

	if (!key || !value)
		return CTMON_EINVAL;
	pthread_mutex_lock(&e->fh->lock);
	rc = cursor_push(e->fh, key, value, fh_emitter_tier(e));
	pthread_mutex_unlock(&e->fh->lock);
	return rc;
}

int fh_get_cursor_api(struct ctmon_emitter *e, const char *key, char **value)
{
	const struct fh_kv *kv;
	int rc = CTMON_ENOTFOUND;

	if (!key || !value)
		return CTMON_EINVAL;
	*value = NULL;
	pthread_mutex_lock(&e->fh->lock);
	kv = cursor_find(e->fh, key, 0);
	if (kv) {
		*value = strdup(kv->value);
		rc = *value ? CTMON_OK : CTMON_ENOMEM;
	}
	pthread_mutex_unlock(&e->fh->lock);
	return rc;
}

int fh_set_cursor(struct fh_host *fh, const char *key, const char *value)
{
	int rc;

	if (!fh || !key || !value)
		return CTMON_EINVAL;
	pthread_mutex_lock(&fh->lock);
	rc = cursor_push(fh, key, value, FH_COMMITTED);
	pthread_mutex_unlock(&fh->lock);
	return rc;
}

const char *fh_cursor(const struct fh_host *fh, const char *key)
{
	const struct fh_kv *kv = fh && key ? cursor_find(fh, key, 1) : NULL;

	return kv ? kv->value : NULL;
}

void fh_emit_warning(struct ctmon_emitter *e, const char *domain,
		     const char *text)
{
	struct fh_host *fh = e->fh;
	size_t len = strlen(domain ? domain : "-") + strlen(text ? text : "") + 3;
	char *line = malloc(len);

	if (line) {
		snprintf(line, len, "%s: %s", domain ? domain : "-",
			 text ? text : "");
		pthread_mutex_lock(&fh->lock);
		if (fh_vec_push(&fh->warnings, line) != 0)
			free(line);
		pthread_mutex_unlock(&fh->lock);
	}
	fh_logf(fh, CTMON_LOG_WARN, "%s: %s", domain ? domain : "-",
		text ? text : "");
}

/* ---- the watch set a source reads ----------------------------------------- */

size_t fh_watch_count_api(const struct ctmon_watch *w) { return w->n; }

int fh_watch_get_api(const struct ctmon_watch *w, size_t i,
		     struct ctmon_watch_entry *out)
{
	size_t n;

	if (i >= w->n || !out || out->size <= sizeof out->size)
		return CTMON_EINVAL;
	/* Copy only what the caller's (possibly older) struct holds. */
	n = out->size < sizeof *out ? out->size : sizeof *out;
	memcpy((char *)out + sizeof out->size,
	       (const char *)&w->entries[i] + sizeof out->size,
	       n - sizeof out->size);
	return CTMON_OK;
}

int fh_watch_match_api(const struct ctmon_watch *w, const char *name)
{
	char norm[256];

	if (!name || ctm_name_normalize(name, norm, sizeof norm) != 0)
		return 0;
	for (size_t i = 0; i < w->n; i++)
		if (ctm_name_under(norm, w->entries[i].pattern))
			return 1;
	return 0;
}

/* ---- the watch builder a check extends ------------------------------------ */

static void watch_rec_free(void *p)
{
	struct fh_watch_rec *rec = p;

	fh_owned_free(&rec->own);
	free(rec);
}

int fh_watch_add_api(struct ctmon_watch_builder *b,
		     const struct ctmon_watch_entry *in)
{
	struct fh_host *fh = b->fh;
	struct fh_watch_rec *rec;
	char norm[256];
	int rc = CTMON_OK;

	/* Patterns are domains: a wildcard would mean nothing to a query
	 * source, so ctmon refuses it and so does the fake. */
	if (!in || !in->pattern ||
	    ctm_name_normalize(in->pattern, norm, sizeof norm) != 0 ||
	    ctm_name_is_wildcard(norm))
		return CTMON_EINVAL;
	rec = calloc(1, sizeof *rec);
	if (!rec)
		return CTMON_ENOMEM;
	rec->e.size = sizeof rec->e;
	if (fh_own_str(&rec->own, norm, &rec->e.pattern) ||
	    fh_own_str(&rec->own, in->domain ? in->domain : norm,
		       &rec->e.domain) ||
	    fh_own_str(&rec->own, in->tag ? in->tag : fh->inst.id,
		       &rec->e.tag)) {
		watch_rec_free(rec);
		return CTMON_ENOMEM;
	}
	pthread_mutex_lock(&fh->lock);
	if (fh_vec_push(&fh->watch, rec) != 0) {
		watch_rec_free(rec);
		rc = CTMON_ENOMEM;
	}
	pthread_mutex_unlock(&fh->lock);
	return rc;
}

size_t fh_watch_count(const struct fh_host *fh)
{
	return fh ? fh->watch.n : 0;
}

const struct ctmon_watch_entry *fh_watch_entry(const struct fh_host *fh,
					       size_t i)
{
	const struct fh_watch_rec *rec =
		fh && i < fh->watch.n ? fh->watch.items[i] : NULL;

	return rec ? &rec->e : NULL;
}

/* ---- results ------------------------------------------------------------- */

size_t fh_cert_count(const struct fh_host *fh)
{
	size_t n = 0;

	for (size_t i = 0; fh && i < fh->certs.n; i++)
		n += ((const struct fh_cert_rec *)fh->certs.items[i])->tier ==
		     FH_COMMITTED;
	return n;
}

const struct ctmon_cert *fh_cert(const struct fh_host *fh, size_t i)
{
	for (size_t j = 0; fh && j < fh->certs.n; j++) {
		const struct fh_cert_rec *rec = fh->certs.items[j];
		if (rec->tier != FH_COMMITTED)
			continue;
		if (i-- == 0)
			return &rec->cert;
	}
	return NULL;
}

size_t fh_batch_commits(const struct fh_host *fh)
{
	return fh ? fh->commits : 0;
}

size_t fh_batch_aborts(const struct fh_host *fh)
{
	return fh ? fh->aborts : 0;
}

size_t fh_warning_count(const struct fh_host *fh)
{
	return fh ? fh->warnings.n : 0;
}

const char *fh_warning(const struct fh_host *fh, size_t i)
{
	return fh && i < fh->warnings.n ? fh->warnings.items[i] : NULL;
}

void fh_source_free(struct fh_host *fh)
{
	fh_vec_free(&fh->certs, cert_rec_free);
	fh_vec_free(&fh->cursors, kv_rec_free);
	fh_vec_free(&fh->warnings, free);
	fh_vec_free(&fh->watch, watch_rec_free);
}
