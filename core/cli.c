/* cli.c - parses the command line.  Several reference flags take a list
 * (--domains A B, --email-to A B, --add-ca NAME ID), which getopt cannot
 * express, so this is a small hand-written parser. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "util.h"

void ctm_cli_usage(FILE *fp)
{
	fputs(
"usage: ctmon --domains DOMAIN [DOMAIN ...] [options]\n"
"\n"
"Certificate Transparency monitor: finds certificates issued for your\n"
"domains, stores them in SQLite and alerts on what needs a look.\n"
"\n"
"Monitoring (same meaning as the reference agent):\n"
"  --domains D [D ...]   domains to monitor (also `domains` in the config)\n"
"  --db PATH             SQLite database (default ct_monitor.db)\n"
"  --report PATH         write the JSON report after each cycle ('-' = stdout)\n"
"  --timeout SECONDS     HTTP request timeout (default 30)\n"
"  --continuous          run cycles forever (SIGINT/SIGTERM stop, SIGHUP reloads)\n"
"  --interval SECONDS    seconds between cycles (default 900)\n"
"  --resolve-dns         resolve discovered subdomains (default)\n"
"  --no-resolve-dns      do not resolve subdomains\n"
"  --typosquats          enable the typosquat check plugin\n"
"  --list-candidates D   print the typosquat candidates of domain D, then exit\n"
"  --webhook URL         add the webhook notifier (or $CTMON_WEBHOOK_URL)\n"
"  --auto-baseline       record every CA seen so far as authorised\n"
"  --add-ca NAME ID      authorise a CA by name and crt.sh CA id, then exit\n"
"  --smtp-host HOST      add the email notifier; --smtp-port (587),\n"
"  --smtp-user USER      --smtp-pass PASS (prefer $CTMON_SMTP_PASS or\n"
"  --smtp-pass-file F),  --email-from ADDR, --email-to ADDR [ADDR ...]\n"
"                        (--smtp-pass is wiped from the process's\n"
"                        command line once read)\n"
"  -v, --verbose         debug logging;  -q, --quiet  warnings and errors only\n"
"\n"
"Configuration and plugins:\n"
"  --config FILE         libconfig file; without it $CTMON_CONFIG, else\n"
"                        " CTMON_SYSCONF_DIR "/ctmon.cfg when present, else\n"
"                        the built-in configuration ($CTMON_CONFIG=\"\"\n"
"                        forces the built-in one)\n"
"  --check-config        load and validate everything, then exit\n"
"  --list-plugins        list the plugins found and exit\n"
"  --plugin-help NAME    describe a plugin's options and exit\n"
"\n"
"Store operations (then exit):\n"
"  --list-alerts         list alerts; filters: --domains, --type T,\n"
"                        --severity S (minimum), --state open|acknowledged|all,\n"
"                        --limit N\n"
"  --ack ID [ID ...]     acknowledge alerts (never sent again)\n"
"  --list-cas            list authorised CAs\n"
"  --remove-ca NAME|ID   remove an authorised CA (--ca-domain D to scope)\n"
"  --outbox              show pending and failed deliveries\n"
"  --status              domains, each source's status (CT log backlog) and\n"
"                        cursors, outbox counts; reads the store only\n"
"\n"
"  -h, --help            this text;  --version  print the version\n"
"\n"
"Exit codes: 0 success; 1 the cycle ran but a source or notifier failed\n"
"(nothing was lost); 2 usage error; 3 configuration or plugin refused;\n"
"4 store or other runtime error.\n",
		fp);
}

static int set_flag(int *flag, int value)
{
	*flag = value;
	return 0;
}

static int is_value(const char *s) { return s && s[0] != '-'; }

static int need_value(int argc, char **argv, int *i, const char **out)
{
	if (*i + 1 >= argc || !argv[*i + 1]) {
		fprintf(stderr, "ctmon: %s needs a value (see --help)\n",
			argv[*i]);
		return -1;
	}
	*out = argv[++*i];
	return 0;
}

static int need_int(int argc, char **argv, int *i, int64_t *out)
{
	const char *v;

	if (need_value(argc, argv, i, &v))
		return -1;
	if (ctm_parse_int64(v, out) != 0 || *out < 0) {
		fprintf(stderr, "ctmon: %s: \"%s\" is not a non-negative "
			"integer\n", argv[*i - 1], v);
		return -1;
	}
	return 0;
}

/* A secret given on the command line: kept as a copy, and the argv bytes
 * are wiped so /proc/PID/cmdline (`ps`, other local users) no longer shows
 * it.  It was visible between exec and here: the warning in apply_email
 * and --help point to $CTMON_SMTP_PASS and --smtp-pass-file. */
static int take_secret(int argc, char **argv, int *i, const char **out)
{
	char *copy;

	if (*i + 1 >= argc || !argv[*i + 1]) {
		fprintf(stderr, "ctmon: %s needs a value (see --help)\n",
			argv[*i]);
		return -1;
	}
	copy = strdup(argv[++*i]);
	if (!copy)
		return -1;
	free((char *)*out); /* the flag given twice: the last one wins */
	*out = copy;
	memset(argv[*i], 0, strlen(argv[*i]));
	return 0;
}

/* Collects the values following a list flag. */
static int need_list(int argc, char **argv, int *i, char ***out)
{
	const char *flag = argv[*i];
	int n = 0;

	while (*i + 1 < argc && is_value(argv[*i + 1])) {
		if (ctm_strv_push(out, argv[++*i]) != 0)
			return -1;
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "ctmon: %s needs at least one value\n", flag);
		return -1;
	}
	return 0;
}

static int parse_one(int argc, char **argv, int *i, struct ctm_cli *c)
{
	const char *a = argv[*i];
	int64_t id;

#define FLAG(name) (strcmp(a, name) == 0)
	if (FLAG("--domains"))
		return need_list(argc, argv, i, &c->domains);
	if (FLAG("--db"))
		return need_value(argc, argv, i, &c->db);
	if (FLAG("--report"))
		return need_value(argc, argv, i, &c->report);
	if (FLAG("--timeout"))
		return need_int(argc, argv, i, &c->timeout);
	if (FLAG("--continuous"))
		return set_flag(&c->continuous, 1);
	if (FLAG("--interval"))
		return need_int(argc, argv, i, &c->interval);
	if (FLAG("--resolve-dns"))
		return set_flag(&c->resolve_dns, 1);
	if (FLAG("--no-resolve-dns"))
		return set_flag(&c->resolve_dns, 0);
	if (FLAG("--typosquats"))
		return set_flag(&c->typosquats, 1);
	if (FLAG("--list-candidates"))
		return need_value(argc, argv, i, &c->list_candidates);
	if (FLAG("--webhook"))
		return need_value(argc, argv, i, &c->webhook);
	if (FLAG("--auto-baseline"))
		return set_flag(&c->auto_baseline, 1);
	if (FLAG("--add-ca")) {
		if (need_value(argc, argv, i, &c->add_ca_name) ||
		    need_value(argc, argv, i, &c->add_ca_id))
			return -1;
		if (ctm_parse_int64(c->add_ca_id, &id) != 0) {
			fprintf(stderr, "ctmon: --add-ca NAME ID: ID \"%s\" is "
				"not a crt.sh CA id (an integer)\n",
				c->add_ca_id);
			return -1;
		}
		return 0;
	}
	if (FLAG("--smtp-host"))
		return need_value(argc, argv, i, &c->smtp_host);
	if (FLAG("--smtp-port"))
		return need_int(argc, argv, i, &c->smtp_port);
	if (FLAG("--smtp-user"))
		return need_value(argc, argv, i, &c->smtp_user);
	if (FLAG("--smtp-pass"))
		return take_secret(argc, argv, i, &c->smtp_pass);
	if (FLAG("--smtp-pass-file"))
		return need_value(argc, argv, i, &c->smtp_pass_file);
	if (FLAG("--email-from"))
		return need_value(argc, argv, i, &c->email_from);
	if (FLAG("--email-to"))
		return need_list(argc, argv, i, &c->email_to);
	if (FLAG("-v") || FLAG("--verbose"))
		return set_flag(&c->verbose, 1);
	if (FLAG("-q") || FLAG("--quiet"))
		return set_flag(&c->quiet, 1);
	if (FLAG("--config"))
		return need_value(argc, argv, i, &c->config);
	if (FLAG("--check-config"))
		return set_flag(&c->check_config, 1);
	if (FLAG("--list-plugins"))
		return set_flag(&c->list_plugins, 1);
	if (FLAG("--plugin-help"))
		return need_value(argc, argv, i, &c->plugin_help);
	if (FLAG("--list-alerts"))
		return set_flag(&c->list_alerts, 1);
	if (FLAG("--type"))
		return need_value(argc, argv, i, &c->alert_type);
	if (FLAG("--severity"))
		return need_value(argc, argv, i, &c->alert_severity);
	if (FLAG("--state"))
		return need_value(argc, argv, i, &c->alert_state);
	if (FLAG("--limit"))
		return need_int(argc, argv, i, &c->alert_limit);
	if (FLAG("--ack")) {
		char **ids = NULL;
		int rc = need_list(argc, argv, i, &ids);
		for (size_t k = 0; rc == 0 && ids[k]; k++) {
			int64_t *grown;
			if (ctm_parse_int64(ids[k], &id) != 0) {
				fprintf(stderr, "ctmon: --ack: \"%s\" is not an "
					"alert id\n", ids[k]);
				rc = -1;
				break;
			}
			grown = realloc(c->ack_ids, (c->n_ack + 1) * sizeof id);
			if (!grown) {
				rc = -1;
				break;
			}
			c->ack_ids = grown;
			c->ack_ids[c->n_ack++] = id;
		}
		ctm_strv_free(ids);
		return rc;
	}
	if (FLAG("--list-cas"))
		return set_flag(&c->list_cas, 1);
	if (FLAG("--remove-ca"))
		return need_value(argc, argv, i, &c->remove_ca);
	if (FLAG("--ca-domain"))
		return need_value(argc, argv, i, &c->ca_domain);
	if (FLAG("--outbox"))
		return set_flag(&c->show_outbox, 1);
	if (FLAG("--status"))
		return set_flag(&c->show_status, 1);
	if (FLAG("-h") || FLAG("--help"))
		return set_flag(&c->help, 1);
	if (FLAG("--version"))
		return set_flag(&c->version, 1);
#undef FLAG
	fprintf(stderr, "ctmon: unknown option \"%s\" (see --help)\n", a);
	return -1;
}

/* Where the configuration came from, said once it is loaded. */
static const char *config_origin;

/* Without --config: $CTMON_CONFIG (empty means the built-in default),
 * else the installed configuration when there is one, so a packaged
 * ctmon started by systemd reads /etc/ctmon/ctmon.cfg. */
static void find_config(struct ctm_cli *c)
{
	static const char sysconf[] = CTMON_SYSCONF_DIR "/ctmon.cfg";
	const char *env = getenv("CTMON_CONFIG");
	struct stat st;

	if (c->config) {
		config_origin = "--config";
		return;
	}
	if (env) {
		c->config = *env ? env : NULL;
		config_origin = "$CTMON_CONFIG";
		return;
	}
	/* Present but unreadable is an error to report, not a reason to
	 * fall back silently: only a missing file means "not installed". */
	if (stat(sysconf, &st) == 0) {
		c->config = sysconf;
		config_origin = "the installed location";
		return;
	}
	config_origin = NULL;
}

int ctm_cli_parse(int argc, char **argv, struct ctm_cli *c)
{
	memset(c, 0, sizeof *c);
	c->timeout = c->interval = c->smtp_port = -1;
	c->resolve_dns = -1;
	for (int i = 1; i < argc; i++)
		if (parse_one(argc, argv, &i, c) != 0)
			return CTM_EXIT_USAGE;
	find_config(c);
	return 0;
}

void ctm_cli_free(struct ctm_cli *c)
{
	free((char *)c->smtp_pass);
	ctm_strv_free(c->domains);
	ctm_strv_free(c->email_to);
	free(c->ack_ids);
	memset(c, 0, sizeof *c);
}

/* A libconfig string literal for arbitrary text. */
static char *cfg_quote(const char *s)
{
	struct ctm_buf b;

	ctm_buf_init(&b);
	ctm_buf_puts(&b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			ctm_buf_append(&b, "\\", 1);
		ctm_buf_append(&b, s, 1);
	}
	ctm_buf_puts(&b, "\"");
	return ctm_buf_take(&b);
}

static int set_str(struct ctm_instance *inst, const char *key,
		   const char *value, struct ctm_error *err)
{
	char *q = cfg_quote(value);
	int rc;

	if (!q)
		return CTMON_ENOMEM;
	rc = ctm_config_set(inst, key, q, err);
	free(q);
	return rc;
}

static int set_int(struct ctm_instance *inst, const char *key, int64_t v,
		   struct ctm_error *err)
{
	char num[32];
	snprintf(num, sizeof num, "%lld", (long long)v);
	return ctm_config_set(inst, key, num, err);
}

static int replace_str(char **dst, const char *src)
{
	char *copy = strdup(src);
	if (!copy)
		return CTMON_ENOMEM;
	free(*dst);
	*dst = copy;
	return CTMON_OK;
}

/* Reads a secret from a file: the first line, without its newline. */
static char *read_secret_file(const char *path, struct ctm_error *err)
{
	char line[1024];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (!fp) {
		snprintf(err->text, sizeof err->text,
			 "--smtp-pass-file %s: cannot open", path);
		return NULL;
	}
	if (!fgets(line, sizeof line, fp))
		line[0] = '\0';
	fclose(fp);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	return strdup(line);
}

static int apply_email(const struct ctm_cli *c, struct ctm_config *cfg,
		       struct ctm_error *err)
{
	struct ctm_instance *inst;
	const char *pass = c->smtp_pass;
	char *from_file = NULL;
	int rc = CTMON_OK;

	inst = ctm_config_find(cfg, CTMON_KIND_NOTIFIER, "email");
	if (!inst)
		inst = ctm_config_add_instance(cfg, CTMON_KIND_NOTIFIER,
					       "email", "", err);
	if (!inst)
		return CTMON_ECONFIG;
	inst->enabled = 1;
	if (c->smtp_pass)
		ctm_warn("--smtp-pass puts the password where `ps` shows it; "
			 "prefer $CTMON_SMTP_PASS or --smtp-pass-file");
	if (!pass && c->smtp_pass_file) {
		from_file = read_secret_file(c->smtp_pass_file, err);
		if (!from_file)
			return CTMON_ECONFIG;
		pass = from_file;
	}
	if (!pass)
		pass = getenv("CTMON_SMTP_PASS");
	rc = set_str(inst, "host", c->smtp_host, err);
	if (rc == CTMON_OK && c->smtp_port >= 0)
		rc = set_int(inst, "port", c->smtp_port, err);
	if (rc == CTMON_OK && c->smtp_user)
		rc = set_str(inst, "user", c->smtp_user, err);
	if (rc == CTMON_OK && pass)
		rc = set_str(inst, "password", pass, err);
	if (rc == CTMON_OK && c->email_from)
		rc = set_str(inst, "from", c->email_from, err);
	if (rc == CTMON_OK && c->email_to) {
		struct ctm_buf b;
		ctm_buf_init(&b);
		ctm_buf_puts(&b, "[");
		for (size_t i = 0; c->email_to[i]; i++) {
			char *q = cfg_quote(c->email_to[i]);
			ctm_buf_printf(&b, "%s%s", i ? ", " : "", q ? q : "\"\"");
			free(q);
		}
		ctm_buf_puts(&b, "]");
		rc = b.oom ? CTMON_ENOMEM : ctm_config_set(inst, "to", b.data, err);
		ctm_buf_free(&b);
	}
	free(from_file);
	return rc;
}

static int apply_sources(const struct ctm_cli *c, struct ctm_config *cfg,
			 struct ctm_error *err)
{
	/* --timeout reaches crt.sh through its own option, which bounds
	 * every query it makes. */
	for (size_t i = 0; i < cfg->n_sources && c->timeout > 0; i++) {
		int rc;
		if (strcmp(cfg->sources[i].plugin, "crtsh") != 0)
			continue;
		rc = set_int(&cfg->sources[i], "timeout", c->timeout, err);
		if (rc != CTMON_OK)
			return rc;
	}
	return CTMON_OK;
}

int ctm_cli_apply(const struct ctm_cli *c, struct ctm_config *cfg,
		  struct ctm_error *err)
{
	const char *webhook = c->webhook ? c->webhook
					 : getenv("CTMON_WEBHOOK_URL");
	int rc = CTMON_OK;

	if (c->config)
		ctm_info("configuration: %s (from %s)", c->config,
			 config_origin ? config_origin : "--config");
	else
		ctm_info("configuration: built-in default (%s)",
			 config_origin ? "$CTMON_CONFIG is empty"
				       : "no --config, $CTMON_CONFIG or "
					 CTMON_SYSCONF_DIR "/ctmon.cfg");

	if (c->domains) {
		rc = ctm_config_set_domains(cfg, c->domains,
					    ctm_strv_len(c->domains), err);
		if (rc != CTMON_OK)
			return rc;
	}
	if (c->db && (rc = replace_str(&cfg->database, c->db)) != CTMON_OK)
		return rc;
	if (c->report && (rc = replace_str(&cfg->report, c->report)))
		return rc;
	if (c->timeout > 0)
		cfg->timeout = c->timeout;
	if (c->interval >= 0) {
		if (c->interval == 0) {
			snprintf(err->text, sizeof err->text,
				 "--interval must be at least 1 second");
			return CTMON_ECONFIG;
		}
		cfg->interval = c->interval;
	}
	if (c->resolve_dns >= 0)
		cfg->resolve_dns = c->resolve_dns;
	rc = apply_sources(c, cfg, err);
	if (rc != CTMON_OK)
		return rc;
	if (c->typosquats || c->list_candidates) {
		struct ctm_instance *t =
			ctm_config_find(cfg, CTMON_KIND_CHECK, "typosquat");
		if (!t)
			t = ctm_config_add_instance(cfg, CTMON_KIND_CHECK,
						    "typosquat", "", err);
		if (!t)
			return CTMON_ECONFIG;
		t->enabled = 1;
	}
	if (webhook) {
		struct ctm_instance *w =
			ctm_config_find(cfg, CTMON_KIND_NOTIFIER, "webhook");
		if (!w)
			w = ctm_config_add_instance(cfg, CTMON_KIND_NOTIFIER,
						    "webhook", "", err);
		if (!w)
			return CTMON_ECONFIG;
		w->enabled = 1;
		rc = set_str(w, "url", webhook, err);
		if (rc != CTMON_OK)
			return rc;
	}
	if (c->smtp_host)
		rc = apply_email(c, cfg, err);
	else if (c->email_to || c->email_from || c->smtp_user)
		ctm_warn("--email-to/--email-from/--smtp-user have no effect "
			 "without --smtp-host");
	return rc;
}
