/* typosquat_agg.h - lookalike findings of one cycle, one per (protected
 * domain, candidate): how many certificates, which issuers, the earliest
 * validity start, some names and crt.sh ids.  on_any adds, on_cycle turns
 * each finding into one alert and clears. */
#ifndef TYPOSQUAT_AGG_H
#define TYPOSQUAT_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "ctmon/plugin.h"
#include "typo_match.h"

#define AGG_MAX_ISSUERS 10
#define AGG_MAX_NAMES 10
#define AGG_MAX_IDS 20
#define AGG_MAX_SEEN 1024

struct finding {
	struct typo_hit hit;      /* the best-scoring name so far */
	size_t certs;             /* distinct certificates */
	uint64_t *seen;           /* their identities (capped) */
	size_t n_seen, cap_seen;
	char *issuers[AGG_MAX_ISSUERS];
	size_t n_issuers;
	char *names[AGG_MAX_NAMES];
	size_t n_names;
	int64_t crtsh_ids[AGG_MAX_IDS];
	size_t n_ids;
	int64_t earliest;         /* not_before, 0 unknown */
};

struct agg;

struct agg *agg_new(size_t max_findings);
void agg_free(struct agg *a);
void agg_clear(struct agg *a);

/* Records that certificate c carries the lookalike `hit`.  CTMON_OK,
 * CTMON_ENOMEM; a finding beyond the cap is counted, not kept. */
int agg_add(struct agg *a, const struct typo_hit *hit,
	    const struct ctmon_cert *c);

size_t agg_count(const struct agg *a);
const struct finding *agg_get(const struct agg *a, size_t i);
/* Findings dropped because the cap was reached, since the last clear. */
size_t agg_dropped(const struct agg *a);

#endif
