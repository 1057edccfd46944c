/* fakehost_domains.c - the monitored domains (domain_get) and the DNS
 * results the core would have stored for subdomains (dns_result), both
 * given by the test.  Names are normalised as ctmon does, so a plugin that
 * asks with another spelling gets the same answer as in ctmon. */
#include <stdlib.h>
#include <string.h>

#include "fakehost_internal.h"
#include "names.h"

/* The statuses <ctmon/plugin.h> lists for struct ctmon_dns_result. */
static const char *const dns_statuses[] = {
	"resolved", "nxdomain", "nodata", "timeout", "servfail",
	"dangling_cname", "error"};

/* Normalised, not a wildcard, into norm; 0 or -1. */
static int plain_name(const char *in, char *norm, size_t len)
{
	if (!in || ctm_name_normalize(in, norm, len) != 0 ||
	    ctm_name_is_wildcard(norm))
		return -1;
	return 0;
}

/* ---- monitored domains ----------------------------------------------------- */

int fh_add_domain(struct fh_host *fh, const char *domain)
{
	char norm[256];
	char *copy;
	int rc = CTMON_OK;

	if (!fh || plain_name(domain, norm, sizeof norm) != 0)
		return CTMON_EINVAL;
	pthread_mutex_lock(&fh->lock);
	/* ctmon monitors a domain once however often it is configured. */
	for (size_t i = 0; i < fh->domains.n; i++)
		if (strcmp(fh->domains.items[i], norm) == 0)
			goto out;
	copy = strdup(norm);
	if (!copy || fh_vec_push(&fh->domains, copy) != 0) {
		free(copy);
		rc = CTMON_ENOMEM;
	}
out:
	pthread_mutex_unlock(&fh->lock);
	return rc;
}

int fh_domain_get_api(struct ctmon_host *h, size_t i, const char **out)
{
	struct fh_host *fh = h->fh;
	int rc = CTMON_ENOTFOUND;

	if (!out)
		return CTMON_EINVAL;
	pthread_mutex_lock(&fh->lock);
	if (i < fh->domains.n) {
		*out = fh->domains.items[i];
		rc = CTMON_OK;
	}
	pthread_mutex_unlock(&fh->lock);
	return rc;
}

/* ---- DNS results ------------------------------------------------------------ */

static void dns_rec_free(void *p)
{
	struct fh_dns_rec *rec = p;

	fh_owned_free(&rec->own);
	free(rec);
}

static size_t strv_len(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* An owned copy of a NULL-terminated list that is never NULL itself: the
 * core hands out empty lists, not NULL. */
static int own_list(struct fh_owned *o, const char *const *v,
		    const char *const **out, size_t *n)
{
	const char **copy;

	*n = strv_len(v);
	copy = fh_own(o, calloc(*n + 1, sizeof *copy));
	*out = copy;
	if (!copy)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (fh_own_str(o, v[i], &copy[i]) != 0)
			return -1;
	return 0;
}

static int known_status(const char *status)
{
	for (size_t i = 0; status && i < sizeof dns_statuses /
					     sizeof dns_statuses[0]; i++)
		if (strcmp(status, dns_statuses[i]) == 0)
			return 1;
	return 0;
}

int fh_set_dns_result(struct fh_host *fh, const char *name,
		      const char *status, const char *const *addresses,
		      const char *const *cname)
{
	struct fh_dns_rec *rec;
	char norm[256];
	int rc = CTMON_OK;

	if (!fh || plain_name(name, norm, sizeof norm) != 0 ||
	    !known_status(status))
		return CTMON_EINVAL;
	rec = calloc(1, sizeof *rec);
	if (!rec)
		return CTMON_ENOMEM;
	rec->r.size = sizeof rec->r;
	rec->r.resolved_at = fh->now;
	if (fh_own_str(&rec->own, norm, &rec->name) ||
	    fh_own_str(&rec->own, status, &rec->r.status) ||
	    own_list(&rec->own, addresses, &rec->r.addresses,
		     &rec->r.n_addresses) ||
	    own_list(&rec->own, cname, &rec->r.cname, &rec->r.n_cname)) {
		dns_rec_free(rec);
		return CTMON_ENOMEM;
	}
	/* Earlier records stay (a plugin may still hold their strings);
	 * lookups read newest first. */
	pthread_mutex_lock(&fh->lock);
	if (fh_vec_push(&fh->dns, rec) != 0) {
		dns_rec_free(rec);
		rc = CTMON_ENOMEM;
	}
	pthread_mutex_unlock(&fh->lock);
	return rc;
}

/* Whether the caller's struct holds `member`, as the core checks. */
#define FITS(out, member)                                                    \
	((out)->size >= offsetof(struct ctmon_dns_result, member) +          \
				sizeof((out)->member))

int fh_dns_result_api(struct ctmon_host *h, const char *name,
		      struct ctmon_dns_result *out)
{
	struct fh_host *fh = h->fh;
	const struct fh_dns_rec *found = NULL;
	char norm[256];

	if (!name || !out || !FITS(out, status))
		return CTMON_EINVAL;
	if (plain_name(name, norm, sizeof norm) != 0)
		return CTMON_ENOTFOUND;
	pthread_mutex_lock(&fh->lock);
	for (size_t i = fh->dns.n; i-- > 0 && !found;) {
		const struct fh_dns_rec *rec = fh->dns.items[i];
		if (strcmp(rec->name, norm) == 0)
			found = rec;
	}
	pthread_mutex_unlock(&fh->lock);
	if (!found)
		return CTMON_ENOTFOUND;
	/* Only the members the caller's (possibly older) struct has. */
	out->status = found->r.status;
	if (FITS(out, addresses))
		out->addresses = found->r.addresses;
	if (FITS(out, n_addresses))
		out->n_addresses = found->r.n_addresses;
	if (FITS(out, cname))
		out->cname = found->r.cname;
	if (FITS(out, n_cname))
		out->n_cname = found->r.n_cname;
	if (FITS(out, resolved_at))
		out->resolved_at = found->r.resolved_at;
	return CTMON_OK;
}

void fh_domains_free(struct fh_host *fh)
{
	fh_vec_free(&fh->domains, free);
	fh_vec_free(&fh->dns, dns_rec_free);
}
