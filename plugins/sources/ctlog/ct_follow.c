/*
 * ct_follow.c - one log, one cycle: verify the head, continue from the
 * cursor (or bootstrap the compact range at start_index / the head),
 * download in rounds, each round one batch whose certificates and cursor
 * commit together, and compare the range's root with every head it
 * reaches.  Like certspotter, entries are processed as they arrive and
 * the root is checked at the head's size; a mismatch is misbehaviour.
 *
 * Cursor (per log): "v1 <range> <size> <timestamp> <root hex>": the
 * downloaded prefix's compact range and the head it is heading for (the
 * last verified head once range.size == size).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctlog_internal.h"

char *ct_url(const struct ct_log *log, const char *path)
{
	size_t a = strlen(log->def.url), b = strlen(path);
	char *u = malloc(a + b + 2);

	if (!u)
		return NULL;
	memcpy(u, log->def.url, a);
	if (a == 0 || u[a - 1] != '/')
		u[a++] = '/';
	memcpy(u + a, path, b + 1);
	return u;
}

void ct_json_escape(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; s && *s && o + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

static void raise_alert(struct ctlog *st, struct ct_log *log,
			struct ctmon_emitter *e, const char *type,
			enum ctmon_severity sev, const char *key,
			const char *reason, const char *detail, int64_t index)
{
	const struct ctmon_host_api *api = st->api;
	char name[512], url[512], why[512], det[1024], json[3072], idx[32];
	struct ctmon_alert a;

	ct_json_escape(log->def.name, name, sizeof name);
	ct_json_escape(log->def.url, url, sizeof url);
	ct_json_escape(reason, why, sizeof why);
	ct_json_escape(detail, det, sizeof det);
	if (index >= 0)
		snprintf(idx, sizeof idx, "%lld", (long long)index);
	else
		snprintf(idx, sizeof idx, "null");
	snprintf(json, sizeof json,
		 "{\"log\":\"%s\",\"log_id\":\"%s\",\"url\":\"%s\","
		 "\"reason\":\"%s\",\"detail\":\"%s\",\"index\":%s}",
		 name, log->log_id, url, why, det, idx);
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = type;
	a.severity = sev;
	a.domain = log->host_name;
	a.key = key;
	a.details_json = json;
	api->log(st->host, sev >= CTMON_SEV_HIGH ? CTMON_LOG_ERROR
						 : CTMON_LOG_WARN,
		 "%s: %s: %s%s%s", type, log->def.name, reason,
		 detail && *detail ? ": " : "", detail ? detail : "");
	/* An older host cannot store a source's alert: say it loudly. */
	if (CTMON_HOST_HAS(api, source_alert) &&
	    api->source_alert(e, &a) == CTMON_OK)
		return;
	api->emit_warning(e, log->host_name, json);
}

void ct_misbehaviour(struct ctlog *st, struct ct_log *log,
		     struct ctmon_emitter *e, const char *what,
		     const char *detail)
{
	char key[256], sk[96];

	if (log->in_batch) {
		if (!log->pending_what[0]) {
			snprintf(log->pending_what, sizeof log->pending_what,
				 "%s", what);
			snprintf(log->pending_detail,
				 sizeof log->pending_detail, "%.*s",
				 (int)sizeof log->pending_detail - 1,
				 detail ? detail : "");
		}
		return;
	}
	snprintf(key, sizeof key, "%s:%s", log->log_id, what);
	raise_alert(st, log, e, "ct_log_misbehaviour", CTMON_SEV_HIGH, key,
		    what, detail, -1);
	/* Not trusted further, across restarts: an operator clears the
	 * state key after investigating. */
	log->untrusted = 1;
	snprintf(sk, sizeof sk, "untrusted:%s", log->log_id);
	st->api->state_put(st->host, sk, what);
}

static void note_progress(struct ct_follow *f, int final)
{
	struct ctlog *st = f->st;
	uint64_t now = st->api->monotonic_ns(st->host);
	uint64_t done = f->range.size - f->start_pos;
	uint64_t backlog = f->target.size - f->range.size;
	double secs = (double)(now - f->t0_ns) / 1e9;
	double rate = secs > 0 ? (double)done / secs : 0;

	if (!final && now - f->last_note_ns < (st->tty ? 500000000ull
						       : 30000000000ull))
		return;
	f->last_note_ns = now;
	if (st->tty) {
		fprintf(stderr, "\r%.40s: %llu entries, %.0f/s, backlog %llu, "
				"ETA %.0f s\x1b[K%s",
			f->log->def.name, (unsigned long long)done, rate,
			(unsigned long long)backlog,
			rate > 0 ? (double)backlog / rate : 0.0,
			final ? "\n" : "");
		fflush(stderr);
	} else if (!final) {
		st->api->log(st->host, CTMON_LOG_INFO,
			     "%s: %llu entries read, %.0f/s, backlog %llu",
			     f->log->def.name, (unsigned long long)done, rate,
			     (unsigned long long)backlog);
	}
}

int ct_follow_entry(struct ct_follow *f, uint64_t index,
		    const uint8_t leaf_hash[CT_HASH_LEN],
		    const struct ct_entry *e, const char *why)
{
	struct ctlog *st = f->st;
	struct ct_cert *ci = &st->cert;
	int rc = CTMON_EFORMAT;

	ct_range_append(&f->range, st->hash, leaf_hash);
	if (e && e->cert) {
		int pre = e->entry_type == CT_ENTRY_PRECERT;
		rc = ct_cert_parse(ci, st->hash, e->cert, e->cert_len, pre,
				   pre ? e->pre_cert : e->cert,
				   pre ? e->pre_cert_len : e->cert_len);
		if (rc == CTMON_ENOMEM)
			return rc;
		why = "the certificate does not parse";
	} else if (e && !why) {
		return CTMON_OK; /* an entry type RFC 6962 says to skip */
	}
	if (rc == CTMON_OK) {
		ci->c.log_id = f->log->log_id;
		ci->c.log_index = (int64_t)index;
		ci->c.entry_timestamp = (int64_t)(e->timestamp / 1000);
		ci->c.is_precert = e->entry_type == CT_ENTRY_PRECERT;
		rc = st->api->emit_cert(f->e, &ci->c);
		if (rc == CTMON_OK)
			f->emitted++;
		return rc;
	} else {
		char key[128];
		snprintf(key, sizeof key, "%s:%llu", f->log->log_id,
			 (unsigned long long)index);
		f->unparsable++;
		raise_alert(st, f->log, f->e, "ct_log_unparsable_entry",
			    CTMON_SEV_LOW, key, why ? why : "unparsable entry",
			    NULL, (int64_t)index);
	}
	return CTMON_OK;
}

static void cursor_text(const struct ct_follow *f, char *out, size_t cap)
{
	char range[CT_RANGE_TEXT_MAX], root[2 * CT_HASH_LEN + 1];

	ct_range_text(&f->range, range);
	ct_hex(f->target.root, CT_HASH_LEN, root);
	snprintf(out, cap, "v1 %s %llu %llu %s", range,
		 (unsigned long long)f->target.size,
		 (unsigned long long)f->target.timestamp, root);
}

static int cursor_parse(const char *s, struct ct_range *r, struct ct_head *h)
{
	const char *p;
	unsigned long long size, ts;
	char root[2 * CT_HASH_LEN + 2];

	if (strncmp(s, "v1 ", 3) != 0 || ct_range_parse(r, s + 3, &p) != 0 ||
	    sscanf(p, " %llu %llu %65s", &size, &ts, root) != 3 ||
	    strlen(root) != 2 * CT_HASH_LEN ||
	    ct_unhex(root, h->root, CT_HASH_LEN) != 0 || r->size > size)
		return -1;
	h->size = size;
	h->timestamp = ts;
	return 0;
}

/* Saves the cursor in its own batch (bootstrap, nothing emitted). */
static int save_cursor(struct ct_follow *f)
{
	const struct ctmon_host_api *api = f->st->api;
	char text[CT_RANGE_TEXT_MAX + 200];
	int rc;

	cursor_text(f, text, sizeof text);
	rc = api->batch_begin(f->e);
	if (rc == CTMON_OK) {
		rc = api->set_cursor(f->e, f->log->cursor_key, text);
		if (rc == CTMON_OK)
			rc = api->batch_commit(f->e);
		else
			api->batch_abort(f->e);
	}
	return rc;
}

/* Entries per round: every job a batch. */
static uint64_t round_len(const struct ctlog *st)
{
	return (uint64_t)st->batch_size * (uint64_t)st->jobs;
}

/* Downloads up to f->target in rounds, one batch each. */
static int download(struct ct_follow *f, const struct ct_driver *d,
		    char *err, size_t errlen)
{
	struct ctlog *st = f->st;
	const struct ctmon_host_api *api = st->api;
	char text[CT_RANGE_TEXT_MAX + 200];
	int rc = CTMON_OK;

	while (f->range.size < f->target.size) {
		uint64_t from = f->range.size, to = f->target.size;
		uint64_t budget = (uint64_t)st->max_per_cycle;
		if (api->should_stop(st->host))
			return CTMON_ESTOPPED;
		/* max_entries_per_cycle spreads a backfill over cycles; the
		 * rest stays behind the cursor as backlog. */
		if (budget && from - f->start_pos >= budget)
			return CTMON_OK;
		if (f->log->def.proto == CT_PROTO_STATIC) {
			/* Whole data tiles: `jobs` of them per round. */
			uint64_t end = (from / 256 + (uint64_t)st->jobs) * 256;
			if (to > end)
				to = end;
		} else {
			if (to - from > round_len(st))
				to = from + round_len(st);
			if (budget && to - f->start_pos > budget)
				to = f->start_pos + budget;
		}
		rc = api->batch_begin(f->e);
		if (rc != CTMON_OK)
			return rc;
		f->rc = CTMON_OK;
		f->log->in_batch = 1;
		rc = d->fetch(f, from, to, err, errlen);
		f->log->in_batch = 0;
		if (rc == CTMON_OK && f->range.size != to) {
			snprintf(err, errlen, "fetch stopped at %llu of %llu",
				 (unsigned long long)f->range.size,
				 (unsigned long long)to);
			rc = CTMON_EIO;
		}
		if (rc == CTMON_OK) {
			cursor_text(f, text, sizeof text);
			rc = api->set_cursor(f->e, f->log->cursor_key, text);
		}
		if (rc == CTMON_OK && !f->log->pending_what[0])
			rc = api->batch_commit(f->e);
		else
			api->batch_abort(f->e);
		if (f->log->pending_what[0]) {
			ct_misbehaviour(st, f->log, f->e, f->log->pending_what,
					f->log->pending_detail);
			f->log->pending_what[0] = '\0';
			return CTMON_OK; /* an alert, not an outage */
		}
		if (rc != CTMON_OK)
			return rc;
		ct_status_put(f);
		note_progress(f, 0);
	}
	return CTMON_OK;
}

/* At the target's size: the range's root must be the signed one. */
static int check_root(struct ct_follow *f)
{
	uint8_t root[CT_HASH_LEN];
	char a[2 * CT_HASH_LEN + 1], b[2 * CT_HASH_LEN + 1], d[256];

	ct_range_root(&f->range, f->st->hash, root);
	if (memcmp(root, f->target.root, CT_HASH_LEN) == 0)
		return 0;
	ct_hex(root, CT_HASH_LEN, a);
	ct_hex(f->target.root, CT_HASH_LEN, b);
	snprintf(d, sizeof d, "tree size %llu: entries hash to %s, the signed "
			      "root is %s",
		 (unsigned long long)f->target.size, a, b);
	ct_misbehaviour(f->st, f->log, f->e, "inconsistent tree", d);
	return -1;
}

/* Compares the new head with the cursor's: 0 ok, 1 misbehaved, or an
 * error rc. */
static int vet_head(struct ct_follow *f, const struct ct_driver *d,
		    const struct ct_head *old, const struct ct_head *head,
		    int *use_head)
{
	char err[512], det[600];
	int bad = 0, rc;

	*use_head = 0;
	if (head->size < old->size ||
	    (head->size == old->size &&
	     memcmp(head->root, old->root, CT_HASH_LEN) != 0)) {
		snprintf(det, sizeof det, "signed tree size %llu after %llu "
					  "with a different root",
			 (unsigned long long)head->size,
			 (unsigned long long)old->size);
		ct_misbehaviour(f->st, f->log, f->e, "inconsistent tree", det);
		return 1;
	}
	if (head->size == old->size)
		return 0;
	if (!d->consistent)
		return 0; /* the range checks `old` first, then `head` */
	rc = d->consistent(f->st, f->log, old, head, &bad, err, sizeof err);
	if (bad) {
		ct_misbehaviour(f->st, f->log, f->e, "inconsistent tree", err);
		return 1;
	}
	if (rc != CTMON_OK) {
		f->st->api->set_error(f->st->host, "%s: %s", f->log->def.name,
				      err);
		return rc;
	}
	*use_head = 1; /* proven: head one step, no stop at `old` */
	return 0;
}

int ct_follow_log(struct ctlog *st, struct ct_log *log,
		  struct ctmon_emitter *e)
{
	const struct ctmon_host_api *api = st->api;
	const struct ct_driver *d = log->def.proto == CT_PROTO_STATIC
					    ? &ct_driver_static
					    : &ct_driver_rfc6962;
	struct ct_follow f;
	struct ct_head head, old;
	char err[512], *cur = NULL;
	int bad = 0, rc, use_head = 0;

	memset(&f, 0, sizeof f);
	memset(&head, 0, sizeof head);
	f.st = st;
	f.log = log;
	f.e = e;
	err[0] = '\0';
	rc = d->head(st, log, &head, &bad, err, sizeof err);
	if (bad) {
		ct_misbehaviour(st, log, e, "bad signature", err);
		return CTMON_OK;
	}
	if (rc != CTMON_OK)
		goto fail;
	if (log->def.has_final && head.size > log->def.final_size) {
		snprintf(err, sizeof err, "read-only log signed size %llu past "
					  "its final size %llu",
			 (unsigned long long)head.size,
			 (unsigned long long)log->def.final_size);
		ct_misbehaviour(st, log, e, "entries past the signed size",
				err);
		return CTMON_OK;
	}
	rc = api->get_cursor(e, log->cursor_key, &cur);
	f.head_size = head.size;
	if (rc == CTMON_OK && cursor_parse(cur, &f.range, &old) == 0) {
		f.target = old;
		f.have_head = 1;
		rc = vet_head(&f, d, &old, &head, &use_head);
		if (rc == 1) {
			rc = CTMON_OK;
			goto out;
		}
		if (rc != CTMON_OK)
			goto out_rc;
		if (use_head)
			f.target = head;
	} else if (rc == CTMON_OK || rc == CTMON_ENOTFOUND) {
		uint64_t pos = st->start_index < 0 ? head.size
						   : (uint64_t)st->start_index;
		if (rc == CTMON_OK)
			api->log(st->host, CTMON_LOG_WARN,
				 "%s: cursor unreadable, starting over",
				 log->def.name);
		if (pos > head.size)
			pos = head.size;
		rc = d->range_at(st, log, pos, &head, &f.range, &bad, err,
				 sizeof err);
		if (bad) {
			ct_misbehaviour(st, log, e, "inconsistent tree", err);
			rc = CTMON_OK;
			goto out;
		}
		if (rc != CTMON_OK)
			goto fail;
		f.target = head;
		f.have_head = 1;
		if (pos == head.size && check_root(&f) != 0)
			goto out;
		rc = save_cursor(&f);
		if (rc != CTMON_OK)
			goto fail;
		api->log(st->host, CTMON_LOG_INFO,
			 "%s: following from index %llu (head %llu)",
			 log->def.name, (unsigned long long)pos,
			 (unsigned long long)head.size);
	} else {
		goto fail;
	}
	f.start_pos = f.range.size;
	f.t0_ns = api->monotonic_ns(st->host);
	f.last_note_ns = f.t0_ns;
	/* Up to the cursor's head (checked), then on to the new one. */
	for (int step = 0; step < 2; step++) {
		rc = download(&f, d, err, sizeof err);
		if (rc != CTMON_OK)
			goto fail;
		if (log->untrusted)
			goto out; /* misbehaved while downloading */
		if (f.range.size < f.target.size) {
			note_progress(&f, 1);
			api->log(st->host, CTMON_LOG_INFO,
				 "%s: at %llu of %llu (backlog %llu): "
				 "max_entries_per_cycle reached; %llu "
				 "certificates this cycle",
				 log->def.name,
				 (unsigned long long)f.range.size,
				 (unsigned long long)head.size,
				 (unsigned long long)(head.size -
						      f.range.size),
				 (unsigned long long)f.emitted);
			goto out;
		}
		if (check_root(&f) != 0) {
			rc = CTMON_OK;
			goto out;
		}
		if (f.target.size == head.size)
			break;
		f.target = head;
	}
	note_progress(&f, 1);
	api->log(st->host, CTMON_LOG_INFO,
		 "%s: at %llu of %llu (backlog 0); %llu certificates, %llu "
		 "unparsable entries this cycle",
		 log->def.name, (unsigned long long)f.range.size,
		 (unsigned long long)head.size,
		 (unsigned long long)f.emitted,
		 (unsigned long long)f.unparsable);
	rc = CTMON_OK;
	goto out;
fail:
	api->set_error(st->host, "%s: %s", log->def.name,
		       err[0] ? err : "failed");
	api->log(st->host, CTMON_LOG_WARN, "%s: %s; backlog %llu", log->def.name,
		 err[0] ? err : "failed",
		 (unsigned long long)(head.size > f.range.size
					      ? head.size - f.range.size
					      : 0));
out_rc:
	if (st->tty && f.t0_ns)
		fputc('\n', stderr);
out:
	ct_status_put(&f);
	api->free(cur);
	return rc;
}
