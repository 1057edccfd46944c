/* test_abi_v1_0.c - plugins compiled against the frozen ABI 1.0 header
 * (tests/abi/v1.0) still load into, and work with, the current host: the
 * real loader accepts them and zero-fills what they predate, the fake host
 * runs each kind, and every 1.0 member, struct and constant keeps its
 * offset, size and value in the current plugin.h. */
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

#include "abi_layout.h"
#include "fakehost.h"
#include "loader.h"

#define NOW FH_DEFAULT_NOW

static const char *plugin_file(const char *name)
{
	static char path[1024];

	snprintf(path, sizeof path, "%s/%s.so", CTM_ABI_PLUGIN_DIR, name);
	return path;
}

/* The frozen layout's entry `name`; fails the test when it is missing. */
static const struct abi_entry *frozen(const char *name)
{
	size_t n;
	const struct abi_entry *e = abi_layout_frozen(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(e[i].name, name) == 0)
			return &e[i];
	fail_msg("no frozen entry %s", name);
	return NULL;
}

static int all_zero(const void *p, size_t from, size_t to)
{
	const unsigned char *b = p;

	for (size_t i = from; i < to; i++)
		if (b[i])
			return 0;
	return 1;
}

/* ---- the real loader ------------------------------------------------- */

static void load_one(const char *name, enum ctmon_kind kind, const void **ops,
		     size_t host_ops_size, const char *ops_struct)
{
	struct ctm_plugin_path path = {{CTM_ABI_PLUGIN_DIR}, 1};
	struct ctm_plugin *pl = NULL;
	struct ctm_error err = {{0}};
	size_t plugin_size = frozen("ctmon_plugin")->size;
	size_t ops_size = frozen(ops_struct)->size;
	int rc;

	rc = ctm_plugin_load(&path, name, kind, &pl, &err);
	if (rc != CTMON_OK)
		fail_msg("%s: rc %d: %s", name, rc, err.text);
	assert_int_equal(pl->desc.abi_major, 1);
	assert_int_equal(pl->desc.abi_minor, 0);
	assert_int_equal(pl->desc.size, plugin_size);
	assert_int_equal(pl->desc.size, CTMON_PLUGIN_SIZE_1_0);
	assert_int_equal(pl->desc.option_size, frozen("ctmon_option")->size);
	/* Stamped by the frozen header's macro, not the current one. */
	assert_int_equal(strncmp(pl->desc.build_info, "abi 1.0 ", 8), 0);
	assert_string_equal(pl->desc.name, name);
	assert_int_equal(pl->desc.kind, kind);
	/* Whatever a later minor appended reads as "not provided". */
	assert_true(all_zero(&pl->desc, plugin_size, sizeof pl->desc));
	*ops = kind == CTMON_KIND_SOURCE  ? (const void *)&pl->source
	       : kind == CTMON_KIND_CHECK ? (const void *)&pl->check
					  : (const void *)&pl->notifier;
	assert_int_equal(*(const size_t *)*ops, ops_size);
	assert_true(all_zero(*ops, ops_size, host_ops_size));
	ctm_plugin_unload(pl);
}

static void loader_accepts_v1_0_plugins(void **state)
{
	const void *ops;

	(void)state;
	load_one("abi10_source", CTMON_KIND_SOURCE, &ops,
		 sizeof(struct ctmon_source_ops), "ctmon_source_ops");
	load_one("abi10_check", CTMON_KIND_CHECK, &ops,
		 sizeof(struct ctmon_check_ops), "ctmon_check_ops");
	load_one("abi10_notifier", CTMON_KIND_NOTIFIER, &ops,
		 sizeof(struct ctmon_notifier_ops), "ctmon_notifier_ops");
}

/* ---- each kind at work in the fake host ------------------------------- */

static struct fh_host *load_fh(const char *name, const char *snippet)
{
	struct fh_host *fh = fh_new();
	char err[1024] = "";

	assert_non_null(fh);
	if (fh_load(fh, plugin_file(name), snippet, err, sizeof err) !=
	    CTMON_OK)
		fail_msg("%s: %s", name, err);
	return fh;
}

static void check_emits_through_current_api(void **state)
{
	static const char *const names[] = {"www.example.com"};
	struct fh_host *fh = load_fh("abi10_check",
				     "severity = 4; label = \"q\\\"uote\";");
	struct ctmon_cert cert = {0};
	struct ctmon_issuance is = {0};
	const struct ctmon_alert *a;
	struct json_object *d, *v;
	int64_t id = 42;

	(void)state;
	cert.size = sizeof cert;
	cert.issuer_dn = "CN=Test";
	cert.names = names;
	cert.n_names = 1;
	cert.not_after = NOW + 1000;
	is.size = sizeof is;
	is.id = id;
	is.domain = "example.com";
	is.cert = &cert;
	is.crtsh_ids = &id;
	is.n_crtsh_ids = 1;
	is.names = names;
	is.n_names = 1;
	is.new_names = names;
	is.n_new_names = 1;
	assert_int_equal(fh_on_issuance(fh, &is), CTMON_OK);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 1);
	a = fh_find_alert(fh, "abi_v1_0", "example.com", "42");
	assert_non_null(a);
	assert_int_equal(a->severity, CTMON_SEV_CRITICAL);
	assert_int_equal(a->issuance_id, 42);
	d = json_tokener_parse(a->details_json);
	assert_non_null(d);
	assert_true(json_object_object_get_ex(d, "label", &v));
	assert_string_equal(json_object_get_string(v), "q\"uote");
	assert_true(json_object_object_get_ex(d, "first", &v));
	assert_string_equal(json_object_get_string(v), "www.example.com");
	assert_true(json_object_object_get_ex(d, "not_after", &v));
	assert_int_equal(json_object_get_int64(v), NOW + 1000);
	json_object_put(d);
	assert_int_equal(fh_log_contains(fh, "issuance 42 of example.com"), 1);
	assert_int_equal(fh_log_contains(fh, "cycle after 1 issuances"), 1);
	fh_free(fh);

	/* Its own semantic check still reaches the user through set_error. */
	fh = fh_new();
	{
		char err[1024] = "";

		assert_int_equal(fh_load(fh, plugin_file("abi10_check"),
					 "severity = 9;", err, sizeof err),
				 CTMON_ECONFIG);
		assert_non_null(strstr(err, "severity must be 0-4"));
	}
	fh_free(fh);
}

static void notifier_gets_every_member(void **state)
{
	char dir[] = "/tmp/ctm-abi-XXXXXX", path[256], snippet[400];
	char line[1024], want[1024];
	struct ctmon_alert a = {0};
	const struct ctmon_alert *batch[1] = {&a};
	struct fh_host *fh;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/alerts.tsv", dir);
	snprintf(snippet, sizeof snippet, "path = \"%s\";", path);
	fh = load_fh("abi10_notifier", snippet);
	a.size = sizeof a;
	a.id = 7;
	a.type = "wildcard_certificate";
	a.severity = CTMON_SEV_HIGH;
	a.domain = "example.com";
	a.key = "k\t1";
	a.details_json = "{}";
	a.created_at = NOW;
	a.json = "{\"id\":7}";
	assert_int_equal(fh_deliver(fh, batch, 1), CTMON_OK);
	assert_int_equal(fh_log_contains(fh, "delivered 1"), 1);
	fh_free(fh);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	assert_null(fgets(want, sizeof want, f)); /* one line only */
	fclose(f);
	snprintf(want, sizeof want,
		 "wildcard_certificate\thigh\texample.com\tk 1\t{\"id\":7}\n");
	assert_string_equal(line, want);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void source_emits_through_current_api(void **state)
{
	static const char *const domains[] = {"example.com", "example.org"};
	struct fh_host *fh =
		load_fh("abi10_source", "url = \"https://ct.test/serial\";");
	const struct ctmon_cert *c;

	(void)state;
	assert_int_equal(fh_http_respond(fh, "https://ct.test/", 200,
					 "text/plain", "beef"),
			 CTMON_OK);
	assert_int_equal(fh_collect(fh, domains, 2), CTMON_OK);
	assert_int_equal(fh_http_request_count(fh), 1);
	assert_string_equal(fh_http_request_method(fh, 0), "GET");
	assert_string_equal(fh_http_request_url(fh, 0),
			    "https://ct.test/serial");
	assert_string_equal(fh_http_request_header(fh, 0, "accept"),
			    "text/plain");
	assert_int_equal(fh_batch_commits(fh), 2);
	assert_int_equal(fh_cert_count(fh), 2);
	c = fh_cert(fh, 1);
	assert_int_equal(c->n_names, 1);
	assert_string_equal(c->names[0], "abi10.example.org");
	assert_string_equal(c->serial, "beef01");
	assert_int_equal(c->not_after, NOW + 90 * 86400);
	assert_string_equal(fh_cursor(fh, "count"), "2");
	fh_free(fh);
}

/* ---- layout ------------------------------------------------------------ */

static void v1_0_layout_is_unchanged(void **state)
{
	size_t nf, nc;
	const struct abi_entry *f = abi_layout_frozen(&nf);
	const struct abi_entry *c = abi_layout_current(&nc);
	int bad = 0;

	(void)state;
	assert_int_equal(nf, nc);
	for (size_t i = 0; i < nf; i++) {
		assert_string_equal(f[i].name, c[i].name);
		switch (f[i].kind) {
		case ABI_STRUCT: /* may only grow */
			if (c[i].size < f[i].size) {
				print_error("%s shrank: %zu -> %zu\n", f[i].name,
					    f[i].size, c[i].size);
				bad++;
			}
			break;
		case ABI_FIELD:
			if (c[i].offset != f[i].offset ||
			    c[i].size != f[i].size) {
				print_error("%s moved: offset %zu size %zu -> "
					    "offset %zu size %zu\n",
					    f[i].name, f[i].offset, f[i].size,
					    c[i].offset, c[i].size);
				bad++;
			}
			break;
		case ABI_CONST:
			if (strcmp(f[i].name, "CTMON_PLUGIN_ABI_MINOR") == 0
				    ? c[i].value < f[i].value
				    : c[i].value != f[i].value) {
				print_error("%s changed: %lld -> %lld\n",
					    f[i].name, f[i].value, c[i].value);
				bad++;
			}
			break;
		}
	}
	assert_int_equal(bad, 0);
}

/* The list must describe 1.0 completely: a member left out of it would go
 * unchecked.  Padding before a member is smaller than its alignment (at
 * most its size, at most 8), so a larger hole is a member missing. */
static void v1_0_list_covers_every_member(void **state)
{
	size_t n, end = 0, ssize = 0;
	const struct abi_entry *e = abi_layout_frozen(&n);
	const char *sname = NULL;

	(void)state;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || e[i].kind != ABI_FIELD) {
			if (sname && ssize - end >= sizeof(void *))
				fail_msg("%s: %zu bytes after the last listed "
					 "member", sname, ssize - end);
			sname = NULL;
			if (i < n && e[i].kind == ABI_STRUCT) {
				sname = e[i].name;
				ssize = e[i].size;
				end = 0;
			}
			continue;
		}
		assert_non_null(sname);
		if (e[i].offset < end ||
		    e[i].offset - end >= (e[i].size < 8 ? e[i].size : 8))
			fail_msg("%s: gap or overlap before it (ends at %zu, "
				 "starts at %zu)", e[i].name, end, e[i].offset);
		end = e[i].offset + e[i].size;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loader_accepts_v1_0_plugins),
		cmocka_unit_test(check_emits_through_current_api),
		cmocka_unit_test(notifier_gets_every_member),
		cmocka_unit_test(source_emits_through_current_api),
		cmocka_unit_test(v1_0_layout_is_unchanged),
		cmocka_unit_test(v1_0_list_covers_every_member),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
