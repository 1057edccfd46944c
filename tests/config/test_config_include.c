/* test_config_include.c - @include problems are configuration errors
 * with file:line, never an exit from inside libconfig (whose scanner calls
 * exit(2) on an included directory), and a failed load leaves an already
 * loaded configuration untouched (the SIGHUP reload relies on that). */
#include "config_test.h"

static void test_include_of_directory(void **state)
{
	(void)state;
	cfg_expect_load_error("include_dir.cfg",
			      "include_dir.cfg:2: @include \"inc\": is a "
			      "directory");
}

static void test_nested_include_of_directory(void **state)
{
	(void)state;
	cfg_expect_load_error("include_nested.cfg",
			      "inc_nested/level1.cfg:2: @include \"inc\": is "
			      "a directory");
}

static void test_include_missing(void **state)
{
	(void)state;
	cfg_expect_load_error("include_missing.cfg",
			      "include_missing.cfg:3: @include "
			      "\"inc/missing.cfg\": No such file or directory");
}

/* Relative to the including file's directory, so the message names the
 * include as written and the file as given. */
static void test_include_of_directory_by_path(void **state)
{
	(void)state;
	cfg_expect_load_error(CFG_DATA_DIR "/include_dir.cfg",
			      CFG_DATA_DIR "/include_dir.cfg:2: @include "
			      "\"inc\": is a directory");
}

static void test_config_file_is_directory(void **state)
{
	(void)state;
	cfg_expect_load_error("inc", "inc:0: is a directory");
}

/* Only what libconfig would follow is checked: not comments, not strings. */
static void test_include_in_comment_or_string_ignored(void **state)
{
	struct ctm_config *c;

	(void)state;
	c = cfg_load_ok("include_ignored.cfg");
	assert_int_equal(c->n_domains, 1);
	assert_string_equal(c->report, "\n@include \"inc\"");
	ctm_config_free(c);
	c = cfg_load_ok("include_main.cfg");
	assert_int_equal(c->interval, 42);
	ctm_config_free(c);
}

/* A reload loads into a new struct: the running one is never touched. */
static void test_failed_reload_keeps_running_config(void **state)
{
	struct ctm_config *running = cfg_load_ok("include_main.cfg");
	struct ctm_config *fresh = (struct ctm_config *)0x1;
	struct ctm_error err;

	(void)state;
	assert_int_equal(ctm_config_load("include_dir.cfg", &fresh, &err),
			 CTMON_ECONFIG);
	assert_null(fresh);
	assert_int_equal(running->interval, 42);
	assert_int_equal(running->n_domains, 1);
	assert_string_equal(running->domains[0], "example.com");
	assert_string_equal(running->path, "include_main.cfg");
	ctm_config_free(running);
}

/* Values given on the command line have no file: no @include at all. */
static void test_include_in_cli_value_refused(void **state)
{
	struct ctm_config *c = cfg_load_ok("include_main.cfg");
	struct ctm_instance *inst;
	struct ctm_error err;

	(void)state;
	inst = ctm_config_add_instance(c, CTMON_KIND_NOTIFIER, "webhook",
				       "url = \"x\";\n@include \"inc\"\n", &err);
	assert_null(inst);
	assert_non_null(strstr(err.text, "@include is not allowed here"));
	inst = ctm_config_add_instance(c, CTMON_KIND_NOTIFIER, "webhook",
				       "url = \"x\";", &err);
	assert_non_null(inst);
	assert_int_equal(ctm_config_set(inst, "url",
					"\"y\"\n@include \"inc\"\n", &err),
			 CTMON_ECONFIG);
	ctm_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_include_of_directory),
		cmocka_unit_test(test_nested_include_of_directory),
		cmocka_unit_test(test_include_missing),
		cmocka_unit_test(test_include_of_directory_by_path),
		cmocka_unit_test(test_config_file_is_directory),
		cmocka_unit_test(test_include_in_comment_or_string_ignored),
		cmocka_unit_test(test_failed_reload_keeps_running_config),
		cmocka_unit_test(test_include_in_cli_value_refused),
	};

	if (cfg_enter_data_dir() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
