/* engine_malformed.h - names that fail host-name validation, kept and
 * alerted instead of dropped (engine_malformed.c). */
#ifndef CTM_ENGINE_MALFORMED_H
#define CTM_ENGINE_MALFORMED_H

#include "engine_internal.h"

/* The malformed names of one record, in readable form. */
struct ctm_malformed {
	char **names;          /* NULL-terminated */
	const char **reasons;  /* static texts, one per name */
	size_t n;
};

/* Keeps raw when it looks like a host name (not an e-mail address or an
 * organisation name). */
int ctm_malformed_add(struct ctm_malformed *m, const char *raw);
/* 1 if one of the names falls under (or is covered for) domain. */
int ctm_malformed_matches(const struct ctm_malformed *m, const char *domain);
/* Stores and queues the `malformed_certificate` alert of the issuance
 * under domain, and logs each name with what is wrong with it. */
int ctm_malformed_alert(struct ctm_engine *e, struct ctm_rt *src,
			const struct ctm_malformed *m,
			const struct ctmon_cert *c, int64_t issuance_id,
			const char *domain);
void ctm_malformed_free(struct ctm_malformed *m);

#endif
