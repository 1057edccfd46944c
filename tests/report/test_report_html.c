/* test_report_html.c - the HTML report: escaping per context, the
 * format choice, the page's counts over a store filled through the
 * store's API (hostile issuer and names included), and the JSON report
 * staying valid UTF-8 whatever bytes the store holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "report.h"
#include "report_html.h"
#include "report_html_esc.h"
#include "store.h"
#include "util.h"

#define NOW INT64_C(1795608000) /* 2026-11-25T12:00:00Z, a Wednesday */
#define DAY INT64_C(86400)

static const char LE[] = "C=US, O=Let's Encrypt, CN=R3";
static const char HOSTILE_CA[] =
	"C=XX, O=<img src=x onerror=\"document.title='pwned'\">, "
	"CN=<script>alert(1)</script>";
static const char HOSTILE_NAME[] = "<img src=x onerror=alert(1)>.example.com";

/* ---- helpers ------------------------------------------------------------ */

static char *esc(void (*fn)(struct ctm_buf *, const char *), const char *s)
{
	struct ctm_buf b;

	ctm_buf_init(&b);
	fn(&b, s);
	ctm_buf_puts(&b, "");
	assert_false(b.oom);
	return ctm_buf_take(&b);
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* 1 if s is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static int valid_utf8(const unsigned char *s)
{
	while (*s) {
		size_t n;
		unsigned int cp;
		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf)
			n = 1, cp = *s & 0x1f;
		else if (*s >= 0xe0 && *s <= 0xef)
			n = 2, cp = *s & 0x0f;
		else if (*s >= 0xf0 && *s <= 0xf4)
			n = 3, cp = *s & 0x07;
		else
			return 0;
		for (size_t i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		s += n + 1;
	}
	return 1;
}

/* ---- escaping ----------------------------------------------------------- */

static void test_escape_contexts(void **state)
{
	char *t;

	(void)state;
	t = esc(ctm_html_text, HOSTILE_NAME);
	assert_string_equal(t, "&lt;img src=x onerror=alert(1)&gt;.example.com");
	free(t);
	/* Attribute values: neither quote can end the attribute. */
	t = esc(ctm_html_attr, "a\"b'c`d&e");
	assert_string_equal(t, "a&quot;b&#39;c&#96;d&amp;e");
	free(t);
	/* Invalid UTF-8 becomes U+FFFD; valid multi-byte text is kept;
	 * control characters are replaced, tab and newline kept. */
	t = esc(ctm_html_text, "Caf\xe9 \xc3\xa9t\xc3\xa9\x01\t\n\xed\xa0\x80");
	assert_string_equal(t, "Caf\xef\xbf\xbd \xc3\xa9t\xc3\xa9\xef\xbf\xbd"
			       "\t\n\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	free(t);
	/* URLs: everything but RFC 3986 unreserved is percent-encoded. */
	t = esc(ctm_url_component, "*.a_b.example.com/x?y=\"<>\xe9 ");
	assert_string_equal(t, "%2A.a_b.example.com%2Fx%3Fy%3D%22%3C%3E%E9%20");
	free(t);
	t = esc(ctm_html_crtsh_query_href, "\"><script>");
	assert_string_equal(t, "\"https://crt.sh/?q=%22%3E%3Cscript%3E\"");
	free(t);
	{
		struct ctm_buf b;
		ctm_buf_init(&b);
		ctm_html_crtsh_id_href(&b, INT64_C(8913351873));
		assert_string_equal(b.data, "\"https://crt.sh/?id=8913351873\"");
		ctm_buf_free(&b);
	}
}

static void test_format_choice(void **state)
{
	enum ctm_report_format f = CTM_REPORT_JSON;

	(void)state;
	assert_int_equal(ctm_report_format_for("r.html", CTM_REPORT_AUTO),
			 CTM_REPORT_HTML);
	assert_int_equal(ctm_report_format_for("/x/R.HTM", CTM_REPORT_AUTO),
			 CTM_REPORT_HTML);
	assert_int_equal(ctm_report_format_for("r.json", CTM_REPORT_AUTO),
			 CTM_REPORT_JSON);
	assert_int_equal(ctm_report_format_for("-", CTM_REPORT_AUTO),
			 CTM_REPORT_JSON);
	assert_int_equal(ctm_report_format_for("html", CTM_REPORT_AUTO),
			 CTM_REPORT_JSON);
	assert_int_equal(ctm_report_format_for("r.html", CTM_REPORT_JSON),
			 CTM_REPORT_JSON);
	assert_int_equal(ctm_report_format_for("-", CTM_REPORT_HTML),
			 CTM_REPORT_HTML);
	assert_int_equal(ctm_report_format_parse("html", &f), 0);
	assert_int_equal(f, CTM_REPORT_HTML);
	assert_int_equal(ctm_report_format_parse("auto", &f), 0);
	assert_int_equal(f, CTM_REPORT_AUTO);
	assert_int_equal(ctm_report_format_parse("json", &f), 0);
	assert_int_equal(f, CTM_REPORT_JSON);
	assert_int_equal(ctm_report_format_parse("HTML", &f), -1);
	assert_int_equal(ctm_report_format_parse("pdf", &f), -1);
}

/* ---- a store ------------------------------------------------------------ */

struct fx {
	char dir[64];
	char db[128];
	struct ctm_store *s;
};

static int fx_setup(void **state)
{
	struct ctm_error err;
	struct fx *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/ctm-test-rhtml-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof f->db, "%s/ct.db", f->dir);
	if (ctm_store_open(f->db, &f->s, &err) != CTMON_OK)
		return -1;
	*state = f;
	return 0;
}

static void remove_in(const char *dir, const char *name)
{
	char path[192];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	ctm_store_close(f->s);
	remove_in(f->dir, "ct.db");
	remove_in(f->dir, "ct.db-wal");
	remove_in(f->dir, "ct.db-shm");
	remove_in(f->dir, "r.html");
	rmdir(f->dir);
	free(f);
	return 0;
}

static int64_t ingest(struct ctm_store *s, int64_t crtsh_id,
		      const char *issuer, int64_t ca_id, const char *serial,
		      int64_t not_before, int64_t not_after, const char *name)
{
	const char *names[] = {name, NULL};
	char *copy[] = {(char *)name, NULL};
	struct ctm_ingest_result res;
	struct ctm_cert_in in;
	struct ctmon_cert src;

	memset(&src, 0, sizeof src);
	src.size = sizeof src;
	src.crtsh_id = crtsh_id;
	src.log_index = -1;
	src.issuer_dn = issuer;
	src.issuer_ca_id = ca_id;
	src.subject_cn = name;
	src.names = names;
	src.n_names = 1;
	src.serial = serial;
	src.not_before = not_before;
	src.not_after = not_after;
	memset(&in, 0, sizeof in);
	in.src = &src;
	in.source_id = "test";
	in.names = copy;
	in.n_names = 1;
	assert_int_equal(ctm_store_ingest(s, &in, NOW - DAY, &res), CTMON_OK);
	assert_int_equal(res.issuance_is_new, 1);
	return res.issuance_id;
}

static int64_t alert(struct ctm_store *s, const char *type,
		     enum ctmon_severity sev, const char *key,
		     const char *details, int64_t issuance_id, int64_t when)
{
	struct ctm_alert_in in;
	int64_t id = 0;
	int inserted = 0;

	memset(&in, 0, sizeof in);
	in.type = type;
	in.severity = sev;
	in.domain = "example.com";
	in.key = key;
	in.details_json = details;
	in.issuance_id = issuance_id;
	in.check_id = type;
	assert_int_equal(ctm_store_alert_insert(s, &in, when, &id, &inserted),
			 CTMON_OK);
	assert_int_equal(inserted, 1);
	return id;
}

static void touch(struct ctm_store *s, const char *name, int64_t iss)
{
	int is_new = 0;

	assert_int_equal(ctm_store_subdomain_touch(s, "example.com", name, iss,
						   NOW - DAY, &is_new),
			 CTMON_OK);
}

/* example.com: 5 issuances from Let's Encrypt in three weeks, 2 from a
 * CA with a hostile DN that the check flagged; 3 subdomains, one a
 * dangling CNAME, one with a hostile name; 3 open alerts, 1 acked. */
static void fill(struct ctm_store *s)
{
	char serial[16], details[512];
	int64_t iss[7];
	int baselined = 0, changed = 0;
	int64_t acked;

	assert_int_equal(ctm_store_begin(s), CTMON_OK);
	assert_int_equal(ctm_store_domain_ensure(s, "example.com", NOW - 60 * DAY,
						 &baselined),
			 CTMON_OK);
	for (int i = 0; i < 5; i++) {
		snprintf(serial, sizeof serial, "0a%02d", i);
		/* Valid, 5, 10, 20, 40 and 80 days left. */
		iss[i] = ingest(s, 100 + i, LE, 1001, serial,
				NOW - (i % 3) * 7 * DAY - DAY,
				NOW + (INT64_C(5) << i) * DAY, "www.example.com");
	}
	iss[5] = ingest(s, 200, HOSTILE_CA, 0, "0b01", NOW - 2 * DAY,
			NOW + 3 * DAY, "api.example.com");
	iss[6] = ingest(s, 201, HOSTILE_CA, 0, "0b02", NOW - 2 * DAY,
			NOW - DAY, "api.example.com");
	touch(s, "www.example.com", iss[0]);
	touch(s, "api.example.com", iss[5]);
	touch(s, HOSTILE_NAME, iss[5]);
	assert_int_equal(ctm_store_subdomain_set_dns(
				 s, "example.com", "api.example.com",
				 "dangling_cname", NULL, "gone.cloud.example",
				 NOW - 60),
			 CTMON_OK);
	snprintf(details, sizeof details,
		 "{\"issuance\":{\"crtsh_ids\":[200],\"issuer\":\"C=XX, "
		 "O=<img src=x onerror=\\\"document.title='pwned'\\\">\","
		 "\"names\":[\"%s\"],\"not_before\":\"2026-11-23T12:00:00Z\","
		 "\"not_after\":\"2026-11-28T12:00:00Z\"}}",
		 HOSTILE_NAME);
	alert(s, "unauthorized_ca", CTMON_SEV_CRITICAL, "iss200", details,
	      iss[5], NOW - 100);
	alert(s, "new_subdomain", CTMON_SEV_INFO, "www.example.com", "{}",
	      iss[0], NOW - 50);
	alert(s, "wildcard_certificate", CTMON_SEV_HIGH, "iss1", "{}", iss[1],
	      NOW - 10);
	acked = alert(s, "new_subdomain", CTMON_SEV_INFO, "api.example.com",
		      "{}", iss[5], NOW - 200);
	assert_int_equal(ctm_store_alert_ack(s, acked, NOW, &changed),
			 CTMON_OK);
	assert_int_equal(ctm_store_kv_put(s, "source:crtsh", "status.example.com",
					  "{\"last_query_at\":1795600000,"
					  "\"records\":7}",
					  NOW),
			 CTMON_OK);
	assert_int_equal(ctm_store_commit(s), CTMON_OK);
}

static char *build_html(struct ctm_store *s)
{
	static char *domains[] = {"example.com", NULL};
	struct ctm_error err;
	char *html = NULL;

	err.text[0] = '\0';
	if (ctm_report_html_build(s, domains, 1, NOW, &html, &err) !=
	    CTMON_OK)
		fail_msg("html: %s", err.text);
	assert_non_null(html);
	return html;
}

static void test_page_escapes_everything(void **state)
{
	struct fx *f = *state;
	char *html;

	fill(f->s);
	html = build_html(f->s);
	assert_true(valid_utf8((const unsigned char *)html));
	/* The hostile strings are text: no element, no handler. */
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "<script>alert"));
	assert_null(strstr(html, "onerror=\""));
	assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"
				     ".example.com"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	/* Links: crt.sh only, by numeric id or percent-encoded name. */
	assert_non_null(strstr(html, "href=\"https://crt.sh/?id=200\""));
	assert_non_null(strstr(html, "href=\"https://crt.sh/?q=%3Cimg%20src"
				     "%3Dx%20onerror%3Dalert%281%29%3E"
				     ".example.com\""));
	assert_int_equal(count_of(html, "https://"),
			 count_of(html, "https://crt.sh/?"));
	assert_int_equal(count_of(html, "http://"),
			 count_of(html, "xmlns=\"http://www.w3.org/2000/svg\""));
	/* One script, one style, both allowed by hash; nothing else. */
	assert_non_null(strstr(html, "http-equiv=\"Content-Security-Policy\" "
				     "content=\"default-src 'none'; style-src "
				     "'sha256-"));
	assert_int_equal(count_of(html, "<script"), 1);
	assert_int_equal(count_of(html, "<style"), 1);
	assert_null(strstr(html, " style="));
	/* Every "onerror" is inside escaped text of an "<img", or
	 * percent-encoded in a link. */
	for (const char *p = html; (p = strstr(p, "onerror")); p++)
		assert_true(p - html > 14 &&
			    (strncmp(p - 14, "&lt;img src=x ", 14) == 0 ||
			     strncmp(p - 3, "%20", 3) == 0));
	free(html);
}

static void test_page_counts(void **state)
{
	struct fx *f = *state;
	char *html;
	const char *sec;

	fill(f->s);
	html = build_html(f->s);
	sec = strstr(html, "data-domain=\"example.com\"");
	assert_non_null(sec);
	assert_non_null(strstr(sec, "data-card=\"certificates\"><b>7</b>"));
	/* Valid now: 5 Let's Encrypt + 1 hostile (the other expired). */
	assert_non_null(strstr(sec, "data-card=\"valid\"><b>6</b>"));
	/* 5, 10, 20 days (LE) and 3 days (hostile) left. */
	assert_non_null(strstr(sec, "data-card=\"expiring\"><b>4</b>"));
	assert_non_null(strstr(sec, "data-card=\"subdomains\"><b>3</b>"));
	assert_non_null(strstr(sec, "data-card=\"dangling\"><b>1</b>"));
	assert_non_null(strstr(sec, "data-card=\"open-alerts\"><b>3</b>"));
	/* The charts carry their totals. */
	assert_non_null(strstr(sec, "data-chart=\"issuance\" data-total=\"7\""));
	assert_non_null(strstr(sec, "data-chart=\"expiry\" data-total=\"6\""));
	assert_non_null(
		strstr(sec, "data-chart=\"subdomains\" data-total=\"3\""));
	/* The flagged CA is hatched and says so in the legend. */
	assert_non_null(strstr(sec, "fill=\"url(#h"));
	assert_int_equal(count_of(sec, "(unauthorised)</tspan>"), 1);
	/* Threshold lines at 7, 14 and 30 days. */
	assert_int_equal(count_of(sec, "<line class=\"mark\""), 3);
	/* Alerts: 3 open rows, newest first; 1 acknowledged, folded. */
	assert_int_equal(count_of(sec, "<tr data-alert="), 4);
	assert_non_null(strstr(sec, "<details data-acknowledged=\"1\">"));
	sec = strstr(sec, "data-table=\"open-alerts\"");
	assert_non_null(sec);
	assert_true(strstr(sec, "wildcard_certificate") <
		    strstr(sec, "unauthorized_ca"));
	assert_true(strstr(sec, "<details") > strstr(sec, "unauthorized_ca"));
	sec = strstr(html, "data-domain=\"example.com\"");
	/* The dangling CNAME leads the subdomain table, highlighted. */
	assert_int_equal(count_of(sec, "<tr class=\"dangling\">"), 1);
	assert_true(strstr(sec, "<tr class=\"dangling\"><td class=\"name\">"
				"<a href=\"https://crt.sh/?q=api.example.com\"") !=
		    NULL);
	/* Source health shows the crt.sh search. */
	assert_non_null(strstr(html, "2026-11-25T09:46:40Z"));
	free(html);
}

/* The JSON report: whatever bytes the store holds in alert types, alert
 * details, DNS answers, state and cursor keys, it is valid UTF-8. */
static void test_json_report_is_valid_utf8(void **state)
{
	static char *domains[] = {"example.com", NULL};
	struct fx *f = *state;
	struct json_tokener *tok;
	struct json_object *r;
	struct ctm_error err;
	char *text = NULL;
	int64_t iss;
	int baselined = 0;

	assert_int_equal(ctm_store_begin(f->s), CTMON_OK);
	assert_int_equal(ctm_store_domain_ensure(f->s, "example.com", NOW,
						 &baselined),
			 CTMON_OK);
	iss = ingest(f->s, 1, "O=Caf\xe9", 0, "01", NOW - DAY, NOW + DAY,
		     "www.example.com");
	touch(f->s, "www.example.com", iss);
	assert_int_equal(ctm_store_subdomain_set_dns(
				 f->s, "example.com", "www.example.com",
				 "resolved", "10.0.0.1 \xff\xfe", "c\xe9.x",
				 NOW),
			 CTMON_OK);
	alert(f->s, "type\xe9", CTMON_SEV_LOW, "k", "{\"why\":\"bad \xe9\"}",
	      iss, NOW);
	assert_int_equal(ctm_store_kv_put(f->s, "source:s", "status.l\xe9",
					  "{\"n\":\"\xe9\"}", NOW),
			 CTMON_OK);
	assert_int_equal(ctm_store_cursor_set(f->s, "s", "k\xe9", "v\xe9",
					      NOW),
			 CTMON_OK);
	assert_int_equal(ctm_store_commit(f->s), CTMON_OK);
	assert_int_equal(ctm_report_build(f->s, domains, 1, NOW, &text, &err),
			 CTMON_OK);
	assert_true(valid_utf8((const unsigned char *)text));
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8 |
					    JSON_TOKENER_STRICT);
	r = json_tokener_parse_ex(tok, text, (int)strlen(text));
	assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
	assert_non_null(r);
	json_tokener_free(tok);
	/* The details stay an object; only the bad byte changed. */
	assert_non_null(strstr(text, "\"why\": \"bad \xef\xbf\xbd\""));
	assert_non_null(strstr(text, "\"type\xef\xbf\xbd\": 1"));
	json_object_put(r);
	free(text);
}

/* --report FILE.html writes the page, atomically like the JSON. */
static void test_write_html_file(void **state)
{
	static char *domains[] = {"example.com", NULL};
	struct fx *f = *state;
	struct ctm_error err;
	char path[192], head[32];
	FILE *fp;

	fill(f->s);
	snprintf(path, sizeof path, "%s/r.html", f->dir);
	assert_int_equal(ctm_report_write(f->s, domains, 1, NOW, path, &err),
			 CTMON_OK);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(head, sizeof head, fp));
	fclose(fp);
	assert_string_equal(head, "<!DOCTYPE html>\n");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_contexts),
		cmocka_unit_test(test_format_choice),
		T(test_page_escapes_everything),
		T(test_page_counts),
		T(test_json_report_is_valid_utf8),
		T(test_write_html_file),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
