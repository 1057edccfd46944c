/* commands.c - the store operations of the command line: list and
 * acknowledge alerts, add, list and remove authorised CAs, show the
 * outbox.  Each opens the store, does one thing, and returns an exit code. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "log.h"
#include "util.h"

static int open_store(const struct ctm_config *cfg, struct ctm_store **s)
{
	struct ctm_error err;

	if (ctm_store_open(cfg->database, s, &err) != CTMON_OK) {
		fprintf(stderr, "ctmon: %s\n", err.text);
		return CTM_EXIT_RUNTIME;
	}
	return CTM_EXIT_OK;
}

static int parse_severity(const char *s)
{
	for (int i = CTMON_SEV_INFO; i <= CTMON_SEV_CRITICAL; i++)
		if (strcmp(s, ctmon_severity_name((enum ctmon_severity)i)) ==
		    0)
			return i;
	return -2;
}

/* Prints one alert as a line; certificate text is made printable. */
static int print_alert(void *ctx, const struct ctmon_alert *a)
{
	FILE *fp = ctx;
	char when[32];
	struct ctm_buf key;

	ctm_buf_init(&key);
	ctm_buf_json_string(&key, a->key);
	ctm_format_time(a->created_at, when, sizeof when);
	fprintf(fp, "%6lld  %s  %-8s  %-24s %-22s key=%s%s\n",
		(long long)a->id, when, ctmon_severity_name(a->severity),
		a->type, a->domain, key.data ? key.data : "\"\"",
		a->baseline ? "  (baseline)" : "");
	ctm_buf_free(&key);
	return 0;
}

int ctm_cmd_list_alerts(const struct ctm_cli *cli, struct ctm_config *cfg)
{
	struct ctm_store *s = NULL;
	struct ctm_alert_filter f;
	int rc;

	memset(&f, 0, sizeof f);
	f.min_severity = -1;
	f.state = 1;
	f.type = cli->alert_type;
	f.limit = cli->alert_limit > 0 ? (int)cli->alert_limit : 0;
	if (cli->alert_severity &&
	    (f.min_severity = parse_severity(cli->alert_severity)) < -1) {
		fprintf(stderr, "ctmon: --severity %s: use info, low, medium, "
			"high or critical\n", cli->alert_severity);
		return CTM_EXIT_USAGE;
	}
	if (cli->alert_state) {
		if (strcmp(cli->alert_state, "open") == 0)
			f.state = 1;
		else if (strcmp(cli->alert_state, "acknowledged") == 0)
			f.state = 2;
		else if (strcmp(cli->alert_state, "all") == 0)
			f.state = 0;
		else {
			fprintf(stderr, "ctmon: --state %s: use open, "
				"acknowledged or all\n", cli->alert_state);
			return CTM_EXIT_USAGE;
		}
	}
	rc = open_store(cfg, &s);
	if (rc != CTM_EXIT_OK)
		return rc;
	/* --domains filters the listing; one pass per domain. */
	for (size_t i = 0; rc == CTM_EXIT_OK && i < (cfg->n_domains ? cfg->n_domains : 1); i++) {
		f.domain = cfg->n_domains ? cfg->domains[i] : NULL;
		if (ctm_store_alert_foreach(s, &f, print_alert, stdout) !=
		    CTMON_OK) {
			fprintf(stderr, "ctmon: %s\n", ctm_store_errmsg(s));
			rc = CTM_EXIT_RUNTIME;
		}
	}
	ctm_store_close(s);
	return rc;
}

int ctm_cmd_ack(const struct ctm_cli *cli, struct ctm_config *cfg)
{
	struct ctm_store *s = NULL;
	int rc = open_store(cfg, &s);

	for (size_t i = 0; rc == CTM_EXIT_OK && i < cli->n_ack; i++) {
		int changed = 0;
		int arc = ctm_store_alert_ack(s, cli->ack_ids[i],
					      ctm_engine_now(), &changed);
		if (arc != CTMON_OK && arc != CTMON_ENOTFOUND) {
			fprintf(stderr, "ctmon: %s\n", ctm_store_errmsg(s));
			rc = CTM_EXIT_RUNTIME;
		} else if (!changed) {
			fprintf(stderr, "ctmon: alert %lld: no such open alert\n",
				(long long)cli->ack_ids[i]);
			rc = CTM_EXIT_PARTIAL;
		} else {
			printf("acknowledged alert %lld\n",
			       (long long)cli->ack_ids[i]);
		}
	}
	if (s)
		ctm_store_close(s);
	return rc;
}

int ctm_cmd_add_ca(const struct ctm_cli *cli, struct ctm_config *cfg)
{
	struct ctm_store *s = NULL;
	int64_t id = 0;
	int rc;

	if (ctm_parse_int64(cli->add_ca_id, &id) != 0)
		return CTM_EXIT_USAGE;
	rc = open_store(cfg, &s);
	if (rc != CTM_EXIT_OK)
		return rc;
	if (ctm_store_ca_add(s, cli->ca_domain, cli->add_ca_name, id, "cli",
			     ctm_engine_now()) != CTMON_OK) {
		fprintf(stderr, "ctmon: --add-ca: %s\n", ctm_store_errmsg(s));
		rc = CTM_EXIT_RUNTIME;
	} else {
		printf("authorised CA \"%s\" (crt.sh CA id %lld)%s%s\n",
		       cli->add_ca_name, (long long)id,
		       cli->ca_domain ? " for " : "",
		       cli->ca_domain ? cli->ca_domain : "");
	}
	ctm_store_close(s);
	return rc;
}

int ctm_cmd_list_cas(struct ctm_config *cfg)
{
	struct ctm_store *s = NULL;
	int rc = open_store(cfg, &s);

	if (rc != CTM_EXIT_OK)
		return rc;
	ctm_store_ca_print(s, stdout);
	ctm_store_close(s);
	return rc;
}

int ctm_cmd_remove_ca(const struct ctm_cli *cli, struct ctm_config *cfg)
{
	struct ctm_store *s = NULL;
	int removed = 0;
	int rc = open_store(cfg, &s);

	if (rc != CTM_EXIT_OK)
		return rc;
	if (ctm_store_ca_remove(s, cli->ca_domain, cli->remove_ca, &removed) !=
	    CTMON_OK) {
		fprintf(stderr, "ctmon: --remove-ca: %s\n",
			ctm_store_errmsg(s));
		rc = CTM_EXIT_RUNTIME;
	} else if (removed == 0) {
		fprintf(stderr, "ctmon: --remove-ca %s: no such authorised CA\n",
			cli->remove_ca);
		rc = CTM_EXIT_PARTIAL;
	} else {
		printf("removed %d authorised CA(s)\n", removed);
	}
	ctm_store_close(s);
	return rc;
}

int ctm_cmd_outbox(struct ctm_config *cfg)
{
	struct ctm_store *s = NULL;
	int rc = open_store(cfg, &s);

	if (rc != CTM_EXIT_OK)
		return rc;
	ctm_store_outbox_print(s, stdout);
	ctm_store_close(s);
	return rc;
}
