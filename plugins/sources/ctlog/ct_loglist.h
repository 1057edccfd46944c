/*
 * ct_loglist.h - Google's log list v3 (ct-protocols.md §7.1): operators
 * with `logs` (RFC 6962) and `tiled_logs` (static-ct-api), filtered by
 * state.  Also the shape of a log listed by hand in the configuration.
 */
#ifndef CT_LOGLIST_H
#define CT_LOGLIST_H

#include <stddef.h>
#include <stdint.h>

#include "ct_util.h"

#define CT_PROTO_RFC6962 1
#define CT_PROTO_STATIC 2

struct ct_logdef {
	char *name;            /* description */
	char *url;             /* RFC 6962 url, or static monitoring prefix */
	char *submission_url;  /* static: gives the checkpoint origin */
	char *key_b64;         /* DER SubjectPublicKeyInfo */
	char *log_id_b64;      /* as listed, or NULL */
	int proto;
	char state[16];        /* "usable", ..., or "" when absent */
	int has_final;         /* readonly: the frozen tree head */
	uint64_t final_size;
	uint8_t final_root[CT_HASH_LEN];
};

/*
 * Parses a v3 list and appends the logs whose state is one of `states`
 * (n_states names) to *v / *n.  Logs with log_type "test", or with both
 * or neither URL kinds, are skipped.  Returns CTMON_OK, CTMON_EFORMAT
 * (err says why) or CTMON_ENOMEM.
 */
int ct_loglist_parse(const char *json, size_t len, const char *const *states,
		     size_t n_states, struct ct_logdef **v, size_t *n,
		     char *err, size_t errlen);
/* Appends a copy of one definition. */
int ct_logdef_push(struct ct_logdef **v, size_t *n,
		   const struct ct_logdef *d);
void ct_logdefs_free(struct ct_logdef *v, size_t n);

#endif
