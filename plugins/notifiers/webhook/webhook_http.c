/* webhook_http.c - one POST of one message, through the host's HTTP: TLS
 * verification always on, the host's retry policy (which redacts the
 * URL, a secret, in its log lines), and no redirect ever followed (a
 * redirected POST would lose its body or carry it and the headers to
 * another origin). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ntext.h"
#include "webhook.h"

/* A 2xx answer's body means nothing here and may be large: it is
 * streamed into this sink and dropped, so its size can never turn a
 * delivered message into a failed one (and a duplicate).  Error bodies
 * are kept by the host, capped, for the error text. */
static int discard(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return CTMON_OK;
}

static const struct ctmon_http_sink discard_sink = {
	sizeof(struct ctmon_http_sink), NULL, discard, NULL, NULL};

/* "Sun, 06 Nov 1994 08:49:37 GMT" -> seconds since the epoch, or -1. */
static int64_t parse_imf_date(const char *v)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4];
	int d, y, h, mi, s, m;
	int64_t days, era, yoe, doy, doe, yy;

	if (sscanf(v, "%*3s, %2d %3s %4d %2d:%2d:%2d GMT", &d, mon, &y, &h,
		   &mi, &s) != 6)
		return -1;
	mon[3] = '\0';
	{
		const char *at = strstr(months, mon);
		if (!at || (at - months) % 3 != 0)
			return -1;
		m = (int)((at - months) / 3) + 1;
	}
	if (d < 1 || d > 31 || y < 1970 || h > 23 || mi > 59 || s > 60)
		return -1;
	/* Days from civil (proleptic Gregorian), March-based years. */
	yy = m <= 2 ? y - 1 : y;
	era = yy / 400;
	yoe = yy - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	return days * 86400 + h * 3600 + mi * 60 + s;
}

int64_t wh_parse_retry_after(const char *v, int64_t now)
{
	int64_t secs = 0, when;
	const char *p = v;

	if (!v)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p >= '0' && *p <= '9') {
		for (; *p >= '0' && *p <= '9'; p++) {
			if (secs > 365LL * 86400)
				return 365LL * 86400;
			secs = secs * 10 + (*p - '0');
		}
		/* Discord sends fractions: round up, never retry early. */
		if (*p == '.' && p[1] >= '0' && p[1] <= '9')
			secs++;
		return secs;
	}
	when = parse_imf_date(p);
	if (when < 0)
		return -1;
	return when > now ? when - now : 0;
}

static void wh_err(struct wh_state *st, const char *fmt, ...)
	CTMON_PRINTF(2, 3);

static void wh_err(struct wh_state *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof st->err, fmt, ap);
	va_end(ap);
}

/* FNV-1a, 64 bits: stable across processes and versions, which is all an
 * idempotency key needs (it is not a secret and not a defence). */
static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3u;
	}
	h ^= 0xff; /* field separator: "ab","c" differs from "a","bc" */
	h *= 0x100000001b3u;
	return h;
}

void wh_idempotency_key(const struct ctmon_alert *const *a, size_t n,
			char *out, size_t outlen)
{
	uint64_t h = 0xcbf29ce484222325u;
	char id[32];

	for (size_t i = 0; i < n; i++) {
		snprintf(id, sizeof id, "%lld", (long long)a[i]->id);
		h = fnv1a(h, id);
		h = fnv1a(h, a[i]->type);
		h = fnv1a(h, a[i]->domain);
		h = fnv1a(h, a[i]->key);
	}
	snprintf(out, outlen, "ctmon-%lld-%zu-%016" PRIx64,
		 n ? (long long)a[0]->id : 0LL, n, h);
}

static int prepare(struct wh_state *st, struct ctmon_http_req *r,
		   const struct nbuf *body, const char *idem_key)
{
	const struct ctmon_host_api *api = st->api;
	char line[128];
	int rc;

	snprintf(line, sizeof line, "Idempotency-Key: %s", idem_key);
	rc = api->http_set_header(r, "Content-Type: application/json");
	if (rc == CTMON_OK)
		rc = api->http_set_header(r, line);
	for (size_t i = 0; rc == CTMON_OK && st->headers && st->headers[i];
	     i++)
		rc = api->http_set_header(r, st->headers[i]);
	if (rc == CTMON_OK)
		rc = api->http_set_body(r, nb_str(body), body->len);
	if (rc == CTMON_OK)
		rc = api->http_set_sink(r, &discard_sink);
	if (rc == CTMON_OK && st->ca_file)
		rc = api->http_set_ca_file(r, st->ca_file);
	if (rc == CTMON_OK)
		rc = api->http_set_retry(r, st->attempts, st->backoff_ms,
					 st->max_backoff_ms);
	return rc;
}

/* What the final answer means for delivery. */
static int judge_status(struct wh_state *st, struct ctmon_http_req *r,
			int64_t *retry_after)
{
	const struct ctmon_host_api *api = st->api;
	long status = api->http_status(r);
	size_t len = 0;
	const char *text;
	char shown[201];

	if (status >= 200 && status < 300)
		return CTMON_OK;
	text = api->http_body(r, &len);
	nt_ascii_safe(text, len, shown, sizeof shown);
	wh_err(st, "%s answered HTTP %ld%s%s", st->url_shown, status,
	       shown[0] ? ": " : "", shown);
	if (status == 408 || status == 429 || status >= 500) {
		*retry_after = wh_parse_retry_after(
			api->http_header(r, "Retry-After"), api->now(st->host));
		return CTMON_EAGAIN;
	}
	/* The request itself is wrong (bad token, removed channel, rejected
	 * payload): sending it again cannot help. */
	if (status >= 400)
		return CTMON_EPERMANENT;
	return CTMON_EIO;
}

int wh_post(struct wh_state *st, const struct nbuf *body,
	    const char *idem_key, int64_t *retry_after)
{
	const struct ctmon_host_api *api = st->api;
	struct ctmon_http_req *r = api->http_new(st->host, "POST", st->url);
	int rc;

	*retry_after = -1;
	st->err[0] = '\0';
	if (!r) {
		wh_err(st, "out of memory");
		rc = CTMON_ENOMEM;
		goto out;
	}
	rc = prepare(st, r, body, idem_key);
	if (rc != CTMON_OK) {
		wh_err(st, "preparing the request failed (%d)", rc);
		goto out;
	}
	rc = api->http_perform(r);
	if (rc == CTMON_OK) {
		rc = judge_status(st, r, retry_after);
		goto out;
	}
	/* The host's text shows the URL redacted.  A refused redirect is
	 * permanent: the configured URL is wrong.  Connection failures,
	 * timeouts and TLS errors are left to the outbox's backoff. */
	wh_err(st, "%.500s", api->http_error(r));
	if (rc != CTMON_ESTOPPED && rc != CTMON_ENOMEM &&
	    rc != CTMON_ETIMEDOUT && rc != CTMON_EAGAIN &&
	    rc != CTMON_EPERMANENT)
		rc = CTMON_EIO;
out:
	if (rc != CTMON_OK)
		api->set_error(st->host, "%s", st->err);
	if (r)
		api->http_free(r);
	return rc;
}
