/*
 * ct_net.h - HTTP GETs for the CT clients through the host API (TLS
 * verification is the core's, always on), with the core's retry policy
 * (429 + Retry-After, 5xx, backoff), a per-log request rate and parallel
 * fetches: several ranges of one log downloaded by worker threads, handed
 * back in order.
 */
#ifndef CT_NET_H
#define CT_NET_H

#include <stddef.h>
#include <stdint.h>

#include "ctmon/plugin.h"

struct ct_net {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	int attempts;
	int64_t backoff_ms;
	int64_t max_backoff_ms;
	int64_t timeout_ms;
	size_t max_body;
};

/* A response body (NUL-terminated, free() it) and its status. */
struct ct_resp {
	char *body;
	size_t len;
	long status;
	char err[256];
};

/*
 * GET url.  rate_name/qps: when qps > 0, a token bucket of that name
 * (one per log) paces requests.  Returns CTMON_OK with any status in
 * resp->status, or an error (resp->err says why).
 */
int ct_get(const struct ct_net *n, const char *url, const char *rate_name,
	   double qps, struct ct_resp *resp);
void ct_resp_free(struct ct_resp *r);

/* Runs fn(ctx, i) for i in [0, n) on up to `jobs` threads at once and
 * waits for all.  Returns the first non-OK rc by index, or CTMON_OK. */
int ct_parallel(size_t n, size_t jobs, int (*fn)(void *ctx, size_t i),
		void *ctx);

#endif
