/* http.c - the core's HTTP client for plugins: one libcurl easy handle per
 * request, TLS verification always on, http/https only, retries with
 * exponential backoff, jitter and Retry-After, and bodies either buffered
 * (capped) or streamed into a plugin's sink.  Redirects are refused unless
 * the plugin asks for them (GET and HEAD only, never https to http, the
 * plugin's headers never sent to another origin), and every URL in a log
 * line or error text is redacted: a webhook URL is a secret. */
#include <curl/curl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"
#include "http_redact.h"
#include "log.h"
#include "util.h"

#define DEFAULT_TIMEOUT_MS 30000
#define MAX_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_MAX_BODY ((size_t)16 * 1024 * 1024)
/* Non-2xx bodies in sink mode are kept only as error text. */
#define ERROR_BODY_MAX ((size_t)64 * 1024)
#define MAX_REDIRECTS 10
#define MAX_ATTEMPTS 100
/* Redacted URLs shown in errors and logs are cut at this length. */
#define SHOWN_MAX 200

struct header {
	char *name;
	char *value;
};

struct ctmon_http_req {
	CURL *curl;
	char *prefix;
	char *method;
	char *url;
	char *shown;                 /* url as logs may show it */
	struct curl_slist *req_headers;
	char *req_body;
	size_t req_body_len;
	int has_body;
	int64_t timeout_ms;
	int max_attempts;
	int64_t base_ms;
	int64_t max_ms;
	size_t max_body;
	char *ca_file;               /* trusted CAs instead of the system's */
	struct ctmon_http_sink sink; /* host copy, zero beyond sink.size */
	int has_sink;
	int max_redirects;           /* 0: a 3xx is an error */
	uint64_t rng;

	/* What the latest attempt got. */
	int attempts;
	long status;
	struct header *headers;
	size_t n_headers;
	size_t last_header; /* index of the header a folded line extends */
	int oom;
	struct ctm_buf body;
	int sink_begun;
	int sink_rc;
	int body_over_cap;
	char *hop_url;               /* the redirect being followed */
	int headers_dropped;         /* left behind at another origin */
	char curl_err[CURL_ERROR_SIZE];
	char error[1024];
};

static char *user_agent;

int ctm_http_global_init(const char *ua)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return CTMON_EINTERNAL;
	free(user_agent);
	user_agent = ctm_strdup(ua);
	if (ua && !user_agent) {
		curl_global_cleanup();
		return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

void ctm_http_global_cleanup(void)
{
	free(user_agent);
	user_agent = NULL;
	curl_global_cleanup();
}

/* An RFC 9110 token, so a method can never smuggle CR/LF or spaces. */
static int is_token(const char *s)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return 0;
	return 1;
}

void ctm_http_redact_url(const char *url, char *out, size_t outlen)
{
	ctm_redact_url(url, out, outlen);
}

static char *redacted_copy(const char *url)
{
	char shown[SHOWN_MAX + 1];

	ctm_http_redact_url(url, shown, sizeof shown);
	return ctm_strdup(shown);
}

struct ctmon_http_req *ctm_http_new(const char *log_prefix,
				    const char *method, const char *url)
{
	struct ctmon_http_req *r;
	struct timespec ts;

	if (!is_token(method) || !url || !*url)
		return NULL;
	r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->curl = curl_easy_init();
	r->prefix = ctm_strdup(log_prefix ? log_prefix : "[core]");
	r->method = ctm_strdup(method);
	r->url = ctm_strdup(url);
	r->shown = redacted_copy(url);
	if (!r->curl || !r->prefix || !r->method || !r->url || !r->shown) {
		ctm_http_free(r);
		return NULL;
	}
	r->timeout_ms = DEFAULT_TIMEOUT_MS;
	r->max_attempts = 1;
	r->max_body = DEFAULT_MAX_BODY;
	ctm_buf_init(&r->body);
	/* Jitter only has to differ between requests, not be secret. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
		 (uint64_t)(uintptr_t)r;
	if (!r->rng)
		r->rng = 0x9e3779b97f4a7c15u;
	return r;
}

int ctm_http_set_header(struct ctmon_http_req *r, const char *line)
{
	struct curl_slist *l;

	if (!r || !line || !*line || strpbrk(line, "\r\n"))
		return CTMON_EINVAL;
	l = curl_slist_append(r->req_headers, line);
	if (!l)
		return CTMON_ENOMEM;
	r->req_headers = l;
	return CTMON_OK;
}

int ctm_http_set_body(struct ctmon_http_req *r, const void *body, size_t len)
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
	r->req_body_len = len;
	r->has_body = 1;
	return CTMON_OK;
}

int ctm_http_set_timeout_ms(struct ctmon_http_req *r, int64_t ms)
{
	if (!r || ms <= 0 || ms > LONG_MAX)
		return CTMON_EINVAL;
	r->timeout_ms = ms;
	return CTMON_OK;
}

int ctm_http_set_retry(struct ctmon_http_req *r, int attempts,
		       int64_t base_ms, int64_t max_ms)
{
	if (!r || attempts < 1 || attempts > MAX_ATTEMPTS || base_ms < 0 ||
	    max_ms < 0)
		return CTMON_EINVAL;
	r->max_attempts = attempts;
	r->base_ms = base_ms;
	r->max_ms = max_ms;
	return CTMON_OK;
}

int ctm_http_set_ca_file(struct ctmon_http_req *r, const char *path)
{
	char *copy;

	if (!r || !path || !*path)
		return CTMON_EINVAL;
	copy = ctm_strdup(path);
	if (!copy)
		return CTMON_ENOMEM;
	free(r->ca_file);
	r->ca_file = copy;
	return CTMON_OK;
}

int ctm_http_set_max_body(struct ctmon_http_req *r, size_t max)
{
	if (!r)
		return CTMON_EINVAL;
	r->max_body = max;
	return CTMON_OK;
}

int ctm_http_set_follow_redirects(struct ctmon_http_req *r, int max)
{
	if (!r || max < 0 || max > MAX_REDIRECTS)
		return CTMON_EINVAL;
	r->max_redirects = max;
	return CTMON_OK;
}

int ctm_http_set_sink(struct ctmon_http_req *r,
		      const struct ctmon_http_sink *sink)
{
	size_t n;

	if (!r)
		return CTMON_EINVAL;
	if (!sink) {
		memset(&r->sink, 0, sizeof r->sink);
		r->has_sink = 0;
		return CTMON_OK;
	}
	if (sink->size < offsetof(struct ctmon_http_sink, data) +
				 sizeof sink->data ||
	    !sink->data)
		return CTMON_EINVAL;
	/* Copy only what the plugin's struct has: members it does not know
	 * (end, ctx in a shorter struct) stay NULL. */
	n = sink->size < sizeof r->sink ? sink->size : sizeof r->sink;
	memset(&r->sink, 0, sizeof r->sink);
	memcpy(&r->sink, sink, n);
	r->has_sink = 1;
	return CTMON_OK;
}

/* ---- response headers ------------------------------------------------ */

static void headers_clear(struct ctmon_http_req *r)
{
	for (size_t i = 0; i < r->n_headers; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	r->headers = NULL;
	r->n_headers = 0;
}

static struct header *header_find(const struct ctmon_http_req *r,
				  const char *name, size_t len)
{
	for (size_t i = 0; i < r->n_headers; i++)
		if (strlen(r->headers[i].name) == len &&
		    strncasecmp(r->headers[i].name, name, len) == 0)
			return &r->headers[i];
	return NULL;
}

/* Last value wins, so a repeated header replaces the earlier one. */
static int header_set(struct ctmon_http_req *r, const char *name,
		      size_t name_len, const char *value, size_t value_len)
{
	struct header *h = header_find(r, name, name_len), *grown = NULL;
	char *v = ctm_strndup(value, value_len), *n = NULL;

	if (!v)
		goto fail;
	if (h) {
		free(h->value);
		h->value = v;
		r->last_header = (size_t)(h - r->headers);
		return 0;
	}
	n = ctm_strndup(name, name_len);
	if (n)
		grown = realloc(r->headers, (r->n_headers + 1) * sizeof *grown);
	if (!grown)
		goto fail;
	r->headers = grown;
	r->headers[r->n_headers].name = n;
	r->headers[r->n_headers].value = v;
	r->last_header = r->n_headers++;
	return 0;
fail:
	free(n);
	free(v);
	return -1;
}

/* An obsolete folded line continues the previous header's value. */
static int header_fold(struct ctmon_http_req *r, const char *text,
		       size_t len)
{
	struct header *h;
	struct ctm_buf b;

	if (!r->n_headers)
		return 0;
	h = &r->headers[r->last_header];
	ctm_buf_init(&b);
	ctm_buf_puts(&b, h->value);
	ctm_buf_append(&b, " ", 1);
	ctm_buf_append(&b, text, len);
	if (b.oom) {
		ctm_buf_free(&b);
		return -1;
	}
	free(h->value);
	h->value = ctm_buf_take(&b);
	return 0;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

static size_t on_header(char *data, size_t size, size_t nitems, void *userp)
{
	struct ctmon_http_req *r = userp;
	size_t n = size * nitems, len = n, name_len;
	const char *colon, *value;
	int folded;

	while (len && (data[len - 1] == '\r' || data[len - 1] == '\n'))
		len--;
	/* A status line starts a new response (redirect, 100 Continue):
	 * only the final response's headers count. */
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		headers_clear(r);
		if (!r->sink_begun)
			ctm_buf_reset(&r->body);
		return n;
	}
	folded = len && is_space(data[0]);
	while (len && is_space(data[len - 1]))
		len--;
	if (folded) {
		while (len && is_space(data[0])) {
			data++;
			len--;
		}
		if (header_fold(r, data, len) != 0)
			goto oom;
		return n;
	}
	colon = len ? memchr(data, ':', len) : NULL;
	if (!colon)
		return n;
	name_len = (size_t)(colon - data);
	while (name_len && is_space(data[name_len - 1]))
		name_len--;
	value = colon + 1;
	while (value < data + len && is_space(*value))
		value++;
	if (header_set(r, data, name_len, value,
		       (size_t)(data + len - value)) != 0)
		goto oom;
	return n;
oom:
	r->oom = 1;
	return 0;
}

/* ---- response body --------------------------------------------------- */

static int is_2xx(long status) { return status >= 200 && status < 300; }

/* begin() once per attempt, before the first byte or at the end. */
static int sink_begin(struct ctmon_http_req *r, long status)
{
	if (r->sink_begun)
		return CTMON_OK;
	r->sink_begun = 1;
	if (!r->sink.begin)
		return CTMON_OK;
	return r->sink.begin(r->sink.ctx, status,
			     ctm_http_header(r, "Content-Type"));
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct ctmon_http_req *r = userp;
	size_t n = size * nmemb, limit;
	long status = 0;

	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
	if (r->has_sink && is_2xx(status)) {
		int rc = sink_begin(r, status);

		if (rc == CTMON_OK && n)
			rc = r->sink.data(r->sink.ctx, data, n);
		if (rc != CTMON_OK) {
			r->sink_rc = rc;
			return CURL_WRITEFUNC_ERROR;
		}
		return n;
	}
	limit = r->has_sink ? ERROR_BODY_MAX : r->max_body;
	if (n > limit - r->body.len) {
		if (!r->has_sink) {
			r->body_over_cap = 1;
			return CURL_WRITEFUNC_ERROR;
		}
		/* Error text only: keep the start, drop the rest quietly. */
		ctm_buf_append(&r->body, data, limit - r->body.len);
	} else {
		ctm_buf_append(&r->body, data, n);
	}
	if (r->body.oom) {
		r->oom = 1;
		return CURL_WRITEFUNC_ERROR;
	}
	return n;
}

/* Aborts an in-flight transfer once the process is stopping;
 * ctm_sleep_ms(0) is exactly "has a stop been requested". */
static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	(void)userp;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return ctm_sleep_ms(0) == CTMON_ESTOPPED;
}

/* ---- one attempt ----------------------------------------------------- */

/* The connect phase has its own, shorter limit. */
static int64_t phase_timeout_ms(const struct ctmon_http_req *r,
				int connecting)
{
	if (!connecting || r->timeout_ms < MAX_CONNECT_TIMEOUT_MS)
		return r->timeout_ms;
	return MAX_CONNECT_TIMEOUT_MS;
}

static int connected(const struct ctmon_http_req *r)
{
	curl_off_t t = 0;

	curl_easy_getinfo(r->curl, CURLINFO_CONNECT_TIME_T, &t);
	return t > 0;
}

#define SETOPT(opt, val)                                                    \
	do {                                                                \
		if (e == CURLE_OK)                                          \
			e = curl_easy_setopt(c, opt, val);                  \
	} while (0)

static int configure(struct ctmon_http_req *r)
{
	CURL *c = r->curl;
	CURLcode e = CURLE_OK;
	long connect_ms = (long)phase_timeout_ms(r, 1);

	SETOPT(CURLOPT_URL, r->url);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	/* Redirects are followed here, hop by hop (follow_redirect), never
	 * by libcurl. */
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (r->ca_file) {
		/* Only these CAs: a test or private CA replaces the bundle,
		 * it does not weaken verification. */
		SETOPT(CURLOPT_CAINFO, r->ca_file);
		SETOPT(CURLOPT_CAPATH, (char *)NULL);
	}
	SETOPT(CURLOPT_ACCEPT_ENCODING, "");
	if (user_agent)
		SETOPT(CURLOPT_USERAGENT, user_agent);
	SETOPT(CURLOPT_TIMEOUT_MS, (long)r->timeout_ms);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	SETOPT(CURLOPT_HTTPHEADER, r->req_headers);
	SETOPT(CURLOPT_ERRORBUFFER, r->curl_err);
	SETOPT(CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(CURLOPT_HEADERDATA, r);
	SETOPT(CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(CURLOPT_WRITEDATA, r);
	SETOPT(CURLOPT_NOPROGRESS, 0L);
	SETOPT(CURLOPT_XFERINFOFUNCTION, on_progress);
	SETOPT(CURLOPT_XFERINFODATA, r);
	if (r->has_body) {
		SETOPT(CURLOPT_POSTFIELDSIZE_LARGE,
		       (curl_off_t)r->req_body_len);
		SETOPT(CURLOPT_POSTFIELDS, r->req_body);
		if (strcmp(r->method, "POST") != 0)
			SETOPT(CURLOPT_CUSTOMREQUEST, r->method);
	} else if (strcmp(r->method, "GET") == 0) {
		SETOPT(CURLOPT_HTTPGET, 1L);
	} else if (strcmp(r->method, "HEAD") == 0) {
		SETOPT(CURLOPT_NOBODY, 1L);
	} else if (strcmp(r->method, "POST") == 0) {
		SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
		SETOPT(CURLOPT_POSTFIELDS, "");
	} else {
		SETOPT(CURLOPT_CUSTOMREQUEST, r->method);
	}
	if (e != CURLE_OK) {
		snprintf(r->error, sizeof r->error, "%s %s: libcurl refused an "
			 "option: %s", r->method, r->shown,
			 curl_easy_strerror(e));
		return CTMON_EINTERNAL;
	}
	return CTMON_OK;
}

#undef SETOPT

static int is_retryable_status(long s)
{
	return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 ||
	       s == 504;
}

/* A sink that says the body was bad may get a good one next time.  Any
 * other code is local (CTMON_EIO: the store could not write, a full disk):
 * downloading the same body again cannot fix it. */
static int is_retryable_sink_rc(int rc)
{
	return rc == CTMON_EAGAIN || rc == CTMON_EFORMAT;
}

static const char *rc_name(int rc)
{
	static const char *const names[] = {
		"OK",	   "EINVAL",	  "ECONFIG",   "ENOMEM",
		"EIO",	   "ETIMEDOUT",	  "EAGAIN",    "EUNSUPPORTED",
		"EINTERNAL", "EPERMANENT", "ENOTFOUND", "ESTOPPED",
		"EFORMAT"};
	int i = -rc;

	return i >= 0 && i < (int)(sizeof names / sizeof names[0]) ? names[i]
								 : "unknown";
}

static void set_error(struct ctmon_http_req *r, const char *fmt, ...)
	CTMON_PRINTF(2, 3);

/* "<METHOD> <url>: <what> (attempt n/m)" */
static void set_error(struct ctmon_http_req *r, const char *fmt, ...)
{
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(r->error, sizeof r->error, "%s %s: %s (attempt %d/%d)",
		 r->method, r->shown, what, r->attempts, r->max_attempts);
}

static const char *curl_detail(const struct ctmon_http_req *r, CURLcode cc)
{
	return r->curl_err[0] ? r->curl_err : curl_easy_strerror(cc);
}

/* Maps a failed transfer to an rc, an error text and whether to retry. */
static int classify_failure(struct ctmon_http_req *r, CURLcode cc,
			    int *retryable)
{
	int redirects;

	*retryable = 0;
	if (r->oom || cc == CURLE_OUT_OF_MEMORY) {
		set_error(r, "out of memory");
		return CTMON_ENOMEM;
	}
	if (r->sink_rc != CTMON_OK) {
		*retryable = is_retryable_sink_rc(r->sink_rc);
		set_error(r, "response body rejected by the sink: %s",
			  rc_name(r->sink_rc));
		return r->sink_rc;
	}
	if (r->body_over_cap) {
		set_error(r, "response body exceeds %zu bytes", r->max_body);
		return CTMON_EFORMAT;
	}
	switch (cc) {
	case CURLE_ABORTED_BY_CALLBACK:
		set_error(r, "stopped");
		return CTMON_ESTOPPED;
	case CURLE_OPERATION_TIMEDOUT:
		*retryable = 1;
		set_error(r, "%s after %lld ms",
			  connected(r) ? "timed out" : "connect timed out",
			  (long long)phase_timeout_ms(r, !connected(r)));
		return CTMON_ETIMEDOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		/* A certificate does not fix itself within a backoff. */
		set_error(r, "TLS verification failed: %s",
			  curl_detail(r, cc));
		return CTMON_EIO;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		redirects = r->hop_url != NULL;
		set_error(r, "%s%s", redirects ? "redirect refused: " : "",
			  curl_detail(r, cc));
		/* A bad URL is the caller's; a bad redirect the server's. */
		return redirects ? CTMON_EIO : CTMON_EINVAL;
	default:
		*retryable = 1;
		set_error(r, "connection failed: %s", curl_detail(r, cc));
		return CTMON_EIO;
	}
}

static void reset_response(struct ctmon_http_req *r)
{
	r->status = 0;
	headers_clear(r);
	ctm_buf_reset(&r->body);
	r->oom = 0;
	r->sink_begun = 0;
	r->sink_rc = CTMON_OK;
	r->body_over_cap = 0;
	r->curl_err[0] = '\0';
	r->error[0] = '\0';
}

static int run_attempt(struct ctmon_http_req *r, int *retryable)
{
	CURLcode cc;
	int rc;

	reset_response(r);
	cc = curl_easy_perform(r->curl);
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (cc != CURLE_OK || r->sink_rc != CTMON_OK || r->oom)
		return classify_failure(r, cc, retryable);
	if (r->has_sink && is_2xx(r->status)) {
		rc = sink_begin(r, r->status);
		if (rc == CTMON_OK && r->sink.end)
			rc = r->sink.end(r->sink.ctx);
		if (rc != CTMON_OK) {
			r->sink_rc = rc;
			return classify_failure(r, cc, retryable);
		}
	}
	*retryable = is_retryable_status(r->status);
	return CTMON_OK;
}

/* ---- redirects -------------------------------------------------------- */

static int is_redirect_status(long s)
{
	return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

struct origin {
	char *scheme;
	char *host;
	char *port;
};

static void origin_free(struct origin *o)
{
	curl_free(o->scheme);
	curl_free(o->host);
	curl_free(o->port);
	memset(o, 0, sizeof *o);
}

/* Scheme, host and port (default filled in) of an absolute URL. */
static int origin_of(const char *url, struct origin *o)
{
	CURLU *u = curl_url();
	int ok;

	memset(o, 0, sizeof *o);
	if (!u || !url)
		ok = 0;
	else
		ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		     curl_url_get(u, CURLUPART_SCHEME, &o->scheme, 0) ==
			     CURLUE_OK &&
		     curl_url_get(u, CURLUPART_HOST, &o->host, 0) ==
			     CURLUE_OK &&
		     curl_url_get(u, CURLUPART_PORT, &o->port,
				  CURLU_DEFAULT_PORT) == CURLUE_OK;
	curl_url_cleanup(u);
	if (!ok)
		origin_free(o);
	return ok ? 0 : -1;
}

static int same_origin(const struct origin *a, const struct origin *b)
{
	return strcasecmp(a->scheme, b->scheme) == 0 &&
	       strcasecmp(a->host, b->host) == 0 &&
	       strcmp(a->port, b->port) == 0;
}

static int is_http_scheme(const char *s)
{
	return strcasecmp(s, "http") == 0 || strcasecmp(s, "https") == 0;
}

/* Why the redirect to `to` must not be followed, or NULL. */
static const char *redirect_refusal(const struct ctmon_http_req *r, int hops,
				    const struct origin *from,
				    const struct origin *to, int *rc)
{
	*rc = CTMON_EPERMANENT;
	if (r->max_redirects == 0)
		return "this request does not follow redirects";
	/* A POST redirected by 301/302/303 would become a bodiless GET that
	 * "succeeds"; a 307/308 would carry the body elsewhere. */
	if (r->has_body ||
	    (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0))
		return "only GET and HEAD requests follow redirects";
	if (!from->scheme || !to->scheme || !is_http_scheme(to->scheme))
		return "the target is not an http or https URL";
	if (strcasecmp(from->scheme, "https") == 0 &&
	    strcasecmp(to->scheme, "http") == 0)
		return "https to http would continue in clear text";
	if (hops >= r->max_redirects) {
		*rc = CTMON_EIO;
		return "too many redirects";
	}
	return NULL;
}

/* Points the handle at the 3xx's target if the rules allow it; the
 * request's own headers (API keys, tokens) never reach another origin. */
static int follow_redirect(struct ctmon_http_req *r, const char *target,
			   int *hops)
{
	struct origin from, to;
	char shown[SHOWN_MAX + 1], *copy = NULL;
	const char *why;
	int rc = CTMON_OK;

	ctm_http_redact_url(target, shown, sizeof shown);
	origin_of(r->hop_url ? r->hop_url : r->url, &from);
	origin_of(target, &to);
	why = redirect_refusal(r, *hops, &from, &to, &rc);
	if (why) {
		set_error(r, "HTTP %ld redirect to %s refused: %s", r->status,
			  shown, why);
		goto out;
	}
	rc = CTMON_OK;
	if (!same_origin(&from, &to) && r->req_headers && !r->headers_dropped) {
		ctm_log(CTMON_LOG_INFO, r->prefix,
			"%s %s: redirected to another origin (%s); the "
			"request's own headers are not sent there",
			r->method, r->shown, shown);
		r->headers_dropped = 1;
		if (curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER,
				     (struct curl_slist *)NULL) != CURLE_OK)
			rc = CTMON_EINTERNAL;
	}
	copy = rc == CTMON_OK ? ctm_strdup(target) : NULL;
	if (rc == CTMON_OK && !copy)
		rc = CTMON_ENOMEM;
	if (rc == CTMON_OK &&
	    curl_easy_setopt(r->curl, CURLOPT_URL, copy) != CURLE_OK)
		rc = CTMON_EINTERNAL;
	if (rc != CTMON_OK) {
		free(copy);
		set_error(r, "cannot follow the redirect to %s", shown);
		goto out;
	}
	free(r->hop_url);
	r->hop_url = copy;
	(*hops)++;
	ctm_log(CTMON_LOG_DEBUG, r->prefix, "%s %s: following HTTP %ld to %s",
		r->method, r->shown, r->status, shown);
out:
	origin_free(&from);
	origin_free(&to);
	return rc;
}

/* One attempt, with the redirects it is allowed to follow. */
static int run_followed(struct ctmon_http_req *r, int *retryable)
{
	int hops = 0, rc;

	free(r->hop_url);
	r->hop_url = NULL;
	r->headers_dropped = 0;
	if (curl_easy_setopt(r->curl, CURLOPT_URL, r->url) != CURLE_OK ||
	    curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, r->req_headers) !=
		    CURLE_OK) {
		*retryable = 0;
		set_error(r, "libcurl refused the URL");
		return CTMON_EINTERNAL;
	}
	for (;;) {
		char *target = NULL;

		rc = run_attempt(r, retryable);
		if (rc != CTMON_OK || !is_redirect_status(r->status))
			return rc;
		curl_easy_getinfo(r->curl, CURLINFO_REDIRECT_URL, &target);
		if (!target)
			return rc; /* a 3xx without Location: the caller's */
		*retryable = 0;
		rc = follow_redirect(r, target, &hops);
		if (rc != CTMON_OK)
			return rc;
	}
}

/* ---- retries ---------------------------------------------------------- */

static uint64_t next_random(struct ctmon_http_req *r)
{
	/* xorshift64: plenty for spreading retries of many clients. */
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

/* Retry-After in seconds or as an HTTP-date; -1 when absent or bad. */
static int64_t retry_after_ms(const struct ctmon_http_req *r)
{
	const char *v = ctm_http_header(r, "Retry-After");
	int64_t secs;
	time_t when;

	if (!v || !*v)
		return -1;
	if (ctm_parse_int64(v, &secs) == 0)
		return secs < 0 ? -1
				: (secs > INT64_MAX / 1000 ? INT64_MAX
							   : secs * 1000);
	when = curl_getdate(v, NULL);
	if (when == (time_t)-1)
		return -1;
	secs = (int64_t)when - (int64_t)time(NULL);
	return secs > 0 ? secs * 1000 : 0;
}

static int64_t retry_delay_ms(struct ctmon_http_req *r)
{
	int64_t delay = retry_after_ms(r), half;

	if (delay >= 0)
		return delay < r->max_ms ? delay : r->max_ms;
	delay = r->base_ms;
	for (int i = 1; i < r->attempts && delay < r->max_ms; i++)
		delay = delay > INT64_MAX / 2 ? INT64_MAX : delay * 2;
	if (delay > r->max_ms)
		delay = r->max_ms;
	/* Full delay times a factor in [0.5, 1.0]. */
	half = delay / 2;
	return delay - half +
	       (int64_t)(next_random(r) % (uint64_t)(half + 1));
}

int ctm_http_perform(struct ctmon_http_req *r)
{
	int rc, retryable;

	if (!r)
		return CTMON_EINVAL;
	r->attempts = 0;
	reset_response(r);
	rc = configure(r);
	if (rc != CTMON_OK)
		return rc;
	for (;;) {
		int64_t delay;

		r->attempts++;
		rc = run_followed(r, &retryable);
		if (!retryable || r->attempts >= r->max_attempts)
			return rc;
		delay = retry_delay_ms(r);
		if (rc == CTMON_OK)
			ctm_log(CTMON_LOG_WARN, r->prefix,
				"%s %s: HTTP %ld (attempt %d/%d), retrying "
				"in %lld ms", r->method, r->shown, r->status,
				r->attempts, r->max_attempts,
				(long long)delay);
		else
			ctm_log(CTMON_LOG_WARN, r->prefix,
				"%s, retrying in %lld ms", r->error,
				(long long)delay);
		if (ctm_sleep_ms(delay) == CTMON_ESTOPPED) {
			set_error(r, "stopped before retrying");
			return CTMON_ESTOPPED;
		}
	}
}

/* ---- results ---------------------------------------------------------- */

long ctm_http_status(const struct ctmon_http_req *r)
{
	return r ? r->status : 0;
}

const char *ctm_http_header(const struct ctmon_http_req *r, const char *name)
{
	const struct header *h;

	if (!r || !name)
		return NULL;
	h = header_find(r, name, strlen(name));
	return h ? h->value : NULL;
}

const char *ctm_http_body(const struct ctmon_http_req *r, size_t *len)
{
	if (len)
		*len = r && r->body.data ? r->body.len : 0;
	return r && r->body.data ? r->body.data : "";
}

const char *ctm_http_error(const struct ctmon_http_req *r)
{
	return r ? r->error : "";
}

int ctm_http_attempts(const struct ctmon_http_req *r)
{
	return r ? r->attempts : 0;
}

void ctm_http_free(struct ctmon_http_req *r)
{
	if (!r)
		return;
	if (r->curl)
		curl_easy_cleanup(r->curl);
	curl_slist_free_all(r->req_headers);
	headers_clear(r);
	ctm_buf_free(&r->body);
	free(r->req_body);
	free(r->ca_file);
	free(r->prefix);
	free(r->method);
	free(r->url);
	free(r->shown);
	free(r->hop_url);
	free(r);
}
