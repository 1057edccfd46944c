/* ct_loglist.c - see ct_loglist.h. */
#include "ct_loglist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctmon/plugin.h"

static const char *str_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void logdef_clear(struct ct_logdef *d)
{
	free(d->name);
	free(d->url);
	free(d->submission_url);
	free(d->key_b64);
	free(d->log_id_b64);
	memset(d, 0, sizeof *d);
}

int ct_logdef_push(struct ct_logdef **v, size_t *n, const struct ct_logdef *d)
{
	struct ct_logdef *nv = realloc(*v, (*n + 1) * sizeof *nv), *c;

	if (!nv)
		return CTMON_ENOMEM;
	*v = nv;
	c = &nv[*n];
	*c = *d;
	c->name = dup_or_null(d->name);
	c->url = dup_or_null(d->url);
	c->submission_url = dup_or_null(d->submission_url);
	c->key_b64 = dup_or_null(d->key_b64);
	c->log_id_b64 = dup_or_null(d->log_id_b64);
	if ((d->name && !c->name) || (d->url && !c->url) ||
	    (d->submission_url && !c->submission_url) ||
	    (d->key_b64 && !c->key_b64) ||
	    (d->log_id_b64 && !c->log_id_b64)) {
		logdef_clear(c);
		return CTMON_ENOMEM;
	}
	(*n)++;
	return CTMON_OK;
}

void ct_logdefs_free(struct ct_logdef *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		logdef_clear(&v[i]);
	free(v);
}

/* The single member of "state", with readonly's final tree head. */
static void read_state(struct json_object *log, struct ct_logdef *d)
{
	struct json_object *st, *inner, *fth, *v;

	d->state[0] = '\0';
	if (!json_object_object_get_ex(log, "state", &st) ||
	    !json_object_is_type(st, json_type_object))
		return;
	json_object_object_foreach(st, key, val)
	{
		snprintf(d->state, sizeof d->state, "%s", key);
		inner = val;
		if (strcmp(key, "readonly") == 0 &&
		    json_object_object_get_ex(inner, "final_tree_head", &fth) &&
		    json_object_object_get_ex(fth, "tree_size", &v) &&
		    json_object_is_type(v, json_type_int) &&
		    json_object_get_int64(v) >= 0) {
			const char *root = str_member(fth, "sha256_root_hash");
			uint8_t buf[CT_HASH_LEN + 3];
			size_t bl = 0;
			if (root && strlen(root) == 44 &&
			    ct_b64_decode(root, 44, buf, &bl) == 0 &&
			    bl == CT_HASH_LEN) {
				d->has_final = 1;
				d->final_size =
					(uint64_t)json_object_get_int64(v);
				memcpy(d->final_root, buf, CT_HASH_LEN);
			}
		}
		break;
	}
}

static int wanted(const char *state, const char *const *states, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(states[i], state[0] ? state : "none") == 0)
			return 1;
	return 0;
}

static int add_logs(struct json_object *arr, int tiled,
		    const char *const *states, size_t n_states,
		    struct ct_logdef **v, size_t *n)
{
	size_t len = json_object_array_length(arr);

	for (size_t i = 0; i < len; i++) {
		struct json_object *log = json_object_array_get_idx(arr, i);
		struct ct_logdef d;
		const char *type, *url, *mon, *sub;
		int rc;
		if (!json_object_is_type(log, json_type_object))
			continue;
		memset(&d, 0, sizeof d);
		type = str_member(log, "log_type");
		url = str_member(log, "url");
		mon = str_member(log, "monitoring_url");
		sub = str_member(log, "submission_url");
		/* certspotter's rule: exactly one kind of URL. */
		if ((type && strcmp(type, "test") == 0) ||
		    (tiled ? (!mon || !sub || url) : (!url || mon || sub)))
			continue;
		read_state(log, &d);
		if (!wanted(d.state, states, n_states))
			continue;
		d.name = (char *)str_member(log, "description");
		d.key_b64 = (char *)str_member(log, "key");
		d.log_id_b64 = (char *)str_member(log, "log_id");
		d.proto = tiled ? CT_PROTO_STATIC : CT_PROTO_RFC6962;
		d.url = (char *)(tiled ? mon : url);
		d.submission_url = (char *)(tiled ? sub : NULL);
		if (!d.key_b64)
			continue;
		if (!d.name)
			d.name = d.url;
		rc = ct_logdef_push(v, n, &d);
		if (rc != CTMON_OK)
			return rc;
	}
	return CTMON_OK;
}

int ct_loglist_parse(const char *json, size_t len, const char *const *states,
		     size_t n_states, struct ct_logdef **v, size_t *n,
		     char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = NULL, *ops, *arr;
	int rc = CTMON_EFORMAT;

	if (!tok)
		return CTMON_ENOMEM;
	if (len <= (size_t)INT32_MAX)
		o = json_tokener_parse_ex(tok, json, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_object_get_ex(o, "operators", &ops) ||
	    !json_object_is_type(ops, json_type_array)) {
		snprintf(err, errlen, "log list: not a v3 list (no operators)");
		goto out;
	}
	rc = CTMON_OK;
	for (size_t i = 0; i < json_object_array_length(ops) && !rc; i++) {
		struct json_object *op = json_object_array_get_idx(ops, i);
		if (json_object_object_get_ex(op, "logs", &arr) &&
		    json_object_is_type(arr, json_type_array))
			rc = add_logs(arr, 0, states, n_states, v, n);
		if (!rc && json_object_object_get_ex(op, "tiled_logs", &arr) &&
		    json_object_is_type(arr, json_type_array))
			rc = add_logs(arr, 1, states, n_states, v, n);
	}
out:
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}
