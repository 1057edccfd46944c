/* email_msg.c - the message itself: headers that cannot be injected into,
 * and a multipart/alternative body whose parts are quoted-printable.
 * Quoted-printable encodes every '=', so a boundary starting with "=_"
 * can never appear inside a part, whatever the certificate says. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "email.h"
#include "nalert.h"
#include "ntext.h"

#define HEADER_MAX_CP 300
#define QP_LINE 76

void em_date(int64_t t, char *buf, size_t len)
{
	static const char days[][4] = {"Sun", "Mon", "Tue", "Wed",
				       "Thu", "Fri", "Sat"};
	static const char months[][4] = {"Jan", "Feb", "Mar", "Apr",
					 "May", "Jun", "Jul", "Aug",
					 "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm)) {
		snprintf(buf, len, "Thu, 01 Jan 1970 00:00:00 +0000");
		return;
	}
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d +0000",
		 days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* Folds at spaces so no line passes 78 characters. */
static void put_folded(struct nbuf *out, size_t col, const char *v)
{
	while (*v) {
		size_t word = strcspn(v + 1, " ") + 1;

		if (col + word > 78 && col > 1 && *v == ' ') {
			nb_puts(out, "\r\n");
			col = 0;
		}
		nb_putn(out, v, word);
		col += word;
		v += word;
	}
}

static void put_base64(struct nbuf *out, const unsigned char *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		nb_putn(out, q, 4);
	}
}

/* RFC 2047 "B" encoded words of at most 45 bytes of text each, cut on
 * UTF-8 character boundaries, one per folded line. */
static void put_encoded_words(struct nbuf *out, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t len = strlen(v), i = 0;

	while (i < len) {
		size_t n = len - i > 45 ? 45 : len - i;

		while (n > 0 && i + n < len && (p[i + n] & 0xc0) == 0x80)
			n--;
		if (i)
			nb_puts(out, "\r\n ");
		nb_puts(out, "=?UTF-8?B?");
		put_base64(out, p + i, n);
		nb_puts(out, "?=");
		i += n;
	}
}

void em_header(struct nbuf *out, const char *name, const char *value)
{
	struct nbuf safe = {0};

	nt_put(&safe, value, HEADER_MAX_CP, NT_PLAIN);
	nb_printf(out, "%s: ", name);
	/* "=?" in plain text would be decoded by some readers as an
	 * encoded word of the sender's choosing: encode it instead. */
	if (printable_ascii(nb_str(&safe)) && !strstr(nb_str(&safe), "=?"))
		put_folded(out, strlen(name) + 2, nb_str(&safe));
	else
		put_encoded_words(out, nb_str(&safe));
	nb_puts(out, "\r\n");
	if (safe.oom)
		out->oom = 1;
	nb_free(&safe);
}

void em_qp(struct nbuf *out, const char *text, size_t len)
{
	size_t col = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		int at_eol = i + 1 == len || text[i + 1] == '\n';
		int enc;

		if (c == '\n') {
			nb_puts(out, "\r\n");
			col = 0;
			continue;
		}
		enc = c == '=' || c < 0x20 || c > 0x7e ||
		      (c == ' ' && at_eol);
		/* Room for the soft break's '=' on every line. */
		if (col + (enc ? 3 : 1) > QP_LINE - 1) {
			nb_puts(out, "=\r\n");
			col = 0;
		}
		/* A line starting with '.' is special to SMTP. */
		if (col == 0 && c == '.')
			enc = 1;
		if (enc) {
			nb_printf(out, "=%02X", c);
			col += 3;
		} else {
			nb_putc(out, (char)c);
			col++;
		}
	}
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3u;
	}
	return h;
}

void em_message_id(struct nbuf *out, const struct ctmon_alert *const *a,
		   size_t n, const char *hostname)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < n; i++) {
		const char *parts[3] = {a[i]->type, a[i]->domain, a[i]->key};
		char id[32];

		snprintf(id, sizeof id, "%lld", (long long)a[i]->id);
		/* NUL-separated, so "a|b" and "a" "|b" differ. */
		h = fnv1a(h, id, strlen(id) + 1);
		for (int k = 0; k < 3; k++)
			h = fnv1a(h, parts[k] ? parts[k] : "",
				  (parts[k] ? strlen(parts[k]) : 0) + 1);
	}
	if (n == 1)
		nb_printf(out, "<ctmon.a%lld.%016llx@%s>", (long long)a[0]->id,
			  (unsigned long long)h, hostname);
	else
		nb_printf(out, "<ctmon.b%lld.%zu.%016llx@%s>",
			  (long long)(n ? a[0]->id : 0), n,
			  (unsigned long long)h, hostname);
}

/* Up to three distinct domains of the batch, for the subject. */
static void put_domains(struct nbuf *b, const struct ctmon_alert *const *a,
			size_t n)
{
	const char *shown[3];
	size_t k = 0, more = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < k; j++)
			if (strcmp(shown[j], a[i]->domain ? a[i]->domain : "") ==
			    0)
				break;
		if (j < k)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(a[j]->domain ? a[j]->domain : "",
				   a[i]->domain ? a[i]->domain : "") == 0)
				break;
		if (j < i)
			continue;
		if (k == 3) {
			more++;
			continue;
		}
		shown[k++] = a[i]->domain ? a[i]->domain : "";
	}
	for (size_t j = 0; j < k; j++) {
		nb_puts(b, j ? ", " : " for ");
		nb_puts(b, shown[j]);
	}
	if (more)
		nb_printf(b, " (+%zu more)", more);
}

int em_build_message(struct nbuf *out, const struct em_msg *m,
		     const struct ctmon_alert *const *a, size_t n)
{
	struct nbuf v = {0}, part = {0};
	char date[64];

	em_date(m->now, date, sizeof date);
	em_header(out, "Date", date);
	nb_printf(&v, "ctmon <%s>", m->from);
	em_header(out, "From", nb_str(&v));
	nb_reset(&v);
	for (size_t i = 0; m->to[i]; i++)
		nb_printf(&v, "%s%s", i ? ", " : "", m->to[i]);
	em_header(out, "To", nb_str(&v));
	nb_reset(&v);
	if (m->subject_prefix && *m->subject_prefix)
		nb_printf(&v, "%s ", m->subject_prefix);
	nb_printf(&v, "%zu new certificate alert%s", n, n == 1 ? "" : "s");
	put_domains(&v, a, n);
	nb_printf(&v, " (highest: %s)", ctmon_severity_name(na_highest(a, n)));
	em_header(out, "Subject", nb_str(&v));
	nb_reset(&v);
	nb_printf(out, "Message-ID: %s\r\n", m->message_id);
	nb_puts(out, "MIME-Version: 1.0\r\n");
	nb_printf(out, "Content-Type: multipart/alternative; "
		  "boundary=\"=_ctmon_%016llx\"\r\n",
		  (unsigned long long)m->random);
	nb_puts(out, "Auto-Submitted: auto-generated\r\n"
		     "X-Auto-Response-Suppress: All\r\n");
	nb_printf(out, "X-Ctmon-Alerts: %zu\r\n", n);
	nb_printf(out, "X-Ctmon-Highest-Severity: %s\r\n\r\n",
		  ctmon_severity_name(na_highest(a, n)));
	nb_puts(out, "This is a MIME message: the alerts are in the text and "
		     "HTML parts.\r\n");
	em_body_text(&part, a, n);
	nb_printf(out, "\r\n--=_ctmon_%016llx\r\nContent-Type: text/plain; "
		  "charset=utf-8\r\nContent-Transfer-Encoding: "
		  "quoted-printable\r\n\r\n", (unsigned long long)m->random);
	em_qp(out, nb_str(&part), part.len);
	nb_reset(&part);
	em_body_html(&part, a, n);
	nb_printf(out, "\r\n--=_ctmon_%016llx\r\nContent-Type: text/html; "
		  "charset=utf-8\r\nContent-Transfer-Encoding: "
		  "quoted-printable\r\n\r\n", (unsigned long long)m->random);
	em_qp(out, nb_str(&part), part.len);
	nb_printf(out, "\r\n--=_ctmon_%016llx--\r\n",
		  (unsigned long long)m->random);
	if (v.oom || part.oom)
		out->oom = 1;
	nb_free(&v);
	nb_free(&part);
	return out->oom ? CTMON_ENOMEM : CTMON_OK;
}
