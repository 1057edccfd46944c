/* typosquat_agg.c - see typosquat_agg.h.  A certificate is identified by
 * issuer + serial when the source gives them (a precertificate and its
 * certificate are then one), else by crt.sh id or fingerprint. */
#include "typosquat_agg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "typo_set.h"

struct agg {
	struct typo_set *index; /* "target<TAB>key" -> finding */
	struct finding *f;
	size_t n, cap, max, dropped;
};

struct agg *agg_new(size_t max_findings)
{
	struct agg *a = calloc(1, sizeof *a);

	if (!a)
		return NULL;
	a->index = typo_set_new();
	if (!a->index) {
		free(a);
		return NULL;
	}
	a->max = max_findings;
	return a;
}

static void finding_free(struct finding *f)
{
	free(f->seen);
	for (size_t i = 0; i < f->n_issuers; i++)
		free(f->issuers[i]);
	for (size_t i = 0; i < f->n_names; i++)
		free(f->names[i]);
}

void agg_clear(struct agg *a)
{
	for (size_t i = 0; i < a->n; i++)
		finding_free(&a->f[i]);
	a->n = 0;
	a->dropped = 0;
	typo_set_clear(a->index);
}

void agg_free(struct agg *a)
{
	if (!a)
		return;
	agg_clear(a);
	free(a->f);
	typo_set_free(a->index);
	free(a);
}

static uint64_t cert_identity(const struct ctmon_cert *c)
{
	char buf[1024];
	int n;

	if (c->serial && *c->serial)
		n = snprintf(buf, sizeof buf, "s|%lld|%s|%s",
			     (long long)c->issuer_ca_id,
			     c->issuer_dn ? c->issuer_dn : "", c->serial);
	else if (c->crtsh_id > 0)
		n = snprintf(buf, sizeof buf, "i|%lld", (long long)c->crtsh_id);
	else
		n = snprintf(buf, sizeof buf, "f|%s",
			     c->fingerprint ? c->fingerprint : "");
	if (n < 0)
		n = 0;
	return typo_hash(buf, (size_t)n < sizeof buf ? (size_t)n
						      : sizeof buf - 1);
}

static int add_unique_str(char **list, size_t *n, size_t max, const char *s)
{
	if (!s || !*s || *n >= max)
		return CTMON_OK;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(list[i], s) == 0)
			return CTMON_OK;
	list[*n] = strdup(s);
	if (!list[*n])
		return CTMON_ENOMEM;
	(*n)++;
	return CTMON_OK;
}

/* 1 if the certificate was new to the finding. */
static int note_cert(struct finding *f, uint64_t id)
{
	for (size_t i = 0; i < f->n_seen; i++)
		if (f->seen[i] == id)
			return 0;
	if (f->n_seen < AGG_MAX_SEEN) {
		if (f->n_seen == f->cap_seen) {
			size_t cap = f->cap_seen ? f->cap_seen * 2 : 4;
			uint64_t *s = realloc(f->seen, cap * sizeof *s);
			if (!s)
				return -1;
			f->seen = s;
			f->cap_seen = cap;
		}
		f->seen[f->n_seen++] = id;
	}
	return 1;
}

int agg_add(struct agg *a, const struct typo_hit *hit,
	    const struct ctmon_cert *c)
{
	char key[300];
	struct finding *f;
	size_t idx;
	int added, n, fresh, rc;

	n = snprintf(key, sizeof key, "%zu\t%s", hit->target, hit->key);
	if (n < 0 || (size_t)n >= sizeof key)
		return CTMON_EINVAL;
	idx = typo_set_find(a->index, key, (size_t)n);
	if (idx == TYPO_NONE && a->n >= a->max) {
		a->dropped++;
		return CTMON_OK;
	}
	if (idx == TYPO_NONE) {
		if (a->n == a->cap) {
			size_t cap = a->cap ? a->cap * 2 : 16;
			struct finding *g = realloc(a->f, cap * sizeof *g);
			if (!g)
				return CTMON_ENOMEM;
			a->f = g;
			a->cap = cap;
		}
		rc = typo_set_add(a->index, key, (size_t)n, (uint32_t)a->n,
				  &idx, &added);
		if (rc != CTMON_OK)
			return rc;
		memset(&a->f[a->n], 0, sizeof a->f[a->n]);
		a->f[a->n].hit = *hit;
		a->n++;
	}
	f = &a->f[typo_set_val(a->index, idx)];
	if (hit->score > f->hit.score)
		f->hit = *hit;
	fresh = note_cert(f, cert_identity(c));
	if (fresh < 0)
		return CTMON_ENOMEM;
	f->certs += (size_t)fresh;
	/* Every crt.sh id, precertificates' too: each is a page to look at. */
	if (c->crtsh_id > 0 && f->n_ids < AGG_MAX_IDS) {
		size_t i = 0;
		while (i < f->n_ids && f->crtsh_ids[i] != c->crtsh_id)
			i++;
		if (i == f->n_ids)
			f->crtsh_ids[f->n_ids++] = c->crtsh_id;
	}
	if (c->not_before > 0 &&
	    (f->earliest == 0 || c->not_before < f->earliest))
		f->earliest = c->not_before;
	rc = add_unique_str(f->issuers, &f->n_issuers, AGG_MAX_ISSUERS,
			    c->issuer_dn);
	if (rc == CTMON_OK) {
		/* The name as the certificate carries it. */
		char name[260];
		snprintf(name, sizeof name, "%s%s",
			 hit->why & TYPO_WHY_WILDCARD ? "*." : "", hit->name);
		rc = add_unique_str(f->names, &f->n_names, AGG_MAX_NAMES, name);
	}
	return rc;
}

size_t agg_count(const struct agg *a) { return a->n; }

const struct finding *agg_get(const struct agg *a, size_t i)
{
	return &a->f[i];
}

size_t agg_dropped(const struct agg *a) { return a->dropped; }
