/* exec.h - pieces of the exec notifier shared between its files.
 * Everything here is hidden inside exec.so. */
#ifndef EXEC_H
#define EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "ctmon/plugin.h"
#include "nbuf.h"

/* How one run of the program ended. */
struct ex_result {
	int started;       /* 0: it could not be executed (exec_errno) */
	int exec_errno;
	int exited;        /* exit status valid */
	int status;
	int signal;        /* killed by this signal (0: none) */
	int timed_out;
	int stopped;       /* the host is stopping: killed early */
	char output[2048]; /* first bytes of stdout + stderr */
	size_t output_len;
};

/* Runs path with argv/envp, `input` on its stdin (then EOF), stdout and
 * stderr captured.  The program runs in its own process group, which is
 * killed with SIGKILL after timeout_ms or when stop(ctx) turns true.
 * Returns CTMON_OK when the outcome is in *res (whatever it was), or an
 * error when no process could be set up (pipes, fork). */
int ex_run(const char *path, char *const argv[], char *const envp[],
	   const char *input, size_t input_len, int64_t timeout_ms,
	   int (*stop)(void *ctx), void *ctx, struct ex_result *res);

/* The environment for a batch: the process's own minus every CTMON_*
 * variable (secrets such as $CTMON_SMTP_PASS stay with ctmon), plus the
 * summary variables README.md lists.  NULL-terminated, free with
 * ex_env_free; NULL on ENOMEM. */
char **ex_env_build(const struct ctmon_alert *const *a, size_t n);
void ex_env_free(char **env);

#endif
