/* dns.h - ctmon's DNS resolver (c-ares): resolves many host names at once,
 * each to its A and AAAA addresses and its whole CNAME chain, with a
 * per-name deadline and retries, and keeps the outcomes apart (docs/dns.md).
 * Single-threaded: one call resolves a list and returns when every name
 * has an outcome. */
#ifndef CTM_DNS_H
#define CTM_DNS_H

#include <stddef.h>
#include <stdint.h>

/* What became of one name.  The names (ctm_dns_status_name) are what the
 * store, the report and the host API show. */
enum ctm_dns_status {
	CTM_DNS_RESOLVED,   /* "resolved": at least one address */
	CTM_DNS_NXDOMAIN,   /* "nxdomain": the name does not exist */
	CTM_DNS_NODATA,     /* "nodata": it exists, without A or AAAA */
	CTM_DNS_TIMEOUT,    /* "timeout": no server answered in time */
	CTM_DNS_SERVFAIL,   /* "servfail": servers answered with a failure
	                       (SERVFAIL, REFUSED, NOTIMP, FORMERR) */
	CTM_DNS_DANGLING,   /* "dangling_cname": a CNAME chain whose last
	                       target is NXDOMAIN or has no address */
	CTM_DNS_ERROR,      /* "error": the name could not be asked */
	CTM_DNS_SKIPPED     /* "skipped": not asked (stop requested, or the
	                       servers answered nothing: see fail_fast) */
};

struct ctm_dns_opts {
	/* "ip", "ip:port", "[ipv6]:port" or a bare IPv6; NULL or empty:
	 * the system's resolvers (/etc/resolv.conf). */
	char *const *servers;
	int concurrency;     /* names in flight; each asks A and AAAA */
	int64_t timeout_ms;  /* per name, every attempt included */
	int retries;         /* attempts after a timeout or server failure */
	/* Once 2 x concurrency attempts in a row got no answer at all, start
	 * no more names (they end SKIPPED): a dead resolver then costs one
	 * timeout, not ceil(n / concurrency) of them. */
	int fail_fast;
	/* Polled between events; non-zero cancels what is in flight. */
	int (*should_stop)(void);
};

/* One name's outcome; everything borrowed for the callback only. */
struct ctm_dns_result {
	const char *name;
	enum ctm_dns_status status;
	char *const *addresses; /* NULL-terminated: IPv4 first, then IPv6 */
	char *const *cname;     /* NULL-terminated: each hop's target, in
	                           order, from the name to the last one */
	int queries;            /* queries sent for this name */
};

/* What a resolve call did. */
struct ctm_dns_stats {
	size_t by_status[CTM_DNS_SKIPPED + 1];
	size_t queries;         /* queries sent */
	int gave_up;            /* fail_fast tripped */
};

struct ctm_dns;

/* Checks the options and server list and opens a resolver.  Errors:
 * CTMON_EINVAL / CTMON_ECONFIG (bad option or server; err says which),
 * CTMON_ENOMEM, CTMON_EIO (c-ares could not start). */
int ctm_dns_new(const struct ctm_dns_opts *o, struct ctm_dns **out,
		char *err, size_t errlen);
void ctm_dns_free(struct ctm_dns *d);

/* Resolves names[0..n), calling fn once per name (in completion order)
 * with i its index.  Names must be host names in A-label form; one with
 * a '*' or any byte outside [A-Za-z0-9._-] is not asked (ERROR).
 * Returns CTMON_OK when every name got an outcome (SKIPPED included). */
int ctm_dns_resolve(struct ctm_dns *d, const char *const *names, size_t n,
		    void (*fn)(void *ctx, size_t i,
			       const struct ctm_dns_result *r),
		    void *ctx, struct ctm_dns_stats *st);

/* "resolved", "nxdomain", ...; "skipped" for SKIPPED. */
const char *ctm_dns_status_name(enum ctm_dns_status s);

/* Checks one server entry as ctm_dns_new accepts it; 0 if valid. */
int ctm_dns_server_valid(const char *s);

/* The strings of v joined by single spaces (the store's format), or NULL
 * when v is empty; caller frees.  *oom = 1 on allocation failure. */
char *ctm_dns_join(char *const *v, int *oom);

#endif
