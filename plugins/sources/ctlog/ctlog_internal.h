/*
 * ctlog_internal.h - the ctlog source's state, shared by its files:
 * ctlog.c (plugin, options, log set), ct_follow.c (the per-log loop:
 * cursor, verification, emitting, alerts) and the two protocol drivers
 * ct_drive_rfc6962.c and ct_drive_static.c.
 */
#ifndef CTLOG_INTERNAL_H
#define CTLOG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ct_cert.h"
#include "ct_leaf.h"
#include "ct_loglist.h"
#include "ct_merkle.h"
#include "ct_net.h"
#include "ct_sig.h"
#include "ctmon/plugin.h"

/* A signed tree head (STH or checkpoint), verified. */
struct ct_head {
	uint64_t size;
	uint64_t timestamp; /* ms */
	uint8_t root[CT_HASH_LEN];
};

/* One followed log. */
struct ct_log {
	struct ct_logdef def;
	struct ct_key key;
	char log_id[48];       /* base64 */
	char origin[256];      /* static: checkpoint origin */
	char host_name[256];   /* alerts' domain: the log's host */
	char rate_name[96];
	char cursor_key[64];
	int untrusted;
	/* Misbehaviour seen inside a batch that will be aborted: raised
	 * once the batch is gone (an abort would drop the alert). */
	int in_batch;
	char pending_what[64];
	char pending_detail[512];
};

struct ctlog {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	struct ct_net net;
	struct ct_hash *hash;
	struct ct_cert cert;
	/* options */
	const char *log_list;
	const char **states;
	size_t n_states;
	int64_t list_refresh_s;
	int64_t start_index;   /* -1: the head */
	int64_t batch_size;
	int64_t max_per_cycle; /* entries per log and cycle; 0: no limit */
	int64_t jobs;
	double qps;
	struct ct_logdef *manual;
	size_t n_manual;
	/* the logs followed now */
	struct ct_log *logs;
	size_t n_logs;
	int64_t list_loaded_at;
	int tty;
};

/* What one log's collect is doing. */
struct ct_follow {
	struct ctlog *st;
	struct ct_log *log;
	struct ctmon_emitter *e;
	struct ct_range range;     /* downloaded prefix */
	struct ct_head target;     /* head the range is heading for */
	uint64_t emitted, unparsable;
	int rc;                    /* first emit error */
	uint64_t t0_ns, last_note_ns, start_pos;
	uint64_t head_size;        /* the newest verified head's size */
	int have_head;             /* head_size and range are known */
};

/* Per-protocol operations. */
struct ct_driver {
	/* Fetches and verifies the log's head.  *bad is set when the
	 * signature does not verify (misbehaviour, not an outage). */
	int (*head)(struct ctlog *st, struct ct_log *log, struct ct_head *h,
		    int *bad, char *err, size_t errlen);
	/* Verifies `newer` extends `older` (NULL when the protocol has no
	 * proofs: the range catches it at `older`'s size). */
	int (*consistent)(struct ctlog *st, struct ct_log *log,
			  const struct ct_head *older,
			  const struct ct_head *newer, int *bad, char *err,
			  size_t errlen);
	/* The compact range at `pos` (<= h->size), proven against h where
	 * the protocol allows. */
	int (*range_at)(struct ctlog *st, struct ct_log *log, uint64_t pos,
			const struct ct_head *h, struct ct_range *r, int *bad,
			char *err, size_t errlen);
	/* Downloads [from, to) (to <= f->target.size) and hands every entry
	 * to ct_follow_entry in order. */
	int (*fetch)(struct ct_follow *f, uint64_t from, uint64_t to,
		     char *err, size_t errlen);
};

extern const struct ct_driver ct_driver_rfc6962;
extern const struct ct_driver ct_driver_static;

/* Follows one log for this cycle.  Returns CTMON_OK (also when the log
 * misbehaved: that is an alert) or the error that stopped it. */
int ct_follow_log(struct ctlog *st, struct ct_log *log,
		  struct ctmon_emitter *e);

/*
 * One entry, in log order: its leaf hash goes into the range, its
 * certificate (if it parsed: e non-NULL with a cert) is emitted; a NULL e
 * or a certificate OpenSSL refuses raises an unparsable-entry alert with
 * `why`.  Returns CTMON_OK or an emit error.
 */
int ct_follow_entry(struct ct_follow *f, uint64_t index,
		    const uint8_t leaf_hash[CT_HASH_LEN],
		    const struct ct_entry *e, const char *why);

/* Raises ct_log_misbehaviour and stops trusting the log. */
void ct_misbehaviour(struct ctlog *st, struct ct_log *log,
		     struct ctmon_emitter *e, const char *what,
		     const char *detail);

/* Publishes the log's progress as state "status.<log name>" (a JSON
 * object: url, head, cursor, backlog, entries_per_s, updated_at,
 * trusted) for `ctmon --status` and the report.  Best effort. */
void ct_status_put(const struct ct_follow *f);

/* JSON string body (no quotes) of attacker-influenced text. */
void ct_json_escape(const char *s, char *out, size_t cap);

/* URL = log url + path (the url ends in '/'); NULL on ENOMEM. */
char *ct_url(const struct ct_log *log, const char *path);

#endif
