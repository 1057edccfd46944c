/* http.h - HTTP for plugins through libcurl: TLS verification always on,
 * retries with exponential backoff, jitter and Retry-After, streamed or
 * buffered bodies, redirects only where asked for, URLs redacted in every
 * log line, and process-wide token-bucket rate limits. */
#ifndef CTM_HTTP_H
#define CTM_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "ctmon/plugin.h"

/* Global setup, before any plugin loads: curl_global_init.  user_agent is
 * sent with every request. */
int ctm_http_global_init(const char *user_agent);
void ctm_http_global_cleanup(void);

/* Called between retries and by rate limits to know whether to give up;
 * returns non-zero when the process is stopping.  Set by the engine. */
void ctm_http_set_stop_check(int (*should_stop)(void));

/* The request API, with the semantics of the host API members of the same
 * name.  `log_prefix` names the caller in log lines ("[source:crtsh:crtsh]")
 * and is copied. */
struct ctmon_http_req *ctm_http_new(const char *log_prefix,
				    const char *method, const char *url);
int ctm_http_set_header(struct ctmon_http_req *r, const char *line);
int ctm_http_set_body(struct ctmon_http_req *r, const void *body, size_t len);
int ctm_http_set_timeout_ms(struct ctmon_http_req *r, int64_t ms);
int ctm_http_set_retry(struct ctmon_http_req *r, int attempts,
		       int64_t base_ms, int64_t max_ms);
int ctm_http_set_max_body(struct ctmon_http_req *r, size_t max);
int ctm_http_set_ca_file(struct ctmon_http_req *r, const char *path);
int ctm_http_set_follow_redirects(struct ctmon_http_req *r, int max);
int ctm_http_set_sink(struct ctmon_http_req *r,
		      const struct ctmon_http_sink *sink);
int ctm_http_perform(struct ctmon_http_req *r);
long ctm_http_status(const struct ctmon_http_req *r);
const char *ctm_http_header(const struct ctmon_http_req *r, const char *name);
const char *ctm_http_body(const struct ctmon_http_req *r, size_t *len);
const char *ctm_http_error(const struct ctmon_http_req *r);
int ctm_http_attempts(const struct ctmon_http_req *r);
void ctm_http_free(struct ctmon_http_req *r);

/* The URL as logs and error texts may show it: scheme, host and port, the
 * path up to the first segment that may be a secret ("/..." from there),
 * "?..." for a query; never user info.  Always NUL-terminates out. */
void ctm_http_redact_url(const char *url, char *out, size_t outlen);

/* Process-wide named token bucket (thread-safe). */
int ctm_rate_limit(const char *name, double per_minute, int burst);
/* Frees the buckets (at exit). */
void ctm_rate_limit_cleanup(void);

/* Interruptible sleep; returns CTMON_ESTOPPED if stopping. */
int ctm_sleep_ms(int64_t ms);

#endif
