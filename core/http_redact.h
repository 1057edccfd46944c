/* http_redact.h - a URL as log lines and error texts may show it: scheme,
 * host and port, the path up to the first segment that may be a secret
 * ("/..." from there), "?..." for a query or fragment, never user info.
 * Shared, as source, by core/http.c and the fake host
 * (testing/fakehost/fakehost_http.c), which links no libcurl: one rule
 * for both. */
#ifndef CTM_HTTP_REDACT_H
#define CTM_HTTP_REDACT_H

#include <stdio.h>
#include <string.h>

static inline int ctm_redact_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* A path segment that may be a token: webhook URLs carry their secret in
 * the path (Slack's T…/B…/<24 characters>, Teams' GUIDs, Discord's id and
 * token).  Lower-case words and CT log names ("argon2025h1", "get-entries")
 * stay readable; capitals, long or digit-heavy runs and anything odd are
 * cut. */
static inline int ctm_redact_looks_secret(const char *seg, size_t len)
{
	size_t digits = 0, upper = 0;

	for (size_t i = 0; i < len; i++) {
		if (!ctm_redact_is_alnum(seg[i]) && !strchr("-._~", seg[i]))
			return 1;
		digits += seg[i] >= '0' && seg[i] <= '9';
		upper += seg[i] >= 'A' && seg[i] <= 'Z';
	}
	return upper || len >= 24 ||
	       (len >= 8 && digits * 2 >= len) || (len >= 16 && digits >= 3);
}

static inline void ctm_redact_put(char *out, size_t outlen, size_t *n,
				  const char *s, size_t len)
{
	for (size_t i = 0; i < len && *n + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		out[(*n)++] = c > 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[*n] = '\0';
}

static inline void ctm_redact_url(const char *url, char *out,
				  size_t outlen)
{
	const char *scheme_end, *auth, *auth_end, *at, *p;
	size_t n = 0;

	if (!out || !outlen)
		return;
	out[0] = '\0';
	scheme_end = url ? strstr(url, "://") : NULL;
	if (!scheme_end || scheme_end == url ||
	    strcspn(url, "/?#") < (size_t)(scheme_end - url)) {
		snprintf(out, outlen, "(not a URL)");
		return;
	}
	auth = scheme_end + 3;
	auth_end = auth + strcspn(auth, "/?#");
	/* user:password@ never shows. */
	for (at = auth_end; at > auth && at[-1] != '@'; at--)
		;
	ctm_redact_put(out, outlen, &n, url, (size_t)(auth - url));
	ctm_redact_put(out, outlen, &n, at, (size_t)(auth_end - at));
	for (p = auth_end; *p == '/';) {
		const char *seg = p + 1;
		size_t len = strcspn(seg, "/?#");

		if (ctm_redact_looks_secret(seg, len)) {
			ctm_redact_put(out, outlen, &n, "/...", 4);
			return;
		}
		ctm_redact_put(out, outlen, &n, p, len + 1);
		p = seg + len;
	}
	if (*p == '?' || *p == '#')
		ctm_redact_put(out, outlen, &n, "?...", 4);
}

#endif
