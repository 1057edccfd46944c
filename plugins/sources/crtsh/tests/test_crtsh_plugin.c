/*
 * test_crtsh_plugin.c - the built crtsh.so loaded into a fake host.
 *
 * The fake host answers HTTP requests from a script of canned responses
 * and follows the retry rules plugin.h documents (retry 408/429/5xx and
 * sink errors EAGAIN/EFORMAT while attempts remain, never a sink's EIO,
 * a local failure such as a full disk; begin() per 2xx
 * attempt).  Its emitter keeps batches the way the core does: certificates
 * and cursors of a batch count only once committed.  So the tests see
 * exactly what the plugin would leave in the store.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctmon/plugin.h"

#define FIXTURES CTM_FIXTURES_DIR "/crtsh"
#define MAX_RESP 16
#define MAX_REQ 32
#define MAX_CERTS 40000

/* ---- canned HTTP -------------------------------------------------------- */

struct canned {
	int transport_rc;      /* non-zero: no response at all */
	long status;
	const char *ctype;
	const char *body;      /* NUL-terminated unless body_len is set */
	size_t body_len;
	size_t chunk;          /* bytes per data() call, 0: all at once */
	int cut;               /* 1: deliver only the first half */
};

struct ctmon_http_req {
	char url[512];
	char headers[4][128];
	int n_headers;
	int64_t timeout_ms;
	int attempts;
	int64_t base_ms, max_ms;
	size_t max_body;
	struct ctmon_http_sink sink;
	int has_sink;
	long status;
	const char *body;
	size_t body_len;
};

/* ---- the fake host ------------------------------------------------------ */

struct cert_seen {
	int64_t crtsh_id, issuer_ca_id, not_before, not_after, entry_ts;
	int64_t log_index;
	int is_precert;
	size_t n_names;
	char first_name[128];
	char serial[80];
};

struct kv {
	char key[128];
	char value[64];
};

struct ctmon_emitter {
	int open;
	struct cert_seen pending[MAX_CERTS];
	size_t n_pending;
	struct kv pending_cursor[8];
	size_t n_pending_cursor;
	struct cert_seen committed[MAX_CERTS];
	size_t n_committed;
	struct kv cursor[8];
	size_t n_cursor;
	int begins, commits, aborts;
	int emit_fail_at;      /* emit_cert returns emit_fail_rc at this call */
	int emit_fail_rc;
	int emits;
	char warnings[4][600];
	char warning_domain[4][64];
	int n_warnings;
};

struct ctmon_config {
	const char *keys[16];
	const char *values[16];
	int n;
};

struct ctmon_watch {
	struct ctmon_watch_entry e[16];
	size_t n;
};

struct ctmon_host {
	struct canned resp[MAX_RESP];
	int n_resp, next_resp;
	struct ctmon_http_req reqs[MAX_REQ];  /* copies, for inspection */
	int n_reqs;
	int call_end;          /* the host calls sink.end() */
	int stop;
	int rate_calls;
	char rate_name[32];
	double rate;
	int burst;
	char log[8192];
	char error[1024];
	char state_key[64];    /* the plugin's one state value (the
	                          candidate window's cursor) */
	char state_value[256];
	int state_puts;
	char status_key[64];   /* the last "status.<domain>" put */
	char status_value[256];
	int status_puts;
};

static struct ctmon_host H;
static struct ctmon_emitter *E;

static CTMON_PRINTF(3, 0) void fake_vlog(struct ctmon_host *h, enum ctmon_log_level lvl,
		      const char *fmt, va_list ap)
{
	static const char *names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
	size_t n = strlen(h->log);
	char line[1024];

	vsnprintf(line, sizeof line, fmt, ap);
	snprintf(h->log + n, sizeof h->log - n, "%s %s\n", names[lvl], line);
}

static CTMON_PRINTF(3, 4) void fake_log(struct ctmon_host *h, enum ctmon_log_level lvl,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fake_vlog(h, lvl, fmt, ap);
	va_end(ap);
}

static CTMON_PRINTF(2, 3) void fake_set_error(struct ctmon_host *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->error, sizeof h->error, fmt, ap);
	va_end(ap);
}

static int64_t fake_now(struct ctmon_host *h)
{
	(void)h;
	return 1700000000;
}

static uint64_t fake_mono(struct ctmon_host *h)
{
	(void)h;
	return 1;
}

static int fake_should_stop(struct ctmon_host *h)
{
	return h->stop;
}

static int fake_sleep(struct ctmon_host *h, int64_t ms)
{
	(void)h;
	(void)ms;
	return CTMON_OK;
}

static const char *cfg_get(const struct ctmon_config *c, const char *key)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->keys[i], key) == 0)
			return c->values[i];
	return NULL;
}

static int fake_cfg_string(const struct ctmon_config *c, const char *key,
			   const char **out)
{
	*out = cfg_get(c, key);
	return *out ? CTMON_OK : CTMON_ENOTFOUND;
}

static int fake_cfg_int(const struct ctmon_config *c, const char *key,
			int64_t *out)
{
	const char *v = cfg_get(c, key);
	if (!v)
		return CTMON_ENOTFOUND;
	*out = strtoll(v, NULL, 10);
	return CTMON_OK;
}

static int fake_cfg_double(const struct ctmon_config *c, const char *key,
			   double *out)
{
	const char *v = cfg_get(c, key);
	if (!v)
		return CTMON_ENOTFOUND;
	*out = strtod(v, NULL);
	return CTMON_OK;
}

static int fake_cfg_bool(const struct ctmon_config *c, const char *key,
			 int *out)
{
	const char *v = cfg_get(c, key);
	if (!v)
		return CTMON_ENOTFOUND;
	*out = strcmp(v, "true") == 0;
	return CTMON_OK;
}

static const char *fake_cfg_where(const struct ctmon_config *c,
				  const char *key)
{
	(void)c;
	(void)key;
	return "test.cfg:12";
}

static struct ctmon_http_req *fake_http_new(struct ctmon_host *h,
					    const char *method,
					    const char *url)
{
	struct ctmon_http_req *r = calloc(1, sizeof *r);

	(void)h;
	assert_string_equal(method, "GET");
	snprintf(r->url, sizeof r->url, "%s", url);
	r->attempts = 1;
	return r;
}

static int fake_set_header(struct ctmon_http_req *r, const char *line)
{
	assert_true(r->n_headers < 4);
	snprintf(r->headers[r->n_headers++], sizeof r->headers[0], "%s", line);
	return CTMON_OK;
}

static int fake_set_timeout(struct ctmon_http_req *r, int64_t ms)
{
	r->timeout_ms = ms;
	return CTMON_OK;
}

static int fake_set_retry(struct ctmon_http_req *r, int attempts,
			  int64_t base_ms, int64_t max_ms)
{
	r->attempts = attempts;
	r->base_ms = base_ms;
	r->max_ms = max_ms;
	return CTMON_OK;
}

static int fake_set_max_body(struct ctmon_http_req *r, size_t max)
{
	r->max_body = max;
	return CTMON_OK;
}

static int fake_set_sink(struct ctmon_http_req *r,
			 const struct ctmon_http_sink *s)
{
	assert_true(s->size >= sizeof *s);
	r->sink = *s;
	r->has_sink = 1;
	return CTMON_OK;
}

/* What the core retries when a sink says it (ABI 1.2): not EIO. */
static int retryable(int rc)
{
	return rc == CTMON_EAGAIN || rc == CTMON_EFORMAT ||
	       rc == CTMON_ETIMEDOUT;
}

/* One 2xx attempt through the sink. */
static int deliver(struct ctmon_http_req *r, const struct canned *c)
{
	size_t len = c->body_len ? c->body_len : strlen(c->body);
	size_t off = 0;
	int rc = r->sink.begin(r->sink.ctx, c->status, c->ctype);

	if (c->cut)
		len /= 2;
	while (rc == CTMON_OK && off < len) {
		size_t n = c->chunk ? c->chunk : len;
		if (n > len - off)
			n = len - off;
		rc = r->sink.data(r->sink.ctx, c->body + off, n);
		off += n;
	}
	if (rc == CTMON_OK && H.call_end && r->sink.end)
		rc = r->sink.end(r->sink.ctx);
	return rc;
}

static int fake_perform(struct ctmon_http_req *r)
{
	int rc = CTMON_EINTERNAL;

	assert_true(H.n_reqs < MAX_REQ);
	H.reqs[H.n_reqs++] = *r;
	for (int attempt = 1; attempt <= r->attempts; attempt++) {
		const struct canned *c;
		int last = attempt == r->attempts;

		if (H.next_resp >= H.n_resp)
			fail_msg("no canned response left for %s", r->url);
		c = &H.resp[H.next_resp++];
		if (c->transport_rc) {
			rc = c->transport_rc;
			if (retryable(rc) && !last)
				continue;
			return rc;
		}
		r->status = c->status;
		if (c->status >= 200 && c->status <= 299 && r->has_sink) {
			rc = deliver(r, c);
			if (rc != CTMON_OK && retryable(rc) && !last)
				continue;
			return rc;
		}
		if ((c->status == 429 || c->status == 408 ||
		     c->status >= 500) && !last)
			continue;
		r->body = c->body;
		r->body_len = strlen(c->body);
		return CTMON_OK;
	}
	return rc;
}

static long fake_status(const struct ctmon_http_req *r)
{
	return r->status;
}

static const char *fake_body(const struct ctmon_http_req *r, size_t *len)
{
	*len = r->body ? r->body_len : 0;
	return r->body ? r->body : "";
}

static const char *fake_http_error(const struct ctmon_http_req *r)
{
	(void)r;
	return "transport failed";
}

static const char *fake_header(const struct ctmon_http_req *r,
			       const char *name)
{
	(void)r;
	(void)name;
	return NULL;
}

static void fake_http_free(struct ctmon_http_req *r)
{
	free(r);
}

static int fake_rate_limit(struct ctmon_host *h, const char *name,
			   double per_minute, int burst)
{
	h->rate_calls++;
	snprintf(h->rate_name, sizeof h->rate_name, "%s", name);
	h->rate = per_minute;
	h->burst = burst;
	return h->stop ? CTMON_ESTOPPED : CTMON_OK;
}

static void fake_free(void *p)
{
	free(p);
}

static size_t fake_watch_count(const struct ctmon_watch *w)
{
	return w->n;
}

static int fake_watch_get(const struct ctmon_watch *w, size_t i,
			  struct ctmon_watch_entry *out)
{
	if (i >= w->n)
		return CTMON_EINVAL;
	assert_int_equal(out->size, sizeof *out);
	*out = w->e[i];
	return CTMON_OK;
}

static int fake_batch_begin(struct ctmon_emitter *e)
{
	if (e->open)
		return CTMON_EINVAL;  /* as the core: no nesting */
	e->open = 1;
	e->begins++;
	e->n_pending = 0;
	e->n_pending_cursor = 0;
	return CTMON_OK;
}

static int fake_emit_cert(struct ctmon_emitter *e, const struct ctmon_cert *c)
{
	struct cert_seen *s;

	assert_true(e->open);  /* every cert belongs to an explicit batch */
	assert_true(c->size >= sizeof *c);
	if (++e->emits == e->emit_fail_at)
		return e->emit_fail_rc;
	assert_true(e->n_pending < MAX_CERTS);
	s = &e->pending[e->n_pending++];
	memset(s, 0, sizeof *s);
	s->crtsh_id = c->crtsh_id;
	s->issuer_ca_id = c->issuer_ca_id;
	s->not_before = c->not_before;
	s->not_after = c->not_after;
	s->entry_ts = c->entry_timestamp;
	s->log_index = c->log_index;
	s->is_precert = c->is_precert;
	s->n_names = c->n_names;
	if (c->n_names)
		snprintf(s->first_name, sizeof s->first_name, "%s",
			 c->names[0]);
	if (c->serial)
		snprintf(s->serial, sizeof s->serial, "%s", c->serial);
	return CTMON_OK;
}

static int fake_set_cursor(struct ctmon_emitter *e, const char *key,
			   const char *value)
{
	struct kv *kv;

	assert_true(e->open);
	assert_true(e->n_pending_cursor < 8);
	kv = &e->pending_cursor[e->n_pending_cursor++];
	snprintf(kv->key, sizeof kv->key, "%s", key);
	snprintf(kv->value, sizeof kv->value, "%s", value);
	return CTMON_OK;
}

static const char *cursor_of(const struct ctmon_emitter *e, const char *key)
{
	for (size_t i = 0; i < e->n_cursor; i++)
		if (strcmp(e->cursor[i].key, key) == 0)
			return e->cursor[i].value;
	return NULL;
}

static int fake_get_cursor(struct ctmon_emitter *e, const char *key,
			   char **value)
{
	const char *v = cursor_of(e, key);
	if (!v)
		return CTMON_ENOTFOUND;
	*value = strdup(v);
	return CTMON_OK;
}

static int fake_batch_commit(struct ctmon_emitter *e)
{
	if (!e->open)
		return CTMON_EINVAL;
	memcpy(e->committed + e->n_committed, e->pending,
	       e->n_pending * sizeof *e->pending);
	e->n_committed += e->n_pending;
	for (size_t i = 0; i < e->n_pending_cursor; i++) {
		struct kv *kv = &e->pending_cursor[i];
		size_t j;
		for (j = 0; j < e->n_cursor; j++)
			if (strcmp(e->cursor[j].key, kv->key) == 0)
				break;
		if (j == e->n_cursor)
			e->n_cursor++;
		e->cursor[j] = *kv;
	}
	e->open = 0;
	e->commits++;
	return CTMON_OK;
}

static int fake_batch_abort(struct ctmon_emitter *e)
{
	if (!e->open)
		return CTMON_EINVAL;
	e->open = 0;
	e->n_pending = 0;
	e->n_pending_cursor = 0;
	e->aborts++;
	return CTMON_OK;
}

static void fake_emit_warning(struct ctmon_emitter *e, const char *domain,
			      const char *text)
{
	assert_true(e->n_warnings < 4);
	snprintf(e->warning_domain[e->n_warnings], 64, "%s", domain);
	snprintf(e->warnings[e->n_warnings++], 600, "%s", text);
}

static int fake_state_get(struct ctmon_host *h, const char *key,
			  char **value)
{
	*value = NULL;
	if (strcmp(h->state_key, key) != 0)
		return CTMON_ENOTFOUND;
	*value = strdup(h->state_value);
	return *value ? CTMON_OK : CTMON_ENOMEM;
}

static int fake_state_put(struct ctmon_host *h, const char *key,
			  const char *value)
{
	/* Per-domain status values are kept apart from the cursor. */
	if (strncmp(key, "status.", 7) == 0) {
		snprintf(h->status_key, sizeof h->status_key, "%s", key);
		snprintf(h->status_value, sizeof h->status_value, "%s", value);
		h->status_puts++;
		return CTMON_OK;
	}
	snprintf(h->state_key, sizeof h->state_key, "%s", key);
	snprintf(h->state_value, sizeof h->state_value, "%s", value);
	h->state_puts++;
	return CTMON_OK;
}

static const struct ctmon_host_api API = {
	.size = sizeof(struct ctmon_host_api),
	.abi_major = CTMON_PLUGIN_ABI_MAJOR,
	.abi_minor = CTMON_PLUGIN_ABI_MINOR,
	.log = fake_log,
	.vlog = fake_vlog,
	.set_error = fake_set_error,
	.now = fake_now,
	.monotonic_ns = fake_mono,
	.should_stop = fake_should_stop,
	.sleep_ms = fake_sleep,
	.cfg_string = fake_cfg_string,
	.cfg_int = fake_cfg_int,
	.cfg_double = fake_cfg_double,
	.cfg_bool = fake_cfg_bool,
	.cfg_where = fake_cfg_where,
	.http_new = fake_http_new,
	.http_set_header = fake_set_header,
	.http_set_timeout_ms = fake_set_timeout,
	.http_set_retry = fake_set_retry,
	.http_set_max_body = fake_set_max_body,
	.http_set_sink = fake_set_sink,
	.http_perform = fake_perform,
	.http_status = fake_status,
	.http_header = fake_header,
	.http_body = fake_body,
	.http_error = fake_http_error,
	.http_free = fake_http_free,
	.rate_limit = fake_rate_limit,
	.free = fake_free,
	.watch_count = fake_watch_count,
	.watch_get = fake_watch_get,
	.batch_begin = fake_batch_begin,
	.emit_cert = fake_emit_cert,
	.set_cursor = fake_set_cursor,
	.get_cursor = fake_get_cursor,
	.batch_commit = fake_batch_commit,
	.batch_abort = fake_batch_abort,
	.emit_warning = fake_emit_warning,
	.state_get = fake_state_get,
	.state_put = fake_state_put,
};

/* ---- plugin loading and helpers ---------------------------------------- */

static void *dl;
static const struct ctmon_plugin *P;
static char *example_json;   /* the real example.com answer (23 rows) */

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int group_setup(void **unused)
{
	const struct ctmon_plugin *(*entry)(void);

	(void)unused;
	dl = dlopen(CTM_PLUGIN_BUILD_DIR "/crtsh.so", RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return -1;
	}
	*(void **)&entry = dlsym(dl, CTMON_PLUGIN_ENTRY_SYMBOL);
	if (!entry)
		return -1;
	P = entry();
	example_json =
		read_file(FIXTURES "/melotic-enum.land__tests_data_crtsh.json");
	E = calloc(1, sizeof *E);
	return E ? 0 : -1;
}

static int group_teardown(void **unused)
{
	(void)unused;
	free(example_json);
	free(E);
	dlclose(dl);
	return 0;
}

static int reset(void **unused)
{
	(void)unused;
	memset(&H, 0, sizeof H);
	memset(E, 0, sizeof *E);
	H.call_end = 1;
	return 0;
}

static struct ctmon_config base_config(void)
{
	struct ctmon_config c = {
		{"url", "exclude_expired", "timeout", "retries", "backoff_ms",
		 "max_backoff_ms", "rate_per_minute", "burst", "max_body_mb",
		 "deduplicate", "max_candidate_queries"},
		{"http://127.0.0.1:9/", "false", "30", "3", "2000", "120000",
		 "60", "5", "256", "false", "100"},
		11};
	return c;
}

static void set_cfg(struct ctmon_config *c, const char *key, const char *v)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->keys[i], key) == 0)
			c->values[i] = v;
}

static void *create_ok(const struct ctmon_config *c)
{
	void *st = NULL;
	assert_int_equal(P->create(&H, &API, c, &st), CTMON_OK);
	assert_non_null(st);
	return st;
}

static void add_resp(long status, const char *ctype, const char *body,
		     size_t chunk, int cut)
{
	struct canned *c = &H.resp[H.n_resp++];

	assert_true(H.n_resp <= MAX_RESP);
	memset(c, 0, sizeof *c);
	c->status = status;
	c->ctype = ctype;
	c->body = body;
	c->chunk = chunk;
	c->cut = cut;
}

static struct ctmon_watch watch_of(const char *const *patterns, size_t n)
{
	struct ctmon_watch w;

	memset(&w, 0, sizeof w);
	for (size_t i = 0; i < n; i++) {
		w.e[i].size = sizeof w.e[i];
		w.e[i].pattern = patterns[i];
		w.e[i].domain = patterns[i];
		w.e[i].tag = "domain";
	}
	w.n = n;
	return w;
}

static int run_collect(const struct ctmon_config *c,
		       const char *const *patterns, size_t n)
{
	void *st = create_ok(c);
	struct ctmon_watch w = watch_of(patterns, n);
	const struct ctmon_source_ops *ops = P->ops;
	int rc = ops->collect(st, &w, E);

	P->destroy(st);
	assert_false(E->open);  /* never leaves a batch open */
	return rc;
}

static void assert_log_has(const char *text)
{
	if (!strstr(H.log, text))
		fail_msg("log lacks '%s':\n%s", text, H.log);
}

static void assert_warning_has(const char *text)
{
	for (int i = 0; i < E->n_warnings; i++)
		if (strstr(E->warnings[i], text))
			return;
	fail_msg("no warning has '%s' (%d warnings)", text, E->n_warnings);
}

/* ---- tests ------------------------------------------------------------- */

static void test_descriptor(void **unused)
{
	static const char *const want[][2] = {
		{"url", "https://crt.sh/"}, {"exclude_expired", "false"},
		{"timeout", "30"},          {"retries", "5"},
		{"backoff_ms", "2000"},     {"max_backoff_ms", "120000"},
		{"rate_per_minute", "60"},  {"burst", "5"},
		{"max_body_mb", "256"},     {"deduplicate", "false"},
		{"max_candidate_queries", "100"},
	};

	(void)unused;
	assert_int_equal(P->kind, CTMON_KIND_SOURCE);
	assert_string_equal(P->name, "crtsh");
	assert_int_equal(P->abi_major, CTMON_PLUGIN_ABI_MAJOR);
	assert_int_equal(P->option_size, sizeof(struct ctmon_option));
	assert_int_equal(P->n_options, 11);
	for (size_t i = 0; i < 11; i++) {
		assert_string_equal(P->options[i].name, want[i][0]);
		assert_string_equal(P->options[i].default_value, want[i][1]);
		assert_non_null(P->options[i].help);
	}
	assert_non_null(((const struct ctmon_source_ops *)P->ops)->collect);
}

static void expect_config_error(const char *key, const char *value,
				const char *text)
{
	struct ctmon_config c = base_config();
	void *st = (void *)1;

	set_cfg(&c, key, value);
	assert_int_equal(P->create(&H, &API, &c, &st), CTMON_ECONFIG);
	assert_null(st);
	if (!strstr(H.error, "test.cfg:12") || !strstr(H.error, key) ||
	    !strstr(H.error, text))
		fail_msg("%s=%s: error '%s'", key, value, H.error);
}

static void test_config_validation(void **unused)
{
	(void)unused;
	expect_config_error("url", "ftp://crt.sh/", "https://");
	expect_config_error("timeout", "0", "out of range");
	expect_config_error("retries", "0", "out of range");
	expect_config_error("retries", "101", "out of range");
	expect_config_error("backoff_ms", "-1", "out of range");
	expect_config_error("max_backoff_ms", "1000", "out of range");
	expect_config_error("rate_per_minute", "0", "> 0");
	expect_config_error("burst", "0", "out of range");
	expect_config_error("max_body_mb", "0", "out of range");
	expect_config_error("max_candidate_queries", "-1", "out of range");
}

static void test_collect_commits_each_domain(void **unused)
{
	static const char *const pats[] = {"example.com", "example.com",
					   "sub.example.org"};
	struct ctmon_config c = base_config();
	const struct cert_seen *x;

	(void)unused;
	add_resp(200, "application/json", example_json, 7, 0);
	add_resp(200, "application/json; charset=utf-8", "[]", 0, 0);
	assert_int_equal(run_collect(&c, pats, 3), CTMON_OK);
	/* the repeated pattern is asked once */
	assert_int_equal(H.n_reqs, 2);
	assert_string_equal(H.reqs[0].url,
			    "http://127.0.0.1:9/?dNSName=example.com"
			    "&match=ILIKE&output=json");
	assert_string_equal(H.reqs[1].url,
			    "http://127.0.0.1:9/?dNSName=sub.example.org"
			    "&match=ILIKE&output=json");
	assert_string_equal(H.reqs[0].headers[0], "Accept: application/json");
	assert_int_equal(H.reqs[0].timeout_ms, 30000);
	assert_int_equal(H.reqs[0].attempts, 3);
	assert_int_equal(H.reqs[0].base_ms, 2000);
	assert_int_equal(H.reqs[0].max_ms, 120000);
	assert_int_equal(H.reqs[0].max_body, 256u << 20);
	assert_int_equal(H.rate_calls, 2);
	assert_string_equal(H.rate_name, "crt.sh");
	assert_true(H.rate == 60.0);
	assert_int_equal(H.burst, 5);
	assert_int_equal(E->commits, 2);
	assert_int_equal(E->aborts, 0);
	assert_int_equal(E->n_committed, 23);
	/* One status per domain searched, after its batch committed. */
	assert_int_equal(H.status_puts, 2);
	assert_string_equal(H.status_key, "status.sub.example.org");
	assert_string_equal(H.status_value,
			    "{\"last_query_at\":1700000000,\"records\":0,"
			    "\"truncated\":false,\"max_crtsh_id\":0}");
	x = &E->committed[0];
	assert_int_equal(x->crtsh_id, 8913351873LL);
	assert_int_equal(x->issuer_ca_id, 185756);
	assert_int_equal(x->n_names, 3);
	assert_string_equal(x->first_name, "example.com");
	assert_string_equal(x->serial, "0c1fcb184518c7e3866741236d6b73f1");
	assert_int_equal(x->not_before, 1673568000);
	assert_int_equal(x->entry_ts, 1679070398);
	assert_int_equal(x->is_precert, -1);
	assert_int_equal(x->log_index, -1);
	assert_int_equal(E->committed[22].issuer_ca_id, -1);
	assert_string_equal(cursor_of(E, "example.com"), "10570508844");
	assert_string_equal(cursor_of(E, "sub.example.org"), "0");
	assert_int_equal(E->n_warnings, 0);
	assert_log_has("INFO example.com: 23 crt.sh records\n");
}

static void test_query_options_in_url(void **unused)
{
	static const char *const pats[] = {"my-bank.example"};
	struct ctmon_config c = base_config();

	(void)unused;
	set_cfg(&c, "exclude_expired", "true");
	set_cfg(&c, "deduplicate", "true");
	set_cfg(&c, "url", "https://crt.example/?excludeCAs=1");
	set_cfg(&c, "timeout", "5");
	add_resp(200, "application/json", "[]", 0, 0);
	assert_int_equal(run_collect(&c, pats, 1), CTMON_OK);
	assert_string_equal(H.reqs[0].url,
			    "https://crt.example/?excludeCAs=1&dNSName="
			    "my-bank.example&match=ILIKE&output=json"
			    "&exclude=expired&deduplicate=Y");
	assert_int_equal(H.reqs[0].timeout_ms, 5000);
}

/* A cut body then a good one: the retry starts a fresh batch, so nothing
 * of the first attempt survives and nothing is counted twice. */
static void test_retry_after_truncation_starts_over(void **unused)
{
	static const char *const pats[] = {"example.com"};
	struct ctmon_config c = base_config();

	(void)unused;
	add_resp(200, "application/json", example_json, 100, 1);
	add_resp(200, "application/json", example_json, 4096, 0);
	assert_int_equal(run_collect(&c, pats, 1), CTMON_OK);
	assert_int_equal(E->begins, 2);
	assert_int_equal(E->aborts, 1);
	assert_int_equal(E->commits, 1);
	assert_int_equal(E->n_committed, 23);
	assert_int_equal(E->committed[0].crtsh_id, 8913351873LL);
}

/* Every attempt fails for the first domain: its batch is aborted, the
 * second domain still commits, collect reports a retryable failure. */
static void test_failed_domain_leaves_nothing(void **unused)
{
	static const char *const pats[] = {"example.com", "example.net"};
	struct ctmon_config c = base_config();

	(void)unused;
	set_cfg(&c, "retries", "2");
	add_resp(200, "application/json", example_json, 64, 1);
	add_resp(200, "application/json", example_json, 64, 1);
	add_resp(200, "application/json", example_json, 0, 0);
	assert_int_equal(run_collect(&c, pats, 2), CTMON_EAGAIN);
	assert_int_equal(E->commits, 1);
	assert_int_equal(E->n_committed, 23);
	assert_null(cursor_of(E, "example.com"));
	assert_non_null(cursor_of(E, "example.net"));
	assert_log_has("ERROR crt.sh query for example.com failed: "
		       "http://127.0.0.1:9/?dNSName=example.com&match=ILIKE"
		       "&output=json: truncated JSON after ");
}

static void expect_domain_error(long status, const char *ctype,
				const char *body, int want_rc,
				const char *log_text)
{
	static const char *const pats[] = {"example.com"};
	struct ctmon_config c = base_config();

	reset(NULL);
	set_cfg(&c, "retries", "2");
	add_resp(status, ctype, body, 3, 0);
	add_resp(status, ctype, body, 3, 0);
	assert_int_equal(run_collect(&c, pats, 1), want_rc);
	assert_int_equal(E->commits, 0);
	assert_int_equal(E->n_committed, 0);
	assert_int_equal(E->n_cursor, 0);
	assert_log_has(log_text);
	assert_non_null(strstr(H.error, "example.com"));
}

static void test_error_answers(void **unused)
{
	(void)unused;
	expect_domain_error(200, "text/html",
			    "<BR><BR>Unsupported output type: json",
			    CTMON_EAGAIN,
			    "crt.sh returned HTML instead of JSON: Unsupported "
			    "output type: json");
	/* crt.sh labels some error fragments application/json */
	expect_domain_error(200, "application/json",
			    "<BR><BR>Unsupported use of '%'", CTMON_EAGAIN,
			    "crt.sh returned HTML instead of JSON: Unsupported "
			    "use of '%'");
	expect_domain_error(200, "application/json", "", CTMON_EAGAIN,
			    "example.com&match=ILIKE&output=json: empty body");
	expect_domain_error(200, "text/plain", "ERROR", CTMON_EAGAIN,
			    "crt.sh returned text/plain instead of JSON: "
			    "ERROR");
	expect_domain_error(503, "text/html",
			    "<HTML><BODY><H1>Sorry, something went wrong... "
			    ":-(</H1></BODY></HTML>",
			    CTMON_EAGAIN,
			    "HTTP 503: Sorry, something went wrong... :-(");
	expect_domain_error(429, "text/html", "", CTMON_EAGAIN,
			    "HTTP 429 (rate limited)");
	expect_domain_error(404, "text/html", "Not Found", CTMON_EPERMANENT,
			    "HTTP 404: Not Found");
	/* a 403 without the abuse text is an ordinary 4xx */
	expect_domain_error(403, "text/plain", "Forbidden", CTMON_EPERMANENT,
			    "HTTP 403: Forbidden");
}

/* A blocked User-Agent is a configuration problem and ends the cycle:
 * more requests would only prolong the block. */
static void test_abuse_block_stops(void **unused)
{
	static const char *const pats[] = {"example.com", "example.net"};
	struct ctmon_config c = base_config();

	(void)unused;
	add_resp(403, "text/plain",
		 "This user agent has been blocked due to abuse. Can we "
		 "interest you in direct access?",
		 0, 0);
	assert_int_equal(run_collect(&c, pats, 2), CTMON_ECONFIG);
	assert_int_equal(H.n_reqs, 1);
	assert_log_has("blocked this User-Agent due to abuse");
	assert_int_equal(E->commits, 0);
}

static void test_transport_error(void **unused)
{
	static const char *const pats[] = {"example.com", "example.net"};
	struct ctmon_config c = base_config();

	(void)unused;
	set_cfg(&c, "retries", "1");
	H.resp[H.n_resp++].transport_rc = CTMON_ETIMEDOUT;
	add_resp(404, "text/plain", "", 0, 0);
	/* a permanent error outranks a retryable one in the result */
	assert_int_equal(run_collect(&c, pats, 2), CTMON_EPERMANENT);
	assert_int_equal(H.n_reqs, 2);
	assert_log_has("crt.sh query for example.com failed: "
		       "http://127.0.0.1:9/?dNSName=example.com&match=ILIKE"
		       "&output=json: transport failed");
	assert_non_null(strstr(H.error, "2 of 2 crt.sh queries failed"));
}

/* A cut body, then a timeout: the error names the last failure. */
static void test_reason_is_the_last_attempts(void **unused)
{
	static const char *const pats[] = {"example.com"};
	struct ctmon_config c = base_config();

	(void)unused;
	set_cfg(&c, "retries", "2");
	add_resp(200, "application/json", example_json, 0, 1);
	H.resp[H.n_resp++].transport_rc = CTMON_ETIMEDOUT;
	assert_int_equal(run_collect(&c, pats, 1), CTMON_EAGAIN);
	assert_log_has("output=json: transport failed\n");
	assert_int_equal(E->aborts, 1);
	assert_int_equal(E->n_committed, 0);
}

/* Hosts may skip sink.end(): completeness is still checked. */
static void test_without_end_callback(void **unused)
{
	static const char *const pats[] = {"example.com"};
	struct ctmon_config c = base_config();

	(void)unused;
	H.call_end = 0;
	set_cfg(&c, "retries", "1");
	add_resp(200, "application/json", example_json, 0, 1);
	assert_int_equal(run_collect(&c, pats, 1), CTMON_EAGAIN);
	assert_int_equal(E->n_committed, 0);
	assert_log_has("truncated JSON after");
	reset(NULL);
	H.call_end = 0;
	add_resp(200, "application/json", example_json, 0, 0);
	assert_int_equal(run_collect(&c, pats, 1), CTMON_OK);
	assert_int_equal(E->n_committed, 23);
}

static char *rows_body(size_t n, int64_t result_count)
{
	size_t cap = n * 96 + 16, len = 0;
	char *b = malloc(cap);

	assert_non_null(b);
	b[len++] = '[';
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(b + len, cap - len,
					"%s{\"id\":%zu,\"name_value\":\"h%zu."
					"example.com\"",
					i ? "," : "", i + 1, i);
		if (result_count >= 0)
			len += (size_t)snprintf(b + len, cap - len,
						",\"result_count\":%lld",
						(long long)result_count);
		b[len++] = '}';
	}
	b[len++] = ']';
	b[len] = '\0';
	return b;
}

/* crt.sh stops at 10,000 identity rows without saying so. */
static void test_row_cap_warning(void **unused)
{
	static const char *const pats[] = {"example.com"};
	struct ctmon_config c = base_config();
	char *by_count = rows_body(2, 5000);
	char *by_rows = rows_body(10000, -1);
	char *below = rows_body(3, 3333);

	(void)unused;
	add_resp(200, "application/json", by_count, 0, 0);
	assert_int_equal(run_collect(&c, pats, 1), CTMON_OK);
	assert_int_equal(E->n_warnings, 1);
	assert_string_equal(E->warning_domain[0], "example.com");
	assert_non_null(strstr(E->warnings[0],
			       "crt.sh result for example.com is likely "
			       "truncated (10000 >= 10000 identity rows"));
	assert_non_null(strstr(E->warnings[0], "exclude_expired"));
	assert_int_equal(E->n_committed, 2);  /* still kept */

	reset(NULL);
	add_resp(200, "application/json", by_rows, 65536, 0);
	assert_int_equal(run_collect(&c, pats, 1), CTMON_OK);
	assert_int_equal(E->n_warnings, 1);
	assert_int_equal(E->n_committed, 10000);
	assert_string_equal(cursor_of(E, "example.com"), "10000");
	assert_string_equal(H.status_key, "status.example.com");
	assert_string_equal(H.status_value,
			    "{\"last_query_at\":1700000000,\"records\":10000,"
			    "\"truncated\":true,\"max_crtsh_id\":10000}");

	reset(NULL);
	add_resp(200, "application/json", below, 0, 0);
	assert_int_equal(run_collect(&c, pats, 1), CTMON_OK);
	assert_int_equal(E->n_warnings, 0);
	free(by_count);
	free(by_rows);
	free(below);
}

static void test_cursor_never_moves_back(void **unused)
{
	static const char *const pats[] = {"example.com"};
	struct ctmon_config c = base_config();

	(void)unused;
	E->n_cursor = 1;
	snprintf(E->cursor[0].key, sizeof E->cursor[0].key, "example.com");
	snprintf(E->cursor[0].value, sizeof E->cursor[0].value,
		 "99999999999");
	add_resp(200, "application/json", example_json, 0, 0);
	assert_int_equal(run_collect(&c, pats, 1), CTMON_OK);
	assert_string_equal(cursor_of(E, "example.com"), "99999999999");
	assert_int_equal(E->n_committed, 23);
}

static void test_stop_and_store_failure(void **unused)
{
	static const char *const pats[] = {"example.com", "example.net"};
	struct ctmon_config c = base_config();

	(void)unused;
	H.stop = 1;
	assert_int_equal(run_collect(&c, pats, 2), CTMON_ESTOPPED);
	assert_int_equal(H.n_reqs, 0);

	/* The store refusing a record is not retried, aborts the batch and
	 * stops the collect: the next domain would fail the same way. */
	reset(NULL);
	E->emit_fail_at = 5;
	E->emit_fail_rc = CTMON_ENOMEM;
	add_resp(200, "application/json", example_json, 0, 0);
	add_resp(200, "application/json", "[]", 0, 0);
	assert_int_equal(run_collect(&c, pats, 2), CTMON_ENOMEM);
	assert_int_equal(E->aborts, 1);
	assert_int_equal(E->commits, 0);
	assert_int_equal(E->n_committed, 0);
	assert_int_equal(H.n_reqs, 1);
	assert_log_has("storing crt.sh id");

	/* A full disk (the store's EIO) is not a network error: one
	 * download, not one per retry. */
	reset(NULL);
	E->emit_fail_at = 5;
	E->emit_fail_rc = CTMON_EIO;
	add_resp(200, "application/json", example_json, 0, 0);
	add_resp(200, "application/json", example_json, 0, 0);
	add_resp(200, "application/json", "[]", 0, 0);
	assert_int_equal(run_collect(&c, pats, 2), CTMON_EIO);
	assert_int_equal(H.n_reqs, 1);
	assert_int_equal(E->commits, 0);
	assert_log_has("storing crt.sh id");
}

/* One row with a bad id costs that row, not the domain. */
static void test_bad_row_skipped_with_warning(void **unused)
{
	static const char *const pats[] = {"example.com"};
	struct ctmon_config c = base_config();

	(void)unused;
	add_resp(200, "application/json",
		 "[{\"id\":11,\"name_value\":\"a.example.com\"},"
		 "{\"id\":\"bad\",\"name_value\":\"b.example.com\"},"
		 "{\"id\":12,\"name_value\":\"c.example.com\"}]",
		 0, 0);
	assert_int_equal(run_collect(&c, pats, 1), CTMON_OK);
	assert_int_equal(E->commits, 1);
	assert_int_equal(E->n_committed, 2);
	assert_string_equal(cursor_of(E, "example.com"), "12");
	assert_warning_has("skipped 1 crt.sh row");
	assert_warning_has("id \"bad\"");
}

static void test_body_size_cap(void **unused)
{
	static const char *const pats[] = {"example.com"};
	struct ctmon_config c = base_config();
	char *big = rows_body(30000, 1);   /* about 1.5 MiB */

	(void)unused;
	assert_true(strlen(big) > (1u << 20));
	set_cfg(&c, "max_body_mb", "1");
	add_resp(200, "application/json", big, 65536, 0);
	assert_int_equal(run_collect(&c, pats, 1), CTMON_EPERMANENT);
	assert_int_equal(H.n_reqs, 1);
	assert_int_equal(H.next_resp, 1);  /* not retried */
	assert_int_equal(E->n_committed, 0);
	assert_log_has("larger than max_body_mb (1 MiB)");
	free(big);
}


/* ---- check patterns: the rotating window -------------------------------- */

/* One monitored domain and typosquat candidates, added out of order. */
static struct ctmon_watch candidate_watch(void)
{
	static const char *const cands[] = {"exarnple.com", "examp1e.com",
					    "exanple.com", "xample.com",
					    "exampel.com"};
	static const char *const pats[] = {"example.com"};
	struct ctmon_watch w = watch_of(pats, 1);

	for (size_t i = 0; i < 5; i++) {
		struct ctmon_watch_entry *e = &w.e[w.n++];
		e->size = sizeof *e;
		e->pattern = cands[i];
		e->domain = "example.com";
		e->tag = "typosquat:homoglyph";
	}
	/* A check repeating a pattern is searched once. */
	w.e[w.n] = w.e[1];
	w.n++;
	return w;
}

static int collect_with(void *st, const struct ctmon_watch *w)
{
	const struct ctmon_source_ops *ops = P->ops;
	int rc = ops->collect(st, w, E);

	assert_false(E->open);
	return rc;
}

static void assert_searched(int i, const char *name)
{
	char want[256];

	snprintf(want, sizeof want,
		 "http://127.0.0.1:9/?dNSName=%s&match=ILIKE&output=json", name);
	assert_true(i < H.n_reqs);
	assert_string_equal(H.reqs[i].url, want);
}

static void test_candidates_rotate_over_cycles(void **unused)
{
	struct ctmon_config c = base_config();
	struct ctmon_watch w = candidate_watch();
	void *st;

	(void)unused;
	set_cfg(&c, "max_candidate_queries", "2");
	st = create_ok(&c);
	for (int i = 0; i < 9; i++)
		add_resp(200, "application/json", "[]", 0, 0);
	/* Each cycle: the monitored domain, then the next two candidates in
	 * name order, continuing where the last cycle stopped. */
	assert_int_equal(collect_with(st, &w), CTMON_OK);
	assert_int_equal(H.n_reqs, 3);
	assert_searched(0, "example.com");
	assert_searched(1, "examp1e.com");
	assert_searched(2, "exampel.com");
	assert_string_equal(H.state_value, "exampel.com");
	assert_int_equal(collect_with(st, &w), CTMON_OK);
	assert_searched(3, "example.com");
	assert_searched(4, "exanple.com");
	assert_searched(5, "exarnple.com");
	/* The window wraps round. */
	assert_int_equal(collect_with(st, &w), CTMON_OK);
	assert_searched(6, "example.com");
	assert_searched(7, "xample.com");
	assert_searched(8, "examp1e.com");
	assert_int_equal(H.n_reqs, 9);
	/* Every search went through the process-wide crt.sh limit. */
	assert_int_equal(H.rate_calls, 9);
	/* Candidates that found nothing leave no cursor rows behind. */
	assert_null(cursor_of(E, "examp1e.com"));
	assert_string_equal(cursor_of(E, "example.com"), "0");
	P->destroy(st);
}

static void test_candidate_window_zero_and_failures(void **unused)
{
	struct ctmon_config c = base_config();
	struct ctmon_watch w = candidate_watch();
	void *st;

	(void)unused;
	set_cfg(&c, "max_candidate_queries", "0");
	st = create_ok(&c);
	add_resp(200, "application/json", "[]", 0, 0);
	assert_int_equal(collect_with(st, &w), CTMON_OK);
	assert_int_equal(H.n_reqs, 1);
	P->destroy(st);

	/* A failed candidate search is a warning: the cycle's domains are
	 * complete, and the candidate comes round again. */
	set_cfg(&c, "max_candidate_queries", "2");
	set_cfg(&c, "retries", "1");
	st = create_ok(&c);
	add_resp(200, "application/json", "[]", 0, 0);
	add_resp(503, "text/html", "<html>Sorry</html>", 0, 0);
	add_resp(200, "application/json", "[]", 0, 0);
	assert_int_equal(collect_with(st, &w), CTMON_OK);
	assert_int_equal(H.n_reqs, 4);
	assert_int_equal(E->n_warnings, 1);
	if (!strstr(E->warnings[0], "1 of 2 candidate searches failed"))
		fail_msg("warning: %s", E->warnings[0]);
	assert_string_equal(H.state_value, "exampel.com");
	P->destroy(st);
}

static void test_candidate_certificates_are_emitted(void **unused)
{
	struct ctmon_config c = base_config();
	struct ctmon_watch w = candidate_watch();
	void *st;

	(void)unused;
	set_cfg(&c, "max_candidate_queries", "1");
	st = create_ok(&c);
	add_resp(200, "application/json", "[]", 0, 0);
	add_resp(200, "application/json", example_json, 0, 0);
	assert_int_equal(collect_with(st, &w), CTMON_OK);
	/* The candidate's certificates reach the core (and so the checks'
	 * on_any) in their own batch, with their cursor. */
	assert_int_equal(E->commits, 2);
	assert_int_equal(E->n_committed, 23);
	assert_string_equal(cursor_of(E, "examp1e.com"), "10570508844");
	P->destroy(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_descriptor, reset),
		cmocka_unit_test_setup(test_candidates_rotate_over_cycles,
				       reset),
		cmocka_unit_test_setup(test_candidate_window_zero_and_failures,
				       reset),
		cmocka_unit_test_setup(test_candidate_certificates_are_emitted,
				       reset),
		cmocka_unit_test_setup(test_config_validation, reset),
		cmocka_unit_test_setup(test_collect_commits_each_domain, reset),
		cmocka_unit_test_setup(test_query_options_in_url, reset),
		cmocka_unit_test_setup(test_retry_after_truncation_starts_over,
				       reset),
		cmocka_unit_test_setup(test_failed_domain_leaves_nothing,
				       reset),
		cmocka_unit_test_setup(test_error_answers, reset),
		cmocka_unit_test_setup(test_abuse_block_stops, reset),
		cmocka_unit_test_setup(test_transport_error, reset),
		cmocka_unit_test_setup(test_reason_is_the_last_attempts, reset),
		cmocka_unit_test_setup(test_without_end_callback, reset),
		cmocka_unit_test_setup(test_row_cap_warning, reset),
		cmocka_unit_test_setup(test_cursor_never_moves_back, reset),
		cmocka_unit_test_setup(test_stop_and_store_failure, reset),
		cmocka_unit_test_setup(test_bad_row_skipped_with_warning, reset),
		cmocka_unit_test_setup(test_body_size_cap, reset),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
