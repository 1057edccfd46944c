/* abi10_notifier.c - a notifier compiled against the frozen ABI 1.0 header:
 * appends "type<TAB>severity<TAB>domain<TAB>key<TAB>json" per alert to the
 * file `path`, so a test can see every 1.0 alert member arrive intact. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctmon/plugin.h"

struct abi10_notifier {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	const char *path; /* borrowed until destroy */
};

static const struct ctmon_option abi10_notifier_options[] = {
	{"path", CTMON_OPT_STRING, NULL, CTMON_OPTF_REQUIRED,
	 "file the alerts are appended to"},
};

static int abi10_notifier_create(struct ctmon_host *host,
				 const struct ctmon_host_api *api,
				 const struct ctmon_config *config,
				 void **state)
{
	struct abi10_notifier *st;

	*state = NULL;
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	if (api->cfg_string(config, "path", &st->path) != CTMON_OK) {
		free(st);
		return CTMON_ECONFIG;
	}
	*state = st;
	return CTMON_OK;
}

static void abi10_notifier_destroy(void *state) { free(state); }

/* The fields are written as given except for tabs and line breaks, which
 * would split the record. */
static void put_field(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static int abi10_notifier_deliver(void *state,
				  const struct ctmon_alert *const *alerts,
				  size_t n)
{
	struct abi10_notifier *st = state;
	FILE *f = fopen(st->path, "a");
	int rc = CTMON_OK;

	if (!f) {
		st->api->set_error(st->host, "cannot open %s", st->path);
		return CTMON_EIO;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ctmon_alert *a = alerts[i];

		put_field(f, a->type);
		fputc('\t', f);
		put_field(f, ctmon_severity_name(a->severity));
		fputc('\t', f);
		put_field(f, a->domain);
		fputc('\t', f);
		put_field(f, a->key);
		fputc('\t', f);
		put_field(f, a->json);
		fputc('\n', f);
	}
	if (fclose(f) != 0)
		rc = CTMON_EIO;
	st->api->log(st->host, CTMON_LOG_INFO, "delivered %zu", n);
	return rc;
}

static const struct ctmon_notifier_ops abi10_notifier_ops = {
	sizeof(struct ctmon_notifier_ops), abi10_notifier_deliver};

CTMON_PLUGIN_DEFINE(CTMON_KIND_NOTIFIER, "abi10_notifier", "1.0.0",
		    "ABI 1.0 fixture: alerts as tab-separated lines",
		    abi10_notifier_options, abi10_notifier_create, NULL, NULL,
		    abi10_notifier_destroy, &abi10_notifier_ops)
