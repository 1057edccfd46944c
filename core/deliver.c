/* deliver.c - empties the outbox into the notifiers.  Alerts are committed
 * before they are sent, and marked delivered only after the notifier said
 * so: a crash in between re-sends (at least once), never loses.
 *
 * A retryable failure waits 30 s * 2^attempts (the row's attempts so far),
 * at most 6 hours, less up to a quarter at random so notifiers that failed
 * at the same time do not retry in lockstep; a notifier that got a Retry-After
 * passes it through and that wait is used instead.  A permanent failure
 * is recorded with its reason and never retried. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine_internal.h"
#include "log.h"

#define DELIVER_BATCH 100
#define RETRY_BASE_S 30
#define RETRY_MAX_S (6 * 3600)

static int is_retryable(int rc)
{
	return rc == CTMON_EAGAIN || rc == CTMON_EIO || rc == CTMON_ETIMEDOUT ||
	       rc == CTMON_ENOMEM || rc == CTMON_ESTOPPED;
}

static uint64_t next_random(void)
{
	static uint64_t s;

	/* xorshift64, seeded once: jitter only has to differ between
	 * processes and rows, not be secret. */
	if (!s) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = ((uint64_t)ts.tv_nsec << 21) ^ (uint64_t)ts.tv_sec ^
		    ((uint64_t)getpid() << 40) ^ 0x9e3779b97f4a7c15u;
	}
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

/* Seconds until the next attempt of a row that has failed `attempts`
 * times before this failure; `jitter` (0..1023) takes up to a quarter
 * off.  One jitter per batch: alerts that failed together stay together
 * and go out in one batch again. */
static int64_t backoff_s(int64_t attempts, unsigned jitter)
{
	int64_t d = RETRY_BASE_S;

	for (int64_t i = 0; i < attempts && d < RETRY_MAX_S; i++)
		d *= 2;
	if (d > RETRY_MAX_S)
		d = RETRY_MAX_S;
	return d - d / 4 * (int64_t)jitter / 1023;
}

static int64_t retry_delay(const struct ctmon_host *h, int64_t attempts,
			   unsigned jitter)
{
	if (h->retry_after >= 0)
		return h->retry_after < 1 ? 1
		       : h->retry_after > RETRY_MAX_S ? RETRY_MAX_S
						      : h->retry_after;
	return backoff_s(attempts, jitter);
}

int ctm_host_deliver_progress(struct ctmon_host *h, size_t n)
{
	if (!h || !h->delivering || n > h->delivering)
		return CTMON_EINVAL;
	h->delivered = n;
	return CTMON_OK;
}

int ctm_host_deliver_retry_after(struct ctmon_host *h, int64_t seconds)
{
	if (!h || !h->delivering || seconds < 0)
		return CTMON_EINVAL;
	h->retry_after = seconds;
	return CTMON_OK;
}

/* Marks the batch's rows after one deliver() call, in one transaction:
 * the first `done` rows arrived, the rest share the call's outcome. */
static int mark_batch(struct ctm_engine *e, struct ctm_rt *rt,
		      const struct ctm_outbox_batch *b, int rc, size_t done,
		      int64_t now)
{
	const struct ctmon_host *h = &rt->host;
	unsigned jitter = (unsigned)(next_random() % 1024);
	int src;

	src = ctm_store_begin(e->store);
	for (size_t i = 0; i < b->n && src == CTMON_OK; i++) {
		if (rc == CTMON_OK || i < done)
			src = ctm_store_outbox_mark_delivered(e->store,
							      b->row_ids[i], now);
		else if (is_retryable(rc))
			src = ctm_store_outbox_mark_retry(
				e->store, b->row_ids[i],
				now + retry_delay(h, b->attempts[i], jitter),
				h->error);
		else
			src = ctm_store_outbox_mark_failed(e->store,
							   b->row_ids[i],
							   h->error);
	}
	if (src == CTMON_OK)
		return ctm_store_commit(e->store);
	ctm_store_rollback(e->store);
	return src;
}

/* One deliver() call; fills what the notifier reported into rt->host. */
static int call_deliver(struct ctm_rt *rt, const struct ctm_outbox_batch *b)
{
	struct ctmon_host *h = &rt->host;
	int drc;

	h->error[0] = '\0';
	h->delivered = 0;
	h->retry_after = -1;
	h->delivering = b->n;
	drc = h->plugin->notifier.deliver(
		rt->state, (const struct ctmon_alert *const *)b->alerts, b->n);
	h->delivering = 0;
	if (drc == CTMON_OK)
		h->delivered = b->n;
	else if (!h->error[0])
		snprintf(h->error, sizeof h->error, "deliver returned %d", drc);
	return drc;
}

static int deliver_one(struct ctm_engine *e, struct ctm_rt *rt,
		       struct ctm_cycle_stats *st)
{
	int64_t now = ctm_engine_now();
	int rc = CTMON_OK;

	while (!ctm_engine_stopping()) {
		struct ctm_outbox_batch b;
		size_t done;
		int drc;

		memset(&b, 0, sizeof b);
		rc = ctm_store_outbox_due(e->store, rt->host.inst->id, now,
					  DELIVER_BATCH, &b);
		if (rc != CTMON_OK || b.n == 0) {
			ctm_store_outbox_batch_free(&b);
			break;
		}
		drc = call_deliver(rt, &b);
		done = rt->host.delivered;
		if (drc != CTMON_OK)
			ctm_log(CTMON_LOG_ERROR, rt->host.prefix,
				"delivery of %zu alert(s) failed (%s): %s",
				b.n - done,
				is_retryable(drc) ? "will retry" : "permanent",
				rt->host.error);
		rc = mark_batch(e, rt, &b, drc, done, now);
		if (st) {
			st->delivered += (int)done;
			st->delivery_failures += (int)(b.n - done);
		}
		ctm_store_outbox_batch_free(&b);
		/* Stop this notifier for now on failure: the rows wait for
		 * their next attempt time. */
		if (rc != CTMON_OK || drc != CTMON_OK)
			break;
	}
	return rc;
}

int ctm_engine_deliver(struct ctm_engine *e, struct ctm_cycle_stats *st)
{
	int rc = CTMON_OK;

	for (size_t i = 0; i < e->n_notifiers; i++) {
		struct ctm_rt *rt = &e->notifiers[i];
		int r;
		if (!rt->created)
			continue;
		r = deliver_one(e, rt, st);
		if (r != CTMON_OK) {
			ctm_err("outbox of %s: %s", rt->host.inst->id,
				ctm_store_errmsg(e->store));
			rc = r;
		}
	}
	return rc;
}
