/* webhook.h - pieces of the webhook notifier shared between its files.
 * Everything here is hidden inside webhook.so. */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "ctmon/plugin.h"
#include "nbuf.h"

enum wh_format { WH_AUTO, WH_SLACK, WH_TEAMS, WH_DISCORD, WH_GENERIC };

struct wh_state {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	char *url;
	char *url_shown;    /* scheme://host/… : the path holds the token */
	enum wh_format format;
	char **headers;     /* "Name: value" lines, NULL-terminated */
	int attempts;       /* tries per message within one delivery */
	int64_t backoff_ms;
	int64_t max_backoff_ms;
	const char *ca_file;
	char err[600];      /* the current delivery's error text */
};

/* Builds one message holding the first alerts of a[0..n) that fit the
 * platform's limits (at least one); *used says how many.  CTMON_OK or
 * CTMON_ENOMEM. */
typedef int (*wh_build_fn)(const struct ctmon_alert *const *a, size_t n,
			   size_t *used, struct nbuf *out);

int wh_build_slack(const struct ctmon_alert *const *a, size_t n, size_t *used,
		   struct nbuf *out);
int wh_build_teams(const struct ctmon_alert *const *a, size_t n, size_t *used,
		   struct nbuf *out);
int wh_build_discord(const struct ctmon_alert *const *a, size_t n,
		     size_t *used, struct nbuf *out);
int wh_build_generic(const struct ctmon_alert *const *a, size_t n,
		     size_t *used, struct nbuf *out);

/* webhook_conf.c: the format a URL's host calls for (WH_GENERIC when it
 * is no platform we know). */
enum wh_format wh_detect_format(const char *url);
/* Lower-case host of an http(s) URL into out; -1 if it is not one. */
int wh_url_host(const char *url, char *out, size_t outlen);
/* The URL as logs may show it: scheme and host only.  Caller frees. */
char *wh_url_redact(const char *url);
/* Validates a header line and appends a copy to *list with ${VAR} in its
 * value replaced from the environment.  On error returns CTMON_ECONFIG
 * with the reason in err. */
int wh_header_add(char ***list, const char *line, char *err, size_t errlen);
void wh_headers_free(char **list);

/* webhook_http.c: POSTs one message with the host's retries, carrying
 * `Idempotency-Key: <idem_key>`.  On failure sets the error text (the
 * URL redacted) and *retry_after (seconds the server asked for, or -1).
 * Returns CTMON_OK, a retryable rc (EAGAIN, EIO, ETIMEDOUT, ESTOPPED) or
 * CTMON_EPERMANENT (4xx, or a redirect: never followed). */
int wh_post(struct wh_state *st, const struct nbuf *body,
	    const char *idem_key, int64_t *retry_after);
/* The message's identity, the same on every resend of the same alerts:
 * "ctmon-<first alert id>-<count>-<hash of ids, types, domains, keys>". */
#define WH_IDEM_KEY_MAX 64
void wh_idempotency_key(const struct ctmon_alert *const *a, size_t n,
			char *out, size_t outlen);
/* Retry-After's value in seconds (delta or IMF-fixdate), -1 if bad. */
int64_t wh_parse_retry_after(const char *v, int64_t now);

#endif
