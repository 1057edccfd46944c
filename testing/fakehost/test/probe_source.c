/* probe_source.c - a source plugin that exercises the fake host's source,
 * HTTP and state members so test_fakehost can check what the fake did.
 * Option `scenario` picks what collect() does; results are reported in
 * log lines the test reads back. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctmon/plugin.h"

struct probe {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	const char *scenario;
	const char *url;
	const char *ca_file;
};

struct count_sink {
	int begun;
	int ended;
	size_t chunks;
	size_t bytes;
	int fail_first; /* return EAGAIN from data() on the first attempt */
};

static const struct ctmon_option probe_options[] = {
	{"scenario", CTMON_OPT_STRING, "batches", 0, "what collect() does"},
	{"url", CTMON_OPT_STRING, "https://ct.example/", 0, "URL to fetch"},
	{"ca_file", CTMON_OPT_STRING, "", 0, "CA file for the fetch"},
};

static int probe_create(struct ctmon_host *host,
			const struct ctmon_host_api *api,
			const struct ctmon_config *config, void **state)
{
	struct probe *p = calloc(1, sizeof *p);

	if (!p)
		return CTMON_ENOMEM;
	p->host = host;
	p->api = api;
	if (api->cfg_string(config, "scenario", &p->scenario) != CTMON_OK ||
	    api->cfg_string(config, "url", &p->url) != CTMON_OK ||
	    api->cfg_string(config, "ca_file", &p->ca_file) != CTMON_OK) {
		free(p);
		return CTMON_ECONFIG;
	}
	*state = p;
	return CTMON_OK;
}

static void probe_destroy(void *state) { free(state); }

static int emit(struct probe *p, struct ctmon_emitter *e, int64_t crtsh_id)
{
	static const char *const names[] = {"www.example.com"};
	struct ctmon_cert c = {0};

	c.size = sizeof c;
	c.crtsh_id = crtsh_id;
	c.log_index = -1;
	c.issuer_dn = "CN=Probe CA";
	c.names = names;
	c.n_names = 1;
	c.not_before = 1;
	c.not_after = 2;
	return p->api->emit_cert(e, &c);
}

/* A source alert about the log itself, keyed `key`. */
static int alert(struct probe *p, struct ctmon_emitter *e, const char *key,
		 int64_t issuance_id)
{
	struct ctmon_alert a = {0};

	a.size = sizeof a;
	a.type = "log_misbehaves";
	a.severity = CTMON_SEV_HIGH;
	a.domain = "example.com";
	a.key = key;
	a.details_json = "{\"log\": \"probe\"}";
	a.issuance_id = issuance_id;
	return p->api->source_alert(e, &a);
}

static int report_cursor(struct probe *p, struct ctmon_emitter *e)
{
	char *v = NULL;
	int rc = p->api->get_cursor(e, "pos", &v);

	p->api->log(p->host, CTMON_LOG_INFO, "cursor seen=%s rc=%d",
		    v ? v : "-", rc);
	p->api->free(v);
	return rc;
}

/* Explicit batches kept or dropped, an implicit batch, cursors read back
 * inside the batch, the watch set. */
static int batches(struct probe *p, const struct ctmon_watch *w,
		   struct ctmon_emitter *e)
{
	const struct ctmon_host_api *api = p->api;
	struct ctmon_watch_entry we = {sizeof we, NULL, NULL, NULL};

	api->watch_get(w, 0, &we);
	api->log(p->host, CTMON_LOG_INFO,
		 "watch n=%zu first=%s tag=%s www=%d other=%d",
		 api->watch_count(w), we.pattern ? we.pattern : "-",
		 we.tag ? we.tag : "-",
		 api->watch_match(w, "WWW.Example.COM."),
		 api->watch_match(w, "notexample.com"));
	api->batch_begin(e);
	emit(p, e, 1);
	api->set_cursor(e, "pos", "1");
	report_cursor(p, e);
	api->batch_commit(e);
	api->batch_begin(e);
	emit(p, e, 2);
	api->set_cursor(e, "pos", "2");
	api->batch_abort(e);
	report_cursor(p, e);
	emit(p, e, 3);
	api->set_cursor(e, "pos", "3");
	api->emit_warning(e, "example.com", "partial results");
	/* A record the host must refuse poisons its explicit batch. */
	api->batch_begin(e);
	emit(p, e, 4);
	api->log(p->host, CTMON_LOG_INFO, "bad emit rc=%d",
		 api->emit_cert(e, NULL));
	api->log(p->host, CTMON_LOG_INFO, "poisoned commit rc=%d",
		 api->batch_commit(e));
	return CTMON_OK;
}

/* Source alerts: implicit, repeated, invalid, in an aborted and in a
 * committed batch. */
static int alerts(struct probe *p, struct ctmon_emitter *e)
{
	const struct ctmon_host_api *api = p->api;
	int rc[5];

	rc[0] = alert(p, e, "implicit", 0);
	rc[1] = alert(p, e, "implicit", 0);
	rc[2] = alert(p, e, "bad", 7);
	api->batch_begin(e);
	rc[3] = alert(p, e, "aborted", 0);
	api->batch_abort(e);
	api->batch_begin(e);
	rc[4] = alert(p, e, "committed", 0);
	api->batch_commit(e);
	api->log(p->host, CTMON_LOG_INFO, "alerts rc=%d,%d,%d,%d,%d", rc[0],
		 rc[1], rc[2], rc[3], rc[4]);
	return CTMON_OK; /* deliberately ignores the refusal */
}

static int sink_begin(void *ctx, long status, const char *type)
{
	struct count_sink *s = ctx;

	(void)status;
	(void)type;
	s->begun++;
	s->chunks = s->bytes = 0;
	return CTMON_OK;
}

static int sink_data(void *ctx, const void *buf, size_t len)
{
	struct count_sink *s = ctx;

	(void)buf;
	if (s->fail_first && s->begun == 1)
		return CTMON_EAGAIN;
	s->chunks++;
	s->bytes += len;
	return CTMON_OK;
}

static int sink_end(void *ctx)
{
	((struct count_sink *)ctx)->ended++;
	return CTMON_OK;
}

/* One GET with three attempts, buffered or streamed. */
static int fetch(struct probe *p, int streamed)
{
	const struct ctmon_host_api *api = p->api;
	struct count_sink counts = {0};
	struct ctmon_http_sink sink = {sizeof sink, sink_begin, sink_data,
				       sink_end, &counts};
	struct ctmon_http_req *r = api->http_new(p->host, "GET", p->url);
	const char *type;
	int rc;

	if (!r)
		return CTMON_ENOMEM;
	api->http_set_header(r, "Accept: application/json");
	api->http_set_retry(r, 3, 100, 1000);
	if (p->ca_file[0])
		api->log(p->host, CTMON_LOG_INFO, "ca_file rc=%d",
			 api->http_set_ca_file(r, p->ca_file));
	if (streamed) {
		counts.fail_first = 1;
		api->http_set_sink(r, &sink);
	}
	rc = api->http_perform(r);
	type = api->http_header(r, "content-type");
	api->log(p->host, CTMON_LOG_INFO,
		 "http rc=%d status=%ld type=%s body=%s error=%s", rc,
		 api->http_status(r), type ? type : "-",
		 api->http_body(r, NULL), api->http_error(r));
	if (streamed)
		api->log(p->host, CTMON_LOG_INFO,
			 "sink begun=%d chunks=%zu bytes=%zu ended=%d",
			 counts.begun, counts.chunks, counts.bytes,
			 counts.ended);
	api->http_free(r);
	return rc;
}

static int state(struct probe *p)
{
	const struct ctmon_host_api *api = p->api;
	char *v = NULL;
	int rc = api->state_get(p->host, "seen", &v);

	api->log(p->host, CTMON_LOG_INFO, "state before=%s rc=%d",
		 v ? v : "-", rc);
	api->free(v);
	api->state_put(p->host, "seen", "yes");
	api->state_put(p->host, "gone", "soon");
	api->state_delete(p->host, "gone");
	return api->sleep_ms(p->host, 250);
}

static int probe_collect(void *st, const struct ctmon_watch *w,
			 struct ctmon_emitter *e)
{
	struct probe *p = st;

	if (strcmp(p->scenario, "batches") == 0)
		return batches(p, w, e);
	if (strcmp(p->scenario, "fail") == 0) {
		/* The committed batch stays, the implicit one goes. */
		emit(p, e, 5);
		alert(p, e, "lost", 0);
		p->api->batch_begin(e);
		emit(p, e, 6);
		alert(p, e, "kept", 0);
		p->api->batch_commit(e);
		p->api->set_error(p->host, "upstream broke");
		return CTMON_EIO;
	}
	if (strcmp(p->scenario, "alerts") == 0)
		return alerts(p, e);
	if (strcmp(p->scenario, "http") == 0)
		return fetch(p, 0);
	if (strcmp(p->scenario, "stream") == 0)
		return fetch(p, 1);
	if (strcmp(p->scenario, "state") == 0)
		return state(p);
	return CTMON_EINVAL;
}

static const struct ctmon_source_ops probe_ops = {
	.size = sizeof(struct ctmon_source_ops),
	.collect = probe_collect,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_SOURCE, "probe_source", "0.0.1",
		    "fake host test probe", probe_options, probe_create, NULL,
		    NULL, probe_destroy, &probe_ops)
