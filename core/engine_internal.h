/* engine_internal.h - structures shared by engine.c (the cycle) and host.c
 * (the host API table plugins call).  Not installed. */
#ifndef CTM_ENGINE_INTERNAL_H
#define CTM_ENGINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ctmon/plugin.h"
#include "engine.h"
#include "loader.h"
#include "nameset.h"
#include "store.h"

/* The per-instance handle plugins receive. */
struct ctmon_host {
	struct ctm_engine *eng;
	struct ctm_instance *inst;
	struct ctm_plugin *plugin;
	char prefix[192];   /* "[check:wildcard:wildcard]" */
	char error[768];    /* set_error text of the current call; leaves
	                       room for a prefix in struct ctm_error */
	char ns[192];       /* state namespace "kind:id" */
	struct ctm_dns_view *dns; /* the last dns_result answer (dns_cycle.c) */
	/* What a notifier reported during its deliver() call (deliver.c):
	 * batch size while delivering (0 otherwise), alerts that arrived
	 * before a failure, and the wait it asked for (-1: none). */
	size_t delivering;
	size_t delivered;
	int64_t retry_after;
};

/* A running instance. */
struct ctm_rt {
	struct ctmon_host host;
	void *state;
	int created;
	int started;
};

/* An issuance found new in this cycle (or bringing new names), waiting
 * for the checks.  Kept small: a backfill queues millions; the names it
 * brought are read back from the store when the checks run. */
struct ctm_pending {
	int64_t issuance_id;
	const char *domain; /* one of cfg->domains */
};

/* The watch set: monitored domains plus patterns checks asked for. */
struct ctmon_watch {
	struct ctmon_watch_entry *entries;
	char **strings;     /* owned copies of pattern/domain/tag */
	size_t n;
	size_t cap;
	size_t n_strings;   /* strings in use, and allocated (host.c) */
	size_t cap_strings;
};
struct ctmon_watch_builder {
	struct ctmon_watch *w;
	struct ctm_rt *check;
};

struct ctmon_emitter {
	struct ctm_engine *eng;
	struct ctm_rt *src;
	const struct ctmon_watch *watch;
	int explicit_open;   /* batch_begin .. commit/abort */
	int implicit_open;   /* emits outside a batch: ends with collect() */
	size_t explicit_mark;/* pending count when each began */
	size_t implicit_mark;
	struct ctm_cycle_stats explicit_st; /* counters when each began: a */
	struct ctm_cycle_stats implicit_st; /* rollback takes its counts back */
	int error;           /* a store error happened: the batch is bad */
};

struct ctmon_alert_sink {
	struct ctm_engine *eng;
	struct ctm_rt *check;
	const struct ctmon_issuance *is; /* the issuance being checked, or NULL */
};

struct ctm_engine {
	struct ctm_config *cfg;
	struct ctm_engine_opts opts;
	struct ctm_store *store;
	struct ctm_plugin_path path;
	struct ctm_plugin **plugins;   /* loaded .so files, one per name */
	size_t n_plugins;
	struct ctm_rt *sources, *checks, *notifiers;
	size_t n_sources, n_checks, n_notifiers;
	/* per-cycle state */
	int64_t now;
	struct ctm_pending *pending;
	size_t n_pending, cap_pending;
	char **baseline_domains;       /* domains in their first cycle */
	struct ctm_cycle_stats *st;
	/* (domain, subdomain) pairs already touched in the store this cycle:
	 * renewals repeat names, and each needs one touch per cycle. */
	struct ctm_nameset touched;
};

/* The host API table (host.c). */
extern const struct ctmon_host_api ctm_host_api;

/* Queues a stored alert for every notifier whose filters match. */
int ctm_engine_queue_alert(struct ctm_engine *e, int64_t alert_id,
			   const char *type, enum ctmon_severity sev,
			   const char *domain);
/* 1 if the domain is in its baseline cycle. */
int ctm_engine_in_baseline(const struct ctm_engine *e, const char *domain);
/* Forgets issuances queued after `mark` (their batch was rolled back). */
void ctm_engine_drop_pending(struct ctm_engine *e, size_t mark);
/* Called by host.c for each emitted certificate. */
int ctm_engine_ingest(struct ctmon_emitter *em, const struct ctmon_cert *c);
/* Called by host.c for each emitted alert. */
/* A batch was rolled back: the cycle's counters go back to `mark` (taken
 * when it began), and its records count as rolled back. */
void ctm_engine_undo_counts(struct ctm_engine *e,
			    const struct ctm_cycle_stats *mark);

int ctm_engine_store_alert(struct ctmon_alert_sink *s,
			   const struct ctmon_alert *a);

/* dns_cycle.c: resolves the cycle's new subdomains and those due again,
 * storing the results; an error only when the store failed. */
int ctm_engine_resolve_dns(struct ctm_engine *e);
/* The host API's dns_result, and the release of what it lent. */
int ctm_host_dns_result(struct ctmon_host *h, const char *name,
			struct ctmon_dns_result *out);
void ctm_host_dns_release(struct ctmon_host *h);

/* deliver.c: the host API's deliver_progress and deliver_retry_after. */
int ctm_host_deliver_progress(struct ctmon_host *h, size_t n);
int ctm_host_deliver_retry_after(struct ctmon_host *h, int64_t seconds);

#endif
