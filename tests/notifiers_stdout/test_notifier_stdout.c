/* test_notifier_stdout.c - the stdout notifier loaded from the build tree
 * into the fake host (real loader, real option validation), its output
 * captured by pointing fd 1 / fd 2 at temporary files. */
#include <fcntl.h>
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

#include "ctmon/plugin.h"
#include "fakehost.h"

#define PLUGIN_PATH CTM_PLUGIN_BUILD_DIR "/stdout.so"

/* Loads the built plugin into a fresh fake host with a config snippet;
 * fails the test if loading or create() fails. */
static struct fh_host *load(const char *snippet)
{
	struct fh_host *fh = fh_new();
	char err[1024] = "";

	assert_non_null(fh);
	if (fh_load(fh, PLUGIN_PATH, snippet, err, sizeof err) != CTMON_OK)
		fail_msg("loading %s: %s", PLUGIN_PATH, err);
	return fh;
}

/* ---- capturing fd 1 and fd 2 ------------------------------------------- */

struct captured {
	int rc;
	char *out; /* what went to stdout */
	char *err; /* what went to stderr */
};

static int temp_fd(void)
{
	char path[] = "/tmp/ctm-test-stdout-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static char *slurp(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *text;

	assert_true(size >= 0);
	text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(pread(fd, text, (size_t)size, 0), size);
	return text;
}

/* Runs deliver with stdout and stderr pointing at temp files (or stdout
 * at `out_path` when given, e.g. /dev/full).  No cmocka assertion runs
 * while the descriptors are redirected. */
static struct captured deliver(struct fh_host *fh, const struct ctmon_alert *a,
			       size_t n, const char *out_path)
{
	const struct ctmon_alert *list[16];
	struct captured c;
	int out_fd, err_fd, saved_out, saved_err;

	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++)
		list[i] = &a[i];
	out_fd = out_path ? open(out_path, O_WRONLY) : temp_fd();
	assert_true(out_fd >= 0);
	err_fd = temp_fd();
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	assert_true(saved_out >= 0 && saved_err >= 0);
	dup2(out_fd, 1);
	dup2(err_fd, 2);
	c.rc = fh_deliver(fh, list, n);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	c.out = out_path ? NULL : slurp(out_fd);
	c.err = slurp(err_fd);
	close(out_fd);
	close(err_fd);
	return c;
}

static void captured_free(struct captured *c)
{
	free(c->out);
	free(c->err);
}

static struct ctmon_alert alert(int64_t id, const char *type,
				enum ctmon_severity sev, const char *domain,
				const char *details, const char *json)
{
	struct ctmon_alert a;

	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.id = id;
	a.type = type;
	a.severity = sev;
	a.domain = domain;
	a.key = "k";
	a.details_json = details;
	a.created_at = 1790000000;
	a.json = json;
	return a;
}

static size_t count_char(const char *s, char ch)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == ch;
	return n;
}

/* ---- tests ------------------------------------------------------------- */

static void test_descriptor(void **unused)
{
	struct fh_host *fh = load(NULL);
	const struct ctmon_plugin *plugin = fh_plugin(fh);
	const struct ctmon_notifier_ops *ops;
	const struct ctmon_option *o;

	(void)unused;
	assert_non_null(plugin);
	ops = plugin->ops;
	assert_string_equal(plugin->name, "stdout");
	assert_int_equal(plugin->kind, CTMON_KIND_NOTIFIER);
	assert_int_equal(plugin->abi_major, CTMON_PLUGIN_ABI_MAJOR);
	assert_true(plugin->size >= CTMON_PLUGIN_SIZE_1_0);
	assert_non_null(plugin->create);
	assert_non_null(plugin->destroy);
	assert_non_null(ops->deliver);
	assert_int_equal(plugin->n_options, 2);
	o = plugin->options;
	assert_string_equal(o[0].name, "format");
	assert_int_equal(o[0].type, CTMON_OPT_STRING);
	assert_string_equal(o[0].default_value, "text");
	o = (const void *)((const char *)plugin->options + plugin->option_size);
	assert_string_equal(o->name, "stream");
	assert_string_equal(o->default_value, "stdout");
	fh_free(fh);
}

/* The check's details repeat the domain, the issuer and the store id: the
 * text line shows each once. */
static const char ISSUANCE_DETAILS[] =
	"{\"issuer\":\"C=US, O=Evil CA\",\"issuer_ca_id\":99,"
	"\"issuance_id\":7,\"parent_domain\":\"example.com\","
	"\"issuance\":{\"id\":7,\"crtsh_ids\":[123,456],"
	"\"fingerprint\":\"ab12\",\"issuer\":\"C=US, O=Evil CA\","
	"\"issuer_ca_id\":99,\"serial\":\"0a\",\"names\":[\"a.example.com\","
	"\"b.example.com\"],\"not_before\":\"2026-01-01T00:00:00Z\","
	"\"not_after\":\"2026-04-01T00:00:00Z\"}}";

static void test_text_lines(void **unused)
{
	struct ctmon_alert a[5];
	struct captured c;
	struct fh_host *st = load(NULL); /* defaults: text on stdout */

	(void)unused;
	a[0] = alert(1, "unauthorized_ca", CTMON_SEV_CRITICAL, "example.com",
		     ISSUANCE_DETAILS, NULL);
	a[1] = alert(2, "new_subdomain", CTMON_SEV_LOW, "example.com",
		     "{\"name\":\"dev.example.com\",\"issuance\":{"
		     "\"crtsh_ids\":[],\"fingerprint\":\"ff00\","
		     "\"issuer\":\"\",\"names\":[]}}",
		     NULL);
	a[1].baseline = 1;
	a[2] = alert(3, "certificate_expiring", CTMON_SEV_MEDIUM,
		     "bank.example.com", NULL, NULL);
	a[3] = alert(4, "odd", CTMON_SEV_INFO, "example.com", "not json",
		     NULL);
	a[4] = alert(5, "expiring", CTMON_SEV_HIGH, "example.com",
		     "{\"days\":7,\"ok\":true,\"nested\":{\"x\":1}}", NULL);
	c = deliver(st, a, 5, NULL);
	assert_int_equal(c.rc, CTMON_OK);
	assert_string_equal(
		c.out,
		"ctmon: 5 new alerts (highest: critical)\n"
		"[CRITICAL] unauthorized_ca example.com \xe2\x80\x94 issuer "
		"C=US, O=Evil CA (crt.sh 123, 456) names: a.example.com, "
		"b.example.com; issuer_ca_id=99\n"
		"[LOW] new_subdomain example.com (baseline) "
		"\xe2\x80\x94 issuer "
		"(unknown) (sha256 ff00); name=dev.example.com\n"
		"[MEDIUM] certificate_expiring bank.example.com\n"
		"[INFO] odd example.com\n"
		"[HIGH] expiring example.com \xe2\x80\x94 days=7, ok=true\n");
	assert_string_equal(c.err, "");
	captured_free(&c);

	/* One alert: singular header, highest is its own severity. */
	c = deliver(st, &a[1], 1, NULL);
	assert_int_equal(c.rc, CTMON_OK);
	assert_true(strncmp(c.out, "ctmon: 1 new alert (highest: low)\n",
			    34) == 0);
	captured_free(&c);

	/* Highest is computed, not taken from the first alert. */
	c = deliver(st, &a[2], 3, NULL);
	assert_true(strncmp(c.out, "ctmon: 3 new alerts (highest: high)\n",
			    36) == 0);
	captured_free(&c);

	/* An empty batch writes nothing. */
	c = deliver(st, a, 0, NULL);
	assert_int_equal(c.rc, CTMON_OK);
	assert_string_equal(c.out, "");
	captured_free(&c);
	fh_free(st);
}

/* Names an attacker could put in a certificate to paint the terminal,
 * set its title, or forge a second alert line. */
static void test_text_neutralises_hostile_names(void **unused)
{
	struct ctmon_alert a;
	struct captured c;
	struct fh_host *st = load("format = \"text\"; stream = \"stdout\";");

	(void)unused;
	a = alert(9, "wildcard", CTMON_SEV_HIGH, "example.com",
		  "{\"issuance\":{\"crtsh_ids\":[5],"
		  "\"issuer\":\"O=Bad\\u001b]0;title\\u0007 CA\\\\\","
		  "\"names\":[\"evil\\u001b[31m.example.com\","
		  "\"x.example.com\\r\\nFAKE [CRITICAL] all good\"]},"
		  "\"note\":\"\\u202e reversed \\u009b2J \\u007f\"}",
		  NULL);
	c = deliver(st, &a, 1, NULL);
	assert_int_equal(c.rc, CTMON_OK);
	assert_string_equal(
		c.out,
		"ctmon: 1 new alert (highest: high)\n"
		"[HIGH] wildcard example.com \xe2\x80\x94 issuer "
		"O=Bad\\x1b]0;title\\x07 CA\\\\ (crt.sh 5) names: "
		"evil\\x1b[31m.example.com, "
		"x.example.com\\x0d\\x0aFAKE [CRITICAL] all good; "
		"note=\\u{202e} reversed \\u{009b}2J \\x7f\n");
	/* Whatever the formatting, these must hold: no ESC, no CR, no C1
	 * CSI, and exactly the two lines we meant to write. */
	assert_null(strchr(c.out, '\x1b'));
	assert_null(strchr(c.out, '\r'));
	assert_null(strstr(c.out, "\xc2\x9b"));
	assert_int_equal(count_char(c.out, '\n'), 2);
	captured_free(&c);

	/* Raw bytes that are not UTF-8 (a lone 0x9b is CSI on 8-bit
	 * terminals) arrive through the alert's own fields too. */
	a = alert(10, "new_subdomain\x9b", CTMON_SEV_INFO,
		  "example.com\x1b[2J\xff", NULL, NULL);
	c = deliver(st, &a, 1, NULL);
	assert_string_equal(c.out,
			    "ctmon: 1 new alert (highest: info)\n"
			    "[INFO] new_subdomain\\x9b "
			    "example.com\\x1b[2J\\xff\n");
	captured_free(&c);
	fh_free(st);
}

static void test_jsonl(void **unused)
{
	static const char j1[] =
		"{\"id\":1,\"type\":\"wildcard\",\"domain\":\"example.com\","
		"\"details\":{\"names\":[\"evil\\u001b[31m.example.com\"]}}";
	static const char j2[] =
		"{\n  \"id\": 2,\r\n  \"type\": \"new_subdomain\"\n}";
	struct ctmon_alert a[3];
	struct json_object *o, *v;
	struct captured c;
	char *line2, *line3, *end;
	struct fh_host *st = load("format = \"jsonl\";");

	(void)unused;
	a[0] = alert(1, "wildcard", CTMON_SEV_HIGH, "example.com", NULL, j1);
	a[1] = alert(2, "new_subdomain", CTMON_SEV_LOW, "example.com", NULL,
		     j2);
	/* No json member: the plugin builds one from the fields. */
	a[2] = alert(3, "short_lived", CTMON_SEV_MEDIUM, "example.com",
		     "{\"hours\":12}", NULL);
	c = deliver(st, a, 3, NULL);
	assert_int_equal(c.rc, CTMON_OK);
	assert_int_equal(count_char(c.out, '\n'), 3);
	assert_null(strchr(c.out, '\r'));
	assert_null(strchr(c.out, '\x1b'));

	/* Line 1 is the alert's json, byte for byte. */
	assert_true(strncmp(c.out, j1, sizeof j1 - 1) == 0);
	assert_int_equal(c.out[sizeof j1 - 1], '\n');

	/* Line 2 lost its newlines but is the same JSON object. */
	line2 = c.out + sizeof j1;
	end = strchr(line2, '\n');
	*end = '\0';
	assert_string_equal(line2,
			    "{   \"id\": 2,    \"type\": \"new_subdomain\" }");
	o = json_tokener_parse(line2);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "id", &v));
	assert_int_equal(json_object_get_int64(v), 2);
	json_object_put(o);

	/* Line 3 was built from the fields. */
	line3 = end + 1;
	*strchr(line3, '\n') = '\0';
	o = json_tokener_parse(line3);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "id", &v));
	assert_int_equal(json_object_get_int64(v), 3);
	assert_true(json_object_object_get_ex(o, "type", &v));
	assert_string_equal(json_object_get_string(v), "short_lived");
	assert_true(json_object_object_get_ex(o, "severity", &v));
	assert_string_equal(json_object_get_string(v), "medium");
	assert_true(json_object_object_get_ex(o, "details", &v));
	assert_true(json_object_object_get_ex(v, "hours", &v));
	assert_int_equal(json_object_get_int(v), 12);
	json_object_put(o);
	assert_string_equal(c.err, "");
	captured_free(&c);
	fh_free(st);
}

/* Bytes from a source that are not UTF-8 (a certificate's raw name)
 * must not reach a jsonl line raw: each becomes U+FFFD. */
static void test_jsonl_invalid_utf8(void **unused)
{
	static const char j1[] =
		"{\"id\":1,\"type\":\"wildcard\",\"domain\":\"example.com\","
		"\"details\":{\"names\":[\"bad\xff\xc3(.example.com\"]}}";
	struct ctmon_alert a[2];
	struct json_object *o, *v;
	struct captured c;
	char *nl;
	struct fh_host *st = load("format = \"jsonl\";");

	(void)unused;
	a[0] = alert(1, "wildcard", CTMON_SEV_HIGH, "example.com", NULL, j1);
	/* Built from the fields: the key holds the raw bytes. */
	a[1] = alert(2, "short_lived", CTMON_SEV_MEDIUM, "ex\xe2\x82.com",
		     "{\"cn\":\"x\xc0\xafy\"}", NULL);
	c = deliver(st, a, 2, NULL);
	assert_int_equal(c.rc, CTMON_OK);
	assert_int_equal(count_char(c.out, '\n'), 2);
	assert_null(strchr(c.out, '\xff'));
	assert_null(strstr(c.out, "\xc0\xaf"));
	nl = strchr(c.out, '\n');
	*nl = '\0';
	o = json_tokener_parse(c.out);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "details", &v));
	assert_true(json_object_object_get_ex(v, "names", &v));
	assert_string_equal(
		json_object_get_string(json_object_array_get_idx(v, 0)),
		"bad\xef\xbf\xbd\xef\xbf\xbd(.example.com");
	json_object_put(o);
	*strchr(nl + 1, '\n') = '\0';
	o = json_tokener_parse(nl + 1);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "domain", &v));
	assert_non_null(strstr(json_object_get_string(v), "\xef\xbf\xbd"));
	json_object_put(o);
	captured_free(&c);
	fh_free(st);
}

static void test_stream_stderr(void **unused)
{
	struct ctmon_alert a;
	struct captured c;
	struct fh_host *st = load("format = \"jsonl\";\nstream = \"stderr\";");

	(void)unused;
	a = alert(1, "wildcard", CTMON_SEV_HIGH, "example.com", NULL,
		  "{\"id\":1}");
	c = deliver(st, &a, 1, NULL);
	assert_int_equal(c.rc, CTMON_OK);
	assert_string_equal(c.out, "");
	assert_string_equal(c.err, "{\"id\":1}\n");
	captured_free(&c);
	fh_free(st);
}

/* create() refuses the value with the place it came from, "file:line: "
 * (the fake host's file name for the snippet is its own business; the
 * line is the snippet's). */
static void expect_config_error(const char *snippet, int line,
				const char *message)
{
	struct fh_host *fh = fh_new();
	char err[1024] = "", where[32];
	const char *colon;
	int rc;

	assert_non_null(fh);
	rc = fh_load(fh, PLUGIN_PATH, snippet, err, sizeof err);
	fh_free(fh);
	assert_int_equal(rc, CTMON_ECONFIG);
	snprintf(where, sizeof where, ":%d: ", line);
	colon = strstr(err, where);
	if (!colon || colon == err)
		fail_msg("no file%sin \"%s\"", where, err);
	if (message)
		assert_string_equal(colon + strlen(where), message);
	else
		assert_non_null(strstr(colon, "\"format\""));
}

static void test_bad_options(void **unused)
{
	(void)unused;
	expect_config_error("format = \"yaml\";", 1,
			    "option \"format\": unknown value \"yaml\" "
			    "(expected \"text\" or \"jsonl\")");
	expect_config_error("format = \"text\";\n\nstream = \"stdin\";", 3,
			    "option \"stream\": unknown value \"stdin\" "
			    "(expected \"stdout\" or \"stderr\")");
	/* Values are exact: no case folding. */
	expect_config_error("\nformat = \"JSONL\";", 2,
			    "option \"format\": unknown value \"JSONL\" "
			    "(expected \"text\" or \"jsonl\")");
	/* A type error is the core's to report, before create(); any text
	 * naming the option will do. */
	expect_config_error("format = 3;", 1, NULL);
}

/* A full disk is a retryable delivery failure, and the instance works
 * again once the stream does. */
static void test_write_error(void **unused)
{
	struct ctmon_alert a;
	struct captured c;
	struct fh_host *st = load("format = \"text\";");

	(void)unused;
	a = alert(1, "wildcard", CTMON_SEV_HIGH, "example.com", NULL, NULL);
	c = deliver(st, &a, 1, "/dev/full");
	assert_int_equal(c.rc, CTMON_EIO);
	assert_non_null(strstr(fh_last_error(st), "writing to stdout: "));
	assert_non_null(strstr(fh_last_error(st), "No space left on device"));
	captured_free(&c);

	c = deliver(st, &a, 1, NULL);
	assert_int_equal(c.rc, CTMON_OK);
	assert_string_equal(c.out, "ctmon: 1 new alert (highest: high)\n"
				   "[HIGH] wildcard example.com\n");
	captured_free(&c);
	fh_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor),
		cmocka_unit_test(test_text_lines),
		cmocka_unit_test(test_text_neutralises_hostile_names),
		cmocka_unit_test(test_jsonl),
		cmocka_unit_test(test_jsonl_invalid_utf8),
		cmocka_unit_test(test_stream_stderr),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
