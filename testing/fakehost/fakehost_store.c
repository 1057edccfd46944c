/* fakehost_store.c - the in-memory store behind the check API: issuances
 * (foreach_issuance, name_covered_until), authorised CAs and the
 * per-instance key/value state.  Issuances and CAs are set by the test
 * thread only, so plugin calls read them without the lock. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dn.h"
#include "fakehost_internal.h"

static void issuance_rec_free(void *p)
{
	struct fh_issuance_rec *rec = p;

	fh_owned_free(&rec->own);
	free(rec);
}

int fh_add_issuance(struct fh_host *fh, const struct ctmon_issuance *is)
{
	struct fh_issuance_rec *rec;
	size_t n;
	int64_t *ids = NULL;

	if (!fh || !is || !is->cert || !is->domain)
		return CTMON_EINVAL;
	rec = calloc(1, sizeof *rec);
	if (!rec)
		return CTMON_ENOMEM;
	n = is->size < sizeof rec->is ? is->size : sizeof rec->is;
	memcpy(&rec->is, is, n);
	rec->is.size = sizeof rec->is;
	if (fh_copy_cert(&rec->own, is->cert, &rec->cert) != 0)
		goto nomem;
	rec->is.cert = &rec->cert;
	if (rec->is.crtsh_ids && rec->is.n_crtsh_ids > 0) {
		ids = fh_own(&rec->own,
			     calloc(rec->is.n_crtsh_ids, sizeof *ids));
		if (!ids)
			goto nomem;
		memcpy(ids, rec->is.crtsh_ids, rec->is.n_crtsh_ids * sizeof *ids);
	} else {
		rec->is.n_crtsh_ids = 0;
	}
	rec->is.crtsh_ids = ids;
	if (!rec->is.names)
		rec->is.n_names = 0;
	if (!rec->is.new_names)
		rec->is.n_new_names = 0;
	if (fh_own_str(&rec->own, rec->is.domain, &rec->is.domain) ||
	    fh_own_strv(&rec->own, rec->is.names, rec->is.n_names,
			&rec->is.names) ||
	    fh_own_strv(&rec->own, rec->is.new_names, rec->is.n_new_names,
			&rec->is.new_names) ||
	    fh_vec_push(&fh->issuances, rec) != 0)
		goto nomem;
	return CTMON_OK;
nomem:
	issuance_rec_free(rec);
	return CTMON_ENOMEM;
}

size_t fh_issuance_count(const struct fh_host *fh)
{
	return fh ? fh->issuances.n : 0;
}

int fh_foreach_issuance(struct ctmon_host *h, const char *domain,
			int64_t from, int64_t to,
			int (*fn)(void *ctx, const struct ctmon_issuance *is),
			void *ctx)
{
	const struct fh_vec *v = &h->fh->issuances;

	if (!fn)
		return CTMON_EINVAL;
	for (size_t i = 0; i < v->n; i++) {
		const struct fh_issuance_rec *rec = v->items[i];
		int64_t not_after = rec->cert.not_after;

		if (domain && strcmp(rec->is.domain, domain) != 0)
			continue;
		if (not_after < from || not_after >= to)
			continue;
		if (fn(ctx, &rec->is) != 0)
			break;
	}
	return CTMON_OK;
}

/* 1 if certificate name `have` covers host name `want`: the same name, or
 * a wildcard standing for exactly one more label. */
static int name_covers(const char *have, const char *want)
{
	const char *dot;

	if (strcmp(have, want) == 0)
		return 1;
	if (strncmp(have, "*.", 2) != 0 || strncmp(want, "*.", 2) == 0)
		return 0;
	dot = strchr(want, '.');
	return dot && strcmp(dot + 1, have + 2) == 0;
}

int fh_name_covered_until(struct ctmon_host *h, const char *name,
			  int64_t except_issuance, int64_t *until)
{
	const struct fh_host *fh = h->fh;
	const struct fh_vec *v = &fh->issuances;

	int64_t after = INT64_MIN;

	if (!name || !until)
		return CTMON_EINVAL;
	*until = 0;
	/* Only a later certificate renews: an older one that outlasts it
	 * does not stand in for whatever uses the newer one. */
	for (size_t i = 0; i < v->n; i++)
		if (((const struct fh_issuance_rec *)v->items[i])->is.id ==
		    except_issuance)
			after = ((const struct fh_issuance_rec *)v->items[i])
					->cert.not_before;
	for (size_t i = 0; i < v->n; i++) {
		const struct fh_issuance_rec *rec = v->items[i];

		if (rec->is.id == except_issuance ||
		    rec->cert.not_before <= after ||
		    rec->cert.not_before > fh->now ||
		    rec->cert.not_after <= *until)
			continue;
		for (size_t j = 0; j < rec->is.n_names; j++) {
			if (name_covers(rec->is.names[j], name)) {
				*until = rec->cert.not_after;
				break;
			}
		}
	}
	return CTMON_OK;
}

/* ---- authorised CAs ----------------------------------------------------- */

static void ca_free(void *p)
{
	struct fh_ca *ca = p;

	free(ca->domain);
	free(ca->dn);
	free(ca);
}

int fh_add_authorized_ca(struct fh_host *fh, const char *domain,
			 int64_t ca_id, const char *dn)
{
	struct fh_ca *ca;

	if (!fh || (ca_id <= 0 && !dn))
		return CTMON_EINVAL;
	ca = calloc(1, sizeof *ca);
	if (!ca)
		return CTMON_ENOMEM;
	ca->ca_id = ca_id > 0 ? ca_id : 0;
	ca->domain = domain ? strdup(domain) : NULL;
	ca->dn = dn ? strdup(dn) : NULL;
	if ((domain && !ca->domain) || (dn && !ca->dn) ||
	    fh_vec_push(&fh->cas, ca) != 0) {
		ca_free(ca);
		return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

static int ca_applies(const struct fh_ca *ca, const char *domain)
{
	return !ca->domain || (domain && strcasecmp(ca->domain, domain) == 0);
}

int fh_ca_count(struct ctmon_host *h, const char *domain, int64_t *count)
{
	const struct fh_vec *v = &h->fh->cas;

	if (!count)
		return CTMON_EINVAL;
	*count = 0;
	for (size_t i = 0; i < v->n; i++)
		if (ca_applies(v->items[i], domain))
			(*count)++;
	return CTMON_OK;
}

int fh_ca_is_authorized(struct ctmon_host *h, const char *domain,
			int64_t ca_id, const char *issuer_dn, int *authorized)
{
	const struct fh_vec *v = &h->fh->cas;

	if (!authorized)
		return CTMON_EINVAL;
	*authorized = 0;
	for (size_t i = 0; i < v->n && !*authorized; i++) {
		const struct fh_ca *ca = v->items[i];

		if (!ca_applies(ca, domain))
			continue;
		if ((ca_id > 0 && ca->ca_id == ca_id) ||
		    (ca->dn && issuer_dn && ctm_dn_equal(ca->dn, issuer_dn)))
			*authorized = 1;
	}
	return CTMON_OK;
}

/* ---- per-instance key/value state --------------------------------------- */

static void kv_free(void *p)
{
	struct fh_kv *kv = p;

	free(kv->key);
	free(kv->value);
	free(kv);
}

static struct fh_kv *kv_find(const struct fh_vec *v, const char *key)
{
	for (size_t i = 0; i < v->n; i++) {
		struct fh_kv *kv = v->items[i];
		if (strcmp(kv->key, key) == 0)
			return kv;
	}
	return NULL;
}

/* Caller holds the lock. */
static int kv_put(struct fh_vec *v, const char *key, const char *value)
{
	struct fh_kv *kv = kv_find(v, key);
	char *copy = strdup(value);

	if (!copy)
		return CTMON_ENOMEM;
	if (kv) {
		free(kv->value);
		kv->value = copy;
		return CTMON_OK;
	}
	kv = calloc(1, sizeof *kv);
	if (!kv || !(kv->key = strdup(key)) || fh_vec_push(v, kv) != 0) {
		free(copy);
		if (kv)
			free(kv->key);
		free(kv);
		return CTMON_ENOMEM;
	}
	kv->value = copy;
	return CTMON_OK;
}

int fh_state_put(struct fh_host *fh, const char *key, const char *value)
{
	int rc;

	if (!fh || !key || !value)
		return CTMON_EINVAL;
	pthread_mutex_lock(&fh->lock);
	rc = kv_put(&fh->state_kv, key, value);
	pthread_mutex_unlock(&fh->lock);
	return rc;
}

const char *fh_state_value(const struct fh_host *fh, const char *key)
{
	const struct fh_kv *kv = fh && key ? kv_find(&fh->state_kv, key) : NULL;

	return kv ? kv->value : NULL;
}

int fh_state_get_api(struct ctmon_host *h, const char *key, char **value)
{
	struct fh_host *fh = h->fh;
	const struct fh_kv *kv;
	int rc = CTMON_ENOTFOUND;

	if (!key || !value)
		return CTMON_EINVAL;
	*value = NULL;
	pthread_mutex_lock(&fh->lock);
	kv = kv_find(&fh->state_kv, key);
	if (kv) {
		*value = strdup(kv->value);
		rc = *value ? CTMON_OK : CTMON_ENOMEM;
	}
	pthread_mutex_unlock(&fh->lock);
	return rc;
}

int fh_state_put_api(struct ctmon_host *h, const char *key, const char *value)
{
	return fh_state_put(h->fh, key, value);
}

int fh_state_delete_api(struct ctmon_host *h, const char *key)
{
	struct fh_vec *v = &h->fh->state_kv;

	if (!key)
		return CTMON_EINVAL;
	pthread_mutex_lock(&h->fh->lock);
	for (size_t i = 0; i < v->n; i++) {
		struct fh_kv *kv = v->items[i];
		if (strcmp(kv->key, key) == 0) {
			kv_free(kv);
			memmove(&v->items[i], &v->items[i + 1],
				(v->n - i - 1) * sizeof *v->items);
			v->n--;
			break;
		}
	}
	pthread_mutex_unlock(&h->fh->lock);
	return CTMON_OK;
}

void fh_store_free(struct fh_host *fh)
{
	fh_vec_free(&fh->issuances, issuance_rec_free);
	fh_vec_free(&fh->cas, ca_free);
	fh_vec_free(&fh->state_kv, kv_free);
}
