/* test_exec_plugin.c - the exec notifier in the fake host, running the
 * real probe program (exec_probe.c): the JSON on stdin, the environment
 * (summary variables, hostile values made inert, ctmon's secrets kept
 * out), exit statuses, the timeout, a program that never reads stdin. */
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fakehost.h"
#include "notif_test.h"

#define PLUGIN CTM_PLUGIN_BUILD_DIR "/exec.so"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/ctm-exec-test-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The probe with these arguments after OUT_DIR. */
static struct fh_host *load_probe(const char *args, const char *extra)
{
	struct fh_host *fh = fh_new();
	char snippet[1024], err[1024] = "";

	snprintf(snippet, sizeof snippet,
		 "command = \"%s\"; args = [ \"%s\", %s ]; %s", CTM_EXEC_PROBE,
		 dir, args, extra ? extra : "");
	assert_non_null(fh);
	if (fh_load(fh, PLUGIN, snippet, err, sizeof err) != CTMON_OK)
		fail_msg("loading exec.so: %s", err);
	return fh;
}

static int deliver(struct fh_host *fh, struct t_alert *t, size_t n)
{
	const struct ctmon_alert **list = calloc(n, sizeof *list);
	int rc;

	assert_non_null(list);
	for (size_t i = 0; i < n; i++)
		list[i] = &t[i].a;
	rc = fh_deliver(fh, list, n);
	free(list);
	return rc;
}

static char *slurp(const char *name)
{
	char path[256];
	FILE *fp;
	long size;
	char *text;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "rb");
	if (!fp)
		fail_msg("%s was not written", path);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	return text;
}

/* The value of NAME in an env dump, or NULL. */
static const char *env_value(const char *env, const char *name, char *out,
			     size_t len)
{
	size_t n = strlen(name);

	for (const char *p = env; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p) : strlen(p);

		if (l > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			snprintf(out, len, "%.*s", (int)(l - n - 1), p + n + 1);
			return out;
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

static void test_stdin_and_environment(void **unused)
{
	struct fh_host *fh = load_probe("\"0\"", NULL);
	struct t_alert t[2];
	struct json_object *o;
	char *in, *env, v[4096];

	(void)unused;
	t_alert_plain(&t[0], 1);
	t_alert_hostile(&t[1], 2);
	setenv("CTMON_SMTP_PASS", "do-not-leak", 1);
	setenv("CTMON_WEBHOOK_URL", "https://do-not-leak.example/", 1);
	assert_int_equal(deliver(fh, t, 2), CTMON_OK);
	unsetenv("CTMON_SMTP_PASS");
	unsetenv("CTMON_WEBHOOK_URL");
	in = slurp("1.stdin");
	o = t_parse(in);
	assert_int_equal(json_object_get_int(t_get(o, "count")), 2);
	assert_string_equal(t_str(o, "highest_severity"), "critical");
	assert_int_equal(json_object_get_int(t_get(o, "alerts.1.id")), 2);
	assert_string_equal(t_str(o, "alerts.1.key"), H_CRLF);
	env = slurp("1.env");
	assert_string_equal(env_value(env, "CTMON_EVENT", v, sizeof v),
			    "alerts");
	assert_string_equal(env_value(env, "CTMON_ALERT_COUNT", v, sizeof v),
			    "2");
	assert_string_equal(env_value(env, "CTMON_HIGHEST_SEVERITY", v,
				      sizeof v),
			    "critical");
	assert_string_equal(env_value(env, "CTMON_ALERT_IDS", v, sizeof v),
			    "1 2");
	assert_string_equal(env_value(env, "CTMON_ALERT_TYPES", v, sizeof v),
			    "new_subdomain unauthorized_ca");
	assert_string_equal(env_value(env, "CTMON_DOMAINS", v, sizeof v),
			    "example.com");
	assert_string_equal(env_value(env, "CTMON_SUMMARY", v, sizeof v),
			    "2 new certificate alerts (highest: critical)");
	/* The process environment is passed on, ctmon's own secrets not. */
	assert_non_null(env_value(env, "PATH", v, sizeof v));
	assert_null(strstr(env, "do-not-leak"));
	/* Per-certificate variables only for a batch of one. */
	assert_null(env_value(env, "CTMON_ISSUER", v, sizeof v));
	json_object_put(o);
	free(in);
	free(env);
	t_alert_free(&t[0]);
	t_alert_free(&t[1]);
	fh_free(fh);
}

static void test_hostile_environment(void **unused)
{
	struct fh_host *fh = load_probe("\"0\"", NULL);
	struct t_alert t[1];
	char *env, v[8192];
	const char *issuer;

	(void)unused;
	t_alert_hostile(&t[0], 7);
	assert_int_equal(deliver(fh, t, 1), CTMON_OK);
	env = slurp("1.env");
	/* One variable per line: no value broke a line. */
	assert_null(strstr(env, "\nBcc:"));
	assert_null(strstr(env, "\nforged"));
	assert_true(t_valid_utf8(env));
	assert_true(t_no_controls(env));
	issuer = env_value(env, "CTMON_ISSUER", v, sizeof v);
	assert_non_null(issuer);
	if (strpbrk(issuer, "$`\"';&|<>(){}!"))
		fail_msg("shell character left in %s", issuer);
	assert_non_null(strstr(issuer, "\\x24\\x28touch /tmp/pwned\\x29"));
	assert_non_null(strstr(issuer, "evil\\x0d\\x0aBcc: victim"));
	assert_non_null(strstr(issuer, "bad\xef\xbf\xbd\xef\xbf\xbd"));
	assert_non_null(strstr(issuer, "red \\u202ereversed"));
	assert_string_equal(env_value(env, "CTMON_ALERT_TYPE", v, sizeof v),
			    "unauthorized_ca");
	assert_string_equal(env_value(env, "CTMON_ALERT_ID", v, sizeof v), "7");
	assert_string_equal(env_value(env, "CTMON_CRTSH_IDS", v, sizeof v),
			    "1007 2007");
	assert_string_equal(env_value(env, "CTMON_SERIAL", v, sizeof v),
			    "0a1b");
	assert_non_null(env_value(env, "CTMON_NAMES", v, sizeof v));
	assert_null(strpbrk(v, "$`\"';&|<>(){}!"));
	free(env);
	t_alert_free(&t[0]);
	fh_free(fh);
}

static void test_exit_status(void **unused)
{
	struct fh_host *fh;
	struct t_alert t[1];

	(void)unused;
	t_alert_plain(&t[0], 1);
	fh = load_probe("\"100\"", NULL);
	assert_int_equal(deliver(fh, t, 1), CTMON_EPERMANENT);
	assert_non_null(strstr(fh_last_error(fh), "exited with status 100"));
	assert_non_null(strstr(fh_last_error(fh), "probe says bye"));
	fh_free(fh);
	fh = load_probe("\"3\"", NULL);
	assert_int_equal(deliver(fh, t, 1), CTMON_EAGAIN);
	assert_non_null(strstr(fh_last_error(fh), "exited with status 3"));
	fh_free(fh);
	t_alert_free(&t[0]);
}

static void test_timeout_kills(void **unused)
{
	struct fh_host *fh = load_probe("\"0\", \"30\"", "timeout = 1;");
	struct t_alert t[1];
	struct timespec a, b;
	char *pid_text;
	pid_t pid;

	(void)unused;
	t_alert_plain(&t[0], 1);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(deliver(fh, t, 1), CTMON_ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(b.tv_sec - a.tv_sec < 10);
	assert_non_null(strstr(fh_last_error(fh), "killed after 1 s"));
	pid_text = slurp("1.pid");
	pid = (pid_t)strtol(pid_text, NULL, 10);
	assert_true(pid > 0);
	/* Killed and reaped: no such process any more. */
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	free(pid_text);
	t_alert_free(&t[0]);
	fh_free(fh);
}

static void test_stop_kills(void **unused)
{
	struct fh_host *fh = load_probe("\"0\", \"30\"", NULL);
	struct t_alert t[1];

	(void)unused;
	t_alert_plain(&t[0], 1);
	fh_set_stop(fh, 1);
	assert_int_equal(deliver(fh, t, 1), CTMON_ESTOPPED);
	t_alert_free(&t[0]);
	fh_free(fh);
}

static void test_program_ignores_stdin(void **unused)
{
	struct fh_host *fh = load_probe("\"0\", \"0\", \"nostdin\"", NULL);
	struct t_alert t[200];
	char *in;

	(void)unused;
	/* Megabytes of JSON to a program that never reads: the write side
	 * sees EPIPE, not SIGPIPE, and the exit status still decides. */
	for (int i = 0; i < 200; i++)
		t_alert_hostile(&t[i], i + 1);
	assert_int_equal(deliver(fh, t, 200), CTMON_OK);
	in = slurp("1.stdin");
	assert_int_equal(strlen(in), 0);
	free(in);
	for (int i = 0; i < 200; i++)
		t_alert_free(&t[i]);
	fh_free(fh);
}

static void test_command_checked_at_start(void **unused)
{
	struct fh_host *fh = fh_new();
	char err[1024] = "";
	struct t_alert t[1];

	(void)unused;
	assert_int_equal(fh_load(fh, PLUGIN, "command = \"/nonexistent/hook\";",
				 err, sizeof err),
			 CTMON_ECONFIG);
	assert_non_null(strstr(err, "/nonexistent/hook"));
	fh_free(fh);
	fh = fh_new();
	assert_int_equal(fh_load(fh, PLUGIN,
				 "command = \"ctm-no-such-hook-anywhere\";", err,
				 sizeof err),
			 CTMON_ECONFIG);
	assert_non_null(strstr(err, "$PATH"));
	fh_free(fh);
	/* A bare name is looked up in $PATH. */
	fh = fh_new();
	assert_int_equal(fh_load(fh, PLUGIN, "command = \"true\";", err,
				 sizeof err),
			 CTMON_OK);
	t_alert_plain(&t[0], 1);
	assert_int_equal(deliver(fh, t, 1), CTMON_OK);
	t_alert_free(&t[0]);
	fh_free(fh);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_stdin_and_environment),
		T(test_hostile_environment),
		T(test_exit_status),
		T(test_timeout_kills),
		T(test_stop_kills),
		T(test_program_ignores_stdin),
		T(test_command_checked_at_start),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
