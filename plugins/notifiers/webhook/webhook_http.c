/* webhook_http.c - one POST of one message, through the host's HTTP (TLS
 * verification always on).  The notifier retries here itself rather
 * than through the host's retry policy: the host logs the URL on each
 * retry, and a webhook URL is a secret. */
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

static uint64_t next_random(struct wh_state *st)
{
	st->rng ^= st->rng << 13;
	st->rng ^= st->rng >> 7;
	st->rng ^= st->rng << 17;
	return st->rng;
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

/* The host's error text with the URL replaced by its redacted form. */
static void error_without_url(struct wh_state *st, const char *text)
{
	const char *at = strstr(text, st->url);
	size_t o;

	if (!at) {
		wh_err(st, "%.500s", text);
		return;
	}
	o = (size_t)(at - text);
	if (o > 200)
		o = 200;
	wh_err(st, "%.*s%s%.300s", (int)o, text, st->url_shown,
	       at + strlen(st->url));
}

enum outcome { SENT, RETRY, PERMANENT };

/* One attempt: the request, and what its answer means for delivery. */
static enum outcome attempt(struct wh_state *st, const struct nbuf *body,
			    int *rc, int64_t *retry_after)
{
	const struct ctmon_host_api *api = st->api;
	struct ctmon_http_req *r = api->http_new(st->host, "POST", st->url);
	enum outcome out = RETRY;
	long status;

	*retry_after = -1;
	if (!r) {
		*rc = CTMON_ENOMEM;
		wh_err(st, "out of memory");
		return RETRY;
	}
	*rc = api->http_set_header(r, "Content-Type: application/json");
	for (size_t i = 0; *rc == CTMON_OK && st->headers && st->headers[i];
	     i++)
		*rc = api->http_set_header(r, st->headers[i]);
	if (*rc == CTMON_OK)
		*rc = api->http_set_body(r, nb_str(body), body->len);
	if (*rc == CTMON_OK)
		*rc = api->http_set_sink(r, &discard_sink);
	if (*rc == CTMON_OK && st->ca_file)
		*rc = api->http_set_ca_file(r, st->ca_file);
	if (*rc != CTMON_OK) {
		wh_err(st, "preparing the request failed (%d)", *rc);
		goto out;
	}
	*rc = api->http_perform(r);
	if (*rc != CTMON_OK) {
		/* Connection refused, timeout, TLS: worth another try. */
		error_without_url(st, api->http_error(r));
		if (*rc != CTMON_ESTOPPED && *rc != CTMON_ENOMEM &&
		    *rc != CTMON_ETIMEDOUT && *rc != CTMON_EAGAIN)
			*rc = CTMON_EIO;
		goto out;
	}
	status = api->http_status(r);
	if (status >= 200 && status < 300) {
		out = SENT;
		goto out;
	}
	{
		size_t len = 0;
		const char *text = api->http_body(r, &len);
		char shown[201];

		nt_ascii_safe(text, len, shown, sizeof shown);
		wh_err(st, "%s answered HTTP %ld%s%s", st->url_shown, status,
		       shown[0] ? ": " : "", shown);
	}
	if (status == 408 || status == 429 || status >= 500) {
		*rc = CTMON_EAGAIN;
		*retry_after = wh_parse_retry_after(
			api->http_header(r, "Retry-After"), api->now(st->host));
	} else if (status >= 400) {
		/* The request itself is wrong (bad token, removed channel,
		 * rejected payload): sending it again cannot help. */
		*rc = CTMON_EPERMANENT;
		out = PERMANENT;
	} else {
		*rc = CTMON_EIO;
	}
out:
	api->http_free(r);
	return out;
}

int wh_post(struct wh_state *st, const struct nbuf *body,
	    int64_t *retry_after)
{
	int rc = CTMON_EIO;

	*retry_after = -1;
	st->err[0] = '\0';
	for (int i = 1; i <= st->attempts; i++) {
		int64_t delay;

		switch (attempt(st, body, &rc, retry_after)) {
		case SENT:
			return CTMON_OK;
		case PERMANENT:
			st->api->set_error(st->host, "%s", st->err);
			return rc;
		case RETRY:
			break;
		}
		if (rc == CTMON_ESTOPPED || i == st->attempts)
			break;
		if (*retry_after >= 0) {
			/* A wait longer than we would block for is left to
			 * the outbox, which remembers it. */
			if (*retry_after * 1000 > st->max_backoff_ms)
				break;
			delay = *retry_after * 1000;
		} else {
			delay = st->backoff_ms;
			for (int k = 1; k < i && delay < st->max_backoff_ms; k++)
				delay *= 2;
			if (delay > st->max_backoff_ms)
				delay = st->max_backoff_ms;
			delay -= (int64_t)(next_random(st) %
					   (uint64_t)(delay / 2 + 1));
		}
		st->api->log(st->host, CTMON_LOG_WARN,
			     "attempt %d/%d failed (%s), retrying in %lld ms",
			     i, st->attempts, st->err, (long long)delay);
		if (st->api->sleep_ms(st->host, delay) == CTMON_ESTOPPED) {
			rc = CTMON_ESTOPPED;
			break;
		}
	}
	st->api->set_error(st->host, "%s", st->err);
	return rc;
}
