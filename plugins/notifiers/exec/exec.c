/* exec.c - the exec notifier: runs a program once per batch, the alerts
 * as one JSON document on its stdin and a summary in its environment
 * (like certspotter's hooks).  Its exit status decides: 0 delivered, 100
 * a permanent failure (qmail's convention; recorded, not retried), any
 * other status, a signal or the timeout: retried with backoff. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "nalert.h"
#include "ntext.h"

#define EXIT_PERMANENT 100

static const struct ctmon_option exec_options[] = {
	{"command", CTMON_OPT_STRING, NULL, CTMON_OPTF_REQUIRED,
	 "program to run: a path, or a name looked up in $PATH at start-up"},
	{"args", CTMON_OPT_STRING_LIST, "[]", 0,
	 "its arguments (no shell is involved)"},
	{"timeout", CTMON_OPT_INT, "30", 0,
	 "seconds before the program (and its process group) is killed"},
};

struct ex_state {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	char *path;       /* the program, resolved */
	char **argv;      /* argv[0] = the command as configured */
	int64_t timeout_s;
};

static const char *where(struct ex_state *st, const struct ctmon_config *c,
			 const char *key)
{
	const char *w = CTMON_HOST_HAS(st->api, cfg_where)
				? st->api->cfg_where(c, key)
				: NULL;
	return w ? w : "config";
}

/* A name without '/' is looked up in $PATH now, so a missing program
 * stops start-up instead of failing every delivery. */
static char *resolve(const char *cmd)
{
	const char *path = getenv("PATH"), *p;
	struct nbuf b = {0};

	if (strchr(cmd, '/'))
		return access(cmd, X_OK) == 0 ? strdup(cmd) : NULL;
	for (p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		nb_reset(&b);
		nb_printf(&b, "%.*s/%s", (int)(n ? n : 1), n ? p : ".", cmd);
		if (!b.oom && access(nb_str(&b), X_OK) == 0)
			return b.data;
		p += n + (p[n] ? 1 : 0);
	}
	nb_free(&b);
	return NULL;
}

static void exec_destroy(void *state)
{
	struct ex_state *st = state;

	if (!st)
		return;
	free(st->path);
	for (size_t i = 0; st->argv && st->argv[i]; i++)
		free(st->argv[i]);
	free(st->argv);
	free(st);
}

static int read_args(struct ex_state *st, const struct ctmon_config *c,
		     const char *cmd)
{
	size_t n = 0;
	const char *v;

	if (st->api->cfg_list_len(c, "args", &n) != CTMON_OK)
		n = 0;
	st->argv = calloc(n + 2, sizeof *st->argv);
	if (!st->argv || !(st->argv[0] = strdup(cmd)))
		return CTMON_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (st->api->cfg_list_string(c, "args", i, &v) != CTMON_OK)
			v = "";
		st->argv[i + 1] = strdup(v);
		if (!st->argv[i + 1])
			return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

static int exec_create(struct ctmon_host *host,
		       const struct ctmon_host_api *api,
		       const struct ctmon_config *config, void **state)
{
	struct ex_state *st = calloc(1, sizeof *st);
	const char *cmd = NULL;
	int rc = CTMON_OK;

	*state = NULL;
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	st->timeout_s = 30;
	api->cfg_int(config, "timeout", &st->timeout_s);
	if (st->timeout_s < 1 || st->timeout_s > 3600) {
		api->set_error(host, "%s: option \"timeout\": %lld is out of "
			       "range [1, 3600]", where(st, config, "timeout"),
			       (long long)st->timeout_s);
		rc = CTMON_ECONFIG;
		goto out;
	}
	if (api->cfg_string(config, "command", &cmd) != CTMON_OK || !cmd ||
	    !*cmd) {
		api->set_error(host, "%s: option \"command\" is empty",
			       where(st, config, "command"));
		rc = CTMON_ECONFIG;
		goto out;
	}
	st->path = resolve(cmd);
	if (!st->path) {
		api->set_error(host, "%s: option \"command\": \"%s\" is not "
			       "an executable program%s",
			       where(st, config, "command"), cmd,
			       strchr(cmd, '/') ? "" : " found in $PATH");
		rc = CTMON_ECONFIG;
		goto out;
	}
	rc = read_args(st, config, cmd);
out:
	if (rc != CTMON_OK) {
		exec_destroy(st);
		return rc;
	}
	*state = st;
	return CTMON_OK;
}

static int host_stopping(void *ctx)
{
	struct ex_state *st = ctx;

	return st->api->should_stop(st->host);
}

/* The last line of the program's output, for the error text. */
static void last_line(const struct ex_result *res, char *out, size_t len)
{
	size_t end = res->output_len, start;

	while (end && (res->output[end - 1] == '\n' ||
		       res->output[end - 1] == '\r'))
		end--;
	start = end;
	while (start && res->output[start - 1] != '\n')
		start--;
	nt_ascii_safe(res->output + start, end - start, out, len);
}

/* What the run's outcome means for the outbox. */
static int outcome(struct ex_state *st, const struct ex_result *res)
{
	char line[200];

	last_line(res, line, sizeof line);
	if (res->output_len)
		st->api->log(st->host, CTMON_LOG_DEBUG, "%s printed: %s",
			     st->argv[0], line);
	if (!res->started) {
		st->api->set_error(st->host, "cannot execute %s: %s", st->path,
				   strerror(res->exec_errno));
		return CTMON_EIO;
	}
	if (res->stopped) {
		st->api->set_error(st->host, "%s: stopped", st->argv[0]);
		return CTMON_ESTOPPED;
	}
	if (res->timed_out) {
		st->api->set_error(st->host, "%s: killed after %lld s",
				   st->argv[0], (long long)st->timeout_s);
		return CTMON_ETIMEDOUT;
	}
	if (res->signal) {
		st->api->set_error(st->host, "%s: killed by signal %d%s%s",
				   st->argv[0], res->signal,
				   line[0] ? ": " : "", line);
		return CTMON_EAGAIN;
	}
	if (res->exited && res->status == 0)
		return CTMON_OK;
	st->api->set_error(st->host, "%s exited with status %d%s%s",
			   st->argv[0], res->status, line[0] ? ": " : "",
			   line);
	return res->status == EXIT_PERMANENT ? CTMON_EPERMANENT : CTMON_EAGAIN;
}

static int exec_deliver(void *state, const struct ctmon_alert *const *a,
			size_t n)
{
	struct ex_state *st = state;
	struct ex_result *res = NULL;
	struct nbuf doc = {0};
	char **env = NULL;
	int rc;

	if (n == 0)
		return CTMON_OK;
	res = calloc(1, sizeof *res);
	env = ex_env_build(a, n);
	rc = res && env ? na_document(&doc, a, n) : CTMON_ENOMEM;
	if (rc == CTMON_OK)
		nb_putc(&doc, '\n');
	if (rc != CTMON_OK || doc.oom) {
		st->api->set_error(st->host, "out of memory");
		rc = CTMON_ENOMEM;
		goto out;
	}
	rc = ex_run(st->path, st->argv, env, nb_str(&doc), doc.len,
		    st->timeout_s * 1000, host_stopping, st, res);
	if (rc != CTMON_OK) {
		st->api->set_error(st->host, "cannot start %s: %s", st->path,
				   strerror(errno));
		goto out;
	}
	rc = outcome(st, res);
out:
	ex_env_free(env);
	nb_free(&doc);
	free(res);
	return rc;
}

static const struct ctmon_notifier_ops exec_ops = {
	sizeof(struct ctmon_notifier_ops),
	exec_deliver,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_NOTIFIER, "exec", "1.0.0",
		    "Run a program per batch: alerts as JSON on stdin, a "
		    "summary in its environment",
		    exec_options, exec_create, NULL, NULL, exec_destroy,
		    &exec_ops)
