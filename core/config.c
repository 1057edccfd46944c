/* config.c - ctmon's configuration: the built-in default overlaid with a
 * libconfig file, the core keys and the plugin instance lists checked with
 * file:line in every message, and the CLI overrides that edit the result.
 *
 * Three libconfig trees can back one configuration: the built-in default
 * (always parsed, so lists a file leaves out keep their defaults), the
 * file, and the settings CLI flags add.  Instances keep pointers into
 * whichever tree declared them, so struct ctm_config owns all three. */
#include "config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dns.h"
#include "log.h"
#include "names.h"
#include "util.h"

static int text_has_include(const char *text);

struct ctm_cfg_trees {
	config_t builtin;
	config_t file;
	config_t cli;
	int have_file;
	int have_cli;
};

/* ---- helpers shared with config_validate.c ---------------------------- */

const char *ctm_cfg_loc_file(const config_setting_t *s)
{
	if (config_setting_source_file(s))
		return config_setting_source_file(s);
	return config_setting_source_line(s) ? CTM_CFG_BUILTIN
					     : CTM_CFG_CMDLINE;
}

void ctm_cfg_loc(const config_setting_t *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%u", ctm_cfg_loc_file(s),
		 (unsigned)config_setting_source_line(s));
}

config_setting_t *ctm_cfg_copy_setting(config_setting_t *dst_parent,
				       const char *name,
				       const config_setting_t *src)
{
	int type = config_setting_type(src);
	config_setting_t *d = config_setting_add(dst_parent, name, type);
	int ok = 1;

	if (!d)
		return NULL;
	switch (type) {
	case CONFIG_TYPE_INT:
		ok = config_setting_set_int(d, config_setting_get_int(src));
		break;
	case CONFIG_TYPE_INT64:
		ok = config_setting_set_int64(d, config_setting_get_int64(src));
		break;
	case CONFIG_TYPE_FLOAT:
		ok = config_setting_set_float(d, config_setting_get_float(src));
		break;
	case CONFIG_TYPE_STRING:
		ok = config_setting_set_string(d,
					       config_setting_get_string(src));
		break;
	case CONFIG_TYPE_BOOL:
		ok = config_setting_set_bool(d, config_setting_get_bool(src));
		break;
	default: /* group, array, list */
		for (int i = 0; ok && i < config_setting_length(src); i++) {
			const config_setting_t *e =
				config_setting_get_elem(src, (unsigned)i);
			ok = ctm_cfg_copy_setting(d, config_setting_name(e),
						  e) != NULL;
		}
		break;
	}
	config_setting_set_format(d, config_setting_get_format(src));
	if (!ok) {
		config_setting_remove_elem(dst_parent,
					   (unsigned)config_setting_index(d));
		return NULL;
	}
	return d;
}

config_setting_t *ctm_cfg_parse_value(config_t *scratch, const char *text)
{
	config_setting_t *root;
	struct ctm_buf b;
	char *src;
	int ok;

	if (!text || text_has_include(text))
		return NULL;
	/* The newline ends a trailing comment in the text before our ';'. */
	ctm_buf_init(&b);
	ctm_buf_printf(&b, "value = %s\n;\n", text);
	src = ctm_buf_take(&b);
	if (!src)
		return NULL;
	ok = config_read_string(scratch, src);
	free(src);
	if (!ok)
		return NULL;
	root = config_root_setting(scratch);
	/* Text like `1; other = 2` would smuggle in a second setting. */
	if (config_setting_length(root) != 1)
		return NULL;
	return config_setting_get_member(root, "value");
}

/* ---- errors ------------------------------------------------------------ */

/* "file:line: message" for a setting. */
static int set_error(struct ctm_error *err, const config_setting_t *s,
		     const char *fmt, ...) CTMON_PRINTF(3, 4);

static int set_error(struct ctm_error *err, const config_setting_t *s,
		     const char *fmt, ...)
{
	size_t n;
	va_list ap;

	ctm_cfg_loc(s, err->text, sizeof err->text);
	n = strlen(err->text);
	n += (size_t)snprintf(err->text + n, sizeof err->text - n, ": ");
	if (n >= sizeof err->text)
		return CTMON_ECONFIG;
	va_start(ap, fmt);
	vsnprintf(err->text + n, sizeof err->text - n, fmt, ap);
	va_end(ap);
	return CTMON_ECONFIG;
}

static int oom(struct ctm_error *err, const char *where)
{
	snprintf(err->text, sizeof err->text, "%s: out of memory", where);
	return CTMON_ENOMEM;
}

static int wrong_type(struct ctm_error *err, const config_setting_t *s,
		      const char *prefix, const char *key,
		      const char *expected)
{
	return set_error(err, s, "%skey \"%s\": expected %s, got %s", prefix,
			 key, expected,
			 ctm_cfg_type_name(config_setting_type(s)));
}

static int is_int(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_INT ||
	       config_setting_type(s) == CONFIG_TYPE_INT64;
}

static int is_seq(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_LIST ||
	       config_setting_type(s) == CONFIG_TYPE_ARRAY;
}

/* ---- domains ----------------------------------------------------------- */

/* Normalises a monitored (or notifier filter) domain.  Returns NULL or a
 * reason, written to why. */
static const char *domain_problem(const char *in, char *out, size_t outlen,
				  char *why, size_t whylen)
{
	if (ctm_name_normalize(in, out, outlen) != 0) {
		int ascii = 1;
		for (const char *p = in; *p; p++)
			if ((unsigned char)*p >= 0x80)
				ascii = 0;
		snprintf(why, whylen, "\"%s\" is not a valid host name%s", in,
			 ascii ? "" : "; give its A-label (xn--...)");
		return why;
	}
	if (ctm_name_is_wildcard(out)) {
		snprintf(why, whylen,
			 "\"%s\" is a wildcard; monitor \"%s\" instead, which "
			 "covers every name under it",
			 in, ctm_name_base(out));
		return why;
	}
	return NULL;
}

/* Appends a normalised domain unless it is already there. */
static int push_unique(char ***v, const char *name)
{
	for (size_t i = 0; *v && (*v)[i]; i++)
		if (strcmp((*v)[i], name) == 0)
			return 0;
	return ctm_strv_push(v, name);
}

/* A list of strings; `domains` set: each normalised as a domain. */
static int read_strings(const config_setting_t *s, const char *prefix,
			const char *key, int domains, char ***out,
			struct ctm_error *err)
{
	char **v = NULL;
	int rc = CTMON_OK;

	if (!is_seq(s))
		return wrong_type(err, s, prefix, key, "list of strings");
	v = calloc(1, sizeof *v);
	if (!v)
		return oom(err, ctm_cfg_loc_file(s));
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e =
			config_setting_get_elem(s, (unsigned)i);
		const char *str = config_setting_get_string(e);
		char norm[256], why[512];

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			rc = set_error(err, e,
				       "%skey \"%s\": expected list of strings, "
				       "but element %d is %s",
				       prefix, key, i + 1,
				       ctm_cfg_type_name(config_setting_type(e)));
			goto out;
		}
		if (domains &&
		    domain_problem(str, norm, sizeof norm, why, sizeof why)) {
			rc = set_error(err, e, "%skey \"%s\": %s", prefix, key,
				       why);
			goto out;
		}
		if (!domains && !*str) {
			rc = set_error(err, e, "%skey \"%s\": element %d is empty",
				       prefix, key, i + 1);
			goto out;
		}
		if ((domains ? push_unique(&v, norm) : ctm_strv_push(&v, str))) {
			rc = oom(err, ctm_cfg_loc_file(s));
			goto out;
		}
	}
	*out = v;
	v = NULL;
out:
	ctm_strv_free(v);
	return rc;
}

/* ---- instances ---------------------------------------------------------- */

static void instance_clear(struct ctm_instance *inst)
{
	free(inst->plugin);
	free(inst->id);
	ctm_strv_free(inst->types);
	ctm_strv_free(inst->filter_domains);
	ctm_cfg_view_free(inst->pconf);
	memset(inst, 0, sizeof *inst);
}

static void instances_free(struct ctm_instance *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		instance_clear(&v[i]);
	free(v);
}

static const char *const instance_keys[] = {
	"plugin", "id",	     "enabled", "optional",
	"interval", "timeout", "config",	NULL};
static const char *const notifier_keys[] = {
	"plugin",   "id",	  "enabled",	  "optional", "interval",
	"timeout",  "config",	  "min_severity", "types",    "domains",
	NULL};

static int is_notifier_only(const char *key)
{
	return strcmp(key, "min_severity") == 0 || strcmp(key, "types") == 0 ||
	       strcmp(key, "domains") == 0;
}

static int parse_severity(const char *s, enum ctmon_severity *out)
{
	for (int i = CTMON_SEV_INFO; i <= CTMON_SEV_CRITICAL; i++)
		if (strcmp(s, ctmon_severity_name((enum ctmon_severity)i)) ==
		    0) {
			*out = (enum ctmon_severity)i;
			return 0;
		}
	return -1;
}

/* The instance's name and plugin, read first so every later message can
 * say which instance it is about. */
static int read_identity(struct ctm_instance *inst, config_setting_t *g,
			 size_t idx, struct ctm_error *err)
{
	const char *kind = ctm_cfg_kind_word(inst->kind);
	const config_setting_t *p = config_setting_get_member(g, "plugin");
	const config_setting_t *id = config_setting_get_member(g, "id");
	char prefix[64];

	snprintf(prefix, sizeof prefix, "%s #%zu: ", kind, idx + 1);
	if (!p)
		return set_error(err, g, "%smissing required key \"plugin\"",
				 prefix);
	if (config_setting_type(p) != CONFIG_TYPE_STRING)
		return wrong_type(err, p, prefix, "plugin", "string");
	if (!*config_setting_get_string(p))
		return set_error(err, p, "%skey \"plugin\": must not be empty",
				 prefix);
	if (id && config_setting_type(id) != CONFIG_TYPE_STRING)
		return wrong_type(err, id, prefix, "id", "string");
	if (id && !*config_setting_get_string(id))
		return set_error(err, id, "%skey \"id\": must not be empty",
				 prefix);
	inst->plugin = strdup(config_setting_get_string(p));
	inst->id = strdup(config_setting_get_string(id ? id : p));
	if (!inst->plugin || !inst->id)
		return oom(err, inst->file);
	return CTMON_OK;
}

static int instance_bool(int *dst, const config_setting_t *m,
			 const char *prefix, struct ctm_error *err)
{
	if (config_setting_type(m) != CONFIG_TYPE_BOOL)
		return wrong_type(err, m, prefix, config_setting_name(m),
				  "bool");
	*dst = config_setting_get_bool(m) ? 1 : 0;
	return CTMON_OK;
}

/* An instance's interval or timeout: 0 means "use the global one". */
static int instance_seconds(int64_t *dst, const config_setting_t *m,
			    const char *prefix, struct ctm_error *err)
{
	if (!is_int(m))
		return wrong_type(err, m, prefix, config_setting_name(m),
				  "int");
	if (config_setting_get_int64(m) < 0)
		return set_error(err, m, "%skey \"%s\": must be 0 or more seconds",
				 prefix, config_setting_name(m));
	*dst = config_setting_get_int64(m);
	return CTMON_OK;
}

/* One core-owned key of an instance. */
static int read_instance_key(struct ctm_instance *inst, config_setting_t *m,
			     const char *prefix, struct ctm_error *err)
{
	const char *key = config_setting_name(m);
	const char *sev;

	if (!strcmp(key, "plugin") || !strcmp(key, "id"))
		return CTMON_OK; /* read_identity did them */
	if (!strcmp(key, "enabled"))
		return instance_bool(&inst->enabled, m, prefix, err);
	if (!strcmp(key, "optional"))
		return instance_bool(&inst->optional, m, prefix, err);
	if (!strcmp(key, "interval"))
		return instance_seconds(&inst->interval, m, prefix, err);
	if (!strcmp(key, "timeout"))
		return instance_seconds(&inst->timeout, m, prefix, err);
	if (!strcmp(key, "config")) {
		if (config_setting_type(m) != CONFIG_TYPE_GROUP)
			return wrong_type(err, m, prefix, key, "group");
		inst->raw = m;
		return CTMON_OK;
	}
	if (!strcmp(key, "min_severity")) {
		if (config_setting_type(m) != CONFIG_TYPE_STRING)
			return wrong_type(err, m, prefix, key, "string");
		sev = config_setting_get_string(m);
		if (parse_severity(sev, &inst->min_severity) != 0)
			return set_error(err, m,
					 "%skey \"min_severity\": \"%s\" is not "
					 "one of info, low, medium, high, "
					 "critical",
					 prefix, sev);
		return CTMON_OK;
	}
	if (!strcmp(key, "types")) {
		ctm_strv_free(inst->types);
		inst->types = NULL;
		return read_strings(m, prefix, key, 0, &inst->types, err);
	}
	/* "domains", the notifier's filter */
	ctm_strv_free(inst->filter_domains);
	inst->filter_domains = NULL;
	return read_strings(m, prefix, key, 1, &inst->filter_domains, err);
}

static int parse_instance(struct ctm_instance *inst, enum ctmon_kind kind,
			  config_setting_t *g, size_t idx,
			  struct ctm_error *err)
{
	const char *const *keys =
		kind == CTMON_KIND_NOTIFIER ? notifier_keys : instance_keys;
	char prefix[512];
	int rc;

	memset(inst, 0, sizeof *inst);
	inst->kind = kind;
	inst->enabled = 1;
	inst->min_severity = CTMON_SEV_INFO;
	inst->file = ctm_cfg_loc_file(g);
	inst->line = (int)config_setting_source_line(g);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return set_error(err, g,
				 "%s #%zu: expected a group "
				 "{ plugin = \"...\"; }, got %s",
				 ctm_cfg_kind_word(kind), idx + 1,
				 ctm_cfg_type_name(config_setting_type(g)));
	rc = read_identity(inst, g, idx, err);
	if (rc != CTMON_OK)
		return rc;
	snprintf(prefix, sizeof prefix, "%s \"%s\" (plugin %s): ",
		 ctm_cfg_kind_word(kind), inst->id, inst->plugin);
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *key = config_setting_name(m);
		size_t k;

		for (k = 0; keys[k] && strcmp(keys[k], key) != 0; k++)
			;
		if (!keys[k]) {
			char hint[128];
			if (is_notifier_only(key))
				snprintf(hint, sizeof hint,
					 " (only notifiers take it)");
			else
				ctm_cfg_suggestion_text(key, keys, hint,
							sizeof hint);
			return set_error(err, m, "%sunknown key \"%s\"%s",
					 prefix, key, hint);
		}
		rc = read_instance_key(inst, m, prefix, err);
		if (rc != CTMON_OK)
			return rc;
	}
	/* Every instance gets a `config` group so CLI overrides have a place
	 * to write to; it has no line, so messages use the instance's. */
	if (!inst->raw) {
		inst->raw = config_setting_add(g, "config", CONFIG_TYPE_GROUP);
		if (!inst->raw)
			return oom(err, inst->file);
	}
	return CTMON_OK;
}

static struct ctm_instance **kind_list(struct ctm_config *c,
				       enum ctmon_kind kind, size_t **n)
{
	switch (kind) {
	case CTMON_KIND_SOURCE: *n = &c->n_sources; return &c->sources;
	case CTMON_KIND_CHECK: *n = &c->n_checks; return &c->checks;
	case CTMON_KIND_NOTIFIER: *n = &c->n_notifiers; return &c->notifiers;
	default: return NULL;
	}
}

static int check_unique_id(const struct ctm_instance *v, size_t n,
			   const config_setting_t *g, struct ctm_error *err)
{
	const struct ctm_instance *last = &v[n];

	for (size_t j = 0; j < n; j++)
		if (strcmp(v[j].id, last->id) == 0)
			return set_error(err, g,
					 "%s \"%s\" (plugin %s): duplicate id "
					 "\"%s\" (first declared at %s:%d); "
					 "give one of them another id",
					 ctm_cfg_kind_word(last->kind),
					 last->id, last->plugin, last->id,
					 v[j].file, v[j].line);
	return CTMON_OK;
}

/* A `sources`/`checks`/`notifiers` list replaces the current one. */
static int parse_list(struct ctm_config *c, enum ctmon_kind kind,
		      config_setting_t *s, struct ctm_error *err)
{
	struct ctm_instance *v = NULL, **dst;
	size_t n = 0, *dst_n;
	int len = config_setting_length(s);
	int rc = CTMON_OK;

	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    !(config_setting_type(s) == CONFIG_TYPE_ARRAY && len == 0))
		return set_error(err, s,
				 "key \"%s\": expected a list of groups "
				 "( { plugin = \"...\"; }, ... ), got %s",
				 config_setting_name(s),
				 ctm_cfg_type_name(config_setting_type(s)));
	v = calloc((size_t)len + 1, sizeof *v);
	if (!v)
		return oom(err, ctm_cfg_loc_file(s));
	for (; n < (size_t)len; n++) {
		config_setting_t *g = config_setting_get_elem(s, (unsigned)n);
		rc = parse_instance(&v[n], kind, g, n, err);
		if (rc == CTMON_OK)
			rc = check_unique_id(v, n, g, err);
		if (rc != CTMON_OK) {
			n++; /* free the partly read one too */
			goto out;
		}
	}
	dst = kind_list(c, kind, &dst_n);
	instances_free(*dst, *dst_n);
	*dst = v;
	*dst_n = n;
	v = NULL;
out:
	if (v)
		instances_free(v, n);
	return rc;
}

/* ---- top-level keys ----------------------------------------------------- */

static int replace_string(char **dst, const config_setting_t *s,
			  int empty_is_null, struct ctm_error *err)
{
	const char *v;
	char *copy = NULL;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return wrong_type(err, s, "", config_setting_name(s), "string");
	v = config_setting_get_string(s);
	if (!*v && !empty_is_null)
		return set_error(err, s, "key \"%s\": must not be empty",
				 config_setting_name(s));
	if (*v && !(copy = strdup(v)))
		return oom(err, ctm_cfg_loc_file(s));
	free(*dst);
	*dst = copy;
	return CTMON_OK;
}

static int positive_int(int64_t *dst, const config_setting_t *s,
			struct ctm_error *err)
{
	if (!is_int(s))
		return wrong_type(err, s, "", config_setting_name(s), "int");
	if (config_setting_get_int64(s) <= 0)
		return set_error(err, s,
				 "key \"%s\": must be at least 1 (seconds)",
				 config_setting_name(s));
	*dst = config_setting_get_int64(s);
	return CTMON_OK;
}

static int read_bool(int *dst, const config_setting_t *s,
		     struct ctm_error *err)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return wrong_type(err, s, "", config_setting_name(s), "bool");
	*dst = config_setting_get_bool(s) ? 1 : 0;
	return CTMON_OK;
}

/* An integer key within [min, max]. */
static int int_in_range(int64_t *dst, const config_setting_t *s, int64_t min,
			int64_t max, const char *unit, struct ctm_error *err)
{
	int64_t v;

	if (!is_int(s))
		return wrong_type(err, s, "", config_setting_name(s), "int");
	v = config_setting_get_int64(s);
	if (v < min || v > max)
		return set_error(err, s,
				 "key \"%s\": must be between %lld and %lld%s",
				 config_setting_name(s), (long long)min,
				 (long long)max, unit);
	*dst = v;
	return CTMON_OK;
}

/* dns_servers: each entry an IP with an optional port, checked here so a
 * typo is reported with its line, not when the first cycle resolves. */
static int read_dns_servers(struct ctm_config *c, const config_setting_t *s,
			    struct ctm_error *err)
{
	char **v = NULL;
	int rc = read_strings(s, "", "dns_servers", 0, &v, err);

	if (rc != CTMON_OK)
		return rc;
	for (int i = 0; v[i]; i++)
		if (ctm_dns_server_valid(v[i]) != 0) {
			rc = set_error(err,
				       config_setting_get_elem(s, (unsigned)i),
				       "key \"dns_servers\": \"%s\" is not an "
				       "IP address with an optional port "
				       "(\"127.0.0.1:5353\", \"[::1]:53\")",
				       v[i]);
			ctm_strv_free(v);
			return rc;
		}
	ctm_strv_free(c->dns_servers);
	c->dns_servers = NULL;
	if (v[0])
		c->dns_servers = v;
	else
		ctm_strv_free(v);
	return CTMON_OK;
}

static int apply_key(struct ctm_config *c, config_setting_t *s,
		     struct ctm_error *err)
{
	const char *key = config_setting_name(s);

	if (!strcmp(key, "database"))
		return replace_string(&c->database, s, 0, err);
	if (!strcmp(key, "plugin_dir"))
		return replace_string(&c->plugin_dir, s, 1, err);
	if (!strcmp(key, "report"))
		return replace_string(&c->report, s, 1, err);
	if (!strcmp(key, "log_level")) {
		if (config_setting_type(s) == CONFIG_TYPE_STRING &&
		    ctm_log_level_parse(config_setting_get_string(s)) < 0)
			return set_error(err, s,
					 "key \"log_level\": \"%s\" is not "
					 "one of error, warn, info, debug",
					 config_setting_get_string(s));
		return replace_string(&c->log_level, s, 0, err);
	}
	if (!strcmp(key, "interval"))
		return positive_int(&c->interval, s, err);
	if (!strcmp(key, "timeout"))
		return positive_int(&c->timeout, s, err);
	if (!strcmp(key, "notify_baseline"))
		return read_bool(&c->notify_baseline, s, err);
	if (!strcmp(key, "resolve_dns"))
		return read_bool(&c->resolve_dns, s, err);
	if (!strcmp(key, "domains")) {
		char **v = NULL;
		int rc = read_strings(s, "", key, 1, &v, err);
		if (rc != CTMON_OK)
			return rc;
		ctm_strv_free(c->domains);
		c->domains = v;
		c->n_domains = ctm_strv_len(v);
		return CTMON_OK;
	}
	if (!strcmp(key, "dns_servers"))
		return read_dns_servers(c, s, err);
	if (!strcmp(key, "dns_concurrency"))
		return int_in_range(&c->dns_concurrency, s, 1, 10000, "", err);
	if (!strcmp(key, "dns_timeout_ms"))
		return int_in_range(&c->dns_timeout_ms, s, 1, 600000,
				    " (milliseconds)", err);
	if (!strcmp(key, "dns_retries"))
		return int_in_range(&c->dns_retries, s, 0, 10, "", err);
	if (!strcmp(key, "dns_max_age"))
		return int_in_range(&c->dns_max_age, s, 0, INT32_MAX,
				    " (seconds; 0 = never)", err);
	if (!strcmp(key, "sources"))
		return parse_list(c, CTMON_KIND_SOURCE, s, err);
	if (!strcmp(key, "checks"))
		return parse_list(c, CTMON_KIND_CHECK, s, err);
	return parse_list(c, CTMON_KIND_NOTIFIER, s, err);
}

static const char *const top_keys[] = {
	"database",	"domains",     "interval",  "timeout",
	"plugin_dir",	"notify_baseline", "resolve_dns", "report",
	"log_level",	"dns_servers", "sources",   "checks",
	"notifiers",	"dns_concurrency", "dns_timeout_ms", "dns_retries",
	"dns_max_age",	NULL};

static int apply_root(struct ctm_config *c, config_setting_t *root,
		      struct ctm_error *err)
{
	for (int i = 0; i < config_setting_length(root); i++) {
		config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *key = config_setting_name(s);
		size_t k;
		int rc;

		for (k = 0; top_keys[k] && strcmp(top_keys[k], key) != 0; k++)
			;
		if (!top_keys[k]) {
			char hint[128];
			ctm_cfg_suggestion_text(key, top_keys, hint,
						sizeof hint);
			return set_error(err, s, "unknown key \"%s\"%s", key,
					 hint);
		}
		rc = apply_key(c, s, err);
		if (rc != CTMON_OK)
			return rc;
	}
	return CTMON_OK;
}

/* ---- @include pre-check ------------------------------------------------- */

/* libconfig 1.5 opens an @include with fopen and lets its flex scanner read
 * it: a directory opens fine and then fails to read, and flex's fatal-error
 * handler calls exit(2).  libconfig 1.5 has no include hook, so every
 * @include libconfig would follow is found here first, with the same
 * lexical rules (only at the start of a line, outside comments and
 * strings; the path is include_dir + '/' + name), and anything that is not
 * a readable regular file is reported as file:line before libconfig sees
 * it. */

#define INCLUDE_DEPTH_MAX 10 /* libconfig's MAX_INCLUDE_DEPTH */

struct inc_scan {
	const char *include_dir; /* NULL: names are taken as they are */
	int depth;
	int refuse_all;          /* text with no file: no @include at all */
	struct ctm_error *err;
};

static int scan_includes_file(struct inc_scan *sc, const char *file,
			      const char *shown);

/* The file libconfig would open for `name`. */
static char *include_target(const struct inc_scan *sc, const char *name)
{
	struct ctm_buf b;

	ctm_buf_init(&b);
	if (sc->include_dir)
		ctm_buf_printf(&b, "%s/%s", sc->include_dir, name);
	else
		ctm_buf_puts(&b, name);
	return ctm_buf_take(&b);
}

/* `name` must be a readable regular file; then its own @includes. */
static int check_include(struct inc_scan *sc, const char *shown, int line,
			 const char *name)
{
	char *target = include_target(sc, name);
	struct stat st;
	int fd, rc = CTMON_ECONFIG;

	if (!target)
		return oom(sc->err, shown);
	if (sc->refuse_all) {
		snprintf(sc->err->text, sizeof sc->err->text,
			 "%s:%d: @include \"%s\": not allowed here", shown,
			 line, name);
		goto out;
	}
	if (stat(target, &st) != 0) {
		snprintf(sc->err->text, sizeof sc->err->text,
			 "%s:%d: @include \"%s\": %s", shown, line, name,
			 strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(sc->err->text, sizeof sc->err->text,
			 "%s:%d: @include \"%s\": %s", shown, line, name,
			 S_ISDIR(st.st_mode) ? "is a directory"
					     : "is not a regular file");
		goto out;
	}
	fd = open(target, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(sc->err->text, sizeof sc->err->text,
			 "%s:%d: @include \"%s\": %s", shown, line, name,
			 strerror(errno));
		goto out;
	}
	close(fd);
	if (sc->depth + 1 >= INCLUDE_DEPTH_MAX) {
		rc = CTMON_OK; /* libconfig reports the nesting itself */
		goto out;
	}
	sc->depth++;
	rc = scan_includes_file(sc, target, target);
	sc->depth--;
out:
	free(target);
	return rc;
}

/* Walks libconfig's lexical states over `text`; calls check_include for
 * each @include.  `name` collects the include's path. */
static int scan_includes_text(struct inc_scan *sc, const char *shown,
			      const char *text, size_t len)
{
	enum { CODE, LINE_COMMENT, BLOCK_COMMENT, STRING } state = CODE;
	struct ctm_buf name;
	int line = 1, bol = 1, rc = CTMON_OK;
	size_t i = 0;

	ctm_buf_init(&name);
	while (i < len && rc == CTMON_OK) {
		char c = text[i];

		if (state == CODE && bol) {
			size_t j = i;
			while (j < len && (text[j] == ' ' || text[j] == '\t'))
				j++;
			if (len - j > 8 && memcmp(text + j, "@include", 8) == 0 &&
			    (text[j + 8] == ' ' || text[j + 8] == '\t')) {
				int at = line;
				j += 8;
				while (j < len &&
				       (text[j] == ' ' || text[j] == '\t'))
					j++;
				if (j < len && text[j] == '"') {
					ctm_buf_reset(&name);
					for (j++; j < len && text[j] != '"'; j++) {
						if (text[j] == '\n')
							line++;
						if (text[j] == '\\' && j + 1 < len)
							j++;
						ctm_buf_append(&name, &text[j], 1);
					}
					if (j >= len || name.oom ||
					    memchr(name.data ? name.data : "", '\0',
						   name.len))
						break; /* libconfig says why */
					rc = check_include(sc, shown, at,
							   name.data ? name.data
								     : "");
					i = j + 1;
					bol = 0;
					continue;
				}
			}
		}
		bol = c == '\n';
		if (c == '\n')
			line++;
		switch (state) {
		case CODE:
			if (c == '#' || (c == '/' && i + 1 < len &&
					 text[i + 1] == '/'))
				state = LINE_COMMENT;
			else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
				state = BLOCK_COMMENT;
				i++;
			} else if (c == '"')
				state = STRING;
			break;
		case LINE_COMMENT:
			if (c == '\n')
				state = CODE;
			break;
		case BLOCK_COMMENT:
			if (c == '*' && i + 1 < len && text[i + 1] == '/') {
				state = CODE;
				i++;
			}
			break;
		case STRING:
			if (c == '\\' && i + 1 < len) {
				i++;
				if (text[i] == '\n')
					line++;
			} else if (c == '"')
				state = CODE;
			break;
		}
		i++;
	}
	if (name.oom && rc == CTMON_OK)
		rc = oom(sc->err, shown);
	ctm_buf_free(&name);
	return rc;
}

static int scan_includes_file(struct inc_scan *sc, const char *file,
			      const char *shown)
{
	struct ctm_buf text;
	char chunk[8192];
	size_t n;
	FILE *fp;
	int rc;

	fp = fopen(file, "r");
	if (!fp) {
		snprintf(sc->err->text, sizeof sc->err->text,
			 "%s:0: cannot read: %s", shown, strerror(errno));
		return CTMON_ECONFIG;
	}
	ctm_buf_init(&text);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		ctm_buf_append(&text, chunk, n);
	if (ferror(fp)) {
		snprintf(sc->err->text, sizeof sc->err->text,
			 "%s:0: cannot read: %s", shown, strerror(errno));
		rc = CTMON_ECONFIG;
	} else if (text.oom) {
		rc = oom(sc->err, shown);
	} else if (text.len && memchr(text.data, '\0', text.len)) {
		/* libconfig reads up to a NUL and its @include path differs
		 * from ours: no configuration file holds one. */
		const char *nul = memchr(text.data, '\0', text.len);
		int line = 1;
		for (const char *p = text.data; p < nul; p++)
			line += *p == '\n';
		snprintf(sc->err->text, sizeof sc->err->text,
			 "%s:%d: a NUL byte: not a configuration file", shown,
			 line);
		rc = CTMON_ECONFIG;
	} else {
		rc = scan_includes_text(sc, shown,
					text.data ? text.data : "", text.len);
	}
	fclose(fp);
	ctm_buf_free(&text);
	return rc;
}

/* Text parsed from a string (CLI values) has no file to be relative to:
 * an @include in it is refused outright. */
static int text_has_include(const char *text)
{
	struct ctm_error scratch_err;
	struct inc_scan sc = {NULL, 0, 1, &scratch_err};

	return text && scan_includes_text(&sc, CTM_CFG_CMDLINE, text,
					  strlen(text)) != CTMON_OK;
}

/* ---- load / free -------------------------------------------------------- */

static int read_file(struct ctm_config *c, struct ctm_cfg_trees *t,
		     const char *path, struct ctm_error *err)
{
	char *dir = NULL, *slash;
	FILE *fp;
	int rc = CTMON_OK;

	struct inc_scan sc = {NULL, 0, 0, err};
	struct stat st;

	/* libconfig only says "file I/O error"; errno says why.  A directory
	 * would make libconfig's scanner exit(2): see the @include check. */
	fp = fopen(path, "r");
	if (!fp) {
		snprintf(err->text, sizeof err->text, "%s:0: cannot read: %s",
			 path, strerror(errno));
		return CTMON_ECONFIG;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err->text, sizeof err->text, "%s:0: %s", path,
			 S_ISDIR(st.st_mode) ? "is a directory"
					     : "is not a regular file");
		fclose(fp);
		return CTMON_ECONFIG;
	}
	fclose(fp);
	config_init(&t->file);
	t->have_file = 1;
	/* @include paths are relative to the file, not to the cwd. */
	dir = strdup(path);
	if (!dir)
		return oom(err, path);
	slash = strrchr(dir, '/');
	if (slash) {
		slash[slash == dir ? 1 : 0] = '\0';
		config_set_include_dir(&t->file, dir);
		sc.include_dir = dir;
	}
	rc = scan_includes_file(&sc, path, path);
	if (rc != CTMON_OK)
		goto out;
	if (!config_read_file(&t->file, path)) {
		const char *f = config_error_file(&t->file);
		snprintf(err->text, sizeof err->text, "%s:%d: %s",
			 f ? f : path, config_error_line(&t->file),
			 config_error_text(&t->file));
		rc = CTMON_ECONFIG;
		goto out;
	}
	rc = apply_root(c, config_root_setting(&t->file), err);
out:
	free(dir);
	return rc;
}

int ctm_config_load(const char *path, struct ctm_config **out,
		    struct ctm_error *err)
{
	struct ctm_config *c = NULL;
	struct ctm_cfg_trees *t;
	int rc = CTMON_ENOMEM;

	if (!out || !err)
		return CTMON_EINVAL;
	*out = NULL;
	err->text[0] = '\0';
	c = calloc(1, sizeof *c);
	if (!c || !(t = calloc(1, sizeof *t))) {
		free(c);
		return oom(err, path ? path : CTM_CFG_BUILTIN);
	}
	c->cfg = t;
	config_init(&t->builtin);
	c->database = strdup("ct_monitor.db");
	c->log_level = strdup("info");
	c->domains = calloc(1, sizeof *c->domains);
	c->interval = 900;
	c->timeout = 30;
	c->resolve_dns = 1;
	c->dns_concurrency = 64;
	c->dns_retries = 2;
	c->dns_max_age = 7 * 86400;
	if (!c->database || !c->log_level || !c->domains ||
	    (path && !(c->path = strdup(path)))) {
		oom(err, path ? path : CTM_CFG_BUILTIN);
		goto fail;
	}
	if (!config_read_string(&t->builtin, ctm_config_default_text())) {
		snprintf(err->text, sizeof err->text, "%s:%d: %s",
			 CTM_CFG_BUILTIN, config_error_line(&t->builtin),
			 config_error_text(&t->builtin));
		rc = CTMON_EINTERNAL;
		goto fail;
	}
	rc = apply_root(c, config_root_setting(&t->builtin), err);
	if (rc == CTMON_OK && path)
		rc = read_file(c, t, path, err);
	if (rc != CTMON_OK)
		goto fail;
	*out = c;
	return CTMON_OK;
fail:
	ctm_config_free(c);
	return rc;
}

void ctm_config_free(struct ctm_config *c)
{
	struct ctm_cfg_trees *t;

	if (!c)
		return;
	instances_free(c->sources, c->n_sources);
	instances_free(c->checks, c->n_checks);
	instances_free(c->notifiers, c->n_notifiers);
	ctm_strv_free(c->domains);
	ctm_strv_free(c->dns_servers);
	free(c->path);
	free(c->database);
	free(c->plugin_dir);
	free(c->report);
	free(c->log_level);
	t = c->cfg;
	if (t) {
		config_destroy(&t->builtin);
		if (t->have_file)
			config_destroy(&t->file);
		if (t->have_cli)
			config_destroy(&t->cli);
		free(t);
	}
	free(c);
}

/* ---- CLI overrides ------------------------------------------------------ */

struct ctm_instance *ctm_config_find(struct ctm_config *c,
				     enum ctmon_kind kind, const char *plugin)
{
	struct ctm_instance **v;
	size_t *n;

	if (!c || !plugin || !(v = kind_list(c, kind, &n)))
		return NULL;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].plugin, plugin) == 0)
			return &(*v)[i];
	return NULL;
}

static const char *list_name(enum ctmon_kind kind)
{
	return kind == CTMON_KIND_SOURCE  ? "sources"
	       : kind == CTMON_KIND_CHECK ? "checks"
					  : "notifiers";
}

/* The group `{ config = { ... }; }` for a new instance, in the CLI tree. */
static config_setting_t *cli_config_group(struct ctm_config *c,
					  enum ctmon_kind kind)
{
	struct ctm_cfg_trees *t = c->cfg;
	config_setting_t *root, *list, *g;

	if (!t->have_cli) {
		config_init(&t->cli);
		t->have_cli = 1;
	}
	root = config_root_setting(&t->cli);
	list = config_setting_get_member(root, list_name(kind));
	if (!list)
		list = config_setting_add(root, list_name(kind),
					  CONFIG_TYPE_LIST);
	g = list ? config_setting_add(list, NULL, CONFIG_TYPE_GROUP) : NULL;
	return g ? config_setting_add(g, "config", CONFIG_TYPE_GROUP) : NULL;
}

struct ctm_instance *ctm_config_add_instance(struct ctm_config *c,
					     enum ctmon_kind kind,
					     const char *plugin,
					     const char *settings,
					     struct ctm_error *err)
{
	struct ctm_instance inst, *slot = NULL, **v, *grown;
	config_setting_t *root;
	config_t scratch;
	size_t *n;
	int ok;

	if (!c || !err || !plugin || !*plugin || !(v = kind_list(c, kind, &n))) {
		if (err)
			snprintf(err->text, sizeof err->text,
				 "%s:0: cannot add an instance: bad arguments",
				 CTM_CFG_CMDLINE);
		return NULL;
	}
	memset(&inst, 0, sizeof inst);
	inst.kind = kind;
	inst.enabled = 1;
	inst.min_severity = CTMON_SEV_INFO;
	inst.file = CTM_CFG_CMDLINE;
	inst.plugin = strdup(plugin);
	inst.id = strdup(plugin);
	config_init(&scratch);
	if (!inst.plugin || !inst.id)
		goto nomem;
	if (text_has_include(settings)) {
		snprintf(err->text, sizeof err->text,
			 "%s:0: %s \"%s\" (plugin %s): settings: @include is "
			 "not allowed here",
			 CTM_CFG_CMDLINE, ctm_cfg_kind_word(kind), plugin,
			 plugin);
		goto fail;
	}
	ok = config_read_string(&scratch, settings ? settings : "");
	if (!ok) {
		snprintf(err->text, sizeof err->text,
			 "%s:0: %s \"%s\" (plugin %s): settings: %s",
			 CTM_CFG_CMDLINE, ctm_cfg_kind_word(kind), plugin,
			 plugin, config_error_text(&scratch));
		goto fail;
	}
	inst.raw = cli_config_group(c, kind);
	if (!inst.raw)
		goto nomem;
	root = config_root_setting(&scratch);
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s =
			config_setting_get_elem(root, (unsigned)i);
		if (!ctm_cfg_copy_setting(inst.raw, config_setting_name(s), s))
			goto nomem;
	}
	/* The same id twice would break the per-kind uniqueness: the new
	 * instance takes the old one's place. */
	for (size_t i = 0; i < *n && !slot; i++)
		if (strcmp((*v)[i].id, inst.id) == 0)
			slot = &(*v)[i];
	if (slot) {
		instance_clear(slot);
	} else {
		grown = realloc(*v, (*n + 1) * sizeof *grown);
		if (!grown)
			goto nomem;
		*v = grown;
		slot = &grown[(*n)++];
	}
	*slot = inst;
	config_destroy(&scratch);
	return slot;
nomem:
	oom(err, CTM_CFG_CMDLINE ":0");
fail:
	free(inst.plugin);
	free(inst.id);
	config_destroy(&scratch);
	return NULL;
}

int ctm_config_set(struct ctm_instance *inst, const char *key,
		   const char *value_text, struct ctm_error *err)
{
	config_setting_t *group, *val;
	config_t scratch;
	int rc = CTMON_OK;

	if (!inst || !key || !value_text || !err)
		return CTMON_EINVAL;
	group = inst->raw;
	if (!group) {
		snprintf(err->text, sizeof err->text,
			 "%s:0: %s \"%s\": no config group to set \"%s\" in",
			 CTM_CFG_CMDLINE, ctm_cfg_kind_word(inst->kind),
			 inst->id, key);
		return CTMON_EINTERNAL;
	}
	config_init(&scratch);
	/* Never echo the value: it may be a password. */
	val = ctm_cfg_parse_value(&scratch, value_text);
	if (!val) {
		snprintf(err->text, sizeof err->text,
			 "%s:0: %s \"%s\" (plugin %s): option \"%s\": the "
			 "value does not parse (%s)",
			 CTM_CFG_CMDLINE, ctm_cfg_kind_word(inst->kind),
			 inst->id, inst->plugin, key,
			 config_error_text(&scratch)
				 ? config_error_text(&scratch)
				 : "more than one value");
		rc = CTMON_ECONFIG;
		goto out;
	}
	if (config_setting_get_member(group, key))
		config_setting_remove(group, key);
	if (!ctm_cfg_copy_setting(group, key, val)) {
		snprintf(err->text, sizeof err->text,
			 "%s:0: %s \"%s\" (plugin %s): option \"%s\": not a "
			 "valid option name",
			 CTM_CFG_CMDLINE, ctm_cfg_kind_word(inst->kind),
			 inst->id, inst->plugin, key);
		rc = CTMON_ECONFIG;
		goto out;
	}
	/* The validated view pointed at the old settings. */
	ctm_cfg_view_free(inst->pconf);
	inst->pconf = NULL;
out:
	config_destroy(&scratch);
	return rc;
}

int ctm_config_set_domains(struct ctm_config *c, char *const *domains,
			   size_t n, struct ctm_error *err)
{
	char **v = NULL;

	if (!c || !err || (n && !domains))
		return CTMON_EINVAL;
	v = calloc(1, sizeof *v);
	if (!v)
		return oom(err, CTM_CFG_CMDLINE ":0");
	for (size_t i = 0; i < n; i++) {
		char norm[256], why[512];
		if (domain_problem(domains[i], norm, sizeof norm, why,
				   sizeof why)) {
			snprintf(err->text, sizeof err->text,
				 "%s:0: key \"domains\": %s", CTM_CFG_CMDLINE,
				 why);
			ctm_strv_free(v);
			return CTMON_ECONFIG;
		}
		if (push_unique(&v, norm) != 0) {
			ctm_strv_free(v);
			return oom(err, CTM_CFG_CMDLINE ":0");
		}
	}
	ctm_strv_free(c->domains);
	c->domains = v;
	c->n_domains = ctm_strv_len(v);
	return CTMON_OK;
}
