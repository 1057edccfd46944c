/* abi10_check.c - a check plugin compiled against the frozen ABI 1.0
 * header (tests/abi/v1.0/ctmon/plugin.h).  It reads options through the
 * 1.0 config getters and emits one alert per issuance, so a host that
 * moved or retyped a 1.0 member breaks it visibly. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctmon/plugin.h"

struct abi10_check {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	const char *label; /* borrowed until destroy */
	int64_t severity;
	int64_t seen;
};

static const struct ctmon_option abi10_check_options[] = {
	{"severity", CTMON_OPT_INT, "3", 0, "severity of the alerts (0-4)"},
	{"label", CTMON_OPT_STRING, "abi-1.0", 0, "copied into details"},
};

static int abi10_check_create(struct ctmon_host *host,
			      const struct ctmon_host_api *api,
			      const struct ctmon_config *config, void **state)
{
	struct abi10_check *st;

	*state = NULL;
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	if (api->cfg_int(config, "severity", &st->severity) != CTMON_OK ||
	    api->cfg_string(config, "label", &st->label) != CTMON_OK ||
	    st->severity < CTMON_SEV_INFO || st->severity > CTMON_SEV_CRITICAL) {
		api->set_error(host, "%s: severity must be 0-4",
			       api->cfg_where(config, "severity"));
		free(st);
		return CTMON_ECONFIG;
	}
	*state = st;
	return CTMON_OK;
}

static void abi10_check_destroy(void *state) { free(state); }

/* Appends s as a JSON string; names and labels are not trusted. */
static void json_str(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t p = *pos;

	if (p >= len)
		return;
	if (p + 1 < len)
		buf[p++] = '"';
	for (; s && *s && p + 7 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[p++] = '\\';
			buf[p++] = (char)c;
		} else if (c < 0x20) {
			p += (size_t)snprintf(buf + p, len - p, "\\u%04x", c);
		} else {
			buf[p++] = (char)c;
		}
	}
	if (p + 1 < len)
		buf[p++] = '"';
	buf[p < len ? p : len - 1] = '\0';
	*pos = p;
}

/* snprintf at *pos that never moves *pos past the buffer's end. */
static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	CTMON_PRINTF(4, 5);
static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	*pos = n < 0 ? len : *pos + (size_t)n;
}

static int abi10_check_on_issuance(void *state,
				   const struct ctmon_issuance *is,
				   struct ctmon_alert_sink *out)
{
	struct abi10_check *st = state;
	struct ctmon_alert a;
	char details[1024], key[32];
	size_t pos = 0;

	st->seen++;
	append(details, sizeof details, &pos, "{\"label\":");
	json_str(details, sizeof details, &pos, st->label);
	append(details, sizeof details, &pos,
	       ",\"names\":%zu,\"new_names\":%zu,\"first\":", is->n_names,
	       is->n_new_names);
	json_str(details, sizeof details, &pos,
		 is->n_names ? is->names[0] : "");
	append(details, sizeof details, &pos, ",\"not_after\":%" PRId64 "}",
	       is->cert ? is->cert->not_after : 0);
	if (pos >= sizeof details)
		return CTMON_EINTERNAL; /* too long to be whole JSON */
	snprintf(key, sizeof key, "%" PRId64, is->id);
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = "abi_v1_0";
	a.severity = (enum ctmon_severity)st->severity;
	a.domain = is->domain;
	a.key = key;
	a.details_json = details;
	a.issuance_id = is->id;
	st->api->log(st->host, CTMON_LOG_INFO, "issuance %" PRId64 " of %s",
		     is->id, is->domain);
	return st->api->emit_alert(out, &a);
}

static int abi10_check_on_cycle(void *state, struct ctmon_alert_sink *out)
{
	struct abi10_check *st = state;

	(void)out;
	st->api->log(st->host, CTMON_LOG_INFO, "cycle after %" PRId64
		     " issuances", st->seen);
	return CTMON_OK;
}

static const struct ctmon_check_ops abi10_check_ops = {
	sizeof(struct ctmon_check_ops), abi10_check_on_issuance,
	abi10_check_on_cycle, NULL, NULL};

CTMON_PLUGIN_DEFINE(CTMON_KIND_CHECK, "abi10_check", "1.0.0",
		    "ABI 1.0 fixture: one alert per issuance",
		    abi10_check_options, abi10_check_create, NULL, NULL,
		    abi10_check_destroy, &abi10_check_ops)
