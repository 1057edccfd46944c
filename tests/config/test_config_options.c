/* test_config_options.c - a plugin's `config` group against its option
 * table: golden errors, defaults, every getter, cfg_where, nested groups
 * and group lists, option tables of a newer (larger) layout, and
 * --plugin-help output. */
#include "config_test.h"

static const struct ctmon_option demo_opts[] = {
	{"name", CTMON_OPT_STRING, "\"unnamed\"", 0, "a quoted default"},
	{"label", CTMON_OPT_STRING, "plain text", 0, "an unquoted default"},
	{"count", CTMON_OPT_INT, "30", 0, "an integer"},
	{"ratio", CTMON_OPT_DOUBLE, "2.5", 0, "a number"},
	{"flag", CTMON_OPT_BOOL, "true", 0, "a switch"},
	{"names", CTMON_OPT_STRING_LIST, "[\"x\", \"y\"]", 0, "strings"},
	{"numbers", CTMON_OPT_INT_LIST, "[30, 14, 7]", 0, "integers"},
	{"extra", CTMON_OPT_GROUP, NULL, 0, "a free-form group"},
	{"rules", CTMON_OPT_GROUP_LIST, NULL, 0, "a list of groups"},
	{"password", CTMON_OPT_STRING, NULL, CTMON_OPTF_SECRET, "a secret"},
	{"token", CTMON_OPT_STRING, "s3cr3t-default", CTMON_OPTF_SECRET,
	 "a secret with a default"},
	{"nothing", CTMON_OPT_INT, NULL, 0, "no default"},
};
#define N_DEMO (sizeof demo_opts / sizeof demo_opts[0])

/* The same table as a plugin built against a newer plugin.h would write
 * it: each entry carries fields this host does not know. */
struct newer_option {
	struct ctmon_option base;
	const char *since;
	int64_t extra[3];
};

static struct ctm_instance *by_id(struct ctm_config *c, const char *id)
{
	for (size_t i = 0; i < c->n_checks; i++)
		if (strcmp(c->checks[i].id, id) == 0)
			return &c->checks[i];
	fail_msg("no check \"%s\"", id);
	return NULL;
}

static int setup(void **state)
{
	*state = cfg_load_ok("options.cfg");
	return 0;
}

static int teardown(void **state)
{
	ctm_config_free(*state);
	return 0;
}

static const struct ctmon_config *validated(void **state, const char *id)
{
	struct ctm_instance *inst = by_id(*state, id);
	struct ctm_error err;

	memset(&err, 0, sizeof err);
	if (ctm_config_validate_instance(inst, demo_opts, N_DEMO,
					 sizeof demo_opts[0], &err) != CTMON_OK)
		fail_msg("%s", err.text);
	assert_non_null(inst->pconf);
	return inst->pconf;
}

static void expect_invalid(void **state, const char *id,
			   const struct ctmon_option *opts, size_t n,
			   size_t size, const char *expected)
{
	struct ctm_instance *inst = by_id(*state, id);
	struct ctm_error err;

	memset(&err, 0, sizeof err);
	assert_int_equal(ctm_config_validate_instance(inst, opts, n, size,
						      &err),
			 CTMON_ECONFIG);
	assert_string_equal(err.text, expected);
}

static void test_scalar_getters(void **state)
{
	const struct ctmon_config *v = validated(state, "d1");
	const char *s = NULL;
	int64_t i = 0;
	double d = 0;
	int b = 0;

	assert_int_equal(ctm_cfg_string(v, "name", &s), CTMON_OK);
	assert_string_equal(s, "alpha");
	assert_int_equal(ctm_cfg_int(v, "count", &i), CTMON_OK);
	assert_int_equal(i, 7);
	/* a DOUBLE option accepts an int */
	assert_int_equal(ctm_cfg_double(v, "ratio", &d), CTMON_OK);
	assert_true(d == 3.0);
	assert_int_equal(ctm_cfg_bool(v, "flag", &b), CTMON_OK);
	assert_int_equal(b, 1);
	/* wrong getter for the type, absent keys, bad arguments */
	assert_int_equal(ctm_cfg_int(v, "name", &i), CTMON_EINVAL);
	assert_int_equal(ctm_cfg_string(v, "count", &s), CTMON_EINVAL);
	assert_int_equal(ctm_cfg_bool(v, "count", &b), CTMON_EINVAL);
	assert_int_equal(ctm_cfg_double(v, "name", &d), CTMON_EINVAL);
	assert_int_equal(ctm_cfg_int(v, "nothing", &i), CTMON_ENOTFOUND);
	assert_int_equal(ctm_cfg_string(v, "password", &s), CTMON_ENOTFOUND);
	assert_int_equal(ctm_cfg_int(NULL, "count", &i), CTMON_EINVAL);
	assert_int_equal(ctm_cfg_int(v, NULL, &i), CTMON_EINVAL);
}

static void test_list_getters(void **state)
{
	const struct ctmon_config *v = validated(state, "d1");
	const char *s = NULL;
	int64_t i = 0;
	size_t n = 0;

	assert_int_equal(ctm_cfg_list_len(v, "names", &n), CTMON_OK);
	assert_int_equal(n, 3);
	assert_int_equal(ctm_cfg_list_string(v, "names", 1, &s), CTMON_OK);
	assert_string_equal(s, "b");
	assert_int_equal(ctm_cfg_list_string(v, "names", 3, &s),
			 CTMON_ENOTFOUND);
	assert_int_equal(ctm_cfg_list_len(v, "numbers", &n), CTMON_OK);
	assert_int_equal(n, 3);
	assert_int_equal(ctm_cfg_list_int(v, "numbers", 2, &i), CTMON_OK);
	assert_int_equal(i, 3);
	assert_int_equal(ctm_cfg_list_int(v, "names", 0, &i), CTMON_EINVAL);
	assert_int_equal(ctm_cfg_list_string(v, "numbers", 0, &s),
			 CTMON_EINVAL);
	assert_int_equal(ctm_cfg_list_len(v, "count", &n), CTMON_EINVAL);
	assert_int_equal(ctm_cfg_list_len(v, "nothing", &n), CTMON_ENOTFOUND);
}

static void test_group_and_group_list(void **state)
{
	const struct ctmon_config *v = validated(state, "d1");
	const struct ctmon_config *g = NULL, *inner = NULL, *r = NULL;
	const char *s = NULL;
	int64_t i = 0;
	size_t n = 0;
	int b = 0;

	assert_int_equal(ctm_cfg_group(v, "extra", &g), CTMON_OK);
	assert_int_equal(ctm_cfg_string(g, "colour", &s), CTMON_OK);
	assert_string_equal(s, "blue");
	assert_int_equal(ctm_cfg_int(g, "depth", &i), CTMON_OK);
	assert_int_equal(i, 2);
	assert_int_equal(ctm_cfg_member_name(g, 0, &s), CTMON_OK);
	assert_string_equal(s, "colour");
	assert_int_equal(ctm_cfg_member_name(g, 2, &s), CTMON_OK);
	assert_string_equal(s, "inner");
	assert_int_equal(ctm_cfg_member_name(g, 3, &s), CTMON_ENOTFOUND);
	assert_string_equal(ctm_cfg_where(g, "depth"), "options.cfg:9");
	assert_int_equal(ctm_cfg_group(g, "inner", &inner), CTMON_OK);
	assert_int_equal(ctm_cfg_bool(inner, "leaf", &b), CTMON_OK);
	assert_int_equal(b, 1);
	assert_string_equal(ctm_cfg_where(inner, "leaf"), "options.cfg:10");
	assert_int_equal(ctm_cfg_group(v, "name", &g), CTMON_EINVAL);
	assert_int_equal(ctm_cfg_group(v, "nothing", &g), CTMON_ENOTFOUND);

	assert_int_equal(ctm_cfg_list_len(v, "rules", &n), CTMON_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ctm_cfg_list_group(v, "rules", 0, &r), CTMON_OK);
	assert_int_equal(ctm_cfg_string(r, "domain", &s), CTMON_OK);
	assert_string_equal(s, "example.com");
	assert_int_equal(ctm_cfg_list_int(r, "ids", 1, &i), CTMON_OK);
	assert_int_equal(i, 2);
	assert_int_equal(ctm_cfg_list_group(v, "rules", 1, &r), CTMON_OK);
	assert_int_equal(ctm_cfg_string(r, "domain", &s), CTMON_OK);
	assert_string_equal(s, "example.org");
	assert_int_equal(ctm_cfg_list_len(r, "ids", &n), CTMON_ENOTFOUND);
	assert_string_equal(ctm_cfg_where(r, "ids"), "options.cfg:12");
	assert_int_equal(ctm_cfg_list_group(v, "rules", 2, &r),
			 CTMON_ENOTFOUND);
	assert_int_equal(ctm_cfg_list_group(v, "names", 0, &r), CTMON_EINVAL);
}

static void test_where(void **state)
{
	const struct ctmon_config *v = validated(state, "d1");
	const struct ctmon_config *bare = validated(state, "bare");

	assert_string_equal(ctm_cfg_where(v, "count"), "options.cfg:5");
	assert_string_equal(ctm_cfg_where(v, "rules"), "options.cfg:11");
	/* absent (defaulted or unknown) keys: the `config` group's line */
	assert_string_equal(ctm_cfg_where(v, "flag"), "options.cfg:3");
	assert_string_equal(ctm_cfg_where(v, "no_such_key"), "options.cfg:3");
	/* no `config` group at all: the instance's line */
	assert_string_equal(ctm_cfg_where(bare, "count"), "options.cfg:15");
	assert_string_equal(ctm_cfg_where(bare, NULL), "options.cfg:15");
}

static void test_defaults_applied(void **state)
{
	const struct ctmon_config *v = validated(state, "bare");
	const char *s = NULL;
	int64_t i = 0;
	double d = 0;
	size_t n = 0;
	int b = 0;

	assert_int_equal(ctm_cfg_string(v, "name", &s), CTMON_OK);
	assert_string_equal(s, "unnamed");
	assert_int_equal(ctm_cfg_string(v, "label", &s), CTMON_OK);
	assert_string_equal(s, "plain text");
	assert_int_equal(ctm_cfg_int(v, "count", &i), CTMON_OK);
	assert_int_equal(i, 30);
	assert_int_equal(ctm_cfg_double(v, "ratio", &d), CTMON_OK);
	assert_true(d == 2.5);
	assert_int_equal(ctm_cfg_bool(v, "flag", &b), CTMON_OK);
	assert_int_equal(b, 1);
	assert_int_equal(ctm_cfg_list_len(v, "names", &n), CTMON_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ctm_cfg_list_string(v, "names", 1, &s), CTMON_OK);
	assert_string_equal(s, "y");
	assert_int_equal(ctm_cfg_list_len(v, "numbers", &n), CTMON_OK);
	assert_int_equal(n, 3);
	assert_int_equal(ctm_cfg_list_int(v, "numbers", 0, &i), CTMON_OK);
	assert_int_equal(i, 30);
	assert_int_equal(ctm_cfg_list_int(v, "numbers", 2, &i), CTMON_OK);
	assert_int_equal(i, 7);
	assert_int_equal(ctm_cfg_string(v, "token", &s), CTMON_OK);
	assert_string_equal(s, "s3cr3t-default");
	/* options without a default stay absent */
	assert_int_equal(ctm_cfg_group(v, "extra", NULL), CTMON_ENOTFOUND);
	assert_int_equal(ctm_cfg_int(v, "nothing", &i), CTMON_ENOTFOUND);
	/* the group is empty: member names are the defaults applied */
	assert_int_equal(ctm_cfg_member_name(v, 0, &s), CTMON_OK);
	assert_string_equal(s, "name");
	assert_int_equal(ctm_cfg_member_name(v, 7, &s), CTMON_OK);
	assert_string_equal(s, "token");
	assert_int_equal(ctm_cfg_member_name(v, 8, &s), CTMON_ENOTFOUND);

	/* a value present in the file wins over the default */
	v = validated(state, "d1");
	assert_int_equal(ctm_cfg_int(v, "count", &i), CTMON_OK);
	assert_int_equal(i, 7);
}

static void test_group_defaults(void **state)
{
	static const struct ctmon_option opts[] = {
		{"box", CTMON_OPT_GROUP, "{ a = 1; b = \"two\"; }", 0, ""},
		{"rows", CTMON_OPT_GROUP_LIST, "( { a = 1; }, { a = 2; } )", 0,
		 ""},
	};
	struct ctm_instance *inst = by_id(*state, "bare");
	const struct ctmon_config *g = NULL;
	struct ctm_error err;
	const char *s = NULL;
	int64_t i = 0;
	size_t n = 0;

	assert_int_equal(ctm_config_validate_instance(inst, opts, 2,
						      sizeof opts[0], &err),
			 CTMON_OK);
	assert_int_equal(ctm_cfg_group(inst->pconf, "box", &g), CTMON_OK);
	assert_int_equal(ctm_cfg_int(g, "a", &i), CTMON_OK);
	assert_int_equal(i, 1);
	assert_int_equal(ctm_cfg_string(g, "b", &s), CTMON_OK);
	assert_string_equal(s, "two");
	assert_string_equal(ctm_cfg_where(g, "a"), "options.cfg:15");
	assert_int_equal(ctm_cfg_list_len(inst->pconf, "rows", &n), CTMON_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ctm_cfg_list_group(inst->pconf, "rows", 1, &g),
			 CTMON_OK);
	assert_int_equal(ctm_cfg_int(g, "a", &i), CTMON_OK);
	assert_int_equal(i, 2);
}

static void test_unknown_option_suggests(void **state)
{
	expect_invalid(state, "typo", demo_opts, N_DEMO, sizeof demo_opts[0],
		       "options.cfg:17: check \"typo\" (plugin demo): option "
		       "\"cuont\": unknown option (did you mean \"count\"?)");
	expect_invalid(state, "far", demo_opts, N_DEMO, sizeof demo_opts[0],
		       "options.cfg:29: check \"far\" (plugin demo): option "
		       "\"zzzzzzzz\": unknown option");
}

static void test_wrong_types(void **state)
{
	struct ctm_error err;

	expect_invalid(state, "wrong", demo_opts, N_DEMO, sizeof demo_opts[0],
		       "options.cfg:19: check \"wrong\" (plugin demo): option "
		       "\"count\": expected int, got string");
	expect_invalid(state, "elem", demo_opts, N_DEMO, sizeof demo_opts[0],
		       "options.cfg:23: check \"elem\" (plugin demo): option "
		       "\"names\": expected list of strings, but element 2 is "
		       "int");
	expect_invalid(state, "notgroups", demo_opts, N_DEMO,
		       sizeof demo_opts[0],
		       "options.cfg:25: check \"notgroups\" (plugin demo): "
		       "option \"rules\": expected list of groups, but element "
		       "2 is int");
	/* a secret's value never reaches a message */
	expect_invalid(state, "secretwrong", demo_opts, N_DEMO,
		       sizeof demo_opts[0],
		       "options.cfg:27: check \"secretwrong\" (plugin demo): "
		       "option \"password\": expected string, got int");
	memset(&err, 0, sizeof err);
	ctm_config_validate_instance(by_id(*state, "secretwrong"), demo_opts,
				     N_DEMO, sizeof demo_opts[0], &err);
	assert_null(strstr(err.text, "123456789"));
}

static void test_missing_required(void **state)
{
	static const struct ctmon_option opts[] = {
		{"url", CTMON_OPT_STRING, NULL, CTMON_OPTF_REQUIRED, "where"},
	};

	/* reported at the instance's line */
	expect_invalid(state, "bare", opts, 1, sizeof opts[0],
		       "options.cfg:15: check \"bare\" (plugin demo): option "
		       "\"url\": required option missing");
}

static void test_bad_table_defaults(void **state)
{
	static const struct ctmon_option unparsable[] = {
		{"n", CTMON_OPT_INT, "thirty", 0, ""},
	};
	static const struct ctmon_option mistyped[] = {
		{"n", CTMON_OPT_INT_LIST, "[\"a\"]", 0, ""},
	};

	expect_invalid(state, "bare", unparsable, 1, sizeof unparsable[0],
		       "options.cfg:15: check \"bare\" (plugin demo): option "
		       "\"n\": the plugin's default value does not parse "
		       "(syntax error); this is a bug in the plugin");
	expect_invalid(state, "bare", mistyped, 1, sizeof mistyped[0],
		       "options.cfg:15: check \"bare\" (plugin demo): option "
		       "\"n\": the plugin's default value is wrong: expected "
		       "list of ints, but element 1 is string; this is a bug "
		       "in the plugin");
}

static void fill_newer(struct newer_option *out)
{
	for (size_t k = 0; k < N_DEMO; k++) {
		out[k].base = demo_opts[k];
		out[k].since = "1.1";
		out[k].extra[0] = out[k].extra[1] = out[k].extra[2] = -1;
	}
}

static void test_newer_option_layout_is_strided(void **state)
{
	struct newer_option newer[N_DEMO];
	const struct ctmon_option *opts = &newer[0].base;
	struct ctm_instance *inst;
	struct ctm_error err;
	const char *s = NULL;
	int64_t i = 0;

	fill_newer(newer);
	inst = by_id(*state, "d1");
	assert_int_equal(ctm_config_validate_instance(inst, opts, N_DEMO,
						      sizeof newer[0], &err),
			 CTMON_OK);
	assert_int_equal(ctm_cfg_int(inst->pconf, "count", &i), CTMON_OK);
	assert_int_equal(i, 7);
	inst = by_id(*state, "bare");
	assert_int_equal(ctm_config_validate_instance(inst, opts, N_DEMO,
						      sizeof newer[0], &err),
			 CTMON_OK);
	assert_int_equal(ctm_cfg_string(inst->pconf, "token", &s), CTMON_OK);
	assert_string_equal(s, "s3cr3t-default");
	assert_int_equal(ctm_cfg_list_int(inst->pconf, "numbers", 1, &i),
			 CTMON_OK);
	assert_int_equal(i, 14);
	expect_invalid(state, "typo", opts, N_DEMO, sizeof newer[0],
		       "options.cfg:17: check \"typo\" (plugin demo): option "
		       "\"cuont\": unknown option (did you mean \"count\"?)");
}

static void test_revalidation_replaces_view(void **state)
{
	struct ctm_instance *inst = by_id(*state, "d1");
	struct ctm_error err;
	int64_t i = 0;

	validated(state, "d1");
	assert_int_equal(ctm_config_validate_instance(inst, demo_opts, N_DEMO,
						      sizeof demo_opts[0], &err),
			 CTMON_OK);
	assert_int_equal(ctm_cfg_int(inst->pconf, "count", &i), CTMON_OK);
	assert_int_equal(i, 7);
}

static char *print_table(const struct ctmon_option *opts, size_t n,
			 size_t size)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	ctm_config_print_options(fp, opts, n, size);
	fclose(fp);
	return text;
}

static void test_print_options(void **state)
{
	struct newer_option newer[N_DEMO];
	char *text, *text2;
	size_t lines = 0;

	(void)state;
	text = print_table(demo_opts, N_DEMO, sizeof demo_opts[0]);
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, N_DEMO + 1);
	assert_non_null(strstr(text, "NAME"));
	assert_non_null(strstr(text, "DEFAULT"));
	assert_non_null(strstr(text, "  count "));
	assert_non_null(strstr(text, "list of ints"));
	assert_non_null(strstr(text, "[30, 14, 7]"));
	assert_non_null(strstr(text, "a free-form group"));
	assert_non_null(strstr(text, "secret"));
	assert_non_null(strstr(text, "(hidden)"));
	/* a secret's default is never printed */
	assert_null(strstr(text, "s3cr3t-default"));
	/* the same table in a newer layout prints the same */
	fill_newer(newer);
	text2 = print_table(&newer[0].base, N_DEMO, sizeof newer[0]);
	assert_string_equal(text, text2);
	free(text2);
	free(text);

	{
		static const struct ctmon_option req[] = {
			{"url", CTMON_OPT_STRING, NULL,
			 CTMON_OPTF_REQUIRED | CTMON_OPTF_SECRET, "endpoint"},
		};
		text = print_table(req, 1, sizeof req[0]);
		assert_non_null(strstr(text, "required,secret"));
		free(text);
	}
	text = print_table(NULL, 0, sizeof demo_opts[0]);
	assert_string_equal(text, "  (no options)\n");
	free(text);
}

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(ctm_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(ctm_edit_distance("", "abc"), 3);
	assert_int_equal(ctm_edit_distance("abc", ""), 3);
	assert_int_equal(ctm_edit_distance("same", "same"), 0);
	assert_int_equal(ctm_edit_distance("intervall", "interval"), 1);
	assert_int_equal(ctm_edit_distance("timeuot", "timeout"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalar_getters),
		cmocka_unit_test(test_list_getters),
		cmocka_unit_test(test_group_and_group_list),
		cmocka_unit_test(test_where),
		cmocka_unit_test(test_defaults_applied),
		cmocka_unit_test(test_group_defaults),
		cmocka_unit_test(test_unknown_option_suggests),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_bad_table_defaults),
		cmocka_unit_test(test_newer_option_layout_is_strided),
		cmocka_unit_test(test_revalidation_replaces_view),
		cmocka_unit_test(test_print_options),
		cmocka_unit_test(test_edit_distance),
	};

	if (cfg_enter_data_dir() != 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
