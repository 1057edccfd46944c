/* ct_net.c - see ct_net.h. */
#include "ct_net.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ct_get(const struct ct_net *n, const char *url, const char *rate_name,
	   double qps, struct ct_resp *resp)
{
	const struct ctmon_host_api *api = n->api;
	struct ctmon_http_req *r = NULL;
	const char *body;
	size_t len = 0;
	int rc;

	memset(resp, 0, sizeof *resp);
	if (qps > 0 && rate_name) {
		rc = api->rate_limit(n->host, rate_name, qps * 60.0,
				     qps < 1 ? 1 : (int)qps);
		if (rc != CTMON_OK)
			return rc;
	}
	r = api->http_new(n->host, "GET", url);
	if (!r)
		return CTMON_ENOMEM;
	api->http_set_timeout_ms(r, n->timeout_ms);
	api->http_set_retry(r, n->attempts, n->backoff_ms, n->max_backoff_ms);
	api->http_set_max_body(r, n->max_body);
	api->http_set_header(r, "Accept-Encoding: gzip, identity");
	rc = api->http_perform(r);
	if (rc != CTMON_OK) {
		snprintf(resp->err, sizeof resp->err, "%s", api->http_error(r));
		goto out;
	}
	resp->status = api->http_status(r);
	body = api->http_body(r, &len);
	resp->body = malloc(len + 1);
	if (!resp->body) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	memcpy(resp->body, body ? body : "", len);
	resp->body[len] = '\0';
	resp->len = len;
	if (resp->status < 200 || resp->status > 299)
		snprintf(resp->err, sizeof resp->err, "HTTP status %ld",
			 resp->status);
out:
	api->http_free(r);
	return rc;
}

void ct_resp_free(struct ct_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

struct pool {
	pthread_mutex_t lock;
	size_t next, n;
	int (*fn)(void *ctx, size_t i);
	void *ctx;
	int *rcs;
};

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;
		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		p->rcs[i] = p->fn(p->ctx, i);
	}
	return NULL;
}

int ct_parallel(size_t n, size_t jobs, int (*fn)(void *ctx, size_t i),
		void *ctx)
{
	struct pool p;
	pthread_t tid[64];
	size_t started = 0;
	int rc = CTMON_OK;

	if (n == 0)
		return CTMON_OK;
	if (jobs > 64)
		jobs = 64;
	if (jobs > n)
		jobs = n;
	memset(&p, 0, sizeof p);
	p.n = n;
	p.fn = fn;
	p.ctx = ctx;
	p.rcs = calloc(n, sizeof *p.rcs);
	if (!p.rcs)
		return CTMON_ENOMEM;
	pthread_mutex_init(&p.lock, NULL);
	/* One job runs on the caller's thread: no thread at all for 1. */
	for (size_t j = 1; j < jobs; j++) {
		if (pthread_create(&tid[started], NULL, worker, &p) != 0)
			break;
		started++;
	}
	worker(&p);
	for (size_t j = 0; j < started; j++)
		pthread_join(tid[j], NULL);
	for (size_t i = 0; i < n && rc == CTMON_OK; i++)
		rc = p.rcs[i];
	pthread_mutex_destroy(&p.lock);
	free(p.rcs);
	return rc;
}
