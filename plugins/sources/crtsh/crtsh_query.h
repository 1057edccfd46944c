/*
 * crtsh_query.h - the crt.sh search URL for one watched pattern.
 */
#ifndef CRTSH_QUERY_H
#define CRTSH_QUERY_H

#include <stddef.h>

struct crtsh_query_opts {
	int exclude_expired;  /* &exclude=expired */
	int deduplicate;      /* &deduplicate=Y */
};

/* Builds "<base>?dNSName=<pattern>&match=ILIKE&output=json[...]" into a
 * malloc'd string (NULL on ENOMEM or an empty pattern).  The pattern is
 * percent-encoded; base may already carry a query string. */
char *crtsh_query_url(const char *base, const char *pattern,
		      const struct crtsh_query_opts *o);

#endif
