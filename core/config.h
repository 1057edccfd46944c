/* config.h - ctmon's configuration: the libconfig file, the built-in
 * default, and validation of plugin option groups against option tables. */
#ifndef CTM_CONFIG_H
#define CTM_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctmon/plugin.h"

/* Why a config call failed; text is "file:line: message". */
struct ctm_error {
	char text[1024];
};

/* One instance in sources/checks/notifiers.  Core-owned keys. */
struct ctm_instance {
	enum ctmon_kind kind;
	char *plugin;          /* plugin name */
	char *id;              /* instance id; defaults to the plugin name */
	int enabled;           /* default 1 */
	int optional;          /* default 0 */
	int64_t interval;      /* seconds, 0 = every cycle */
	int64_t timeout;       /* seconds, 0 = global timeout */
	/* notifier filters */
	enum ctmon_severity min_severity; /* default INFO */
	char **types;          /* NULL-terminated, NULL = all */
	char **filter_domains; /* NULL-terminated, NULL = all */
	const char *file;      /* where it was declared, for messages */
	int line;
	/* The plugin's `config` group after validation (struct ctm_plugin_config
	 * in config.c); NULL until ctm_config_validate_instance ran. */
	struct ctmon_config *pconf;
	void *raw;             /* config_setting_t * of the `config` group or
	                          NULL; internal to config.c */
};

struct ctm_config {
	char *path;            /* file it came from, or NULL for built-in */
	char *database;        /* default "ct_monitor.db" */
	char **domains;        /* NULL-terminated, lower-cased, A-labels */
	size_t n_domains;
	int64_t interval;      /* default 900 */
	int64_t timeout;       /* default 30 */
	char *plugin_dir;      /* NULL = compiled-in dir */
	int notify_baseline;   /* default 0 */
	int resolve_dns;       /* default 1 */
	/* DNS resolution (docs/dns.md) */
	char **dns_servers;    /* NULL-terminated "ip[:port]"; NULL = the
	                          system's resolvers */
	int64_t dns_concurrency; /* names in flight; default 64 */
	int64_t dns_timeout_ms;  /* per name; 0 = min(timeout, 5 s) */
	int64_t dns_retries;     /* default 2 */
	int64_t dns_max_age;     /* seconds until a result is asked again;
	                            default 7 days; 0 = never */
	char *report;          /* NULL = no report */
	char *log_level;       /* "info" */
	struct ctm_instance *sources;
	size_t n_sources;
	struct ctm_instance *checks;
	size_t n_checks;
	struct ctm_instance *notifiers;
	size_t n_notifiers;
	void *cfg;             /* private to config.c: the libconfig trees
	                          (built-in, file, CLI) owning every `raw` */
};

/* Loads `path`, or the built-in default when path is NULL.  Lists the file
 * leaves out keep their defaults.  On error returns CTMON_ECONFIG with
 * err->text = "file:line: ...".  *out is freed with ctm_config_free.
 * It never exits: an @include of a directory or of an unreadable file
 * (which libconfig 1.5 would turn into exit(2)) is reported as
 * `file:line: @include "<path>": is a directory`.  It only ever builds a
 * new struct, so a SIGHUP reload loads into a fresh pointer and, on
 * failure, logs err->text and keeps running with the old one. */
int ctm_config_load(const char *path, struct ctm_config **out,
		    struct ctm_error *err);
void ctm_config_free(struct ctm_config *c);

/* The built-in default configuration as libconfig text (also the basis of
 * config/ctmon.cfg). */
const char *ctm_config_default_text(void);

/* Validates inst's `config` group against the plugin's option table (strided
 * by option_size): unknown key (with nearest-name suggestion), wrong type,
 * missing required key, duplicate key.  Applies defaults.  On success sets
 * inst->pconf.  Error text:
 *   file:line: check "id" (plugin name): option "key": message */
int ctm_config_validate_instance(struct ctm_instance *inst,
				 const struct ctmon_option *opts,
				 size_t n_opts, size_t opt_size,
				 struct ctm_error *err);

/* Adds/replaces an instance of `plugin` in a kind's list (CLI flags such as
 * --webhook).  `settings` is libconfig text for its config group, e.g.
 * "url = \"https://x\";".  Returns the instance or NULL with err set.
 * An instance whose id equals `plugin` is replaced in place (ids stay
 * unique); otherwise the list grows, which moves its instances: pointers
 * into that list taken earlier are stale afterwards. */
struct ctm_instance *ctm_config_add_instance(struct ctm_config *c,
					     enum ctmon_kind kind,
					     const char *plugin,
					     const char *settings,
					     struct ctm_error *err);
/* Finds an instance by plugin name in a kind's list, or NULL. */
struct ctm_instance *ctm_config_find(struct ctm_config *c,
				     enum ctmon_kind kind, const char *plugin);
/* Sets one key of an instance's config group from libconfig value text
 * ("587", "\"x\"", "[\"a\",\"b\"]", "true").  CLI overrides use it.
 * Frees inst->pconf (it pointed at the old value): validate again.  The
 * value is never echoed in err (it may be a password). */
int ctm_config_set(struct ctm_instance *inst, const char *key,
		   const char *value_text, struct ctm_error *err);

/* Replace the domains list (CLI --domains). */
int ctm_config_set_domains(struct ctm_config *c, char *const *domains,
			   size_t n, struct ctm_error *err);

/* Accessors backing the host API cfg_* getters. */
int ctm_cfg_string(const struct ctmon_config *c, const char *key,
		   const char **out);
int ctm_cfg_int(const struct ctmon_config *c, const char *key, int64_t *out);
int ctm_cfg_double(const struct ctmon_config *c, const char *key,
		   double *out);
int ctm_cfg_bool(const struct ctmon_config *c, const char *key, int *out);
int ctm_cfg_list_len(const struct ctmon_config *c, const char *key,
		     size_t *out);
int ctm_cfg_list_string(const struct ctmon_config *c, const char *key,
			size_t i, const char **out);
int ctm_cfg_list_int(const struct ctmon_config *c, const char *key, size_t i,
		     int64_t *out);
int ctm_cfg_group(const struct ctmon_config *c, const char *key,
		  const struct ctmon_config **out);
int ctm_cfg_list_group(const struct ctmon_config *c, const char *key,
		       size_t i, const struct ctmon_config **out);
int ctm_cfg_member_name(const struct ctmon_config *c, size_t i,
			const char **out);
const char *ctm_cfg_where(const struct ctmon_config *c, const char *key);

/* Prints the option table (for --plugin-help). */
void ctm_config_print_options(FILE *fp, const struct ctmon_option *opts,
			      size_t n_opts, size_t opt_size);

/* Levenshtein distance, for suggestions. */
size_t ctm_edit_distance(const char *a, const char *b);

#endif
