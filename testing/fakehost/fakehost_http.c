/* fakehost_http.c - the host API's HTTP without a network: requests are
 * recorded and answered from canned responses, with ctmon's retry rules
 * (which statuses retry, Retry-After capped at max_ms, what a sink's error
 * means, which redirects are followed) but a deterministic backoff and no
 * real sleeping, so a plugin's error handling can be tested quickly and
 * exactly.  The fake links no libcurl, so core/http.c's rules are mirrored
 * here, not shared: keep the two in step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fakehost_internal.h"
#include "http_redact.h"
#include "util.h"

#define DEFAULT_MAX_BODY ((size_t)16 * 1024 * 1024)
#define ERROR_BODY_MAX ((size_t)64 * 1024) /* non-2xx bodies in sink mode */
#define MAX_ATTEMPTS 100
#define MAX_REDIRECTS 10

struct fh_response {
	char *prefix;
	long status;
	char *content_type;
	char *body;
	struct fh_vec headers; /* "Name: value" */
};

struct fh_request {
	char *method;
	char *url;
	char *body;
	char *ca_file; /* NULL: the system's CAs */
	struct fh_vec headers; /* "Name: value" */
};

struct ctmon_http_req {
	struct fh_host *fh;
	char *method;
	char *url;
	char shown[201];  /* url as logs may show it (http_redact.h) */
	struct fh_vec req_headers;
	char *req_body;
	char *ca_file;
	int64_t timeout_ms;
	int max_attempts;
	int64_t base_ms;
	int64_t max_ms;
	size_t max_body;
	struct ctmon_http_sink sink;
	int has_sink;
	int max_redirects;  /* 0: a 3xx is an error, as in the core */
	char *hop_url;      /* the redirect being followed */
	int headers_dropped;
	/* the latest attempt */
	long status;
	struct fh_vec headers;
	struct ctm_buf body;
	char error[1024];
};

/* ---- canned responses and the request log -------------------------------- */

static void response_free(void *p)
{
	struct fh_response *r = p;

	free(r->prefix);
	free(r->content_type);
	free(r->body);
	fh_vec_free(&r->headers, free);
	free(r);
}

static void request_free(void *p)
{
	struct fh_request *r = p;

	free(r->method);
	free(r->url);
	free(r->body);
	free(r->ca_file);
	fh_vec_free(&r->headers, free);
	free(r);
}

int fh_http_respond(struct fh_host *fh, const char *url_prefix, long status,
		    const char *content_type, const char *body)
{
	struct fh_response *r;

	if (!fh || !url_prefix || status < 100 || status > 999)
		return CTMON_EINVAL;
	r = calloc(1, sizeof *r);
	if (!r)
		return CTMON_ENOMEM;
	r->status = status;
	r->prefix = strdup(url_prefix);
	r->content_type = content_type ? strdup(content_type) : NULL;
	r->body = strdup(body ? body : "");
	if (!r->prefix || (content_type && !r->content_type) || !r->body ||
	    fh_vec_push(&fh->responses, r) != 0) {
		response_free(r);
		return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

int fh_http_respond_header(struct fh_host *fh, const char *line)
{
	struct fh_response *r;
	char *copy;

	if (!fh || !line || !strchr(line, ':') || fh->responses.n == 0)
		return CTMON_EINVAL;
	r = fh->responses.items[fh->responses.n - 1];
	copy = strdup(line);
	if (!copy || fh_vec_push(&r->headers, copy) != 0) {
		free(copy);
		return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

void fh_http_set_chunk(struct fh_host *fh, size_t bytes)
{
	if (fh && bytes > 0)
		fh->http_chunk = bytes;
}

/* Lock held.  The longest matching prefix wins, the first registered among
 * equals; it is used up (detached: the caller frees it) unless it is the
 * last one for its prefix.  A sticky response stays valid until fh_free. */
static struct fh_response *take_response(struct fh_host *fh, const char *url,
					 int *detached)
{
	struct fh_response *best = NULL;
	size_t best_i = 0, best_len = 0;

	for (size_t i = 0; i < fh->responses.n; i++) {
		struct fh_response *r = fh->responses.items[i];
		size_t len = strlen(r->prefix);

		if (strncmp(url, r->prefix, len) == 0 &&
		    (!best || len > best_len)) {
			best = r;
			best_i = i;
			best_len = len;
		}
	}
	*detached = 0;
	if (!best)
		return NULL;
	for (size_t i = best_i + 1; i < fh->responses.n; i++) {
		struct fh_response *r = fh->responses.items[i];
		if (strcmp(r->prefix, best->prefix) == 0) {
			/* Used up: detach it; the caller frees it. */
			memmove(&fh->responses.items[best_i],
				&fh->responses.items[best_i + 1],
				(fh->responses.n - best_i - 1) *
					sizeof *fh->responses.items);
			fh->responses.n--;
			*detached = 1;
			return best;
		}
	}
	return best; /* sticky: stays registered */
}

static int copy_lines(struct fh_vec *dst, const struct fh_vec *src)
{
	for (size_t i = 0; i < src->n; i++) {
		char *copy = strdup(src->items[i]);
		if (!copy || fh_vec_push(dst, copy) != 0) {
			free(copy);
			return -1;
		}
	}
	return 0;
}

static const char *current_url(const struct ctmon_http_req *r)
{
	return r->hop_url ? r->hop_url : r->url;
}

/* Lock held.  What went on the wire: the redirect's URL, and no request
 * headers once a redirect left the origin. */
static int record_request(struct fh_host *fh, const struct ctmon_http_req *r)
{
	struct fh_request *rec = calloc(1, sizeof *rec);

	if (!rec)
		return CTMON_ENOMEM;
	rec->method = strdup(r->method);
	rec->url = strdup(current_url(r));
	rec->body = strdup(r->req_body ? r->req_body : "");
	rec->ca_file = r->ca_file ? strdup(r->ca_file) : NULL;
	if (!rec->method || !rec->url || !rec->body ||
	    (r->ca_file && !rec->ca_file) ||
	    (!r->headers_dropped &&
	     copy_lines(&rec->headers, &r->req_headers) != 0) ||
	    fh_vec_push(&fh->requests, rec) != 0) {
		request_free(rec);
		return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

/* Value of header `name` among "Name: value" lines, or NULL. */
static const char *line_value(const struct fh_vec *lines, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < lines->n; i++) {
		const char *l = lines->items[i];
		if (strncasecmp(l, name, n) == 0 && l[n] == ':') {
			l += n + 1;
			while (*l == ' ' || *l == '\t')
				l++;
			return l;
		}
	}
	return NULL;
}

size_t fh_http_request_count(const struct fh_host *fh)
{
	return fh ? fh->requests.n : 0;
}

static const struct fh_request *request_at(const struct fh_host *fh, size_t i)
{
	return fh && i < fh->requests.n ? fh->requests.items[i] : NULL;
}

const char *fh_http_request_url(const struct fh_host *fh, size_t i)
{
	const struct fh_request *r = request_at(fh, i);
	return r ? r->url : NULL;
}

const char *fh_http_request_method(const struct fh_host *fh, size_t i)
{
	const struct fh_request *r = request_at(fh, i);
	return r ? r->method : NULL;
}

const char *fh_http_request_body(const struct fh_host *fh, size_t i)
{
	const struct fh_request *r = request_at(fh, i);
	return r ? r->body : NULL;
}

const char *fh_http_request_header(const struct fh_host *fh, size_t i,
				   const char *name)
{
	const struct fh_request *r = request_at(fh, i);
	return r && name ? line_value(&r->headers, name) : NULL;
}

const char *fh_http_request_ca_file(const struct fh_host *fh, size_t i)
{
	const struct fh_request *r = request_at(fh, i);
	return r ? r->ca_file : NULL;
}

void fh_http_free_all(struct fh_host *fh)
{
	fh_vec_free(&fh->responses, response_free);
	fh_vec_free(&fh->requests, request_free);
}

/* ---- the request API ------------------------------------------------------ */

struct ctmon_http_req *fh_http_new(struct ctmon_host *h, const char *method,
				   const char *url)
{
	struct ctmon_http_req *r;

	if (!h || !method || !*method || strpbrk(method, " \r\n") || !url ||
	    !*url)
		return NULL;
	r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->fh = h->fh;
	r->method = strdup(method);
	r->url = strdup(url);
	ctm_redact_url(url, r->shown, sizeof r->shown);
	r->timeout_ms = 30000;
	r->max_attempts = 1;
	r->max_body = DEFAULT_MAX_BODY;
	ctm_buf_init(&r->body);
	if (!r->method || !r->url) {
		fh_http_free(r);
		return NULL;
	}
	return r;
}

int fh_http_set_header(struct ctmon_http_req *r, const char *line)
{
	char *copy;

	if (!r || !line || !*line || strpbrk(line, "\r\n"))
		return CTMON_EINVAL;
	copy = strdup(line);
	if (!copy || fh_vec_push(&r->req_headers, copy) != 0) {
		free(copy);
		return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

int fh_http_set_body(struct ctmon_http_req *r, const void *body, size_t len)
{
	char *copy;

	if (!r || (!body && len))
		return CTMON_EINVAL;
	copy = malloc(len + 1);
	if (!copy)
		return CTMON_ENOMEM;
	if (len)
		memcpy(copy, body, len);
	copy[len] = '\0';
	free(r->req_body);
	r->req_body = copy;
	return CTMON_OK;
}

int fh_http_set_timeout_ms(struct ctmon_http_req *r, int64_t ms)
{
	if (!r || ms <= 0)
		return CTMON_EINVAL;
	r->timeout_ms = ms;
	return CTMON_OK;
}

int fh_http_set_retry(struct ctmon_http_req *r, int attempts, int64_t base_ms,
		      int64_t max_ms)
{
	if (!r || attempts < 1 || attempts > MAX_ATTEMPTS || base_ms < 0 ||
	    max_ms < 0)
		return CTMON_EINVAL;
	r->max_attempts = attempts;
	r->base_ms = base_ms;
	r->max_ms = max_ms;
	return CTMON_OK;
}

/* Recorded with each attempt; the fake has no TLS, so the file is not
 * read. */
int fh_http_set_ca_file(struct ctmon_http_req *r, const char *path)
{
	char *copy;

	if (!r || !path || !*path)
		return CTMON_EINVAL;
	copy = strdup(path);
	if (!copy)
		return CTMON_ENOMEM;
	free(r->ca_file);
	r->ca_file = copy;
	return CTMON_OK;
}

int fh_http_set_max_body(struct ctmon_http_req *r, size_t max)
{
	if (!r)
		return CTMON_EINVAL;
	r->max_body = max;
	return CTMON_OK;
}

int fh_http_set_sink(struct ctmon_http_req *r,
		     const struct ctmon_http_sink *sink)
{
	size_t n;

	if (!r)
		return CTMON_EINVAL;
	memset(&r->sink, 0, sizeof r->sink);
	r->has_sink = 0;
	if (!sink)
		return CTMON_OK;
	if (sink->size < offsetof(struct ctmon_http_sink, data) +
				 sizeof sink->data ||
	    !sink->data)
		return CTMON_EINVAL;
	n = sink->size < sizeof r->sink ? sink->size : sizeof r->sink;
	memcpy(&r->sink, sink, n);
	r->has_sink = 1;
	return CTMON_OK;
}

int fh_http_set_follow_redirects(struct ctmon_http_req *r, int max)
{
	if (!r || max < 0 || max > MAX_REDIRECTS)
		return CTMON_EINVAL;
	r->max_redirects = max;
	return CTMON_OK;
}

static void set_error(struct ctmon_http_req *r, int attempt, const char *what)
{
	snprintf(r->error, sizeof r->error, "%s %s: %s (attempt %d/%d)",
		 r->method, r->shown, what, attempt, r->max_attempts);
}

static int is_retryable_status(long s)
{
	return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 ||
	       s == 504;
}

/* Feeds a 2xx body to the sink as begin, data pieces, end. */
static int feed_sink(struct ctmon_http_req *r, const struct fh_response *resp)
{
	size_t len = strlen(resp->body), chunk = r->fh->http_chunk;
	int rc = CTMON_OK;

	if (r->sink.begin)
		rc = r->sink.begin(r->sink.ctx, resp->status,
				   resp->content_type);
	for (size_t off = 0; rc == CTMON_OK && off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		rc = r->sink.data(r->sink.ctx, resp->body + off, n);
	}
	if (rc == CTMON_OK && r->sink.end)
		rc = r->sink.end(r->sink.ctx);
	return rc;
}

/* The response's headers, plus its Content-Type unless one was given. */
static int copy_response_headers(struct ctmon_http_req *r,
				 const struct fh_response *resp)
{
	char *line;
	size_t len;

	if (copy_lines(&r->headers, &resp->headers) != 0)
		return CTMON_ENOMEM;
	if (!resp->content_type || line_value(&r->headers, "Content-Type"))
		return CTMON_OK;
	len = strlen(resp->content_type) + sizeof "Content-Type: ";
	line = malloc(len);
	if (!line)
		return CTMON_ENOMEM;
	snprintf(line, len, "Content-Type: %s", resp->content_type);
	if (fh_vec_push(&r->headers, line) != 0) {
		free(line);
		return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

/* Buffers a body as the core does: 2xx up to max_body (more is an error),
 * error bodies in sink mode only as far as error text needs. */
static int buffer_body(struct ctmon_http_req *r, const char *body,
		       int attempt)
{
	size_t len = strlen(body);
	size_t limit = r->has_sink ? ERROR_BODY_MAX : r->max_body;
	char what[128];

	if (len > limit && !r->has_sink) {
		snprintf(what, sizeof what, "response body exceeds %zu bytes",
			 limit);
		set_error(r, attempt, what);
		return CTMON_EFORMAT;
	}
	ctm_buf_append(&r->body, body, len < limit ? len : limit);
	if (r->body.oom) {
		set_error(r, attempt, "out of memory");
		return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

/* ---- redirects, by core/http.c's rules ------------------------------------ */

static int is_redirect_status(long s)
{
	return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

/* "scheme://host:port" of an absolute http(s) URL into out (lower-case,
 * default port filled in); -1 when it is not one. */
static int origin_of(const char *url, char *out, size_t outlen)
{
	const char *auth, *end, *at;
	int https;
	size_t n;

	if (strncasecmp(url, "https://", 8) == 0)
		https = 1;
	else if (strncasecmp(url, "http://", 7) == 0)
		https = 0;
	else
		return -1;
	auth = url + (https ? 8 : 7);
	end = auth + strcspn(auth, "/?#");
	for (at = end; at > auth && at[-1] != '@'; at--)
		;
	n = (size_t)snprintf(out, outlen, "%s://%.*s", https ? "https" : "http",
			     (int)(end - at), at);
	if (n >= outlen)
		return -1;
	for (size_t i = 0; out[i]; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
	if (!memchr(at, ':', (size_t)(end - at)) &&
	    snprintf(out + n, outlen - n, "%s", https ? ":443" : ":80") >=
		    (int)(outlen - n))
		return -1;
	return 0;
}

/* The Location made absolute (an absolute path keeps the origin). */
static char *resolve_location(const char *base, const char *loc)
{
	char origin[512];
	size_t len;
	char *out;

	if (loc[0] != '/' || loc[1] == '/')
		return strdup(loc);
	if (origin_of(base, origin, sizeof origin) != 0)
		return NULL;
	len = strlen(origin) + strlen(loc) + 1;
	out = malloc(len);
	if (out)
		snprintf(out, len, "%s%s", origin, loc);
	return out;
}

/* Follows a canned 3xx if the rules allow; otherwise sets the error. */
static int follow_redirect(struct ctmon_http_req *r, int attempt, int *hops)
{
	const char *loc = line_value(&r->headers, "Location");
	char from[512], to[512], what[400], shown[201];
	char *target = loc ? resolve_location(current_url(r), loc) : NULL;
	const char *why = NULL;
	int rc = CTMON_EPERMANENT;

	if (loc && !target)
		why = "the target is not an http or https URL";
	else if (r->max_redirects == 0)
		why = "this request does not follow redirects";
	else if (r->req_body || (strcmp(r->method, "GET") != 0 &&
				 strcmp(r->method, "HEAD") != 0))
		why = "only GET and HEAD requests follow redirects";
	else if (origin_of(current_url(r), from, sizeof from) != 0 ||
		 origin_of(target, to, sizeof to) != 0)
		why = "the target is not an http or https URL";
	else if (strncmp(from, "https:", 6) == 0 &&
		 strncmp(to, "http:", 5) == 0)
		why = "https to http would continue in clear text";
	else if (*hops >= r->max_redirects) {
		why = "too many redirects";
		rc = CTMON_EIO;
	}
	if (why) {
		ctm_redact_url(target, shown, sizeof shown);
		snprintf(what, sizeof what, "HTTP %ld redirect to %s "
			 "refused: %s", r->status, shown, why);
		set_error(r, attempt, what);
		free(target);
		return rc;
	}
	if (strcmp(from, to) != 0)
		r->headers_dropped = 1;
	free(r->hop_url);
	r->hop_url = target;
	(*hops)++;
	return CTMON_OK;
}

/* One attempt: record it, find its answer, deliver the body. */
static int run_attempt(struct ctmon_http_req *r, int attempt, int *retryable)
{
	struct fh_host *fh = r->fh;
	struct fh_response *resp;
	int rc, detached = 0;
	char what[128];

	*retryable = 0;
	r->status = 0;
	r->error[0] = '\0';
	fh_vec_free(&r->headers, free);
	ctm_buf_reset(&r->body);

	pthread_mutex_lock(&fh->lock);
	rc = record_request(fh, r);
	resp = rc == CTMON_OK ? take_response(fh, current_url(r), &detached)
			      : NULL;
	pthread_mutex_unlock(&fh->lock);
	if (rc != CTMON_OK) {
		set_error(r, attempt, "out of memory");
		return rc;
	}
	if (!resp) {
		*retryable = 1;
		set_error(r, attempt,
			  "connection failed: fakehost has no canned response "
			  "for this URL");
		return CTMON_EIO;
	}
	r->status = resp->status;
	rc = copy_response_headers(r, resp);
	if (rc != CTMON_OK) {
		set_error(r, attempt, "out of memory");
	} else if (r->has_sink && r->status >= 200 && r->status < 300) {
		rc = feed_sink(r, resp);
		if (rc != CTMON_OK) {
			/* EIO from a sink is local (a full disk): not
			 * retried, as in the core. */
			*retryable = rc == CTMON_EAGAIN || rc == CTMON_EFORMAT;
			snprintf(what, sizeof what,
				 "response body rejected by the sink: rc %d",
				 rc);
			set_error(r, attempt, what);
		}
	} else {
		rc = buffer_body(r, resp->body, attempt);
		if (rc == CTMON_OK)
			*retryable = is_retryable_status(r->status);
	}
	if (detached)
		response_free(resp);
	return rc;
}

/* Retry-After in whole seconds (the fake has no HTTP-date clock), capped
 * at max_ms; otherwise base_ms doubled per attempt, capped, no jitter. */
static int64_t retry_delay_ms(const struct ctmon_http_req *r, int attempt)
{
	const char *v = line_value(&r->headers, "Retry-After");
	int64_t secs, delay;

	if (v && ctm_parse_int64(v, &secs) == 0 && secs >= 0)
		return secs > r->max_ms / 1000 ? r->max_ms : secs * 1000;
	delay = r->base_ms;
	for (int i = 1; i < attempt && delay < r->max_ms; i++)
		delay *= 2;
	return delay < r->max_ms ? delay : r->max_ms;
}

int fh_http_perform(struct ctmon_http_req *r)
{
	int rc, retryable;

	if (!r)
		return CTMON_EINVAL;
	for (int attempt = 1;; attempt++) {
		int64_t delay;
		int hops = 0;

		free(r->hop_url);
		r->hop_url = NULL;
		r->headers_dropped = 0;
		for (;;) {
			rc = run_attempt(r, attempt, &retryable);
			if (rc != CTMON_OK || !is_redirect_status(r->status) ||
			    !line_value(&r->headers, "Location"))
				break;
			retryable = 0;
			rc = follow_redirect(r, attempt, &hops);
			if (rc != CTMON_OK)
				break;
		}
		if (!retryable || attempt >= r->max_attempts)
			return rc;
		delay = retry_delay_ms(r, attempt);
		if (rc == CTMON_OK)
			fh_logf(r->fh, CTMON_LOG_WARN,
				"%s %s: HTTP %ld (attempt %d/%d), retrying in "
				"%lld ms",
				r->method, r->shown, r->status, attempt,
				r->max_attempts, (long long)delay);
		else
			fh_logf(r->fh, CTMON_LOG_WARN,
				"%s, retrying in %lld ms", r->error,
				(long long)delay);
		if (fh_api()->sleep_ms(&r->fh->handle, delay) != CTMON_OK) {
			set_error(r, attempt, "stopped before retrying");
			return CTMON_ESTOPPED;
		}
	}
}

long fh_http_status(const struct ctmon_http_req *r)
{
	return r ? r->status : 0;
}

const char *fh_http_header(const struct ctmon_http_req *r, const char *name)
{
	return r && name ? line_value(&r->headers, name) : NULL;
}

const char *fh_http_body(const struct ctmon_http_req *r, size_t *len)
{
	if (len)
		*len = r && r->body.data ? r->body.len : 0;
	return r && r->body.data ? r->body.data : "";
}

const char *fh_http_error(const struct ctmon_http_req *r)
{
	return r ? r->error : "";
}

void fh_http_free(struct ctmon_http_req *r)
{
	if (!r)
		return;
	free(r->method);
	free(r->url);
	free(r->hop_url);
	free(r->req_body);
	free(r->ca_file);
	fh_vec_free(&r->req_headers, free);
	fh_vec_free(&r->headers, free);
	ctm_buf_free(&r->body);
	free(r);
}
