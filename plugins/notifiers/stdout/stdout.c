/* stdout.c - the stdout notifier: writes each batch of alerts to stdout
 * (or stderr) as a readable summary or as JSON lines, then flushes, so a
 * batch reported as delivered has really left the process. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctmon/plugin.h"
#include "nbuf.h"
#include "njson.h"
#include "ntext.h"
#include "stdout_internal.h"

enum stdout_format { FORMAT_TEXT, FORMAT_JSONL };
enum stdout_stream { STREAM_STDOUT, STREAM_STDERR };

struct stdout_state {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	enum stdout_format format;
	enum stdout_stream stream;
};

static const struct ctmon_option stdout_options[] = {
	{"format", CTMON_OPT_STRING, "text", 0,
	 "\"text\" (one readable line per alert) or \"jsonl\" (one alert "
	 "JSON object per line)"},
	{"stream", CTMON_OPT_STRING, "stdout", 0,
	 "where to write: \"stdout\" or \"stderr\""},
};

/* Reads a string option that must be one of `choices`; a missing key
 * means the first choice (the declared default). */
static int read_choice(struct ctmon_host *host,
		       const struct ctmon_host_api *api,
		       const struct ctmon_config *config, const char *key,
		       const char *const *choices, size_t n, int *out)
{
	const char *value = NULL, *where = NULL;

	*out = 0;
	if (!CTMON_HOST_HAS(api, cfg_string) ||
	    api->cfg_string(config, key, &value) != CTMON_OK || !value)
		return CTMON_OK;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(value, choices[i]) == 0) {
			*out = (int)i;
			return CTMON_OK;
		}
	}
	if (CTMON_HOST_HAS(api, cfg_where))
		where = api->cfg_where(config, key);
	if (CTMON_HOST_HAS(api, set_error))
		api->set_error(host,
			       "%s: option \"%s\": unknown value \"%s\" "
			       "(expected \"%s\" or \"%s\")",
			       where ? where : "config", key, value,
			       choices[0], choices[n - 1]);
	return CTMON_ECONFIG;
}

static int stdout_create(struct ctmon_host *host,
			 const struct ctmon_host_api *api,
			 const struct ctmon_config *config, void **state)
{
	static const char *const formats[] = {"text", "jsonl"};
	static const char *const streams[] = {"stdout", "stderr"};
	struct stdout_state *st;
	int format, stream, rc;

	*state = NULL;
	rc = read_choice(host, api, config, "format", formats, 2, &format);
	if (rc != CTMON_OK)
		return rc;
	rc = read_choice(host, api, config, "stream", streams, 2, &stream);
	if (rc != CTMON_OK)
		return rc;
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	st->format = format == 1 ? FORMAT_JSONL : FORMAT_TEXT;
	st->stream = stream == 1 ? STREAM_STDERR : STREAM_STDOUT;
	*state = st;
	return CTMON_OK;
}

static void stdout_destroy(void *state)
{
	free(state);
}

static int is_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	while (*p) {
		size_t n = *p < 0x80 ? 1 : nt_utf8_decode(p, &cp);
		if (!n)
			return 0;
		p += n;
	}
	return 1;
}

/* The alert as a JSON object when the core gave no `json` member. */
static struct json_object *build_json(const struct ctmon_alert *a)
{
	struct json_object *o = json_object_new_object();
	struct json_object *details = NULL;

	if (!o)
		return NULL;
	if (a->details_json)
		details = json_tokener_parse(a->details_json);
	json_object_object_add(o, "id", json_object_new_int64(a->id));
	json_object_object_add(o, "type", json_object_new_string(
						  a->type ? a->type : ""));
	json_object_object_add(o, "severity", json_object_new_string(
			       ctmon_severity_name(a->severity)));
	json_object_object_add(o, "domain",
			       json_object_new_string(a->domain ? a->domain
								: ""));
	json_object_object_add(o, "key", json_object_new_string(
						 a->key ? a->key : ""));
	json_object_object_add(o, "created_at",
			       json_object_new_int64(a->created_at));
	json_object_object_add(o, "baseline",
			       json_object_new_boolean(a->baseline != 0));
	json_object_object_add(o, "details",
			       details ? details : json_object_new_object());
	return o;
}

/* Newlines inside a JSON text can only be whitespace between tokens (raw
 * control characters are invalid inside strings), so turning them into
 * spaces keeps the object intact and the line count honest. */
static void put_json_line(struct outbuf *b, const struct ctmon_alert *a)
{
	size_t start = b->len;
	struct json_object *o = NULL;
	struct nbuf t = {0};

	/* The core's text as is when it is UTF-8; otherwise (json-c passes
	 * a source's bytes through unchecked) written again by nj_value,
	 * where text that is not UTF-8 becomes U+FFFD: every line is JSON. */
	if (a->json && is_utf8(a->json)) {
		outbuf_puts(b, a->json);
		goto newlines;
	}
	if (a->json)
		o = json_tokener_parse(a->json);
	if (!o)
		o = build_json(a);
	if (!o) {
		b->oom = 1;
		return;
	}
	nj_value(&t, o);
	json_object_put(o);
	if (t.oom)
		b->oom = 1;
	else
		outbuf_puts(b, nb_str(&t));
	nb_free(&t);
newlines:
	if (b->oom)
		return;
	for (size_t i = start; i < b->len; i++)
		if (b->data[i] == '\n' || b->data[i] == '\r')
			b->data[i] = ' ';
	outbuf_puts(b, "\n");
}

static int write_all(struct stdout_state *st, const struct outbuf *b)
{
	FILE *fp = st->stream == STREAM_STDERR ? stderr : stdout;
	const char *name = st->stream == STREAM_STDERR ? "stderr" : "stdout";
	int failed, saved_errno;

	/* The stream is looked up per call, not cached, so a host that
	 * redirects stdout later still gets the output where it expects. */
	errno = 0;
	failed = fwrite(b->data, 1, b->len, fp) != b->len;
	if (fflush(fp) != 0)
		failed = 1;
	if (!failed)
		return CTMON_OK;
	saved_errno = errno ? errno : EIO;
	/* Clear the sticky error so the outbox's retry can succeed. */
	clearerr(fp);
	if (CTMON_HOST_HAS(st->api, set_error))
		st->api->set_error(st->host, "writing to %s: %s", name,
				   strerror(saved_errno));
	return CTMON_EIO;
}

static int stdout_deliver(void *state, const struct ctmon_alert *const *alerts,
			  size_t n)
{
	struct stdout_state *st = state;
	struct outbuf b;
	int rc;

	if (n == 0)
		return CTMON_OK;
	memset(&b, 0, sizeof b);
	if (st->format == FORMAT_TEXT) {
		stdout_text_batch(&b, alerts, n);
	} else {
		for (size_t i = 0; i < n; i++)
			put_json_line(&b, alerts[i]);
	}
	if (b.oom) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	rc = write_all(st, &b);
out:
	outbuf_free(&b);
	return rc;
}

static const struct ctmon_notifier_ops stdout_ops = {
	sizeof(struct ctmon_notifier_ops),
	stdout_deliver,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_NOTIFIER, "stdout", "1.0.0",
		    "Print alerts to stdout/stderr as text or JSON lines",
		    stdout_options, stdout_create, NULL, NULL, stdout_destroy,
		    &stdout_ops)
