/* typosquat_internal.h - the typosquat check's instance state, shared by
 * typosquat.c (the ABI callbacks), typosquat_conf.c (options) and
 * typosquat_alert.c (alerts). */
#ifndef TYPOSQUAT_INTERNAL_H
#define TYPOSQUAT_INTERNAL_H

#include <stddef.h>

#include "ctmon/plugin.h"
#include "typo_ctx.h"
#include "typo_gen.h"
#include "typo_match.h"
#include "typosquat_agg.h"

struct typosquat {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	const struct ctmon_config *cfg;
	struct typo_ctx *ctx;
	/* options */
	struct typo_gen_opts gen;
	char **words, **tlds;     /* owned; gen points at them */
	struct typo_match_opts match;
	int watch;                /* add candidates to the watch set */
	int keep_subdomain;
	int skip_owner_certs;     /* a certificate naming the owner's domain
	                             is the owner's */
	size_t max_findings;
	/* built for the current protected domains */
	char **domains;           /* NULL-terminated, as compared */
	struct typo_set **cands;  /* per domain */
	struct typo_matcher *matcher;
	struct agg *agg;
	int built;
};

/* Reads and checks every option into st (typosquat_conf.c). */
int ts_read_options(struct typosquat *st);
/* Adds the allowlist (the owner's other domains) to m; with m NULL only
 * checks it. */
int ts_allow_options(struct typosquat *st, struct typo_matcher *m);
void ts_free_options(struct typosquat *st);

/* One typosquat_detected alert per finding (typosquat_alert.c). */
int ts_emit_findings(struct typosquat *st, struct ctmon_alert_sink *out);

/* NULL-terminated string vector helpers. */
int ts_strv_push(char ***v, const char *s);
size_t ts_strv_len(char *const *v);
void ts_strv_free(char **v);

#endif
