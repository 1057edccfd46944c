/* test_loader_load.c - good plugins load; the host keeps zero-filled copies
 * of descriptor and ops made by the plugin's own sizes; unload honours
 * CTMON_NO_DLCLOSE. */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "loader.h"
#include "loader_test_util.h"
#include "plugins/test_plugin.h"

static struct ctm_error err;

static struct ctm_plugin *load_ok(const char *name, enum ctmon_kind kind)
{
	struct ctm_plugin_path path;
	struct ctm_plugin *pl = NULL;
	int rc;

	tu_path(&path, CTM_LOADER_TEST_PLUGIN_DIR, NULL);
	memset(&err, 0, sizeof err);
	rc = ctm_plugin_load(&path, name, kind, &pl, &err);
	if (rc != CTMON_OK)
		fail_msg("%s: rc %d: %s", name, rc, err.text);
	assert_non_null(pl);
	assert_non_null(pl->dl);
	assert_string_equal(pl->path, tu_plugin_file(name));
	return pl;
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void assert_common_desc(const struct ctm_plugin *pl, const char *name)
{
	assert_int_equal(pl->desc.abi_major, CTMON_PLUGIN_ABI_MAJOR);
	assert_int_equal(pl->desc.abi_minor, CTMON_PLUGIN_ABI_MINOR);
	assert_string_equal(pl->desc.name, name);
	assert_string_equal(pl->desc.build_info, CTMON_BUILD_INFO);
	assert_non_null(pl->desc.create);
	assert_non_null(pl->desc.destroy);
	assert_null(pl->desc.start);
	assert_null(pl->desc.stop);
}

static void test_good_source(void **state)
{
	struct ctm_plugin *pl = load_ok("good_source", CTMON_KIND_SOURCE);
	const struct ctmon_option *opt;
	void *st = NULL;

	(void)state;
	assert_common_desc(pl, "good_source");
	assert_int_equal(pl->desc.size, sizeof(struct ctmon_plugin));
	assert_int_equal(pl->desc.kind, CTMON_KIND_SOURCE);
	assert_string_equal(pl->desc.version, "1.2.3");
	assert_string_equal(pl->desc.description, "Loader test: a good source");
	/* The option table stays in the .so and is strided by option_size. */
	assert_int_equal(pl->desc.n_options, 2);
	assert_int_equal(pl->desc.option_size, sizeof(struct ctmon_option));
	opt = pl->desc.options;
	assert_string_equal(opt[0].name, "url");
	assert_true(opt[0].flags & CTMON_OPTF_REQUIRED);
	assert_string_equal(opt[1].name, "retries");
	assert_string_equal(opt[1].default_value, "3");
	/* Only the kind's own ops are filled in. */
	assert_int_equal(pl->source.size, sizeof(struct ctmon_source_ops));
	assert_non_null(pl->source.collect);
	assert_true(all_zero(&pl->check, sizeof pl->check));
	assert_true(all_zero(&pl->notifier, sizeof pl->notifier));
	/* The copies reach the plugin's own code with its own state. */
	assert_int_equal(pl->desc.create(NULL, NULL, NULL, &st), CTMON_OK);
	assert_non_null(st);
	assert_int_equal(pl->source.collect(st, NULL, NULL), TP_COLLECT_RC);
	pl->desc.destroy(st);
	ctm_plugin_unload(pl);
}

static void test_good_check(void **state)
{
	struct ctm_plugin *pl = load_ok("good_check", CTMON_KIND_CHECK);
	void *st = NULL;

	(void)state;
	assert_common_desc(pl, "good_check");
	assert_int_equal(pl->desc.kind, CTMON_KIND_CHECK);
	assert_string_equal(pl->desc.version, "2.0.1");
	assert_int_equal(pl->desc.n_options, 1);
	assert_int_equal(pl->check.size, sizeof(struct ctmon_check_ops));
	assert_non_null(pl->check.on_issuance);
	assert_non_null(pl->check.on_cycle);
	assert_null(pl->check.watch);
	assert_null(pl->check.on_any);
	assert_true(all_zero(&pl->source, sizeof pl->source));
	assert_true(all_zero(&pl->notifier, sizeof pl->notifier));
	assert_int_equal(pl->desc.create(NULL, NULL, NULL, &st), CTMON_OK);
	assert_int_equal(pl->check.on_issuance(st, NULL, NULL),
			 TP_ON_ISSUANCE_RC);
	assert_int_equal(pl->check.on_cycle(st, NULL), TP_ON_CYCLE_RC);
	pl->desc.destroy(st);
	ctm_plugin_unload(pl);
}

/* Kind 0 means "any": --plugin-help and --list-plugins load that way. */
static void test_good_notifier_any_kind(void **state)
{
	struct ctm_plugin *pl = load_ok("good_notifier", 0);
	void *st = NULL;

	(void)state;
	assert_common_desc(pl, "good_notifier");
	assert_int_equal(pl->desc.kind, CTMON_KIND_NOTIFIER);
	assert_string_equal(pl->desc.version, "0.9.0");
	assert_int_equal(pl->desc.n_options, 0);
	assert_int_equal(pl->notifier.size, sizeof(struct ctmon_notifier_ops));
	assert_true(all_zero(&pl->source, sizeof pl->source));
	assert_true(all_zero(&pl->check, sizeof pl->check));
	assert_int_equal(pl->desc.create(NULL, NULL, NULL, &st), CTMON_OK);
	assert_int_equal(pl->notifier.deliver(st, NULL, 0), TP_DELIVER_RC);
	pl->desc.destroy(st);
	ctm_plugin_unload(pl);
}

/* A descriptor and ops larger than the host's (a later header of the same
 * major): the known part is copied, the rest is not, and nothing spills
 * into the neighbouring members of struct ctm_plugin. */
static void test_larger_structs_copy_known_part(void **state)
{
	struct ctm_plugin *pl = load_ok("bigger_size", CTMON_KIND_CHECK);
	const size_t extra = 4 * sizeof(uint64_t);
	void *st = NULL;

	(void)state;
	assert_common_desc(pl, "bigger_size");
	/* The plugin's own sizes are kept, so callers can see them... */
	assert_int_equal(pl->desc.size, sizeof(struct ctmon_plugin) + extra);
	assert_int_equal(pl->check.size,
			 sizeof(struct ctmon_check_ops) + extra);
	/* ...every known field arrived... */
	assert_string_equal(pl->desc.version, "3.0.0");
	assert_int_equal(pl->desc.n_options, 1);
	assert_non_null(pl->desc.ops);
	assert_non_null(pl->check.on_issuance);
	assert_non_null(pl->check.on_cycle);
	assert_null(pl->check.watch);
	assert_null(pl->check.on_any);
	/* ...and the appended 0xab bytes went nowhere. */
	assert_true(all_zero(&pl->source, sizeof pl->source));
	assert_true(all_zero(&pl->notifier, sizeof pl->notifier));
	assert_int_equal(pl->desc.create(NULL, NULL, NULL, &st), CTMON_OK);
	assert_int_equal(pl->check.on_issuance(st, NULL, NULL),
			 TP_ON_ISSUANCE_RC);
	pl->desc.destroy(st);
	ctm_plugin_unload(pl);
}

/* A name with a '/' is a path: loaded as is, named by its base name. */
static void test_load_by_path(void **state)
{
	struct ctm_plugin *pl = NULL;

	(void)state;
	assert_int_equal(ctm_plugin_load(NULL, tu_plugin_file("good_check"),
					 CTMON_KIND_CHECK, &pl, &err),
			 CTMON_OK);
	assert_non_null(pl);
	assert_string_equal(pl->desc.name, "good_check");
	assert_string_equal(pl->path, tu_plugin_file("good_check"));
	ctm_plugin_unload(pl);
}

/* 1 if the dynamic linker still has the object mapped. */
static int still_mapped(const char *file)
{
	void *h = dlopen(file, RTLD_NOW | RTLD_NOLOAD);

	if (!h)
		return 0;
	dlclose(h);
	return 1;
}

static void test_unload_and_no_dlclose(void **state)
{
	const char *file = tu_plugin_file("good_notifier");
	struct ctm_plugin *pl;
	void *h;

	(void)state;
	ctm_plugin_unload(NULL);

	unsetenv("CTMON_NO_DLCLOSE");
	pl = load_ok("good_notifier", CTMON_KIND_NOTIFIER);
	assert_true(still_mapped(file));
	ctm_plugin_unload(pl);
	assert_false(still_mapped(file));

	/* Any other value than "1" still closes. */
	setenv("CTMON_NO_DLCLOSE", "0", 1);
	pl = load_ok("good_notifier", CTMON_KIND_NOTIFIER);
	ctm_plugin_unload(pl);
	assert_false(still_mapped(file));

	setenv("CTMON_NO_DLCLOSE", "1", 1);
	pl = load_ok("good_notifier", CTMON_KIND_NOTIFIER);
	ctm_plugin_unload(pl);
	unsetenv("CTMON_NO_DLCLOSE");
	h = dlopen(file, RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(h);
	/* Drop our reference and the one the loader deliberately kept. */
	dlclose(h);
	dlclose(h);
	assert_false(still_mapped(file));
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(ctm_kind_name(CTMON_KIND_SOURCE), "source");
	assert_string_equal(ctm_kind_name(CTMON_KIND_CHECK), "check");
	assert_string_equal(ctm_kind_name(CTMON_KIND_NOTIFIER), "notifier");
	assert_string_equal(ctm_kind_name((enum ctmon_kind)0), "unknown");
	assert_string_equal(ctm_kind_name((enum ctmon_kind)9), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_source),
		cmocka_unit_test(test_good_check),
		cmocka_unit_test(test_good_notifier_any_kind),
		cmocka_unit_test(test_larger_structs_copy_known_part),
		cmocka_unit_test(test_load_by_path),
		cmocka_unit_test(test_unload_and_no_dlclose),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
