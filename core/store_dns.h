/* store_dns.h - what the DNS feature needs from the store beyond
 * ctm_store_subdomain_set_dns (store.h): which subdomains to resolve, and
 * one subdomain's stored result for the host API. */
#ifndef CTM_STORE_DNS_H
#define CTM_STORE_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Calls fn for every subdomain first seen at `now` that has no DNS result
 * yet: the cycle's new names, all of them.  fn != 0 stops. */
int ctm_store_subdomain_dns_new(struct ctm_store *s, int64_t now,
				int (*fn)(void *ctx, const char *domain,
					  const char *name),
				void *ctx);

/* Calls fn for at most `limit` subdomains seen before `now` whose DNS
 * result is missing, was a timeout or a server failure, or is older than
 * `stale_before` (INT64_MIN: never stale): never-resolved first, then the
 * oldest.  fn != 0 stops. */
int ctm_store_subdomain_dns_due(struct ctm_store *s, int64_t now,
				int64_t stale_before, size_t limit,
				int (*fn)(void *ctx, const char *domain,
					  const char *name),
				void *ctx);

/* The stored DNS result of (domain, name), as owned copies the caller
 * frees (addresses and cname may be NULL).  CTMON_ENOTFOUND when the
 * subdomain is unknown or was never resolved. */
struct ctm_dns_row {
	char *status;
	char *addresses;  /* space-separated */
	char *cname;      /* space-separated chain */
	int64_t resolved_at;
};
int ctm_store_subdomain_get_dns(struct ctm_store *s, const char *domain,
				const char *name, struct ctm_dns_row *out);
void ctm_dns_row_free(struct ctm_dns_row *r);

#endif
