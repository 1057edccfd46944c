/* config_validate.c - a plugin's `config` group checked against the
 * plugin's option table before create(), defaults applied, and the
 * read-only views (struct ctmon_config) the host API getters read.
 *
 * A view points into the libconfig tree the struct ctm_config owns, so
 * strings handed to plugins stay valid until the config is freed.  Values
 * taken from the option table's defaults live in a small config_t of the
 * view itself.  Nested groups get their own views, built up front, so the
 * getters never allocate and never mutate. */
#include "config_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct ctmon_config {
	const config_setting_t *group; /* the settings read, or NULL */
	config_t *defaults;            /* defaults applied for absent keys */
	char *where;                   /* "file:line" used for absent keys */
	char **member_where;           /* "file:line" per member of group */
	size_t n_members;
	struct ctmon_config **children;/* views of nested groups */
	size_t n_children;
};

/* ---- small shared helpers ------------------------------------------- */

size_t ctm_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d;
	size_t *row = malloc((lb + 1) * sizeof *row);

	if (!row)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

const char *ctm_cfg_suggest(const char *key, const char *const *cands)
{
	size_t len = strlen(key), best_d = SIZE_MAX;
	const char *best = NULL;

	for (size_t i = 0; cands && cands[i]; i++) {
		size_t d = ctm_edit_distance(key, cands[i]);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	/* Close enough to be a typo: a couple of edits (but not a rewrite
	 * of a short word), or up to a third of a long word. */
	if (best && best_d > 0 &&
	    ((best_d <= 2 && best_d < len) || best_d * 3 <= len))
		return best;
	return NULL;
}

void ctm_cfg_suggestion_text(const char *key, const char *const *cands,
			     char *buf, size_t len)
{
	const char *s = ctm_cfg_suggest(key, cands);

	if (s)
		snprintf(buf, len, " (did you mean \"%s\"?)", s);
	else if (len)
		buf[0] = '\0';
}

const char *ctm_cfg_type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "int";
	case CONFIG_TYPE_FLOAT: return "float";
	case CONFIG_TYPE_STRING: return "string";
	case CONFIG_TYPE_BOOL: return "bool";
	case CONFIG_TYPE_ARRAY: return "array";
	case CONFIG_TYPE_LIST: return "list";
	case CONFIG_TYPE_GROUP: return "group";
	default: return "nothing";
	}
}

const char *ctm_cfg_kind_word(enum ctmon_kind kind)
{
	switch (kind) {
	case CTMON_KIND_SOURCE: return "source";
	case CTMON_KIND_CHECK: return "check";
	case CTMON_KIND_NOTIFIER: return "notifier";
	default: return "plugin";
	}
}

static const char *opt_type_name(enum ctmon_opt_type t)
{
	switch (t) {
	case CTMON_OPT_STRING: return "string";
	case CTMON_OPT_INT: return "int";
	case CTMON_OPT_DOUBLE: return "number";
	case CTMON_OPT_BOOL: return "bool";
	case CTMON_OPT_STRING_LIST: return "list of strings";
	case CTMON_OPT_INT_LIST: return "list of ints";
	case CTMON_OPT_GROUP: return "group";
	case CTMON_OPT_GROUP_LIST: return "list of groups";
	default: return NULL;
	}
}

/* Entry i of an option table written with a possibly different
 * sizeof(struct ctmon_option): copy what both sides know, zero the rest.
 * memcpy also keeps UBSan quiet when the stride is not aligned. */
static void opt_at(const struct ctmon_option *opts, size_t opt_size, size_t i,
		   struct ctmon_option *o)
{
	const unsigned char *p = (const unsigned char *)opts + i * opt_size;

	memset(o, 0, sizeof *o);
	memcpy(o, p, opt_size < sizeof *o ? opt_size : sizeof *o);
}

/* ---- views ------------------------------------------------------------ */

void ctm_cfg_view_free(struct ctmon_config *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n_children; i++)
		ctm_cfg_view_free(v->children[i]);
	free(v->children);
	for (size_t i = 0; i < v->n_members; i++)
		free(v->member_where[i]);
	free(v->member_where);
	free(v->where);
	if (v->defaults) {
		config_destroy(v->defaults);
		free(v->defaults);
	}
	free(v);
}

static char *loc_dup(const config_setting_t *s)
{
	char buf[512];

	ctm_cfg_loc(s, buf, sizeof buf);
	return strdup(buf);
}

/* Defaults have no position in any file: with `from_defaults` their
 * members report the view's own position. */
static struct ctmon_config *view_new(const config_setting_t *group,
				     const char *where, int from_defaults)
{
	struct ctmon_config *v = calloc(1, sizeof *v);
	size_t n = group ? (size_t)config_setting_length(group) : 0;

	if (!v)
		return NULL;
	v->group = group;
	v->where = strdup(where);
	v->member_where = calloc(n ? n : 1, sizeof *v->member_where);
	if (!v->where || !v->member_where)
		goto fail;
	for (; v->n_members < n; v->n_members++) {
		const config_setting_t *m =
			config_setting_get_elem(group, (unsigned)v->n_members);
		v->member_where[v->n_members] =
			from_defaults ? strdup(where) : loc_dup(m);
		if (!v->member_where[v->n_members])
			goto fail;
	}
	return v;
fail:
	ctm_cfg_view_free(v);
	return NULL;
}

static int view_add_child(struct ctmon_config *v, struct ctmon_config *child)
{
	struct ctmon_config **grown =
		realloc(v->children, (v->n_children + 1) * sizeof *grown);

	if (!grown)
		return CTMON_ENOMEM;
	v->children = grown;
	v->children[v->n_children++] = child;
	return CTMON_OK;
}

/* Gives every group under `s` a view: members that are groups become
 * children of v, and so do groups inside lists (group lists), so the
 * getters find them by setting pointer.  Groups from defaults report the
 * position of the view that holds them. */
static int view_build_children(struct ctmon_config *v,
			       const config_setting_t *s, int from_defaults)
{
	int n = config_setting_length(s);

	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct ctmon_config *child;
		char where[512];
		int rc;

		if (config_setting_type(e) == CONFIG_TYPE_LIST) {
			rc = view_build_children(v, e, from_defaults);
			if (rc != CTMON_OK)
				return rc;
			continue;
		}
		if (config_setting_type(e) != CONFIG_TYPE_GROUP)
			continue;
		if (from_defaults)
			snprintf(where, sizeof where, "%s", v->where);
		else
			ctm_cfg_loc(e, where, sizeof where);
		child = view_new(e, where, from_defaults);
		if (!child)
			return CTMON_ENOMEM;
		rc = view_build_children(child, e, from_defaults);
		if (rc == CTMON_OK)
			rc = view_add_child(v, child);
		if (rc != CTMON_OK) {
			ctm_cfg_view_free(child);
			return rc;
		}
	}
	return CTMON_OK;
}

static const config_setting_t *view_find(const struct ctmon_config *v,
					 const char *key)
{
	const config_setting_t *s = NULL;

	if (v->group)
		s = config_setting_get_member(v->group, key);
	if (!s && v->defaults)
		s = config_setting_get_member(config_root_setting(v->defaults),
					      key);
	return s;
}

static const struct ctmon_config *view_child(const struct ctmon_config *v,
					     const config_setting_t *s)
{
	for (size_t i = 0; i < v->n_children; i++)
		if (v->children[i]->group == s)
			return v->children[i];
	return NULL;
}

/* ---- getters (the host API cfg_* functions) -------------------------- */

static int lookup(const struct ctmon_config *c, const char *key,
		  const config_setting_t **out)
{
	if (!c || !key || !out)
		return CTMON_EINVAL;
	*out = view_find(c, key);
	return *out ? CTMON_OK : CTMON_ENOTFOUND;
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

int ctm_cfg_string(const struct ctmon_config *c, const char *key,
		   const char **out)
{
	const config_setting_t *s;
	int rc = lookup(c, key, &s);

	if (rc != CTMON_OK)
		return rc;
	if (config_setting_type(s) != CONFIG_TYPE_STRING || !out)
		return CTMON_EINVAL;
	*out = config_setting_get_string(s);
	return CTMON_OK;
}

int ctm_cfg_int(const struct ctmon_config *c, const char *key, int64_t *out)
{
	const config_setting_t *s;
	int rc = lookup(c, key, &s);

	if (rc != CTMON_OK)
		return rc;
	if (!is_int(s) || !out)
		return CTMON_EINVAL;
	*out = config_setting_get_int64(s);
	return CTMON_OK;
}

int ctm_cfg_double(const struct ctmon_config *c, const char *key,
		   double *out)
{
	const config_setting_t *s;
	int rc = lookup(c, key, &s);

	if (rc != CTMON_OK)
		return rc;
	if (!out)
		return CTMON_EINVAL;
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		*out = config_setting_get_float(s);
	else if (is_int(s))
		*out = (double)config_setting_get_int64(s);
	else
		return CTMON_EINVAL;
	return CTMON_OK;
}

int ctm_cfg_bool(const struct ctmon_config *c, const char *key, int *out)
{
	const config_setting_t *s;
	int rc = lookup(c, key, &s);

	if (rc != CTMON_OK)
		return rc;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL || !out)
		return CTMON_EINVAL;
	*out = config_setting_get_bool(s) ? 1 : 0;
	return CTMON_OK;
}

int ctm_cfg_list_len(const struct ctmon_config *c, const char *key,
		     size_t *out)
{
	const config_setting_t *s;
	int rc = lookup(c, key, &s);

	if (rc != CTMON_OK)
		return rc;
	if (!is_seq(s) || !out)
		return CTMON_EINVAL;
	*out = (size_t)config_setting_length(s);
	return CTMON_OK;
}

/* Element i of list `key`: CTMON_ENOTFOUND past the end. */
static int list_elem(const struct ctmon_config *c, const char *key, size_t i,
		     const config_setting_t **out)
{
	const config_setting_t *s;
	int rc = lookup(c, key, &s);

	if (rc != CTMON_OK)
		return rc;
	if (!is_seq(s))
		return CTMON_EINVAL;
	if (i >= (size_t)config_setting_length(s))
		return CTMON_ENOTFOUND;
	*out = config_setting_get_elem(s, (unsigned)i);
	return *out ? CTMON_OK : CTMON_ENOTFOUND;
}

int ctm_cfg_list_string(const struct ctmon_config *c, const char *key,
			size_t i, const char **out)
{
	const config_setting_t *e;
	int rc = list_elem(c, key, i, &e);

	if (rc != CTMON_OK)
		return rc;
	if (config_setting_type(e) != CONFIG_TYPE_STRING || !out)
		return CTMON_EINVAL;
	*out = config_setting_get_string(e);
	return CTMON_OK;
}

int ctm_cfg_list_int(const struct ctmon_config *c, const char *key, size_t i,
		     int64_t *out)
{
	const config_setting_t *e;
	int rc = list_elem(c, key, i, &e);

	if (rc != CTMON_OK)
		return rc;
	if (!is_int(e) || !out)
		return CTMON_EINVAL;
	*out = config_setting_get_int64(e);
	return CTMON_OK;
}

int ctm_cfg_group(const struct ctmon_config *c, const char *key,
		  const struct ctmon_config **out)
{
	const config_setting_t *s;
	int rc = lookup(c, key, &s);

	if (rc != CTMON_OK)
		return rc;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP || !out)
		return CTMON_EINVAL;
	*out = view_child(c, s);
	return *out ? CTMON_OK : CTMON_EINTERNAL;
}

int ctm_cfg_list_group(const struct ctmon_config *c, const char *key,
		       size_t i, const struct ctmon_config **out)
{
	const config_setting_t *e;
	int rc = list_elem(c, key, i, &e);

	if (rc != CTMON_OK)
		return rc;
	if (config_setting_type(e) != CONFIG_TYPE_GROUP || !out)
		return CTMON_EINVAL;
	*out = view_child(c, e);
	return *out ? CTMON_OK : CTMON_EINTERNAL;
}

/* Members present in the group first, then the defaults applied. */
int ctm_cfg_member_name(const struct ctmon_config *c, size_t i,
			const char **out)
{
	size_t n;

	if (!c || !out)
		return CTMON_EINVAL;
	n = c->group ? (size_t)config_setting_length(c->group) : 0;
	if (i < n) {
		*out = config_setting_name(
			config_setting_get_elem(c->group, (unsigned)i));
		return CTMON_OK;
	}
	i -= n;
	if (c->defaults) {
		const config_setting_t *d = config_root_setting(c->defaults);
		if (i < (size_t)config_setting_length(d)) {
			*out = config_setting_name(
				config_setting_get_elem(d, (unsigned)i));
			return CTMON_OK;
		}
	}
	return CTMON_ENOTFOUND;
}

const char *ctm_cfg_where(const struct ctmon_config *c, const char *key)
{
	const config_setting_t *s;
	int idx;

	if (!c)
		return "<unknown>:0";
	if (!key || !c->group)
		return c->where;
	s = config_setting_get_member(c->group, key);
	if (!s)
		return c->where;
	idx = config_setting_index(s);
	if (idx < 0 || (size_t)idx >= c->n_members)
		return c->where;
	return c->member_where[idx];
}

/* ---- validation ------------------------------------------------------- */

/* Everything validation needs to word an error. */
struct vctx {
	const struct ctm_instance *inst;
	char inst_loc[512];
	struct ctm_error *err;
};

static int opt_error(const struct vctx *x, const char *loc, const char *key,
		     const char *fmt, ...) CTMON_PRINTF(4, 5);

static int opt_error(const struct vctx *x, const char *loc, const char *key,
		     const char *fmt, ...)
{
	char *t = x->err->text;
	size_t len = sizeof x->err->text, n;
	va_list ap;

	snprintf(t, len, "%s: %s \"%s\" (plugin %s): option \"%s\": ", loc,
		 ctm_cfg_kind_word(x->inst->kind),
		 x->inst->id ? x->inst->id : "?",
		 x->inst->plugin ? x->inst->plugin : "?", key);
	n = strlen(t);
	va_start(ap, fmt);
	vsnprintf(t + n, len - n, fmt, ap);
	va_end(ap);
	return CTMON_ECONFIG;
}

/* Does `s` have the shape option type `t` asks for?  On a mismatch,
 * returns 0 with why and the offending setting (an element when only an
 * element is wrong). */
static int value_fits(const config_setting_t *s, enum ctmon_opt_type t,
		      char *why, size_t len, const config_setting_t **bad)
{
	int want_elem;

	*bad = s;
	switch (t) {
	case CTMON_OPT_STRING:
		if (config_setting_type(s) == CONFIG_TYPE_STRING)
			return 1;
		break;
	case CTMON_OPT_INT:
		if (is_int(s))
			return 1;
		break;
	case CTMON_OPT_DOUBLE:
		if (is_int(s) || config_setting_type(s) == CONFIG_TYPE_FLOAT)
			return 1;
		break;
	case CTMON_OPT_BOOL:
		if (config_setting_type(s) == CONFIG_TYPE_BOOL)
			return 1;
		break;
	case CTMON_OPT_GROUP:
		if (config_setting_type(s) == CONFIG_TYPE_GROUP)
			return 1;
		break;
	case CTMON_OPT_STRING_LIST:
	case CTMON_OPT_INT_LIST:
	case CTMON_OPT_GROUP_LIST:
		if (!is_seq(s))
			break;
		want_elem = t == CTMON_OPT_STRING_LIST ? CONFIG_TYPE_STRING
			    : t == CTMON_OPT_GROUP_LIST ? CONFIG_TYPE_GROUP
						       : CONFIG_TYPE_INT;
		for (int i = 0; i < config_setting_length(s); i++) {
			const config_setting_t *e =
				config_setting_get_elem(s, (unsigned)i);
			int ok = want_elem == CONFIG_TYPE_INT
					 ? is_int(e)
					 : config_setting_type(e) == want_elem;
			if (!ok) {
				*bad = e;
				snprintf(why, len,
					 "expected %s, but element %d is %s",
					 opt_type_name(t), i + 1,
					 ctm_cfg_type_name(
						 config_setting_type(e)));
				return 0;
			}
		}
		return 1;
	default:
		break;
	}
	snprintf(why, len, "expected %s, got %s", opt_type_name(t),
		 ctm_cfg_type_name(config_setting_type(s)));
	return 0;
}

/* Every member of the group must be a declared option of the right type. */
static int check_members(const struct vctx *x, const config_setting_t *group,
			 const struct ctmon_option *opts, size_t n_opts,
			 size_t opt_size, const char *const *names)
{
	int n = group ? config_setting_length(group) : 0;

	for (int i = 0; i < n; i++) {
		const config_setting_t *m =
			config_setting_get_elem(group, (unsigned)i);
		const char *key = config_setting_name(m);
		const config_setting_t *bad;
		struct ctmon_option o;
		char loc[512], why[256];
		size_t k;

		for (k = 0; k < n_opts; k++) {
			opt_at(opts, opt_size, k, &o);
			if (o.name && strcmp(o.name, key) == 0)
				break;
		}
		if (k == n_opts) {
			ctm_cfg_loc(m, loc, sizeof loc);
			ctm_cfg_suggestion_text(key, names, why, sizeof why);
			return opt_error(x, loc, key, "unknown option%s", why);
		}
		if (!value_fits(m, o.type, why, sizeof why, &bad)) {
			ctm_cfg_loc(bad, loc, sizeof loc);
			return opt_error(x, loc, key, "%s", why);
		}
	}
	return CTMON_OK;
}

/* Parses the option's default text into `defaults`.  A string default may
 * be written without quotes ("text"), since that is how people write it
 * in a table; everything else is libconfig value syntax. */
static int add_default(const struct vctx *x, config_t *defaults,
		       const struct ctmon_option *o)
{
	config_setting_t *root = config_root_setting(defaults);
	config_setting_t *s, *d = NULL;
	const config_setting_t *bad;
	config_t scratch;
	char why[256];
	int rc = CTMON_OK;

	config_init(&scratch);
	s = ctm_cfg_parse_value(&scratch, o->default_value);
	if (o->type == CTMON_OPT_STRING &&
	    (!s || config_setting_type(s) != CONFIG_TYPE_STRING)) {
		d = config_setting_add(root, o->name, CONFIG_TYPE_STRING);
		if (d && !config_setting_set_string(d, o->default_value))
			d = NULL;
	} else if (!s) {
		rc = opt_error(x, x->inst_loc, o->name,
			       "the plugin's default value does not parse "
			       "(%s); this is a bug in the plugin",
			       config_error_text(&scratch));
		goto out;
	} else if (!value_fits(s, o->type, why, sizeof why, &bad)) {
		rc = opt_error(x, x->inst_loc, o->name,
			       "the plugin's default value is wrong: %s; this "
			       "is a bug in the plugin",
			       why);
		goto out;
	} else {
		d = ctm_cfg_copy_setting(root, o->name, s);
	}
	if (!d)
		rc = opt_error(x, x->inst_loc, o->name,
			       "cannot apply the default value (bad option "
			       "name or out of memory)");
out:
	config_destroy(&scratch);
	return rc;
}

/* Required options must be present; absent ones get their defaults. */
static int apply_defaults(const struct vctx *x, const config_setting_t *group,
			  const struct ctmon_option *opts, size_t n_opts,
			  size_t opt_size, config_t *defaults)
{
	for (size_t k = 0; k < n_opts; k++) {
		struct ctmon_option o;
		int rc;

		opt_at(opts, opt_size, k, &o);
		if (group && config_setting_get_member(group, o.name))
			continue;
		if (o.flags & CTMON_OPTF_REQUIRED)
			return opt_error(x, x->inst_loc, o.name,
					 "required option missing");
		if (!o.default_value)
			continue;
		rc = add_default(x, defaults, &o);
		if (rc != CTMON_OK)
			return rc;
	}
	return CTMON_OK;
}

/* The table itself: names present and types known, so the checks above
 * can rely on them. */
static int check_table(const struct vctx *x, const struct ctmon_option *opts,
		       size_t n_opts, size_t opt_size, const char **names)
{
	for (size_t k = 0; k < n_opts; k++) {
		struct ctmon_option o;

		opt_at(opts, opt_size, k, &o);
		if (!o.name || !*o.name)
			return opt_error(x, x->inst_loc, "?",
					 "option %zu of the plugin's table has "
					 "no name",
					 k + 1);
		if (!opt_type_name(o.type))
			return opt_error(x, x->inst_loc, o.name,
					 "the plugin declares unknown type %d",
					 (int)o.type);
		names[k] = o.name;
	}
	names[n_opts] = NULL;
	return CTMON_OK;
}

int ctm_config_validate_instance(struct ctm_instance *inst,
				 const struct ctmon_option *opts,
				 size_t n_opts, size_t opt_size,
				 struct ctm_error *err)
{
	const config_setting_t *group;
	struct ctmon_config *v = NULL;
	config_t *defaults = NULL;
	const char **names = NULL;
	struct vctx x;
	int rc;

	if (!inst || !err)
		return CTMON_EINVAL;
	if (n_opts && (!opts || opt_size == 0)) {
		snprintf(err->text, sizeof err->text,
			 "%s:%d: %s \"%s\": the plugin's option table is "
			 "malformed (size 0)",
			 inst->file ? inst->file : "?", inst->line,
			 ctm_cfg_kind_word(inst->kind), inst->id);
		return CTMON_ECONFIG;
	}
	x.inst = inst;
	x.err = err;
	snprintf(x.inst_loc, sizeof x.inst_loc, "%s:%d",
		 inst->file ? inst->file : CTM_CFG_CMDLINE, inst->line);
	group = inst->raw;
	names = calloc(n_opts + 1, sizeof *names);
	defaults = calloc(1, sizeof *defaults);
	if (!names || !defaults) {
		free(defaults);
		defaults = NULL;
		rc = CTMON_ENOMEM;
		goto out;
	}
	config_init(defaults);
	rc = check_table(&x, opts, n_opts, opt_size, names);
	if (rc == CTMON_OK)
		rc = check_members(&x, group, opts, n_opts, opt_size, names);
	if (rc == CTMON_OK)
		rc = apply_defaults(&x, group, opts, n_opts, opt_size,
				    defaults);
	if (rc != CTMON_OK)
		goto out;
	/* A `config` group the core added (no line of its own) reports the
	 * instance's position. */
	if (group && (config_setting_source_line(group) ||
		      config_setting_source_file(group))) {
		char where[512];
		ctm_cfg_loc(group, where, sizeof where);
		v = view_new(group, where, 0);
	} else {
		v = view_new(group, x.inst_loc, 0);
	}
	rc = CTMON_ENOMEM;
	if (!v)
		goto out;
	v->defaults = defaults;
	defaults = NULL;
	if (group && (rc = view_build_children(v, group, 0)) != CTMON_OK)
		goto out;
	rc = view_build_children(v, config_root_setting(v->defaults), 1);
	if (rc != CTMON_OK)
		goto out;
	ctm_cfg_view_free(inst->pconf);
	inst->pconf = v;
	v = NULL;
out:
	if (rc == CTMON_ENOMEM)
		snprintf(err->text, sizeof err->text, "%s: out of memory",
			 x.inst_loc);
	ctm_cfg_view_free(v);
	if (defaults) {
		config_destroy(defaults);
		free(defaults);
	}
	free(names);
	return rc;
}

/* ---- --plugin-help ---------------------------------------------------- */

static void flags_text(unsigned flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s",
		 (flags & CTMON_OPTF_REQUIRED) ? "required" : "",
		 (flags & CTMON_OPTF_REQUIRED) && (flags & CTMON_OPTF_SECRET)
			 ? ","
			 : "",
		 (flags & CTMON_OPTF_SECRET) ? "secret" : "");
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* Secrets' defaults are never shown, even in help. */
static const char *default_text(const struct ctmon_option *o)
{
	if (!o->default_value)
		return "-";
	if (o->flags & CTMON_OPTF_SECRET)
		return "(hidden)";
	return o->default_value;
}

void ctm_config_print_options(FILE *fp, const struct ctmon_option *opts,
			      size_t n_opts, size_t opt_size)
{
	int wn = 4, wt = 4, wd = 7, wf = 5;
	struct ctmon_option o;
	char flags[32];

	if (!opts || n_opts == 0 || opt_size == 0) {
		fprintf(fp, "  (no options)\n");
		return;
	}
	for (size_t k = 0; k < n_opts; k++) {
		const char *t;
		opt_at(opts, opt_size, k, &o);
		t = opt_type_name(o.type);
		flags_text(o.flags, flags, sizeof flags);
		if (o.name && (int)strlen(o.name) > wn)
			wn = (int)strlen(o.name);
		if (t && (int)strlen(t) > wt)
			wt = (int)strlen(t);
		if ((int)strlen(default_text(&o)) > wd)
			wd = (int)strlen(default_text(&o));
		if ((int)strlen(flags) > wf)
			wf = (int)strlen(flags);
	}
	if (wd > 32)
		wd = 32; /* long defaults overflow their column, not the table */
	fprintf(fp, "  %-*s  %-*s  %-*s  %-*s  %s\n", wn, "NAME", wt, "TYPE",
		wd, "DEFAULT", wf, "FLAGS", "HELP");
	for (size_t k = 0; k < n_opts; k++) {
		const char *t;
		opt_at(opts, opt_size, k, &o);
		t = opt_type_name(o.type);
		flags_text(o.flags, flags, sizeof flags);
		fprintf(fp, "  %-*s  %-*s  %-*s  %-*s  %s\n", wn,
			o.name ? o.name : "?", wt, t ? t : "?", wd,
			default_text(&o), wf, flags, o.help ? o.help : "");
	}
}
