/* test_config_cli.c - what command-line flags do to a loaded
 * configuration: ctm_config_add_instance (--webhook, --smtp-host),
 * ctm_config_set (--timeout, --smtp-port, ...) and
 * ctm_config_set_domains (--domains), with "<command line>:0" in
 * messages and locations. */
#include "config_test.h"

static const struct ctmon_option webhook_opts[] = {
	{"url", CTMON_OPT_STRING, NULL,
	 CTMON_OPTF_REQUIRED | CTMON_OPTF_SECRET, "webhook URL"},
	{"timeout", CTMON_OPT_INT, "10", 0, "seconds"},
};
static const struct ctmon_option email_opts[] = {
	{"host", CTMON_OPT_STRING, NULL, CTMON_OPTF_REQUIRED, "SMTP host"},
	{"port", CTMON_OPT_INT, "25", 0, "SMTP port"},
	{"password", CTMON_OPT_STRING, NULL, CTMON_OPTF_SECRET, "password"},
	{"to", CTMON_OPT_STRING_LIST, "[]", 0, "recipients"},
};
static const struct ctmon_option crtsh_opts[] = {
	{"url", CTMON_OPT_STRING, "https://crt.sh/", 0, "base URL"},
	{"exclude_expired", CTMON_OPT_BOOL, "false", 0, ""},
	{"timeout", CTMON_OPT_INT, "30", 0, "seconds"},
};
static const struct ctmon_option stdout_opts[] = {
	{"format", CTMON_OPT_STRING, "text", 0, "text or jsonl"},
};

#define VALIDATE(inst, opts)                                                \
	do {                                                                \
		struct ctm_error verr_;                                     \
		memset(&verr_, 0, sizeof verr_);                            \
		if (ctm_config_validate_instance(                           \
			    (inst), (opts), sizeof(opts) / sizeof((opts)[0]), \
			    sizeof((opts)[0]), &verr_) != CTMON_OK)         \
			fail_msg("%s", verr_.text);                         \
	} while (0)

static void test_add_instance_webhook(void **state)
{
	struct ctm_config *c = cfg_load_ok(NULL);
	struct ctm_instance *w;
	struct ctm_error err;
	const char *s = NULL;
	int64_t i = 0;

	(void)state;
	memset(&err, 0, sizeof err);
	w = ctm_config_add_instance(c, CTMON_KIND_NOTIFIER, "webhook",
				    "url = \"https://hooks.example/T0\";", &err);
	assert_non_null(w);
	assert_int_equal(c->n_notifiers, 2);
	assert_ptr_equal(w, &c->notifiers[1]);
	assert_ptr_equal(ctm_config_find(c, CTMON_KIND_NOTIFIER, "webhook"), w);
	assert_string_equal(c->notifiers[0].plugin, "stdout");
	assert_string_equal(w->plugin, "webhook");
	assert_string_equal(w->id, "webhook");
	assert_int_equal(w->kind, CTMON_KIND_NOTIFIER);
	assert_int_equal(w->enabled, 1);
	assert_int_equal(w->min_severity, CTMON_SEV_INFO);
	assert_string_equal(w->file, "<command line>");
	assert_int_equal(w->line, 0);
	VALIDATE(w, webhook_opts);
	assert_int_equal(ctm_cfg_string(w->pconf, "url", &s), CTMON_OK);
	assert_string_equal(s, "https://hooks.example/T0");
	assert_int_equal(ctm_cfg_int(w->pconf, "timeout", &i), CTMON_OK);
	assert_int_equal(i, 10);
	assert_string_equal(ctm_cfg_where(w->pconf, "url"), "<command line>:0");
	assert_string_equal(ctm_cfg_where(w->pconf, "timeout"),
			    "<command line>:0");
	ctm_config_free(c);
}

static void test_add_instance_replaces_same_id(void **state)
{
	struct ctm_config *c = cfg_load_ok(NULL);
	struct ctm_instance *w;
	struct ctm_error err;
	const char *s = NULL;

	(void)state;
	w = ctm_config_add_instance(c, CTMON_KIND_NOTIFIER, "webhook",
				    "url = \"https://a.example/\";", &err);
	assert_non_null(w);
	w = ctm_config_add_instance(c, CTMON_KIND_NOTIFIER, "webhook",
				    "url = \"https://b.example/\";", &err);
	assert_non_null(w);
	assert_int_equal(c->n_notifiers, 2);
	VALIDATE(w, webhook_opts);
	assert_int_equal(ctm_cfg_string(w->pconf, "url", &s), CTMON_OK);
	assert_string_equal(s, "https://b.example/");
	/* the built-in typosquat check is replaced, not duplicated */
	w = ctm_config_add_instance(c, CTMON_KIND_CHECK, "typosquat", "", &err);
	assert_non_null(w);
	assert_int_equal(c->n_checks, 6);
	assert_ptr_equal(w, &c->checks[5]);
	assert_int_equal(w->enabled, 1);
	ctm_config_free(c);
}

static void test_add_instance_bad_settings(void **state)
{
	struct ctm_config *c = cfg_load_ok(NULL);
	struct ctm_error err;

	(void)state;
	memset(&err, 0, sizeof err);
	assert_null(ctm_config_add_instance(c, CTMON_KIND_NOTIFIER, "webhook",
					    "url = ", &err));
	assert_string_equal(err.text, "<command line>:0: notifier \"webhook\" "
				      "(plugin webhook): settings: syntax "
				      "error");
	assert_int_equal(c->n_notifiers, 1);
	assert_null(ctm_config_add_instance(c, CTMON_KIND_NOTIFIER, "", "",
					    &err));
	assert_int_equal(c->n_notifiers, 1);
	ctm_config_free(c);
}

static void test_set_on_builtin_instance(void **state)
{
	struct ctm_config *c = cfg_load_ok(NULL);
	struct ctm_instance *src = ctm_config_find(c, CTMON_KIND_SOURCE,
						   "crtsh");
	struct ctm_error err;
	const char *s = NULL;
	int64_t i = 0;
	int b = 1;

	(void)state;
	assert_non_null(src);
	/* the crt.sh source's timeout, as --timeout 45 sets it */
	assert_int_equal(ctm_config_set(src, "timeout", "45", &err), CTMON_OK);
	VALIDATE(src, crtsh_opts);
	assert_int_equal(ctm_cfg_int(src->pconf, "timeout", &i), CTMON_OK);
	assert_int_equal(i, 45);
	assert_string_equal(ctm_cfg_where(src->pconf, "timeout"),
			    "<command line>:0");
	/* keys the flag did not touch keep their built-in values */
	assert_int_equal(ctm_cfg_string(src->pconf, "url", &s), CTMON_OK);
	assert_string_equal(s, "https://crt.sh/");
	assert_int_equal(ctm_cfg_bool(src->pconf, "exclude_expired", &b),
			 CTMON_OK);
	assert_int_equal(b, 0);
	assert_true(strncmp(ctm_cfg_where(src->pconf, "url"), "<built-in>:",
			    11) == 0);
	/* setting again replaces the value and drops the stale view */
	assert_int_equal(ctm_config_set(src, "timeout", "60", &err), CTMON_OK);
	assert_null(src->pconf);
	VALIDATE(src, crtsh_opts);
	assert_int_equal(ctm_cfg_int(src->pconf, "timeout", &i), CTMON_OK);
	assert_int_equal(i, 60);
	ctm_config_free(c);
}

static void test_set_on_file_instance(void **state)
{
	struct ctm_config *c = cfg_load_ok(CTM_SOURCE_DIR "/config/ctmon.cfg");
	struct ctm_instance *out = ctm_config_find(c, CTMON_KIND_NOTIFIER,
						   "stdout");
	struct ctm_instance *ts = ctm_config_find(c, CTMON_KIND_CHECK,
						  "typosquat");
	struct ctm_error err;
	const char *s = NULL;

	(void)state;
	assert_int_equal(ctm_config_set(out, "format", "\"jsonl\"", &err),
			 CTMON_OK);
	VALIDATE(out, stdout_opts);
	assert_int_equal(ctm_cfg_string(out->pconf, "format", &s), CTMON_OK);
	assert_string_equal(s, "jsonl");
	/* an instance without a `config` group in the file takes keys too */
	assert_non_null(ts);
	assert_int_equal(ctm_config_set(ts, "format", "\"text\"", &err),
			 CTMON_OK);
	VALIDATE(ts, stdout_opts);
	assert_int_equal(ctm_cfg_string(ts->pconf, "format", &s), CTMON_OK);
	assert_string_equal(s, "text");
	ctm_config_free(c);
}

static void test_email_from_flags(void **state)
{
	struct ctm_config *c = cfg_load_ok(NULL);
	struct ctm_instance *e;
	struct ctm_error err;
	const char *s = NULL;
	int64_t i = 0;
	size_t n = 0;

	(void)state;
	e = ctm_config_add_instance(c, CTMON_KIND_NOTIFIER, "email", "", &err);
	assert_non_null(e);
	assert_int_equal(ctm_config_set(e, "host", "\"smtp.example\"", &err),
			 CTMON_OK);
	assert_int_equal(ctm_config_set(e, "port", "587", &err), CTMON_OK);
	assert_int_equal(ctm_config_set(e, "password", "\"pa\\\"ss\"", &err),
			 CTMON_OK);
	assert_int_equal(ctm_config_set(e, "to", "[\"a@x.example\", "
						 "\"b@x.example\"]",
					&err),
			 CTMON_OK);
	VALIDATE(e, email_opts);
	assert_int_equal(ctm_cfg_string(e->pconf, "host", &s), CTMON_OK);
	assert_string_equal(s, "smtp.example");
	assert_int_equal(ctm_cfg_int(e->pconf, "port", &i), CTMON_OK);
	assert_int_equal(i, 587);
	assert_int_equal(ctm_cfg_string(e->pconf, "password", &s), CTMON_OK);
	assert_string_equal(s, "pa\"ss");
	assert_int_equal(ctm_cfg_list_len(e->pconf, "to", &n), CTMON_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ctm_cfg_list_string(e->pconf, "to", 1, &s), CTMON_OK);
	assert_string_equal(s, "b@x.example");
	ctm_config_free(c);
}

static void test_set_errors(void **state)
{
	struct ctm_config *c = cfg_load_ok(NULL);
	struct ctm_instance *e;
	struct ctm_error err;

	(void)state;
	e = ctm_config_add_instance(c, CTMON_KIND_NOTIFIER, "email", "", &err);
	assert_non_null(e);
	/* an unparsable value: the message never repeats it (passwords) */
	memset(&err, 0, sizeof err);
	assert_int_equal(ctm_config_set(e, "password", "\"hunter2", &err),
			 CTMON_ECONFIG);
	assert_null(strstr(err.text, "hunter2"));
	assert_true(strncmp(err.text,
			    "<command line>:0: notifier \"email\" (plugin "
			    "email): option \"password\": the value does not "
			    "parse",
			    strlen("<command line>:0: notifier \"email\" "
				   "(plugin email): option \"password\": the "
				   "value does not parse")) == 0);
	/* a second setting smuggled into the value is refused */
	assert_int_equal(ctm_config_set(e, "port", "1; host = \"x\"", &err),
			 CTMON_ECONFIG);
	/* a well-formed value of the wrong type fails validation */
	assert_int_equal(ctm_config_set(e, "host", "\"h\"", &err), CTMON_OK);
	assert_int_equal(ctm_config_set(e, "port", "\"587\"", &err), CTMON_OK);
	memset(&err, 0, sizeof err);
	assert_int_equal(ctm_config_validate_instance(
				 e, email_opts,
				 sizeof email_opts / sizeof email_opts[0],
				 sizeof email_opts[0], &err),
			 CTMON_ECONFIG);
	assert_string_equal(err.text,
			    "<command line>:0: notifier \"email\" (plugin "
			    "email): option \"port\": expected int, got string");
	/* a required key the flags did not give */
	e = ctm_config_add_instance(c, CTMON_KIND_NOTIFIER, "webhook", "",
				    &err);
	assert_non_null(e);
	memset(&err, 0, sizeof err);
	assert_int_equal(ctm_config_validate_instance(
				 e, webhook_opts,
				 sizeof webhook_opts / sizeof webhook_opts[0],
				 sizeof webhook_opts[0], &err),
			 CTMON_ECONFIG);
	assert_string_equal(err.text,
			    "<command line>:0: notifier \"webhook\" (plugin "
			    "webhook): option \"url\": required option missing");
	ctm_config_free(c);
}

static void test_set_domains(void **state)
{
	struct ctm_config *c = cfg_load_ok("only_checks.cfg");
	char *good[] = {"Example.ORG.", "shop.example.org", "example.org"};
	char *wild[] = {"example.com", "*.example.com"};
	char *bad[] = {"not a domain"};
	struct ctm_error err;

	(void)state;
	assert_int_equal(ctm_config_set_domains(c, good, 3, &err), CTMON_OK);
	assert_int_equal(c->n_domains, 2);
	assert_string_equal(c->domains[0], "example.org");
	assert_string_equal(c->domains[1], "shop.example.org");
	assert_null(c->domains[2]);
	memset(&err, 0, sizeof err);
	assert_int_equal(ctm_config_set_domains(c, wild, 2, &err),
			 CTMON_ECONFIG);
	assert_string_equal(err.text,
			    "<command line>:0: key \"domains\": "
			    "\"*.example.com\" is a wildcard; monitor "
			    "\"example.com\" instead, which covers every name "
			    "under it");
	assert_int_equal(ctm_config_set_domains(c, bad, 1, &err),
			 CTMON_ECONFIG);
	assert_string_equal(err.text,
			    "<command line>:0: key \"domains\": \"not a "
			    "domain\" is not a valid host name");
	/* a refused list leaves the previous one in place */
	assert_int_equal(c->n_domains, 2);
	assert_string_equal(c->domains[0], "example.org");
	assert_int_equal(ctm_config_set_domains(c, NULL, 0, &err), CTMON_OK);
	assert_int_equal(c->n_domains, 0);
	assert_null(c->domains[0]);
	ctm_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_instance_webhook),
		cmocka_unit_test(test_add_instance_replaces_same_id),
		cmocka_unit_test(test_add_instance_bad_settings),
		cmocka_unit_test(test_set_on_builtin_instance),
		cmocka_unit_test(test_set_on_file_instance),
		cmocka_unit_test(test_email_from_flags),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_set_domains),
	};

	if (cfg_enter_data_dir() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
