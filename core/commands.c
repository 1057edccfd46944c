/* commands.c - the store operations of the command line: list and
 * acknowledge alerts, add, list and remove authorised CAs, show the
 * outbox, show the status.  Each opens the store, does one thing, and
 * returns an exit code. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "engine.h"
#include "log.h"
#include "util.h"

/* Only --add-ca may create the store (CAs are often authorised before
 * the first cycle); the others read or change what is there, and must
 * not leave an empty database behind a mistyped path. */
static int open_store_as(const struct ctm_config *cfg, struct ctm_store **s,
			 int create)
{
	struct ctm_error err;
	int rc = create ? ctm_store_open(cfg->database, s, &err)
			: ctm_store_open_existing(cfg->database, s, &err);

	if (rc != CTMON_OK) {
		fprintf(stderr, "ctmon: %s\n", err.text);
		return CTM_EXIT_RUNTIME;
	}
	return CTM_EXIT_OK;
}

static int open_store(const struct ctm_config *cfg, struct ctm_store **s)
{
	return open_store_as(cfg, s, 0);
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
	/* --domains filters the listing, one pass per domain; alerts about
	 * the sources themselves (a CT log misbehaving) concern every
	 * domain, so a last pass lists them whatever the filter. */
	for (size_t i = 0; rc == CTM_EXIT_OK && i <= cfg->n_domains; i++) {
		f.domain = i < cfg->n_domains ? cfg->domains[i] : NULL;
		f.sources_only = cfg->n_domains && i == cfg->n_domains;
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
	rc = open_store_as(cfg, &s, 1);
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

/* ---- --status: the store only, no plugins, no network ----------------- */

/* Store text is certificate- or server-influenced: no control bytes
 * reach the terminal, and at most `max` bytes (0: all) are shown. */
static void put_inert(FILE *fp, const char *text, size_t max)
{
	const unsigned char *p = (const unsigned char *)(text ? text : "-");
	size_t n = 0;

	for (; *p && (max == 0 || n < max); p++, n++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, fp);
	if (*p)
		fputs("...", fp);
}

static int print_domain_status(void *ctx, const struct ctm_domain_status *d)
{
	FILE *fp = ctx;
	char when[32];

	if (d->baselined_at)
		ctm_format_time(d->baselined_at, when, sizeof when);
	else
		snprintf(when, sizeof when, "(not yet)");
	fputs("  ", fp);
	put_inert(fp, d->domain, 0);
	fprintf(fp, "  baselined_at %s  issuances %lld  subdomains %lld  "
		"open alerts %lld\n", when, (long long)d->issuances,
		(long long)d->subdomains, (long long)d->open_alerts);
	return 0;
}

/* "status.<name>": its JSON on one line, the backlog first when the
 * source reports one (a CT log's head - cursor). */
static int print_status_row(void *ctx, const struct ctm_kv_row *row)
{
	FILE *fp = ctx;
	struct json_object *v = json_tokener_parse(row->value);
	struct json_object *backlog = NULL;
	char when[32];

	fputs("    ", fp);
	put_inert(fp, row->key + strlen("status."), 0);
	fputs(": ", fp);
	if (v && json_object_object_get_ex(v, "backlog", &backlog) &&
	    json_object_is_type(backlog, json_type_int))
		fprintf(fp, "BACKLOG %lld  ",
			(long long)json_object_get_int64(backlog));
	put_inert(fp, v ? json_object_to_json_string_ext(
			      v, JSON_C_TO_STRING_SPACED |
				     JSON_C_TO_STRING_NOSLASHESCAPE)
			: row->value, 0);
	ctm_format_time(row->updated_at, when, sizeof when);
	fprintf(fp, "  (updated %s)\n", when);
	json_object_put(v);
	return 0;
}

/* Cursors can be long (a CT log's compact range): the start is enough
 * to see that one exists and moves. */
static int print_cursor_row(void *ctx, const struct ctm_kv_row *row)
{
	FILE *fp = ctx;
	char when[32];

	fputs("    cursor ", fp);
	put_inert(fp, row->key, 0);
	fputs(" = ", fp);
	put_inert(fp, row->value, 60);
	ctm_format_time(row->updated_at, when, sizeof when);
	fprintf(fp, "  (updated %s)\n", when);
	return 0;
}

struct outbox_walk {
	FILE *fp;
	int rows;
};

static int print_outbox_count(void *ctx, const char *notifier,
			      const char *status, int64_t count)
{
	struct outbox_walk *w = ctx;
	FILE *fp = w->fp;

	w->rows++;
	fputs("  ", fp);
	put_inert(fp, notifier, 0);
	fprintf(fp, ": %lld %s\n", (long long)count, status);
	return 0;
}

static int print_sources(struct ctm_store *s, FILE *fp)
{
	char **ids = NULL, ns[300];
	int rc = ctm_store_source_ids(s, &ids);

	for (size_t i = 0; rc == CTMON_OK && ids[i]; i++) {
		fputs("  ", fp);
		put_inert(fp, ids[i], 0);
		fputs("\n", fp);
		snprintf(ns, sizeof ns, "source:%s", ids[i]);
		rc = ctm_store_kv_foreach_prefix(s, ns, "status.",
						 print_status_row, fp);
		if (rc == CTMON_OK)
			rc = ctm_store_cursor_foreach(s, ids[i],
						      print_cursor_row, fp);
	}
	if (rc == CTMON_OK && !ids[0])
		fputs("  (no source has run yet)\n", fp);
	ctm_strv_free(ids);
	return rc;
}

int ctm_cmd_status(struct ctm_config *cfg)
{
	struct outbox_walk ob = {stdout, 0};
	struct ctm_store *s = NULL;
	int rc = open_store(cfg, &s);

	if (rc != CTM_EXIT_OK)
		return rc;
	printf("domains:\n");
	if (ctm_store_domain_status_foreach(s, print_domain_status, stdout) !=
		    CTMON_OK)
		goto fail;
	printf("sources:\n");
	if (print_sources(s, stdout) != CTMON_OK)
		goto fail;
	printf("outbox (pending and failed deliveries):\n");
	if (ctm_store_outbox_count_foreach(s, print_outbox_count, &ob) !=
	    CTMON_OK)
		goto fail;
	if (ob.rows == 0)
		printf("  (nothing pending or failed)\n");
	goto out;
fail:
	fprintf(stderr, "ctmon: --status: %s\n", ctm_store_errmsg(s));
	rc = CTM_EXIT_RUNTIME;
out:
	ctm_store_close(s);
	if (fflush(stdout) != 0 && rc == CTM_EXIT_OK)
		rc = CTM_EXIT_RUNTIME;
	return rc;
}
