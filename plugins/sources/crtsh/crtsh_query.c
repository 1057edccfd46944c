/*
 * crtsh_query.c - builds the search URL.
 *
 * Why this form (docs: shared/docs/crtsh.md section 1.1-1.2):
 *  - dNSName= searches SAN dNSName identities only, so organisation names
 *    and e-mail addresses never come back (q= and Identity= return them);
 *  - the bare domain with an explicit match=ILIKE compiles to
 *    NAME_VALUE ILIKE '%<domain>%' plus the full-text condition, exactly
 *    what "%.<domain>" gives, but without relying on crt.sh's '%' rewriting
 *    and without its match autoselection, which since 2025-10 switches a
 *    value containing '-' to "Single" matching and would miss subdomains of
 *    hyphenated domains;
 *  - output=json rather than the Accept header alone, which must match an
 *    exact string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crtsh_query.h"

static int unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

char *crtsh_query_url(const char *base, const char *pattern,
		      const struct crtsh_query_opts *o)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t blen, plen, cap, n;
	char *url;
	char sep;

	if (!base || !pattern || !*pattern)
		return NULL;
	blen = strlen(base);
	plen = strlen(pattern);
	cap = blen + 3 * plen + 96;
	url = malloc(cap);
	if (!url)
		return NULL;
	memcpy(url, base, blen);
	n = blen;
	/* A base such as "https://crt.sh/?excludeCAs=1" keeps its own
	 * parameters. */
	sep = memchr(base, '?', blen) ? '&' : '?';
	if (blen > 0 && (base[blen - 1] == '?' || base[blen - 1] == '&'))
		sep = '\0';
	if (sep)
		url[n++] = sep;
	memcpy(url + n, "dNSName=", 8);
	n += 8;
	for (size_t i = 0; i < plen; i++) {
		unsigned char c = (unsigned char)pattern[i];
		if (unreserved(c)) {
			url[n++] = (char)c;
		} else {
			url[n++] = '%';
			url[n++] = hex[c >> 4];
			url[n++] = hex[c & 15];
		}
	}
	snprintf(url + n, cap - n, "&match=ILIKE&output=json%s%s",
		 o && o->exclude_expired ? "&exclude=expired" : "",
		 o && o->deduplicate ? "&deduplicate=Y" : "");
	return url;
}
