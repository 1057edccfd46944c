/* deliver.c - empties the outbox into the notifiers.  Alerts are committed
 * before they are sent, and marked delivered only after the notifier said
 * so: a crash in between re-sends (at least once), never loses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "log.h"

#define DELIVER_BATCH 100
/* Retry delays grow 1, 2, 4 ... minutes, capped at 6 hours. */
#define RETRY_BASE_S 60
#define RETRY_MAX_S (6 * 3600)

static int is_retryable(int rc)
{
	return rc == CTMON_EAGAIN || rc == CTMON_EIO || rc == CTMON_ETIMEDOUT ||
	       rc == CTMON_ENOMEM || rc == CTMON_ESTOPPED;
}

static int64_t retry_delay(const struct ctmon_alert *a, int64_t now)
{
	/* The outbox row knows its attempts; the alert's age is a good proxy
	 * that needs no extra query: wait about as long again, bounded. */
	int64_t age = now - a->created_at;
	if (age < RETRY_BASE_S)
		return RETRY_BASE_S;
	return age > RETRY_MAX_S ? RETRY_MAX_S : age;
}

/* Marks the batch's rows after one deliver() call, in one transaction. */
static int mark_batch(struct ctm_engine *e, struct ctm_rt *rt,
		      const struct ctm_outbox_batch *b, int rc, int64_t now)
{
	int src;

	src = ctm_store_begin(e->store);
	for (size_t i = 0; i < b->n && src == CTMON_OK; i++) {
		if (rc == CTMON_OK)
			src = ctm_store_outbox_mark_delivered(e->store,
							      b->row_ids[i], now);
		else if (is_retryable(rc))
			src = ctm_store_outbox_mark_retry(
				e->store, b->row_ids[i],
				now + retry_delay(b->alerts[i], now),
				rt->host.error);
		else
			src = ctm_store_outbox_mark_failed(e->store,
							   b->row_ids[i],
							   rt->host.error);
	}
	if (src == CTMON_OK)
		return ctm_store_commit(e->store);
	ctm_store_rollback(e->store);
	return src;
}

static int deliver_one(struct ctm_engine *e, struct ctm_rt *rt,
		       struct ctm_cycle_stats *st)
{
	int64_t now = ctm_engine_now();
	int rc = CTMON_OK;

	while (!ctm_engine_stopping()) {
		struct ctm_outbox_batch b;
		int drc;

		memset(&b, 0, sizeof b);
		rc = ctm_store_outbox_due(e->store, rt->host.inst->id, now,
					  DELIVER_BATCH, &b);
		if (rc != CTMON_OK || b.n == 0) {
			ctm_store_outbox_batch_free(&b);
			break;
		}
		rt->host.error[0] = '\0';
		drc = rt->host.plugin->notifier.deliver(
			rt->state, (const struct ctmon_alert *const *)b.alerts,
			b.n);
		if (drc != CTMON_OK) {
			if (!rt->host.error[0])
				snprintf(rt->host.error, sizeof rt->host.error,
					 "deliver returned %d", drc);
			ctm_log(CTMON_LOG_ERROR, rt->host.prefix,
				"delivery of %zu alert(s) failed (%s): %s", b.n,
				is_retryable(drc) ? "will retry" : "permanent",
				rt->host.error);
		}
		rc = mark_batch(e, rt, &b, drc, now);
		if (st) {
			if (drc == CTMON_OK)
				st->delivered += (int)b.n;
			else
				st->delivery_failures += (int)b.n;
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
