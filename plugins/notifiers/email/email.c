/* email.c - the email notifier: one message per batch over SMTP, with
 * STARTTLS (port 587, the default) or implicit TLS (465), AUTH when a
 * user is given, or through the local MTA (`sendmail -t -i`); a
 * plain-text and an HTML part.  The password comes from the config (the
 * CLI fills it from --smtp-pass, --smtp-pass-file or $CTMON_SMTP_PASS),
 * from password_file (refused when others can read it), or from
 * $CTMON_SMTP_PASS. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "email.h"

static const struct ctmon_option email_options[] = {
	{"host", CTMON_OPT_STRING, NULL, 0,
	 "SMTP server (--smtp-host); required with transport \"smtp\""},
	{"port", CTMON_OPT_INT, "587", 0,
	 "SMTP port (--smtp-port): 587 STARTTLS, 465 implicit TLS"},
	{"tls", CTMON_OPT_STRING, "auto", 0,
	 "\"auto\" (implicit TLS on 465, else STARTTLS), \"starttls\" or "
	 "\"implicit\"; TLS is always required and verified"},
	{"user", CTMON_OPT_STRING, NULL, 0,
	 "SMTP AUTH user (--smtp-user); no AUTH without it"},
	{"password", CTMON_OPT_STRING, NULL, CTMON_OPTF_SECRET,
	 "SMTP AUTH password (--smtp-pass; prefer password_file or "
	 "$CTMON_SMTP_PASS)"},
	{"password_file", CTMON_OPT_STRING, NULL, 0,
	 "file whose first line is the password (--smtp-pass-file); refused "
	 "when group or others may read it"},
	{"allow_insecure_password_file", CTMON_OPT_BOOL, "false", 0,
	 "accept a password_file group or others may read (with a warning "
	 "at every start)"},
	{"from", CTMON_OPT_STRING, NULL, 0,
	 "sender address (--email-from); default: the user when it is an "
	 "address"},
	{"to", CTMON_OPT_STRING_LIST, NULL, 0,
	 "recipient addresses (--email-to)"},
	{"subject_prefix", CTMON_OPT_STRING, "[ctmon]", 0,
	 "text before the subject"},
	{"timeout", CTMON_OPT_INT, "30", 0, "seconds for one submission"},
	{"ca_file", CTMON_OPT_STRING, NULL, 0,
	 "PEM file of CA certificates to trust instead of the system's "
	 "(verification stays on)"},
	{"transport", CTMON_OPT_STRING, "smtp", 0,
	 "\"smtp\" (libcurl, TLS) or \"sendmail\" (pipe to sendmail_path "
	 "-t -i, no shell)"},
	{"sendmail_path", CTMON_OPT_STRING, "/usr/sbin/sendmail", 0,
	 "the local MTA's sendmail program (transport \"sendmail\")"},
	{"hostname", CTMON_OPT_STRING, NULL, 0,
	 "domain of the Message-ID; default: the sender's domain"},
};

static const char *where(struct em_state *st, const struct ctmon_config *c,
			 const char *key)
{
	const char *w = CTMON_HOST_HAS(st->api, cfg_where)
				? st->api->cfg_where(c, key)
				: NULL;
	return w ? w : "config";
}

/* A bare address, local@domain, printable ASCII without anything that
 * could end a header, an SMTP command or an address: it is written into
 * both. */
static int valid_address(const char *s)
{
	const char *at = strchr(s, '@');

	if (!at || at == s || !at[1] || strchr(at + 1, '@') ||
	    strlen(s) > 254)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    strchr("<>()[],;:\"\\", *s))
			return 0;
	return 1;
}

static int copy_opt(struct em_state *st, const struct ctmon_config *c,
		    const char *key, char **out)
{
	const char *v = NULL;

	*out = NULL;
	if (st->api->cfg_string(c, key, &v) != CTMON_OK || !v || !*v)
		return CTMON_OK;
	*out = strdup(v);
	return *out ? CTMON_OK : CTMON_ENOMEM;
}

static int read_password_file(struct em_state *st,
			      const struct ctmon_config *c)
{
	const char *path = NULL;
	char line[1024];
	struct stat sb;
	FILE *fp;

	if (st->password || st->api->cfg_string(c, "password_file", &path) !=
				    CTMON_OK || !path || !*path)
		return CTMON_OK;
	fp = fopen(path, "r");
	if (!fp) {
		st->api->set_error(st->host, "%s: option \"password_file\": "
				   "cannot open %s",
				   where(st, c, "password_file"), path);
		return CTMON_ECONFIG;
	}
	if (fstat(fileno(fp), &sb) != 0) {
		st->api->set_error(st->host, "%s: option \"password_file\": "
				   "cannot stat %s: %s",
				   where(st, c, "password_file"), path,
				   strerror(errno));
		fclose(fp);
		return CTMON_ECONFIG;
	}
	/* Checked on the opened file, so a swap after the check is moot. */
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		int allow = 0;

		st->api->cfg_bool(c, "allow_insecure_password_file", &allow);
		if (!allow) {
			st->api->set_error(
				st->host,
				"%s: option \"password_file\": %s is mode "
				"%04o: group or others may read the SMTP "
				"password; run chmod 600 %s (or set "
				"allow_insecure_password_file = true)",
				where(st, c, "password_file"), path,
				(unsigned)(sb.st_mode & 07777), path);
			fclose(fp);
			return CTMON_ECONFIG;
		}
		st->api->log(st->host, CTMON_LOG_WARN,
			     "WARNING: password_file %s is mode %04o: group or "
			     "others may read the SMTP password "
			     "(allow_insecure_password_file = true); run "
			     "chmod 600 %s",
			     path, (unsigned)(sb.st_mode & 07777), path);
	}
	if (!fgets(line, sizeof line, fp))
		line[0] = '\0';
	fclose(fp);
	line[strcspn(line, "\r\n")] = '\0';
	st->password = strdup(line);
	memset(line, 0, sizeof line);
	return st->password ? CTMON_OK : CTMON_ENOMEM;
}

static int read_recipients(struct em_state *st, const struct ctmon_config *c)
{
	size_t n = 0;
	const char *v;

	if (st->api->cfg_list_len(c, "to", &n) != CTMON_OK || n == 0) {
		st->api->set_error(st->host, "%s: no recipients: give "
				   "--email-to ADDR or to = [ ... ]",
				   where(st, c, "to"));
		return CTMON_ECONFIG;
	}
	st->to = calloc(n + 1, sizeof *st->to);
	if (!st->to)
		return CTMON_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (st->api->cfg_list_string(c, "to", i, &v) != CTMON_OK ||
		    !valid_address(v)) {
			st->api->set_error(st->host, "%s: option \"to\": "
					   "\"%.100s\" is not an e-mail "
					   "address", where(st, c, "to"),
					   v ? v : "");
			return CTMON_ECONFIG;
		}
		st->to[i] = strdup(v);
		if (!st->to[i])
			return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

static int read_tls(struct em_state *st, const struct ctmon_config *c)
{
	static const char *const names[] = {"auto", "starttls", "implicit"};
	const char *v = NULL;

	st->tls = EM_TLS_AUTO;
	if (st->api->cfg_string(c, "tls", &v) != CTMON_OK || !v)
		return CTMON_OK;
	for (size_t i = 0; i < 3; i++)
		if (strcmp(v, names[i]) == 0) {
			st->tls = (enum em_tls)i;
			return CTMON_OK;
		}
	st->api->set_error(st->host, "%s: option \"tls\": unknown value "
			   "\"%s\" (expected auto, starttls or implicit)",
			   where(st, c, "tls"), v);
	return CTMON_ECONFIG;
}

static int read_transport(struct em_state *st, const struct ctmon_config *c)
{
	const char *v = NULL;

	st->transport = EM_SMTP;
	if (st->api->cfg_string(c, "transport", &v) != CTMON_OK || !v ||
	    strcmp(v, "smtp") == 0)
		return CTMON_OK;
	if (strcmp(v, "sendmail") != 0) {
		st->api->set_error(st->host, "%s: option \"transport\": "
				   "unknown value \"%s\" (expected smtp or "
				   "sendmail)", where(st, c, "transport"), v);
		return CTMON_ECONFIG;
	}
	st->transport = EM_SENDMAIL;
	if (!st->sendmail_path || st->sendmail_path[0] != '/') {
		st->api->set_error(st->host, "%s: option \"sendmail_path\": "
				   "must be an absolute path",
				   where(st, c, "sendmail_path"));
		return CTMON_ECONFIG;
	}
	return CTMON_OK;
}

/* The Message-ID's domain: letters, digits, '-' and '.', nothing that
 * could end the header or the angle brackets. */
static int read_hostname(struct em_state *st, const struct ctmon_config *c)
{
	const char *at;

	if (!st->hostname) {
		at = strrchr(st->from, '@');
		st->hostname = strdup(at && at[1] ? at + 1 : "localhost");
		if (!st->hostname)
			return CTMON_ENOMEM;
	}
	if (!*st->hostname || strlen(st->hostname) > 253 ||
	    strspn(st->hostname, "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
		    strlen(st->hostname)) {
		st->api->set_error(st->host, "%s: option \"hostname\": "
				   "\"%.100s\" is not a host name",
				   where(st, c, "hostname"), st->hostname);
		return CTMON_ECONFIG;
	}
	return CTMON_OK;
}

static int read_numbers(struct em_state *st, const struct ctmon_config *c)
{
	st->port = 587;
	st->timeout_s = 30;
	st->api->cfg_int(c, "port", &st->port);
	st->api->cfg_int(c, "timeout", &st->timeout_s);
	if (st->port < 1 || st->port > 65535) {
		st->api->set_error(st->host, "%s: option \"port\": %lld is not "
				   "a TCP port", where(st, c, "port"),
				   (long long)st->port);
		return CTMON_ECONFIG;
	}
	if (st->timeout_s < 1 || st->timeout_s > 3600) {
		st->api->set_error(st->host, "%s: option \"timeout\": %lld is "
				   "out of range [1, 3600]",
				   where(st, c, "timeout"),
				   (long long)st->timeout_s);
		return CTMON_ECONFIG;
	}
	return CTMON_OK;
}

static void email_destroy(void *state)
{
	struct em_state *st = state;

	if (!st)
		return;
	free(st->smtp_host);
	free(st->user);
	if (st->password) {
		memset(st->password, 0, strlen(st->password));
		free(st->password);
	}
	free(st->from);
	for (size_t i = 0; st->to && st->to[i]; i++)
		free(st->to[i]);
	free(st->to);
	free(st->ca_file);
	free(st->subject_prefix);
	free(st->hostname);
	free(st->sendmail_path);
	free(st);
}

static int check_addresses(struct em_state *st, const struct ctmon_config *c)
{
	if (st->transport == EM_SMTP && !st->smtp_host) {
		st->api->set_error(st->host, "%s: option \"host\": required "
				   "with transport \"smtp\" (--smtp-host)",
				   where(st, c, "host"));
		return CTMON_ECONFIG;
	}
	if (st->smtp_host && strpbrk(st->smtp_host, "/@ \r\n[]")) {
		st->api->set_error(st->host, "%s: option \"host\": not a host "
				   "name or address", where(st, c, "host"));
		return CTMON_ECONFIG;
	}
	if (!st->from && st->user && valid_address(st->user))
		st->from = strdup(st->user);
	if (!st->from) {
		st->api->set_error(st->host, "%s: no sender: give "
				   "--email-from ADDR or from = \"...\"",
				   where(st, c, "from"));
		return CTMON_ECONFIG;
	}
	if (!valid_address(st->from)) {
		st->api->set_error(st->host, "%s: option \"from\": \"%.100s\" "
				   "is not an e-mail address",
				   where(st, c, "from"), st->from);
		return CTMON_ECONFIG;
	}
	if (st->user && !st->password && getenv("CTMON_SMTP_PASS"))
		st->password = strdup(getenv("CTMON_SMTP_PASS"));
	return CTMON_OK;
}

static int email_create(struct ctmon_host *host,
			const struct ctmon_host_api *api,
			const struct ctmon_config *config, void **state)
{
	struct em_state *st = calloc(1, sizeof *st);
	int rc;

	*state = NULL;
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	st->rng = (uint64_t)time(NULL) ^ ((uint64_t)(uintptr_t)st << 12) ^
		  0x2545f4914f6cdd1du;
	rc = copy_opt(st, config, "host", &st->smtp_host);
	if (rc == CTMON_OK)
		rc = copy_opt(st, config, "user", &st->user);
	if (rc == CTMON_OK)
		rc = copy_opt(st, config, "password", &st->password);
	if (rc == CTMON_OK)
		rc = copy_opt(st, config, "from", &st->from);
	if (rc == CTMON_OK)
		rc = copy_opt(st, config, "ca_file", &st->ca_file);
	if (rc == CTMON_OK)
		rc = copy_opt(st, config, "subject_prefix", &st->subject_prefix);
	if (rc == CTMON_OK)
		rc = copy_opt(st, config, "hostname", &st->hostname);
	if (rc == CTMON_OK)
		rc = copy_opt(st, config, "sendmail_path", &st->sendmail_path);
	if (rc == CTMON_OK)
		rc = read_transport(st, config);
	if (rc == CTMON_OK)
		rc = read_password_file(st, config);
	if (rc == CTMON_OK)
		rc = read_numbers(st, config);
	if (rc == CTMON_OK)
		rc = read_tls(st, config);
	if (rc == CTMON_OK)
		rc = check_addresses(st, config);
	if (rc == CTMON_OK)
		rc = read_hostname(st, config);
	if (rc == CTMON_OK)
		rc = read_recipients(st, config);
	if (rc != CTMON_OK) {
		email_destroy(st);
		return rc;
	}
	*state = st;
	return CTMON_OK;
}

static uint64_t next_random(struct em_state *st)
{
	st->rng ^= st->rng << 13;
	st->rng ^= st->rng >> 7;
	st->rng ^= st->rng << 17;
	return st->rng;
}

static int email_deliver(void *state, const struct ctmon_alert *const *a,
			 size_t n)
{
	struct em_state *st = state;
	struct em_msg m;
	struct nbuf msg = {0}, mid = {0};
	int rc;

	if (n == 0)
		return CTMON_OK;
	em_message_id(&mid, a, n, st->hostname);
	m.message_id = nb_str(&mid);
	m.from = st->from;
	m.to = st->to;
	m.subject_prefix = st->subject_prefix;
	m.now = st->api->now(st->host);
	m.random = next_random(st);
	rc = mid.oom ? CTMON_ENOMEM : em_build_message(&msg, &m, a, n);
	if (rc != CTMON_OK)
		st->api->set_error(st->host, "out of memory building the "
				   "message");
	else if (st->transport == EM_SENDMAIL)
		rc = em_sendmail(st, &msg);
	else
		rc = em_send(st, &msg);
	nb_free(&msg);
	nb_free(&mid);
	return rc;
}

static const struct ctmon_notifier_ops email_ops = {
	sizeof(struct ctmon_notifier_ops),
	email_deliver,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_NOTIFIER, "email", "1.0.0",
		    "Send alerts by e-mail over SMTP (STARTTLS or TLS, AUTH) "
		    "or through the local sendmail",
		    email_options, email_create, NULL, NULL, email_destroy,
		    &email_ops)
