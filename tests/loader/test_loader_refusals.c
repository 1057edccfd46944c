/* test_loader_refusals.c - every plugin the loader must refuse is refused,
 * and the message names the file, both ABI versions and the remedy. */
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

#define HOST_ABI                                                            \
	"ABI " CTMON_STR(CTMON_PLUGIN_ABI_MAJOR) "." CTMON_STR(             \
		CTMON_PLUGIN_ABI_MINOR)
#define PLUGIN_ABI_SAME "plugin " HOST_ABI
#define THIS_CTMON "this ctmon: " HOST_ABI ", ctmon "

static struct ctm_error err;

/* Loads `name_or_path` from the test plugin directory, asserts it was
 * refused without handing out a plugin, and returns the message. */
static const char *refusal_of(const char *name_or_path, enum ctmon_kind kind)
{
	struct ctm_plugin_path path;
	struct ctm_plugin *pl = (struct ctm_plugin *)&err; /* must be reset */
	int rc;

	tu_path(&path, CTM_LOADER_TEST_PLUGIN_DIR, NULL);
	memset(&err, 0, sizeof err);
	rc = ctm_plugin_load(&path, name_or_path, kind, &pl, &err);
	if (rc == CTMON_OK) {
		ctm_plugin_unload(pl);
		fail_msg("%s was loaded, expected a refusal", name_or_path);
	}
	assert_int_equal(rc, CTMON_ECONFIG);
	assert_null(pl);
	assert_true(strlen(err.text) > 0);
	return err.text;
}

/* Refusal of a test plugin by name: the message starts with its file. */
static const char *refusal(const char *name, enum ctmon_kind kind)
{
	const char *msg = refusal_of(name, kind);
	const char *file = tu_plugin_file(name);

	if (strncmp(msg, file, strlen(file)) != 0 || msg[strlen(file)] != ':')
		fail_msg("message does not start with \"%s:\":\n  %s", file,
			 msg);
	return msg;
}

static void test_wrong_major(void **state)
{
	char plugin_abi[64];
	const char *msg = refusal("wrong_major", 0);

	(void)state;
	snprintf(plugin_abi, sizeof plugin_abi, "plugin ABI %d.0 is not "
		 "supported by this ctmon (" HOST_ABI ", ctmon ",
		 CTMON_PLUGIN_ABI_MAJOR + 1);
	tu_assert_contains(msg, plugin_abi);
	tu_assert_contains(msg, "rebuild the plugin against ctmon's plugin.h "
			   CTMON_STR(CTMON_PLUGIN_ABI_MAJOR) ".x");
}

static void test_newer_minor(void **state)
{
	char plugin_abi[64];
	const char *msg = refusal("newer_minor", 0);

	(void)state;
	snprintf(plugin_abi, sizeof plugin_abi, "built for ABI %d.%d",
		 CTMON_PLUGIN_ABI_MAJOR, CTMON_PLUGIN_ABI_MINOR + 7);
	tu_assert_contains(msg, plugin_abi);
	tu_assert_contains(msg, "version 2.1.0");
	tu_assert_contains(msg, "newer than this ctmon (" HOST_ABI ", ctmon ");
	tu_assert_contains(msg, "upgrade ctmon or rebuild the plugin against "
			   HOST_ABI);
}

static void test_short_size(void **state)
{
	char sizes[128];
	const char *msg = refusal("short_size", 0);

	(void)state;
	snprintf(sizes, sizeof sizes,
		 "descriptor is %zu bytes, smaller than ABI 1.0's %zu",
		 offsetof(struct ctmon_plugin, ops),
		 (size_t)CTMON_PLUGIN_SIZE_1_0);
	tu_assert_contains(msg, sizes);
	tu_assert_contains(msg, PLUGIN_ABI_SAME ", version 0.0.1");
	tu_assert_contains(msg, THIS_CTMON);
	tu_assert_contains(msg,
			   "rebuild the plugin with CTMON_PLUGIN_DEFINE()");
}

static void test_null_descriptor(void **state)
{
	const char *msg = refusal("null_descriptor", 0);

	(void)state;
	tu_assert_contains(msg, "ctmon_plugin_entry() returned NULL");
	tu_assert_contains(msg, THIS_CTMON);
	tu_assert_contains(msg, "fix the plugin to return its static "
			   "descriptor");
}

static void test_no_entry_symbol(void **state)
{
	const char *msg = refusal("no_entry", 0);

	(void)state;
	tu_assert_contains(msg, "not a ctmon plugin: it does not export "
			   "ctmon_plugin_entry()");
	tu_assert_contains(msg, THIS_CTMON);
	tu_assert_contains(msg, "build it with CTMON_PLUGIN_DEFINE()");
}

static void test_missing_create(void **state)
{
	const char *msg = refusal("no_create", 0);

	(void)state;
	tu_assert_contains(msg, "does not define create()");
	tu_assert_contains(msg, PLUGIN_ABI_SAME ", version 1.0.0");
	tu_assert_contains(msg, THIS_CTMON);
	tu_assert_contains(msg, "create and destroy are mandatory");
}

static void test_missing_destroy(void **state)
{
	const char *msg = refusal("no_destroy", CTMON_KIND_NOTIFIER);

	(void)state;
	tu_assert_contains(msg, "does not define destroy()");
	tu_assert_contains(msg, PLUGIN_ABI_SAME);
	tu_assert_contains(msg, THIS_CTMON);
}

static void test_check_without_on_issuance(void **state)
{
	const char *msg = refusal("check_no_on_issuance", CTMON_KIND_CHECK);

	(void)state;
	tu_assert_contains(msg, "check plugin does not define on_issuance()");
	tu_assert_contains(msg, PLUGIN_ABI_SAME ", version 1.0.0");
	tu_assert_contains(msg, THIS_CTMON);
	tu_assert_contains(msg, "it is mandatory for a check; fix the plugin");
}

static void test_null_ops(void **state)
{
	const char *msg = refusal("null_ops", CTMON_KIND_SOURCE);

	(void)state;
	tu_assert_contains(msg, "declares no source ops");
	tu_assert_contains(msg, PLUGIN_ABI_SAME);
	tu_assert_contains(msg, "pass a struct ctmon_source_ops");
}

static void test_short_ops(void **state)
{
	char sizes[128];
	const char *msg = refusal("short_ops", CTMON_KIND_NOTIFIER);

	(void)state;
	snprintf(sizes, sizeof sizes,
		 "notifier ops are %zu bytes, smaller than ABI 1.0's %zu",
		 sizeof(size_t), sizeof(struct ctmon_notifier_ops));
	tu_assert_contains(msg, sizes);
	tu_assert_contains(msg, PLUGIN_ABI_SAME);
	tu_assert_contains(msg, THIS_CTMON);
	tu_assert_contains(msg, "sizeof(struct ctmon_notifier_ops)");
}

static void test_unknown_kind(void **state)
{
	const char *msg = refusal("unknown_kind", 0);

	(void)state;
	tu_assert_contains(msg, "declares unknown kind 9");
	tu_assert_contains(msg, PLUGIN_ABI_SAME);
	tu_assert_contains(msg, THIS_CTMON);
	tu_assert_contains(msg, "fix the plugin");
}

static void test_kind_mismatch(void **state)
{
	const char *msg = refusal("good_source", CTMON_KIND_CHECK);

	(void)state;
	tu_assert_contains(msg, "is a source plugin but is configured as a "
			   "check");
	tu_assert_contains(msg, PLUGIN_ABI_SAME ", version 1.2.3");
	tu_assert_contains(msg, "move it to the config's sources list");
}

static void test_name_mismatch(void **state)
{
	const char *msg = refusal("name_mismatch", CTMON_KIND_CHECK);

	(void)state;
	tu_assert_contains(msg, "declares name \"other_name\" but was loaded "
			   "as \"name_mismatch\"");
	tu_assert_contains(msg, PLUGIN_ABI_SAME ", version 1.0.0");
	tu_assert_contains(msg, THIS_CTMON);
	tu_assert_contains(msg, "rename the file to other_name.so or fix the "
			   "config");
}

static void test_no_name(void **state)
{
	const char *msg = refusal("no_name", 0);

	(void)state;
	tu_assert_contains(msg, "declares an invalid name \"(null)\"");
	tu_assert_contains(msg, PLUGIN_ABI_SAME);
	tu_assert_contains(msg, THIS_CTMON);
	tu_assert_contains(msg, "plugin names are [a-z0-9_]+; fix the plugin");
}

static void test_missing_option_table(void **state)
{
	const char *msg = refusal("missing_option_table", 0);

	(void)state;
	tu_assert_contains(msg, "option table is malformed: 2 options "
			   "declared but no table");
	tu_assert_contains(msg, PLUGIN_ABI_SAME);
	tu_assert_contains(msg, THIS_CTMON);
}

static void test_duplicate_option(void **state)
{
	const char *msg = refusal("dup_option", 0);

	(void)state;
	tu_assert_contains(msg, "option table is malformed: option \"url\" is "
			   "declared twice");
	tu_assert_contains(msg, PLUGIN_ABI_SAME);
	tu_assert_contains(msg, THIS_CTMON);
	tu_assert_contains(msg, "remove the duplicate");
}

static void test_bad_option_name(void **state)
{
	const char *msg = refusal("bad_option_name", 0);

	(void)state;
	tu_assert_contains(msg, "option 1 has the invalid name \"Bad-Name\"");
	tu_assert_contains(msg, "option names are [a-z0-9_]+");
	tu_assert_contains(msg, THIS_CTMON);
}

static void test_bad_option_type(void **state)
{
	const char *msg = refusal("bad_option_type", 0);

	(void)state;
	tu_assert_contains(msg, "option \"mystery\" has unknown type 99");
	tu_assert_contains(msg, PLUGIN_ABI_SAME);
	tu_assert_contains(msg, "use a CTMON_OPT_* type of " HOST_ABI);
}

static void test_small_option_size(void **state)
{
	char sizes[128];
	const char *msg = refusal("small_option_size", 0);

	(void)state;
	snprintf(sizes, sizeof sizes,
		 "entries are %zu bytes, smaller than ABI 1.0's %zu",
		 2 * sizeof(const char *), sizeof(struct ctmon_option));
	tu_assert_contains(msg, sizes);
	tu_assert_contains(msg, THIS_CTMON);
	tu_assert_contains(msg, "set option_size to sizeof(struct "
			   "ctmon_option)");
}

/* The requested name becomes a file name: nothing path-like gets in. */
static void test_invalid_requested_name(void **state)
{
	const char *msg = refusal_of("Good_Check", 0);

	(void)state;
	tu_assert_contains(msg, "plugin name \"Good_Check\" is invalid");
	tu_assert_contains(msg, "[a-z0-9_]+");
}

/* ---- file safety: copies of a good plugin in a scratch directory ---- */

static void test_world_writable_file(void **state)
{
	char *dir = tu_mkdtemp();
	char *file = tu_join(dir, "good_check.so");
	char want[4200];
	struct ctm_plugin *pl = NULL;
	const char *msg;

	(void)state;
	tu_copy(tu_plugin_file("good_check"), file, 0666);
	msg = refusal_of(file, CTMON_KIND_CHECK);
	snprintf(want, sizeof want,
		 "%s: file is world-writable: anyone could replace it; run "
		 "chmod o-w %s",
		 file, file);
	tu_assert_contains(msg, want);
	/* The same file loads once the permission is fixed, so the
	 * permission was the reason. */
	assert_int_equal(chmod(file, 0644), 0);
	assert_int_equal(ctm_plugin_load(NULL, file, CTMON_KIND_CHECK, &pl,
					 &err),
			 CTMON_OK);
	ctm_plugin_unload(pl);
	free(file);
	tu_rmtree(dir);
	free(dir);
}

static void test_world_writable_dir(void **state)
{
	char *dir = tu_mkdtemp();
	char *file = tu_join(dir, "good_check.so");
	char want[4200];
	struct ctm_plugin *pl = NULL;
	const char *msg;

	(void)state;
	tu_copy(tu_plugin_file("good_check"), file, 0644);
	assert_int_equal(chmod(dir, 0777), 0);
	msg = refusal_of(file, CTMON_KIND_CHECK);
	snprintf(want, sizeof want,
		 "%s: directory %s is world-writable: anyone could replace "
		 "the plugin; run chmod o-w %s",
		 file, dir, dir);
	tu_assert_contains(msg, want);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(ctm_plugin_load(NULL, file, CTMON_KIND_CHECK, &pl,
					 &err),
			 CTMON_OK);
	ctm_plugin_unload(pl);
	free(file);
	tu_rmtree(dir);
	free(dir);
}

/* A symlink in a safe directory to a file in a world-writable one: the
 * target is what gets mapped, so its directory counts too. */
static void test_symlink_into_world_writable_dir(void **state)
{
	char *safe = tu_mkdtemp();
	char *open_dir = tu_mkdtemp();
	char *target = tu_join(open_dir, "good_check.so");
	char *link = tu_join(safe, "good_check.so");
	char *real_dir = NULL;
	const char *msg;
	char want[4200];

	(void)state;
	tu_copy(tu_plugin_file("good_check"), target, 0644);
	assert_int_equal(chmod(open_dir, 0777), 0);
	assert_int_equal(symlink(target, link), 0);
	real_dir = realpath(open_dir, NULL);
	assert_non_null(real_dir);
	msg = refusal_of(link, CTMON_KIND_CHECK);
	snprintf(want, sizeof want, "%s: directory %s is world-writable", link,
		 real_dir);
	tu_assert_contains(msg, want);
	free(real_dir);
	free(link);
	free(target);
	tu_rmtree(safe);
	tu_rmtree(open_dir);
	free(safe);
	free(open_dir);
}

static void test_fifo_is_not_regular(void **state)
{
	char *dir = tu_mkdtemp();
	char *file = tu_join(dir, "good_check.so");
	const char *msg;

	(void)state;
	/* dlopen() on a FIFO would block forever: it must never get there. */
	assert_int_equal(mkfifo(file, 0644), 0);
	msg = refusal_of(file, 0);
	tu_assert_contains(msg, file);
	tu_assert_contains(msg, "is a FIFO: only regular files are loaded as "
			   "plugins");
	free(file);
	tu_rmtree(dir);
	free(dir);
}

static void test_directory_is_not_regular(void **state)
{
	char *dir = tu_mkdtemp();
	char *sub = tu_join(dir, "good_check.so");
	struct ctm_plugin_path path;
	struct ctm_plugin *pl = NULL;

	(void)state;
	assert_int_equal(mkdir(sub, 0755), 0);
	/* Found by name through the search path, not skipped over. */
	tu_path(&path, dir, CTM_LOADER_TEST_PLUGIN_DIR);
	assert_int_equal(ctm_plugin_load(&path, "good_check", 0, &pl, &err),
			 CTMON_ECONFIG);
	assert_null(pl);
	tu_assert_contains(err.text, sub);
	tu_assert_contains(err.text, "is a directory: only regular files");
	free(sub);
	tu_rmtree(dir);
	free(dir);
}

static void test_dlopen_failure(void **state)
{
	char *dir = tu_mkdtemp();
	char *file = tu_join(dir, "garbage.so");
	char want[4200];
	const char *msg;
	FILE *fp;

	(void)state;
	fp = fopen(file, "w");
	assert_non_null(fp);
	fputs("this is not an ELF object\n", fp);
	assert_int_equal(fclose(fp), 0);
	msg = refusal_of(file, 0);
	tu_assert_contains(msg, file);
	tu_assert_contains(msg, "cannot be loaded: ");
	tu_assert_contains(msg, THIS_CTMON);
	snprintf(want, sizeof want, "run \"ldd %s\"", file);
	tu_assert_contains(msg, want);
	free(file);
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_major),
		cmocka_unit_test(test_newer_minor),
		cmocka_unit_test(test_short_size),
		cmocka_unit_test(test_null_descriptor),
		cmocka_unit_test(test_no_entry_symbol),
		cmocka_unit_test(test_missing_create),
		cmocka_unit_test(test_missing_destroy),
		cmocka_unit_test(test_check_without_on_issuance),
		cmocka_unit_test(test_null_ops),
		cmocka_unit_test(test_short_ops),
		cmocka_unit_test(test_unknown_kind),
		cmocka_unit_test(test_kind_mismatch),
		cmocka_unit_test(test_name_mismatch),
		cmocka_unit_test(test_no_name),
		cmocka_unit_test(test_missing_option_table),
		cmocka_unit_test(test_duplicate_option),
		cmocka_unit_test(test_bad_option_name),
		cmocka_unit_test(test_bad_option_type),
		cmocka_unit_test(test_small_option_size),
		cmocka_unit_test(test_invalid_requested_name),
		cmocka_unit_test(test_world_writable_file),
		cmocka_unit_test(test_world_writable_dir),
		cmocka_unit_test(test_symlink_into_world_writable_dir),
		cmocka_unit_test(test_fifo_is_not_regular),
		cmocka_unit_test(test_directory_is_not_regular),
		cmocka_unit_test(test_dlopen_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
