/* test_loader_safety.c - the whole path of a plugin is checked before
 * dlopen: the file and every directory up to "/" must belong to root or
 * the user running ctmon and must not be group- or world-writable (a
 * sticky ancestor such as /tmp excepted, never the plugin's own
 * directory).  A refused plugin never runs: its constructor leaves no
 * marker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "loader.h"
#include "loader_test_util.h"

#define OTHER_UID 54321

static struct ctm_error err;

/* <scratch>/<sub>/good_check.so with the given modes; returns the file. */
static char *plant(const char *scratch, const char *sub, mode_t sub_mode,
		   mode_t file_mode)
{
	char *dir = tu_join(scratch, sub);
	char *file = tu_join(dir, "good_check.so");

	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chmod(dir, sub_mode), 0);
	tu_copy(tu_plugin_file("good_check"), file, file_mode);
	free(dir);
	return file;
}

static int loads(const char *file)
{
	struct ctm_plugin *pl = NULL;
	int rc;

	memset(&err, 0, sizeof err);
	rc = ctm_plugin_load(NULL, file, CTMON_KIND_CHECK, &pl, &err);
	if (rc == CTMON_OK)
		ctm_plugin_unload(pl);
	else
		assert_null(pl);
	return rc == CTMON_OK;
}

/* The canonical form of a scratch path (TMPDIR may be a symlink). */
static char *canon(const char *p)
{
	char *r = realpath(p, NULL);

	assert_non_null(r);
	return r;
}

static void test_group_writable_file(void **state)
{
	char *scratch = tu_mkdtemp();
	char *file = plant(scratch, "p", 0755, 0664);
	char want[4200];

	(void)state;
	assert_false(loads(file));
	snprintf(want, sizeof want,
		 "%s: file is group-writable: the group could replace it; "
		 "run chmod g-w %s", file, file);
	tu_assert_contains(err.text, want);
	assert_int_equal(chmod(file, 0644), 0);
	assert_true(loads(file));
	free(file);
	tu_rmtree(scratch);
	free(scratch);
}

static void test_group_writable_plugin_dir(void **state)
{
	char *scratch = tu_mkdtemp();
	char *file = plant(scratch, "p", 0775, 0644);
	char *dir = tu_join(scratch, "p"), *real = canon(dir);
	char want[4200];

	(void)state;
	assert_false(loads(file));
	snprintf(want, sizeof want,
		 "%s: directory %s is group-writable: the group could replace "
		 "the plugin; run chmod g-w %s", file, real, real);
	tu_assert_contains(err.text, want);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_true(loads(file));
	free(real);
	free(dir);
	free(file);
	tu_rmtree(scratch);
	free(scratch);
}

/* Not only the directory holding the plugin: a 0777 or 0775 directory
 * further up lets others rename the whole subtree away. */
static void test_writable_ancestor(void **state)
{
	char *scratch = tu_mkdtemp();
	char *file = plant(scratch, "p", 0755, 0644);
	char *real = canon(scratch);
	char want[4200];

	(void)state;
	assert_int_equal(chmod(scratch, 0777), 0);
	assert_false(loads(file));
	snprintf(want, sizeof want, "%s: directory %s is world-writable", file,
		 real);
	tu_assert_contains(err.text, want);
	assert_int_equal(chmod(scratch, 0770), 0);
	assert_false(loads(file));
	snprintf(want, sizeof want, "%s: directory %s is group-writable", file,
		 real);
	tu_assert_contains(err.text, want);
	assert_int_equal(chmod(scratch, 0700), 0);
	assert_true(loads(file));
	free(real);
	free(file);
	tu_rmtree(scratch);
	free(scratch);
}

/* A sticky world-writable directory (like /tmp) is fine above the
 * plugin's directory, but is refused as the plugin's directory. */
static void test_sticky_dir(void **state)
{
	char *scratch = tu_mkdtemp();
	char *file = plant(scratch, "p", 0755, 0644);
	char *sticky = tu_join(scratch, "p"), *real = canon(sticky);
	char want[4200];

	(void)state;
	assert_int_equal(chmod(scratch, 01777), 0);
	assert_true(loads(file));
	assert_int_equal(chmod(sticky, 01777), 0);
	assert_false(loads(file));
	snprintf(want, sizeof want, "%s: directory %s is world-writable", file,
		 real);
	tu_assert_contains(err.text, want);
	assert_int_equal(chmod(scratch, 0700), 0);
	free(real);
	free(sticky);
	free(file);
	tu_rmtree(scratch);
	free(scratch);
}

/* Another user's file or directory anywhere on the path is refused (only
 * root can hand one to another uid, so this runs only as root). */
static void test_foreign_owner(void **state)
{
	char *scratch = tu_mkdtemp();
	char *file = plant(scratch, "p", 0755, 0644);
	char *dir = tu_join(scratch, "p"), *real = canon(dir);
	char want[4200];

	(void)state;
	if (geteuid() != 0) {
		free(real);
		free(dir);
		free(file);
		tu_rmtree(scratch);
		free(scratch);
		skip();
	}
	assert_int_equal(chown(file, OTHER_UID, (gid_t)-1), 0);
	assert_false(loads(file));
	snprintf(want, sizeof want, "%s: file is owned by uid %d, neither root "
		 "nor the user running ctmon", file, OTHER_UID);
	tu_assert_contains(err.text, want);
	assert_int_equal(chown(file, 0, (gid_t)-1), 0);
	assert_int_equal(chown(dir, OTHER_UID, (gid_t)-1), 0);
	assert_false(loads(file));
	snprintf(want, sizeof want, "%s: directory %s is owned by uid %d", file,
		 real, OTHER_UID);
	tu_assert_contains(err.text, want);
	assert_int_equal(chown(dir, 0, (gid_t)-1), 0);
	assert_true(loads(file));
	free(real);
	free(dir);
	free(file);
	tu_rmtree(scratch);
	free(scratch);
}

/* The checks come before dlopen: the constructor of a refused plugin
 * never runs.  The same file in a safe place does run it, so the marker
 * really tells. */
static void test_refused_plugin_never_runs(void **state)
{
	char *scratch = tu_mkdtemp();
	char *dir = tu_join(scratch, "p");
	char *file = tu_join(dir, "ctor_marker.so");
	char *marker = tu_join(scratch, "marker");
	struct ctm_plugin *pl = NULL;

	(void)state;
	assert_int_equal(mkdir(dir, 0775), 0);
	assert_int_equal(chmod(dir, 0775), 0);
	tu_copy(tu_plugin_file("ctor_marker"), file, 0644);
	assert_int_equal(setenv("CTM_LOADER_CTOR_MARKER", marker, 1), 0);
	memset(&err, 0, sizeof err);
	assert_int_equal(ctm_plugin_load(NULL, file, CTMON_KIND_CHECK, &pl,
					 &err),
			 CTMON_ECONFIG);
	tu_assert_contains(err.text, "is group-writable");
	assert_int_not_equal(access(marker, F_OK), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(ctm_plugin_load(NULL, file, CTMON_KIND_CHECK, &pl,
					 &err),
			 CTMON_OK);
	assert_int_equal(access(marker, F_OK), 0);
	ctm_plugin_unload(pl);
	unsetenv("CTM_LOADER_CTOR_MARKER");
	free(marker);
	free(file);
	free(dir);
	tu_rmtree(scratch);
	free(scratch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_writable_file),
		cmocka_unit_test(test_group_writable_plugin_dir),
		cmocka_unit_test(test_writable_ancestor),
		cmocka_unit_test(test_sticky_dir),
		cmocka_unit_test(test_foreign_owner),
		cmocka_unit_test(test_refused_plugin_never_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
