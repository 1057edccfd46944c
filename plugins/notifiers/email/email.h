/* email.h - pieces of the email notifier shared between its files.
 * Everything here is hidden inside email.so. */
#ifndef EMAIL_H
#define EMAIL_H

#include <stddef.h>
#include <stdint.h>

#include "ctmon/plugin.h"
#include "nbuf.h"

enum em_tls { EM_TLS_AUTO, EM_TLS_STARTTLS, EM_TLS_IMPLICIT };
enum em_transport { EM_SMTP, EM_SENDMAIL };

struct em_state {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	char *smtp_host;
	int64_t port;
	enum em_tls tls;
	char *user;
	char *password;
	char *from;
	char **to;            /* NULL-terminated */
	char *ca_file;
	int64_t timeout_s;
	char *subject_prefix;
	char *hostname;       /* right of '@' in Message-ID */
	enum em_transport transport;
	char *sendmail_path;
	uint64_t rng;
};

/* What goes into one message (email_msg.c). */
struct em_msg {
	const char *from;
	char *const *to;
	const char *subject_prefix;
	int64_t now;          /* Date header */
	uint64_t random;      /* boundary uniqueness */
	const char *message_id; /* "<...>", from em_message_id */
};

/* "<ctmon.a<id>.<hash>@hostname>" for one alert, "<ctmon.b<first id>.
 * <count>.<hash>@hostname>" for a batch: the hash (64-bit FNV-1a, hex)
 * covers every alert's id, type, domain and key, so the same batch sent
 * again after a crash carries the same Message-ID and receivers can
 * recognise the resend. */
void em_message_id(struct nbuf *out, const struct ctmon_alert *const *a,
		   size_t n, const char *hostname);

/* The whole RFC 5322 message for a batch: headers, then a
 * multipart/alternative body with a text/plain and a text/html part, both
 * UTF-8 and quoted-printable, lines ending in CRLF.  CTMON_OK or
 * CTMON_ENOMEM. */
int em_build_message(struct nbuf *out, const struct em_msg *m,
		     const struct ctmon_alert *const *a, size_t n);

/* Pieces of the message, exposed for tests of the encoders. */
/* Appends `text` quoted-printable (RFC 2045): lines of at most 76
 * characters, "\n" in the text as CRLF line breaks, '=' and every byte
 * outside printable ASCII encoded, a '.' or space starting or ending a
 * line encoded too. */
void em_qp(struct nbuf *out, const char *text, size_t len);
/* Appends "Name: value\r\n" with the value made safe for a header: it is
 * first rendered like certificate text (no controls, valid UTF-8), then
 * sent as is when printable ASCII or as RFC 2047 encoded words, and folded
 * so no line passes 78 characters. */
void em_header(struct nbuf *out, const char *name, const char *value);
/* "Tue, 25 Nov 2026 14:29:11 +0000" (RFC 5322, no locale involved). */
void em_date(int64_t t, char *buf, size_t len);

/* email_body.c: the two renderings of a batch. */
void em_body_text(struct nbuf *out, const struct ctmon_alert *const *a,
		  size_t n);
void em_body_html(struct nbuf *out, const struct ctmon_alert *const *a,
		  size_t n);

/* email_send.c: submits the message over SMTP with libcurl (TLS always,
 * verification on).  Returns CTMON_OK, a retryable rc or
 * CTMON_EPERMANENT (a 5xx reply), with the host's error text set. */
int em_send(struct em_state *st, const struct nbuf *msg);

/* email_sendmail.c: pipes the message (CRLF turned into the local LF) to
 * `sendmail_path -t -i` started without a shell; recipients come from the
 * To header.  Exit 0: delivered; EX_TEMPFAIL (75): CTMON_EAGAIN; anything
 * else, a crash or the timeout: CTMON_EIO (retried). */
int em_sendmail(struct em_state *st, const struct nbuf *msg);

#endif
