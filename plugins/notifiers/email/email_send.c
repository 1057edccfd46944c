/* email_send.c - SMTP submission through libcurl, linked by this plugin
 * itself (the host API has no SMTP).  The core already called
 * curl_global_init; this file never does.  TLS is always required:
 * STARTTLS (CURLUSESSL_ALL) on smtp://, implicit TLS on smtps://, and the
 * peer is verified, against ca_file when one is given. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "email.h"
#include "ntext.h"

struct upload {
	const char *data;
	size_t len;
	size_t off;
};

static size_t on_read(char *buf, size_t size, size_t nitems, void *userp)
{
	struct upload *u = userp;
	size_t room = size * nitems, n = u->len - u->off;

	if (n > room)
		n = room;
	memcpy(buf, u->data + u->off, n);
	u->off += n;
	return n;
}

/* Aborts the transfer once the host is stopping. */
static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct em_state *st = userp;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return st->api->should_stop(st->host) ? 1 : 0;
}

/* What a failed transfer means for the outbox. */
static int classify(struct em_state *st, CURLcode cc, long reply,
		    const char *detail)
{
	char shown[300];

	nt_ascii_safe(detail, strlen(detail), shown, sizeof shown);
	if (cc == CURLE_ABORTED_BY_CALLBACK) {
		st->api->set_error(st->host, "stopped");
		return CTMON_ESTOPPED;
	}
	if (reply >= 500 && reply < 600) {
		/* The server refused for good (bad credentials, no such
		 * recipient, message rejected): resending cannot help. */
		st->api->set_error(st->host, "SMTP %s:%lld refused the message "
				   "(%ld): %s", st->smtp_host,
				   (long long)st->port, reply, shown);
		return CTMON_EPERMANENT;
	}
	if (reply)
		st->api->set_error(st->host, "SMTP %s:%lld: %s (reply %ld)",
				   st->smtp_host, (long long)st->port, shown,
				   reply);
	else
		st->api->set_error(st->host, "SMTP %s:%lld: %s", st->smtp_host,
				   (long long)st->port, shown);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		return CTMON_ETIMEDOUT;
	if (reply >= 400)
		return CTMON_EAGAIN;
	return CTMON_EIO;
}

/* libcurl before 8.2 spells this option with three Ls. */
#if LIBCURL_VERSION_NUM >= 0x080200
#define RCPT_ALLOWFAILS CURLOPT_MAIL_RCPT_ALLOWFAILS
#else
#define RCPT_ALLOWFAILS CURLOPT_MAIL_RCPT_ALLLOWFAILS
#endif

#define SETOPT(opt, val)                                                    \
	do {                                                                \
		if (cc == CURLE_OK)                                         \
			cc = curl_easy_setopt(c, opt, val);                 \
	} while (0)

int em_send(struct em_state *st, const struct nbuf *msg)
{
	struct upload up = {nb_str(msg), msg->len, 0};
	struct curl_slist *rcpt = NULL;
	struct nbuf url = {0}, from = {0};
	char errbuf[CURL_ERROR_SIZE] = "", ehlo[256];
	CURL *c = NULL;
	CURLcode cc = CURLE_OK;
	long reply = 0;
	int implicit, rc = CTMON_OK;

	implicit = st->tls == EM_TLS_IMPLICIT ||
		   (st->tls == EM_TLS_AUTO && st->port == 465);
	/* The URL's path is the name libcurl sends in EHLO. */
	if (gethostname(ehlo, sizeof ehlo) != 0 || !strchr(ehlo, '.'))
		snprintf(ehlo, sizeof ehlo, "localhost");
	nb_printf(&url, strchr(st->smtp_host, ':') ? "%s://[%s]:%lld/%s"
						   : "%s://%s:%lld/%s",
		  implicit ? "smtps" : "smtp", st->smtp_host,
		  (long long)st->port, ehlo);
	nb_printf(&from, "<%s>", st->from);
	for (size_t i = 0; st->to[i]; i++) {
		struct nbuf r = {0};
		struct curl_slist *l;

		nb_printf(&r, "<%s>", st->to[i]);
		l = r.oom ? NULL : curl_slist_append(rcpt, nb_str(&r));
		nb_free(&r);
		if (!l) {
			rc = CTMON_ENOMEM;
			goto out;
		}
		rcpt = l;
	}
	c = curl_easy_init();
	if (!c || url.oom || from.oom) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	SETOPT(CURLOPT_URL, nb_str(&url));
	SETOPT(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (st->ca_file) {
		SETOPT(CURLOPT_CAINFO, st->ca_file);
		SETOPT(CURLOPT_CAPATH, (char *)NULL);
	}
	if (st->user) {
		SETOPT(CURLOPT_USERNAME, st->user);
		SETOPT(CURLOPT_PASSWORD, st->password ? st->password : "");
	}
	SETOPT(CURLOPT_MAIL_FROM, nb_str(&from));
	SETOPT(CURLOPT_MAIL_RCPT, rcpt);
	/* One refused recipient must not stop the others'. */
	SETOPT(RCPT_ALLOWFAILS, 1L);
	SETOPT(CURLOPT_UPLOAD, 1L);
	SETOPT(CURLOPT_READFUNCTION, on_read);
	SETOPT(CURLOPT_READDATA, &up);
	SETOPT(CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg->len);
	SETOPT(CURLOPT_TIMEOUT_MS, (long)(st->timeout_s * 1000));
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS,
	       (long)(st->timeout_s < 10 ? st->timeout_s * 1000 : 10000));
	SETOPT(CURLOPT_ERRORBUFFER, errbuf);
	SETOPT(CURLOPT_NOPROGRESS, 0L);
	SETOPT(CURLOPT_XFERINFOFUNCTION, on_progress);
	SETOPT(CURLOPT_XFERINFODATA, st);
	if (cc != CURLE_OK) {
		st->api->set_error(st->host, "libcurl refused an SMTP option: "
				   "%s", curl_easy_strerror(cc));
		rc = CTMON_EINTERNAL;
		goto out;
	}
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
	if (cc != CURLE_OK)
		rc = classify(st, cc, reply,
			      errbuf[0] ? errbuf : curl_easy_strerror(cc));
out:
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	nb_free(&url);
	nb_free(&from);
	return rc;
}
