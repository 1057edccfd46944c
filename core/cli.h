/* cli.h - the command line: the reference agent's flags with the same
 * meaning, plus configuration, plugin and store operations. */
#ifndef CTM_CLI_H
#define CTM_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"

/* Exit codes (documented in --help and the README). */
enum ctm_exit {
	CTM_EXIT_OK = 0,
	CTM_EXIT_PARTIAL = 1, /* ran, but a source or notifier failed */
	CTM_EXIT_USAGE = 2,   /* bad command line */
	CTM_EXIT_CONFIG = 3,  /* configuration or plugin refused */
	CTM_EXIT_RUNTIME = 4  /* store or other fatal runtime error */
};

struct ctm_cli {
	char **domains;
	const char *db;
	const char *report;
	int64_t timeout;        /* -1 = unset */
	int continuous;
	int64_t interval;       /* -1 = unset */
	int resolve_dns;        /* -1 unset, 0, 1 */
	int typosquats;
	const char *list_candidates; /* --list-candidates DOMAIN */
	const char *webhook;
	int auto_baseline;
	const char *add_ca_name;
	const char *add_ca_id;
	const char *smtp_host;
	int64_t smtp_port;      /* -1 = unset */
	const char *smtp_user;
	const char *smtp_pass;
	const char *smtp_pass_file;
	const char *email_from;
	char **email_to;
	int verbose;
	int quiet;
	const char *config;
	int check_config;
	int list_plugins;
	const char *plugin_help;
	/* store operations */
	int list_alerts;
	const char *alert_type;
	const char *alert_severity;
	const char *alert_state;  /* open | acknowledged | all */
	int64_t alert_limit;
	int64_t *ack_ids;
	size_t n_ack;
	int list_cas;
	const char *remove_ca;
	const char *ca_domain;
	int show_outbox;
	int show_status;
	int help;
	int version;
};

/* Parses argv.  Returns 0, or CTM_EXIT_USAGE with a message on stderr. */
int ctm_cli_parse(int argc, char **argv, struct ctm_cli *cli);
void ctm_cli_free(struct ctm_cli *cli);
void ctm_cli_usage(FILE *fp);

/* Applies the flags that override the configuration (domains, db, report,
 * timeout, interval, DNS, --typosquats, --webhook, --smtp-*, secrets from
 * the environment).  Returns CTMON_OK or an error in err. */
int ctm_cli_apply(const struct ctm_cli *cli, struct ctm_config *cfg,
		  struct ctm_error *err);

#endif
