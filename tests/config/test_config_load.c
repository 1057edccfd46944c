/* test_config_load.c - loading: the built-in default, config/ctmon.cfg,
 * lists a file replaces, core keys, and the exact text of every load
 * error (file:line, suggestion). */
#include "config_test.h"

#include <libconfig.h>

static void test_default_loads_without_file(void **state)
{
	struct ctm_config *c = cfg_load_ok(NULL);
	static const char *const checks[] = {"unauthorized_ca", "new_subdomain",
					     "wildcard", "short_lived",
					     "expiring", "typosquat"};
	const config_setting_t *raw;

	(void)state;
	assert_null(c->path);
	assert_string_equal(c->database, "ct_monitor.db");
	assert_int_equal(c->n_domains, 0);
	assert_non_null(c->domains);
	assert_null(c->domains[0]);
	assert_int_equal(c->interval, 900);
	assert_int_equal(c->timeout, 30);
	assert_null(c->plugin_dir);
	assert_int_equal(c->notify_baseline, 0);
	assert_int_equal(c->resolve_dns, 1);
	assert_null(c->report);
	assert_string_equal(c->log_level, "info");

	assert_int_equal(c->n_sources, 1);
	assert_string_equal(c->sources[0].plugin, "crtsh");
	assert_string_equal(c->sources[0].id, "crtsh");
	assert_int_equal(c->sources[0].kind, CTMON_KIND_SOURCE);
	assert_string_equal(c->sources[0].file, "<built-in>");
	assert_true(c->sources[0].line > 0);
	raw = c->sources[0].raw;
	assert_non_null(raw);
	assert_string_equal(
		config_setting_get_string(config_setting_get_member(raw, "url")),
		"https://crt.sh/");
	assert_int_equal(config_setting_get_bool(
				 config_setting_get_member(raw, "exclude_expired")),
			 0);

	assert_int_equal(c->n_checks, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(c->checks[i].plugin, checks[i]);
		assert_string_equal(c->checks[i].id, checks[i]);
		assert_int_equal(c->checks[i].kind, CTMON_KIND_CHECK);
		assert_int_equal(c->checks[i].enabled, i != 5);
		assert_int_equal(c->checks[i].optional, 0);
		assert_non_null(c->checks[i].raw);
		assert_null(c->checks[i].pconf);
	}
	raw = c->checks[3].raw;
	assert_int_equal(config_setting_get_int(
				 config_setting_get_member(raw, "threshold_hours")),
			 24);
	raw = config_setting_get_member(c->checks[4].raw, "days");
	assert_int_equal(config_setting_length(raw), 3);
	assert_int_equal(config_setting_get_int_elem(raw, 0), 30);
	assert_int_equal(config_setting_get_int_elem(raw, 1), 14);
	assert_int_equal(config_setting_get_int_elem(raw, 2), 7);

	assert_int_equal(c->n_notifiers, 1);
	assert_string_equal(c->notifiers[0].plugin, "stdout");
	assert_int_equal(c->notifiers[0].min_severity, CTMON_SEV_INFO);
	assert_null(c->notifiers[0].types);
	assert_null(c->notifiers[0].filter_domains);
	assert_string_equal(config_setting_get_string(config_setting_get_member(
				    c->notifiers[0].raw, "format")),
			    "text");
	assert_null(ctm_config_find(c, CTMON_KIND_NOTIFIER, "webhook"));
	ctm_config_free(c);
}

/* Deep equality of two libconfig settings (names, types, values). */
static int settings_equal(const config_setting_t *a, const config_setting_t *b)
{
	int ta = config_setting_type(a), tb = config_setting_type(b);

	if (ta != tb) {
		/* "int" and "int64" are the same value to ctmon */
		int ia = ta == CONFIG_TYPE_INT || ta == CONFIG_TYPE_INT64;
		int ib = tb == CONFIG_TYPE_INT || tb == CONFIG_TYPE_INT64;
		if (!(ia && ib))
			return 0;
	}
	if ((config_setting_name(a) == NULL) != (config_setting_name(b) == NULL))
		return 0;
	if (config_setting_name(a) &&
	    strcmp(config_setting_name(a), config_setting_name(b)) != 0)
		return 0;
	switch (ta) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return config_setting_get_int64(a) == config_setting_get_int64(b);
	case CONFIG_TYPE_FLOAT:
		return config_setting_get_float(a) == config_setting_get_float(b);
	case CONFIG_TYPE_BOOL:
		return config_setting_get_bool(a) == config_setting_get_bool(b);
	case CONFIG_TYPE_STRING:
		return strcmp(config_setting_get_string(a),
			      config_setting_get_string(b)) == 0;
	default:
		if (config_setting_length(a) != config_setting_length(b))
			return 0;
		for (int i = 0; i < config_setting_length(a); i++)
			if (!settings_equal(config_setting_get_elem(a, (unsigned)i),
					    config_setting_get_elem(b, (unsigned)i)))
				return 0;
		return 1;
	}
}

static void strv_equal(char **a, char **b)
{
	assert_int_equal(a == NULL, b == NULL);
	for (size_t i = 0; a && (a[i] || b[i]); i++) {
		assert_non_null(a[i]);
		assert_non_null(b[i]);
		assert_string_equal(a[i], b[i]);
	}
}

static void instances_equal(const struct ctm_instance *a,
			    const struct ctm_instance *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(a[i].kind, b[i].kind);
		assert_string_equal(a[i].plugin, b[i].plugin);
		assert_string_equal(a[i].id, b[i].id);
		assert_int_equal(a[i].enabled, b[i].enabled);
		assert_int_equal(a[i].optional, b[i].optional);
		assert_int_equal(a[i].interval, b[i].interval);
		assert_int_equal(a[i].timeout, b[i].timeout);
		assert_int_equal(a[i].min_severity, b[i].min_severity);
		strv_equal(a[i].types, b[i].types);
		strv_equal(a[i].filter_domains, b[i].filter_domains);
		if (!settings_equal(a[i].raw, b[i].raw))
			fail_msg("config group of %s \"%s\" differs",
				 a[i].plugin, a[i].id);
	}
}

static void test_example_file_equals_default(void **state)
{
	struct ctm_config *d = cfg_load_ok(NULL);
	struct ctm_config *f = cfg_load_ok(CTM_SOURCE_DIR "/config/ctmon.cfg");

	(void)state;
	assert_string_equal(f->path, CTM_SOURCE_DIR "/config/ctmon.cfg");
	assert_string_equal(f->database, d->database);
	assert_int_equal(f->n_domains, d->n_domains);
	strv_equal(f->domains, d->domains);
	assert_int_equal(f->interval, d->interval);
	assert_int_equal(f->timeout, d->timeout);
	assert_int_equal(f->notify_baseline, d->notify_baseline);
	assert_int_equal(f->resolve_dns, d->resolve_dns);
	assert_null(f->plugin_dir);
	assert_null(f->report);
	assert_string_equal(f->log_level, d->log_level);
	assert_int_equal(f->n_sources, d->n_sources);
	assert_int_equal(f->n_checks, d->n_checks);
	assert_int_equal(f->n_notifiers, d->n_notifiers);
	instances_equal(f->sources, d->sources, d->n_sources);
	instances_equal(f->checks, d->checks, d->n_checks);
	instances_equal(f->notifiers, d->notifiers, d->n_notifiers);
	/* The example's instances come from the file, not the default. */
	assert_string_equal(f->sources[0].file,
			    CTM_SOURCE_DIR "/config/ctmon.cfg");
	assert_string_equal(f->checks[0].file,
			    CTM_SOURCE_DIR "/config/ctmon.cfg");
	assert_string_equal(f->notifiers[0].file,
			    CTM_SOURCE_DIR "/config/ctmon.cfg");
	ctm_config_free(f);
	ctm_config_free(d);
}

static void test_file_replaces_only_named_lists(void **state)
{
	struct ctm_config *c = cfg_load_ok("only_checks.cfg");

	(void)state;
	assert_int_equal(c->n_checks, 1);
	assert_string_equal(c->checks[0].plugin, "wildcard");
	assert_string_equal(c->checks[0].id, "wild");
	assert_int_equal(c->checks[0].optional, 1);
	assert_int_equal(c->checks[0].interval, 3600);
	assert_string_equal(c->checks[0].file, "only_checks.cfg");
	assert_int_equal(c->checks[0].line, 5);
	/* sources and notifiers were not named: built-in ones stay */
	assert_int_equal(c->n_sources, 1);
	assert_string_equal(c->sources[0].plugin, "crtsh");
	assert_string_equal(c->sources[0].file, "<built-in>");
	assert_int_equal(c->n_notifiers, 1);
	assert_string_equal(c->notifiers[0].plugin, "stdout");
	/* core keys it sets win, the others keep their defaults */
	assert_int_equal(c->interval, 60);
	assert_int_equal(c->timeout, 30);
	assert_string_equal(c->database, "ct_monitor.db");
	assert_int_equal(c->n_domains, 1);
	assert_string_equal(c->domains[0], "example.com");
	ctm_config_free(c);
}

static void test_every_core_key(void **state)
{
	struct ctm_config *c = cfg_load_ok("full.cfg");
	const struct ctm_instance *n;

	(void)state;
	assert_string_equal(c->path, "full.cfg");
	assert_string_equal(c->database, "/var/lib/ctmon/ct.db");
	assert_int_equal(c->n_domains, 2);
	assert_string_equal(c->domains[0], "example.com");
	assert_string_equal(c->domains[1], "bank.example.com");
	assert_null(c->domains[2]);
	assert_int_equal(c->interval, 300);
	assert_int_equal(c->timeout, 12);
	assert_string_equal(c->plugin_dir, "/opt/ctmon/plugins");
	assert_int_equal(c->notify_baseline, 1);
	assert_int_equal(c->resolve_dns, 0);
	assert_string_equal(c->report, "report.json");
	assert_string_equal(c->log_level, "debug");
	/* `sources = ();` and `checks = [];` empty the lists */
	assert_int_equal(c->n_sources, 0);
	assert_int_equal(c->n_checks, 0);
	assert_int_equal(c->n_notifiers, 2);
	n = ctm_config_find(c, CTMON_KIND_NOTIFIER, "webhook");
	assert_ptr_equal(n, &c->notifiers[0]);
	assert_string_equal(n->id, "slack");
	assert_int_equal(n->min_severity, CTMON_SEV_HIGH);
	assert_int_equal(n->timeout, 5);
	assert_int_equal(n->interval, 0);
	assert_string_equal(n->types[0], "unauthorized_ca");
	assert_string_equal(n->types[1], "typosquat");
	assert_null(n->types[2]);
	/* filter domains are normalised like monitored ones */
	assert_string_equal(n->filter_domains[0], "bank.example.com");
	assert_null(n->filter_domains[1]);
	assert_int_equal(c->notifiers[1].enabled, 0);
	assert_null(ctm_config_find(c, CTMON_KIND_SOURCE, "crtsh"));
	ctm_config_free(c);
}

static void test_domains_normalised_and_deduplicated(void **state)
{
	struct ctm_config *c = cfg_load_ok("domains_normalised.cfg");

	(void)state;
	assert_int_equal(c->n_domains, 2);
	assert_string_equal(c->domains[0], "example.com");
	assert_string_equal(c->domains[1], "b.example.net");
	assert_null(c->domains[2]);
	ctm_config_free(c);
}

static void test_include_relative_to_file(void **state)
{
	struct ctm_config *c;
	char cwd[4096];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir("/"), 0);
	c = cfg_load_ok(CFG_DATA_DIR "/include_main.cfg");
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(c->interval, 42);
	assert_int_equal(c->n_domains, 1);
	ctm_config_free(c);
}

/* ---- golden error messages ---------------------------------------------- */

static void test_unknown_key_suggests(void **state)
{
	(void)state;
	cfg_expect_load_error(
		"intervall.cfg",
		"intervall.cfg:3: unknown key \"intervall\" (did you mean "
		"\"interval\"?)");
	cfg_expect_load_error("unknown_far.cfg",
			      "unknown_far.cfg:1: unknown key \"colour\"");
}

static void test_wrong_type_and_bad_values(void **state)
{
	(void)state;
	cfg_expect_load_error(
		"wrong_type.cfg",
		"wrong_type.cfg:2: key \"interval\": expected int, got string");
	cfg_expect_load_error(
		"zero_interval.cfg",
		"zero_interval.cfg:2: key \"interval\": must be at least 1 "
		"(seconds)");
	cfg_expect_load_error(
		"bad_log_level.cfg",
		"bad_log_level.cfg:1: key \"log_level\": \"loud\" is not one of "
		"error, warn, info, debug");
	cfg_expect_load_error(
		"list_not_list.cfg",
		"list_not_list.cfg:1: key \"checks\": expected a list of groups "
		"( { plugin = \"...\"; }, ... ), got string");
}

static void test_parse_errors_carry_line(void **state)
{
	(void)state;
	cfg_expect_load_error("syntax.cfg", "syntax.cfg:5: syntax error");
	cfg_expect_load_error("duplicate_key.cfg",
			      "duplicate_key.cfg:2: duplicate setting name");
	cfg_expect_load_error(
		"no_such_file.cfg",
		"no_such_file.cfg:0: cannot read: No such file or directory");
}

static void test_bad_domains(void **state)
{
	(void)state;
	cfg_expect_load_error(
		"bad_domain.cfg",
		"bad_domain.cfg:2: key \"domains\": \"exa mple.com\" is not a "
		"valid host name");
	cfg_expect_load_error(
		"wildcard_domain.cfg",
		"wildcard_domain.cfg:1: key \"domains\": \"*.example.org\" is a "
		"wildcard; monitor \"example.org\" instead, which covers every "
		"name under it");
	cfg_expect_load_error(
		"domain_not_string.cfg",
		"domain_not_string.cfg:1: key \"domains\": expected list of "
		"strings, but element 2 is int");
	cfg_expect_load_error(
		"bad_filter_domain.cfg",
		"bad_filter_domain.cfg:3: notifier \"stdout\" (plugin stdout): "
		"key \"domains\": \"not a domain\" is not a valid host name");
}

static void test_instance_errors(void **state)
{
	(void)state;
	cfg_expect_load_error(
		"instance_unknown_key.cfg",
		"instance_unknown_key.cfg:3: check \"wildcard\" (plugin "
		"wildcard): unknown key \"enable\" (did you mean \"enabled\"?)");
	cfg_expect_load_error(
		"notifier_key_on_check.cfg",
		"notifier_key_on_check.cfg:2: check \"wildcard\" (plugin "
		"wildcard): unknown key \"min_severity\" (only notifiers take "
		"it)");
	cfg_expect_load_error(
		"missing_plugin.cfg",
		"missing_plugin.cfg:3: source #2: missing required key "
		"\"plugin\"");
	cfg_expect_load_error(
		"instance_wrong_type.cfg",
		"instance_wrong_type.cfg:2: notifier \"out\" (plugin stdout): "
		"key \"enabled\": expected bool, got string");
	cfg_expect_load_error(
		"bad_severity.cfg",
		"bad_severity.cfg:2: notifier \"webhook\" (plugin webhook): key "
		"\"min_severity\": \"urgent\" is not one of info, low, medium, "
		"high, critical");
	cfg_expect_load_error(
		"not_group.cfg",
		"not_group.cfg:1: source #1: expected a group { plugin = "
		"\"...\"; }, got string");
	cfg_expect_load_error(
		"config_not_group.cfg",
		"config_not_group.cfg:1: source \"crtsh\" (plugin crtsh): key "
		"\"config\": expected group, got string");
	cfg_expect_load_error(
		"negative_instance_interval.cfg",
		"negative_instance_interval.cfg:1: source \"crtsh\" (plugin "
		"crtsh): key \"interval\": must be 0 or more seconds");
}

static void test_duplicate_instance_id(void **state)
{
	struct ctm_config *c;

	(void)state;
	cfg_expect_load_error(
		"dup_id.cfg",
		"dup_id.cfg:4: check \"wildcard\" (plugin wildcard): duplicate "
		"id \"wildcard\" (first declared at dup_id.cfg:2); give one of "
		"them another id");
	/* ids are unique per kind, not across kinds */
	c = cfg_load_ok("dup_id_across_kinds.cfg");
	assert_string_equal(c->checks[0].id, "same");
	assert_string_equal(c->notifiers[0].id, "same");
	ctm_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_loads_without_file),
		cmocka_unit_test(test_example_file_equals_default),
		cmocka_unit_test(test_file_replaces_only_named_lists),
		cmocka_unit_test(test_every_core_key),
		cmocka_unit_test(test_domains_normalised_and_deduplicated),
		cmocka_unit_test(test_include_relative_to_file),
		cmocka_unit_test(test_unknown_key_suggests),
		cmocka_unit_test(test_wrong_type_and_bad_values),
		cmocka_unit_test(test_parse_errors_carry_line),
		cmocka_unit_test(test_bad_domains),
		cmocka_unit_test(test_instance_errors),
		cmocka_unit_test(test_duplicate_instance_id),
	};

	if (cfg_enter_data_dir() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
