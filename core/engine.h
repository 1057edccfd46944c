/* engine.h - ctmon's monitoring cycle: load plugins, collect from sources
 * into the store, run checks on new issuances, queue and deliver alerts. */
#ifndef CTM_ENGINE_H
#define CTM_ENGINE_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "store.h"

struct ctm_engine;

/* What one cycle did, for logs and the exit code. */
struct ctm_cycle_stats {
	int64_t records;          /* certificate records emitted */
	int64_t new_certs;
	int64_t new_issuances;
	int64_t new_subdomains;
	int64_t alerts;           /* new alerts stored */
	int64_t alerts_queued;    /* outbox rows queued */
	int64_t records_rolled_back; /* in batches that failed: not counted
	                                above, fetched again next cycle */
	int source_failures;
	int sources_stopped;      /* interrupted by a stop request */
	int check_failures;
	int delivered;
	int delivery_failures;
	int warnings;
};

struct ctm_engine_opts {
	int auto_baseline;        /* --auto-baseline */
	int check_only;           /* --check-config: load, validate, create,
	                             destroy, nothing else */
};

/* Opens the store and loads and creates every enabled instance.  A
 * declared plugin that fails to load stops start-up unless optional. */
int ctm_engine_new(struct ctm_config *cfg, const struct ctm_engine_opts *o,
		   struct ctm_engine **out, struct ctm_error *err);
/* Destroys instances, unloads plugins, closes the store.  Does not free
 * the config. */
void ctm_engine_free(struct ctm_engine *e);

struct ctm_store *ctm_engine_store(struct ctm_engine *e);

/* One cycle.  Returns CTMON_OK when the cycle committed (even if some
 * source failed: see stats), an error when nothing could be committed. */
int ctm_engine_cycle(struct ctm_engine *e, struct ctm_cycle_stats *st);

/* Delivers due outbox rows for every notifier.  Part of a cycle; exposed
 * for `--deliver`. */
int ctm_engine_deliver(struct ctm_engine *e, struct ctm_cycle_stats *st);

/* Builds the watch set as a cycle would (checks' watch ops included) and
 * prints every entry checks added, "pattern<TAB>tag" per line; *n gets
 * their count.  For --list-candidates; needs no store. */
int ctm_engine_print_watch(struct ctm_engine *e, FILE *fp, size_t *n);

/* The engine's clock: $CTMON_NOW (seconds, for tests) or the wall clock. */
int64_t ctm_engine_now(void);

/* Process-wide stop flag (signals). */
void ctm_engine_request_stop(void);
int ctm_engine_stopping(void);

#endif
