/* test_loader_path.c - where plugins are looked for, in which order, what
 * "not found" says, and what --list-plugins prints. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "loader.h"
#include "loader_test_util.h"

static struct ctm_error err;

/* Where the binary-relative directory must point for this test binary,
 * which lives in <build>/tests/loader/. */
static char *exe_relative_dir(void)
{
	char *parent = realpath(CTM_LOADER_TEST_BIN_DIR "/..", NULL);
	char *dir;

	assert_non_null(parent);
	dir = tu_join(parent, "lib/ctmon/plugins");
	free(parent);
	return dir;
}

static void test_default_order(void **state)
{
	struct ctm_plugin_path p;
	char *exe_dir = exe_relative_dir();

	(void)state;
	setenv("CTMON_PLUGIN_DIR", "/env/plugins", 1);
	ctm_plugin_path_default(&p, "/cfg/plugins");
	assert_int_equal(p.n, 4);
	assert_string_equal(p.dirs[0], "/cfg/plugins");
	assert_string_equal(p.dirs[1], "/env/plugins");
	assert_string_equal(p.dirs[2], exe_dir);
	assert_string_equal(p.dirs[3], CTM_COMPILED_PLUGIN_DIR);
	unsetenv("CTMON_PLUGIN_DIR");
	free(exe_dir);
}

static void test_default_without_cfg_or_env(void **state)
{
	struct ctm_plugin_path p;
	char *exe_dir = exe_relative_dir();

	(void)state;
	unsetenv("CTMON_PLUGIN_DIR");
	ctm_plugin_path_default(&p, NULL);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.dirs[0], exe_dir);
	assert_string_equal(p.dirs[1], CTM_COMPILED_PLUGIN_DIR);
	/* Empty values count as unset. */
	setenv("CTMON_PLUGIN_DIR", "", 1);
	ctm_plugin_path_default(&p, "");
	assert_int_equal(p.n, 2);
	unsetenv("CTMON_PLUGIN_DIR");
	free(exe_dir);
}

static void test_default_dedups(void **state)
{
	struct ctm_plugin_path p;

	(void)state;
	setenv("CTMON_PLUGIN_DIR", CTM_COMPILED_PLUGIN_DIR, 1);
	ctm_plugin_path_default(&p, CTM_COMPILED_PLUGIN_DIR);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.dirs[0], CTM_COMPILED_PLUGIN_DIR);
	assert_string_not_equal(p.dirs[1], CTM_COMPILED_PLUGIN_DIR);
	unsetenv("CTMON_PLUGIN_DIR");
}

/* The config that held plugin_dir is freed on reload and the environment
 * may change: the path must not point into either. */
static void test_default_strings_outlive_sources(void **state)
{
	struct ctm_plugin_path p;
	char *cfg_dir = tu_join("/from/config", "plugins");

	(void)state;
	setenv("CTMON_PLUGIN_DIR", "/from/env/plugins", 1);
	ctm_plugin_path_default(&p, cfg_dir);
	assert_ptr_not_equal(p.dirs[0], cfg_dir);
	memset(cfg_dir, 'x', strlen(cfg_dir));
	free(cfg_dir);
	setenv("CTMON_PLUGIN_DIR", "/changed/later", 1);
	assert_string_equal(p.dirs[0], "/from/config/plugins");
	assert_string_equal(p.dirs[1], "/from/env/plugins");
	unsetenv("CTMON_PLUGIN_DIR");
}

static void test_not_found_names_every_dir(void **state)
{
	char *a = tu_mkdtemp(), *b = tu_mkdtemp();
	struct ctm_plugin_path p;
	struct ctm_plugin *pl = NULL;
	char want[8400];

	(void)state;
	tu_path(&p, a, b);
	assert_int_equal(ctm_plugin_load(&p, "nope", 0, &pl, &err),
			 CTMON_ECONFIG);
	assert_null(pl);
	snprintf(want, sizeof want,
		 "plugin \"nope\" not found in: %s, %s (set plugin_dir or "
		 "CTMON_PLUGIN_DIR)",
		 a, b);
	assert_string_equal(err.text, want);
	tu_rmtree(a);
	tu_rmtree(b);
	free(a);
	free(b);
}

/* The first directory holding <name>.so wins. */
static void test_search_order(void **state)
{
	char *a = tu_mkdtemp(), *b = tu_mkdtemp();
	char *in_a = tu_join(a, "good_check.so");
	char *in_b = tu_join(b, "good_check.so");
	char *only_b = tu_join(b, "good_notifier.so");
	struct ctm_plugin_path p;
	struct ctm_plugin *pl = NULL;

	(void)state;
	tu_copy(tu_plugin_file("good_check"), in_a, 0644);
	tu_copy(tu_plugin_file("good_check"), in_b, 0644);
	tu_copy(tu_plugin_file("good_notifier"), only_b, 0644);
	tu_path(&p, a, b);
	assert_int_equal(ctm_plugin_load(&p, "good_check", 0, &pl, &err),
			 CTMON_OK);
	assert_string_equal(pl->path, in_a);
	ctm_plugin_unload(pl);
	assert_int_equal(ctm_plugin_load(&p, "good_notifier", 0, &pl, &err),
			 CTMON_OK);
	assert_string_equal(pl->path, only_b);
	ctm_plugin_unload(pl);
	/* A refused file is reported, not silently passed over for the
	 * next directory's copy. */
	assert_int_equal(chmod(in_a, 0666), 0);
	assert_int_equal(ctm_plugin_load(&p, "good_check", 0, &pl, &err),
			 CTMON_ECONFIG);
	assert_null(pl);
	tu_assert_contains(err.text, in_a);
	tu_assert_contains(err.text, "world-writable");
	free(in_a);
	free(in_b);
	free(only_b);
	tu_rmtree(a);
	tu_rmtree(b);
	free(a);
	free(b);
}

/* Runs ctm_plugin_list into a string. */
static char *listing(const struct ctm_plugin_path *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	ctm_plugin_list(p, fp);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(text);
	return text;
}

static int count_lines_starting(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *line = text; line && *line;) {
		if (strncmp(line, prefix, strlen(prefix)) == 0)
			n++;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return n;
}

/* The first line starting with `prefix` and the line after it, as one
 * malloc'd string (a plugin's row and its path). */
static char *row_of(const char *text, const char *prefix)
{
	const char *line = text, *end;

	while (line && strncmp(line, prefix, strlen(prefix)) != 0) {
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (!line)
		fail_msg("no line starting \"%s\" in:\n%s", prefix, text);
	end = strchr(line, '\n');
	if (end && end[1])
		end = strchr(end + 1, '\n');
	return strndup(line, end ? (size_t)(end - line) : strlen(line));
}

static void test_list(void **state)
{
	char *a = tu_mkdtemp(), *b = tu_mkdtemp();
	char *files[5];
	char want[8400];
	struct ctm_plugin_path p;
	char *text, *row;
	FILE *fp;

	(void)state;
	files[0] = tu_join(a, "good_check.so");
	files[1] = tu_join(a, "wrong_major.so");
	files[2] = tu_join(b, "good_check.so");
	files[3] = tu_join(b, "good_notifier.so");
	files[4] = tu_join(b, "README.txt");
	tu_copy(tu_plugin_file("good_check"), files[0], 0644);
	tu_copy(tu_plugin_file("wrong_major"), files[1], 0644);
	tu_copy(tu_plugin_file("good_check"), files[2], 0644);
	tu_copy(tu_plugin_file("good_notifier"), files[3], 0644);
	fp = fopen(files[4], "w");
	assert_non_null(fp);
	assert_int_equal(fclose(fp), 0);
	tu_path(&p, a, b);

	text = listing(&p);
	snprintf(want, sizeof want, "plugin search path: %s, %s\n", a, b);
	tu_assert_contains(text, want);
	/* Loadable plugins: name, kind, version, description, then path;
	 * a name in two directories is listed once, from the first. */
	assert_int_equal(count_lines_starting(text, "good_check "), 1);
	row = row_of(text, "good_check ");
	tu_assert_contains(row, " check ");
	tu_assert_contains(row, " 2.0.1 ");
	tu_assert_contains(row, "Loader test: a good check\n");
	tu_assert_contains(row, files[0]);
	free(row);
	tu_assert_lacks(text, files[2]);
	assert_int_equal(count_lines_starting(text, "good_notifier "), 1);
	row = row_of(text, "good_notifier ");
	tu_assert_contains(row, " notifier ");
	tu_assert_contains(row, " 0.9.0 ");
	tu_assert_contains(row, "Loader test: a good notifier\n");
	tu_assert_contains(row, files[3]);
	free(row);
	/* Unloadable ones are listed with the reason. */
	assert_int_equal(count_lines_starting(text, "wrong_major "), 1);
	row = row_of(text, "wrong_major ");
	tu_assert_contains(row, "not loadable: ");
	tu_assert_contains(row, files[1]);
	tu_assert_contains(row, "is not supported by this ctmon");
	free(row);
	tu_assert_lacks(text, "README");
	free(text);

	for (int i = 0; i < 5; i++)
		free(files[i]);
	tu_rmtree(a);
	tu_rmtree(b);
	free(a);
	free(b);
}

static void test_list_empty(void **state)
{
	char *a = tu_mkdtemp();
	struct ctm_plugin_path p;
	char *text;

	(void)state;
	tu_path(&p, a, "/nonexistent/ctmon/plugins");
	text = listing(&p);
	tu_assert_contains(text, "/nonexistent/ctmon/plugins");
	tu_assert_contains(text, "no plugins found (set plugin_dir or "
			   "CTMON_PLUGIN_DIR)");
	free(text);
	tu_rmtree(a);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_order),
		cmocka_unit_test(test_default_without_cfg_or_env),
		cmocka_unit_test(test_default_dedups),
		cmocka_unit_test(test_default_strings_outlive_sources),
		cmocka_unit_test(test_not_found_names_every_dir),
		cmocka_unit_test(test_search_order),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
