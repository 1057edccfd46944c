/* test_email_message.c - the email notifier's message, built by its own
 * code (email_msg.c, email_body.c compiled in) from hostile alerts:
 * quoted-printable and RFC 2047 encoders checked by decoding, headers
 * that cannot be injected into, the multipart structure, both parts.
 * tests/notifiers/test_email.py sends real messages to aiosmtpd. */
#include "email.h"
#include "notif_test.h"

/* ---- decoders ------------------------------------------------------- */

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* Quoted-printable to bytes; CRLF becomes "\n".  Fails the test on
 * malformed input. */
static char *qp_decode(const char *s, size_t len)
{
	char *out = calloc(1, len + 1);
	size_t o = 0;

	assert_non_null(out);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '=' && i + 2 < len && s[i + 1] == '\r' &&
		    s[i + 2] == '\n') {
			i += 2; /* soft break */
		} else if (s[i] == '=') {
			assert_true(i + 2 < len);
			assert_true(hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0);
			out[o++] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
			i += 2;
		} else if (s[i] == '\r') {
			assert_true(i + 1 < len && s[i + 1] == '\n');
		} else {
			out[o++] = s[i];
		}
	}
	return out;
}

static int b64(char c)
{
	const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			  "0123456789+/";
	const char *p = c ? strchr(tab, c) : NULL;

	return p ? (int)(p - tab) : -1;
}

/* Decodes "=?UTF-8?B?...?=" words of a header value (folds removed). */
static char *words_decode(const char *v)
{
	char *out = calloc(1, strlen(v) + 1);
	size_t o = 0;
	const char *p = v;

	assert_non_null(out);
	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		uint32_t acc = 0;
		int bits = 0;

		for (p += 10; *p && *p != '?'; p++) {
			if (*p == '=')
				continue;
			assert_true(b64(*p) >= 0);
			acc = (acc << 6) | (uint32_t)b64(*p);
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				out[o++] = (char)((acc >> bits) & 0xff);
			}
		}
		assert_int_equal(strncmp(p, "?=", 2), 0);
	}
	return out;
}

/* ---- quoted-printable -------------------------------------------------- */

static void check_qp_lines(const char *qp)
{
	const char *line = qp;

	while (*line) {
		const char *crlf = strstr(line, "\r\n");
		size_t n = crlf ? (size_t)(crlf - line) : strlen(line);

		assert_true(n <= 76);
		for (size_t i = 0; i < n; i++)
			assert_true(line[i] >= 0x20 && line[i] < 0x7f);
		/* No whitespace may end a line; no '.' may start one. */
		if (n)
			assert_true(line[n - 1] != ' ' && line[n - 1] != '\t');
		assert_true(line[0] != '.');
		line = crlf ? crlf + 2 : line + n;
	}
}

static void test_qp_round_trip(void **unused)
{
	char text[4000];
	struct nbuf out = {0};
	char *back;

	(void)unused;
	snprintf(text, sizeof text,
		 ".starts with a dot\na=b and trailing space \n%s\n"
		 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92\n.\n", H_HTML);
	for (size_t i = strlen(text); i < 3000; i++)
		text[i] = (char)('a' + i % 26);
	text[3000] = '\0';
	em_qp(&out, text, strlen(text));
	assert_false(out.oom);
	check_qp_lines(nb_str(&out));
	assert_non_null(strstr(nb_str(&out), "a=3Db"));
	assert_non_null(strstr(nb_str(&out), "=2Estarts"));
	back = qp_decode(nb_str(&out), out.len);
	assert_string_equal(back, text);
	free(back);
	nb_free(&out);
}

/* ---- headers -------------------------------------------------------- */

/* The header's value with folds removed; fails if a line is too long or
 * a continuation does not start with a space. */
static char *unfold(const char *h, const char *name)
{
	char *out = calloc(1, strlen(h) + 1);
	size_t o = 0, col = 0;

	assert_non_null(out);
	assert_int_equal(strncmp(h, name, strlen(name)), 0);
	assert_int_equal(h[strlen(name)], ':');
	for (const char *p = h + strlen(name) + 2; *p; p++) {
		if (p[0] == '\r') {
			assert_int_equal(p[1], '\n');
			if (!p[2])
				break;
			assert_int_equal(p[2], ' ');
			p++;
			col = 0;
			continue;
		}
		assert_true((unsigned char)*p >= 0x20 &&
			    (unsigned char)*p < 0x7f);
		assert_true(++col <= 78);
		out[o++] = *p;
	}
	return out;
}

static void test_header_injection(void **unused)
{
	struct nbuf out = {0};
	char *v;

	(void)unused;
	em_header(&out, "Subject", "alert " H_CRLF);
	/* One header: CR/LF only at its end. */
	assert_int_equal(strstr(nb_str(&out), "\r\n") - nb_str(&out),
			 (long)out.len - 2);
	v = unfold(nb_str(&out), "Subject");
	assert_string_equal(v, "alert evil\\x0d\\x0aBcc: victim@example.com"
			       "\\x0d\\x0a\\x0d\\x0aforged line");
	free(v);
	nb_free(&out);
}

static void test_header_encoded_words(void **unused)
{
	struct nbuf out = {0};
	char *v, *d;
	char longv[600];

	(void)unused;
	/* Non-ASCII and bytes that are not UTF-8: encoded words. */
	em_header(&out, "Subject", "caf\xc3\xa9 " H_BADUTF8 " \xe2\x80\xae!");
	v = unfold(nb_str(&out), "Subject");
	assert_int_equal(strncmp(v, "=?UTF-8?B?", 10), 0);
	d = words_decode(v);
	assert_string_equal(d, "caf\xc3\xa9 bad\xef\xbf\xbd\xef\xbf\xbd"
			       "\xef\xbf\xbd( end \\u{202e}!");
	free(d);
	free(v);
	nb_reset(&out);
	/* "=?" in plain text is encoded too, so no reader decodes ours. */
	em_header(&out, "Subject", "x =?UTF-8?B?PHNjcmlwdD4=?= y");
	v = unfold(nb_str(&out), "Subject");
	d = words_decode(v);
	assert_string_equal(d, "x =?UTF-8?B?PHNjcmlwdD4=?= y");
	free(d);
	free(v);
	nb_reset(&out);
	/* Long ASCII is folded at spaces, lines under 78 characters. */
	for (size_t i = 0; i < sizeof longv - 1; i++)
		longv[i] = i % 7 == 6 ? ' ' : 'x';
	longv[sizeof longv - 1] = '\0';
	em_header(&out, "Subject", longv);
	v = unfold(nb_str(&out), "Subject");
	free(v);
	nb_free(&out);
}

static void test_date(void **unused)
{
	char d[64];

	(void)unused;
	em_date(1795617122, d, sizeof d);
	assert_string_equal(d, "Wed, 25 Nov 2026 14:32:02 +0000");
	em_date(0, d, sizeof d);
	assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 +0000");
}

/* ---- the message ------------------------------------------------------- */

/* The part between two boundary lines, decoded. */
static char *part(const char *msg, const char *boundary, int index,
		  const char *content_type)
{
	char delim[128], *body;
	const char *p = msg, *start, *end, *hdr_end;

	snprintf(delim, sizeof delim, "\r\n--%s\r\n", boundary);
	for (int i = 0; i <= index; i++) {
		p = strstr(p, delim);
		assert_non_null(p);
		p += strlen(delim);
	}
	start = p;
	hdr_end = strstr(start, "\r\n\r\n");
	assert_non_null(hdr_end);
	assert_non_null(strstr(start, content_type));
	assert_true(strstr(start, content_type) < hdr_end);
	assert_true(strstr(start, "Content-Transfer-Encoding: "
				  "quoted-printable") < hdr_end);
	end = strstr(hdr_end, "\r\n--");
	assert_non_null(end);
	check_qp_lines(hdr_end + 4);
	body = qp_decode(hdr_end + 4, (size_t)(end - hdr_end - 4));
	return body;
}

static void test_message(void **unused)
{
	struct t_alert t[2];
	const struct ctmon_alert *list[2] = {&t[0].a, &t[1].a};
	char *to[] = {"sec@example.org", "soc@example.org", NULL};
	struct em_msg m = {"ctmon@example.org", to, "[ctmon]", 1795617122,
			   0x0123456789abcdefULL,
			   "<ctmon.b1.2.0123456789abcdef@example.org>"};
	struct nbuf out = {0};
	const char *msg, *head_end;
	char *text, *html;
	size_t boundaries = 0;

	(void)unused;
	t_alert_plain(&t[0], 1);
	t_alert_hostile(&t[1], 2);
	assert_int_equal(em_build_message(&out, &m, list, 2), CTMON_OK);
	msg = nb_str(&out);
	assert_true(t_valid_utf8(msg));
	head_end = strstr(msg, "\r\n\r\n");
	assert_non_null(head_end);
	/* Exactly our headers, each where expected. */
	assert_int_equal(strncmp(msg, "Date: Wed, 25 Nov 2026 14:32:02 +0000\r\n"
				      "From: ctmon <ctmon@example.org>\r\n"
				      "To: sec@example.org, soc@example.org\r\n"
				      "Subject: [ctmon] 2 new certificate "
				      "alerts for example.com (highest: "
				      "critical)\r\n"
				      "Message-ID: <ctmon.b1.2."
				      "0123456789abcdef@example.org>\r\n"
				      "MIME-Version: 1.0\r\n"
				      "Content-Type: multipart/alternative; "
				      "boundary=\"=_ctmon_0123456789abcdef\""
				      "\r\n",
			      strlen("Date: Wed, 25 Nov 2026 14:32:02 +0000\r\n"
				     "From: ctmon <ctmon@example.org>\r\n"
				     "To: sec@example.org, soc@example.org\r\n"
				     "Subject: [ctmon] 2 new certificate "
				     "alerts for example.com (highest: "
				     "critical)\r\n"
				     "Message-ID: <ctmon.b1.2."
				     "0123456789abcdef@example.org>\r\n"
				     "MIME-Version: 1.0\r\n"
				     "Content-Type: multipart/alternative; "
				     "boundary=\"=_ctmon_0123456789abcdef\""
				     "\r\n")),
			 0);
	/* No header but ours (a soft break in a part may precede "Bcc"
	 * text: that is body, checked decoded below). */
	for (const char *p = msg; p && p < head_end; p = strstr(p, "\r\n")) {
		p += 2;
		if (p < head_end)
			assert_true(strncmp(p, "Bcc", 3) != 0);
	}
	/* Every line ends in CRLF and is short. */
	for (const char *p = msg; *p; p++)
		if (*p == '\n')
			assert_int_equal(p[-1], '\r');
	for (const char *p = msg; (p = strstr(p, "--=_ctmon_0123456789abcdef"));
	     p++)
		boundaries++;
	assert_int_equal(boundaries, 3);
	assert_non_null(strstr(msg, "\r\n--=_ctmon_0123456789abcdef--\r\n"));
	text = part(msg, "=_ctmon_0123456789abcdef", 0, "text/plain; "
							"charset=utf-8");
	html = part(msg, "=_ctmon_0123456789abcdef", 1, "text/html; "
							"charset=utf-8");
	assert_true(t_valid_utf8(text));
	assert_true(t_no_controls(text));
	assert_non_null(strstr(text, "ctmon: 2 new certificate alerts "
				     "(highest: critical)"));
	assert_non_null(strstr(text, "[MEDIUM] New subdomain in a certificate "
				     "(new_subdomain)\n  Domain:   example.com\n"));
	assert_non_null(strstr(text, "https://crt.sh/?id=1002"));
	assert_non_null(strstr(text, "evil\\x0d\\x0aBcc: victim"));
	assert_null(strstr(text, "\nBcc"));
	assert_non_null(strstr(text, "ctmon --ack 2"));
	assert_true(t_valid_utf8(html));
	assert_null(strstr(html, "<script>"));
	assert_null(strstr(html, "<b>bold"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; "
				     "&amp; &lt;b&gt;"));
	assert_non_null(strstr(html, "<a href=\"https://crt.sh/?id=1002\">"
				     "1002</a>"));
	assert_non_null(strstr(html, "&lt;https://evil.example/|click here&gt;"));
	free(text);
	free(html);
	nb_free(&out);
	t_alert_free(&t[0]);
	t_alert_free(&t[1]);
}

/* The Message-ID comes from the alerts alone (ids, types, domains, keys),
 * not from the time or a random number: the batch re-sent after a crash
 * carries the same one, and any other batch another. */
static void test_message_id(void **unused)
{
	struct t_alert t[3];
	const struct ctmon_alert *two[2] = {&t[0].a, &t[1].a};
	const struct ctmon_alert *one[1] = {&t[0].a};
	struct nbuf a = {0}, b = {0}, c = {0}, d = {0};
	char want[128];

	(void)unused;
	t_alert_plain(&t[0], 7);
	t_alert_plain(&t[1], 8);
	em_message_id(&a, two, 2, "mx.example.org");
	em_message_id(&b, two, 2, "mx.example.org");
	assert_string_equal(nb_str(&a), nb_str(&b));
	assert_int_equal(strncmp(nb_str(&a), "<ctmon.b7.2.", 12), 0);
	assert_int_equal(strlen(nb_str(&a)),
			 strlen("<ctmon.b7.2.0123456789abcdef@mx.example.org>"));
	em_message_id(&c, one, 1, "mx.example.org");
	assert_int_equal(strncmp(nb_str(&c), "<ctmon.a7.", 10), 0);
	snprintf(want, sizeof want, "@mx.example.org>");
	assert_string_equal(nb_str(&c) + strlen(nb_str(&c)) - strlen(want),
			    want);
	/* Another key under the same ids: another message. */
	t_alert_plain(&t[2], 8);
	t[2].a.key = "other.example.com";
	two[1] = &t[2].a;
	em_message_id(&d, two, 2, "mx.example.org");
	assert_string_not_equal(nb_str(&a), nb_str(&d));
	nb_free(&a);
	nb_free(&b);
	nb_free(&c);
	nb_free(&d);
	t_alert_free(&t[0]);
	t_alert_free(&t[1]);
	t_alert_free(&t[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qp_round_trip),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test(test_header_encoded_words),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_message_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
