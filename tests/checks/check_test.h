/* check_test.h - what the check plugins' tests share: loading a built
 * check into the fake host, building issuances, reading an alert's
 * details.  Included by one test file each; everything is static inline. */
#ifndef CTM_CHECK_TEST_H
#define CTM_CHECK_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "ctmon/plugin.h"
#include "fakehost.h"

#define DAY ((int64_t)86400)
#define HOUR ((int64_t)3600)
#define NOW FH_DEFAULT_NOW

/* Loads `plugin` with the config snippet; fails the test if it does not
 * load. */
static inline struct fh_host *ct_load(const char *plugin, const char *snippet)
{
	struct fh_host *fh = fh_new();
	char path[512], err[1024] = "";
	int rc;

	assert_non_null(fh);
	snprintf(path, sizeof path, "%s/%s.so", CTM_PLUGIN_BUILD_DIR, plugin);
	rc = fh_load(fh, path, snippet, err, sizeof err);
	if (rc != CTMON_OK)
		fail_msg("loading %s with \"%s\": %s", plugin,
			 snippet ? snippet : "", err);
	return fh;
}

/* Loads `plugin` expecting a config error; returns the message in err. */
static inline int ct_load_error(const char *plugin, const char *snippet,
				char *err, size_t len)
{
	struct fh_host *fh = fh_new();
	char path[512];
	int rc;

	assert_non_null(fh);
	snprintf(path, sizeof path, "%s/%s.so", CTM_PLUGIN_BUILD_DIR, plugin);
	err[0] = '\0';
	rc = fh_load(fh, path, snippet, err, len);
	fh_free(fh);
	return rc;
}

/* Asserts that `text` contains `needle`, showing both when it does not. */
#define ct_assert_contains(text, needle)                                     \
	do {                                                                 \
		const char *t_ = (text), *n_ = (needle);                     \
		if (!t_ || !strstr(t_, n_))                                  \
			fail_msg("\"%s\" does not contain \"%s\"",           \
				 t_ ? t_ : "(null)", n_);                    \
	} while (0)

/* An issuance and its certificate, filled by ct_issuance. */
struct ct_iss {
	struct ctmon_cert cert;
	struct ctmon_issuance is;
	int64_t crtsh_id;
};

static inline void ct_issuance(struct ct_iss *x, int64_t id,
			       const char *domain, const char *const *names,
			       size_t n_names, int64_t not_before,
			       int64_t not_after)
{
	memset(x, 0, sizeof *x);
	x->crtsh_id = 1000 + id;
	x->cert.size = sizeof x->cert;
	x->cert.crtsh_id = x->crtsh_id;
	x->cert.log_index = -1;
	x->cert.issuer_dn = "C=US, O=Let's Encrypt, CN=R3";
	x->cert.issuer_ca_id = 183267;
	x->cert.names = names;
	x->cert.n_names = n_names;
	x->cert.serial = "0a1b2c";
	x->cert.not_before = not_before;
	x->cert.not_after = not_after;
	x->cert.is_precert = 0;
	x->is.size = sizeof x->is;
	x->is.id = id;
	x->is.domain = domain;
	x->is.cert = &x->cert;
	x->is.crtsh_ids = &x->crtsh_id;
	x->is.n_crtsh_ids = 1;
	x->is.names = names;
	x->is.n_names = n_names;
}

/* The alert's details, asserted to be a JSON object.  json_object_put it. */
static inline struct json_object *ct_details(const struct ctmon_alert *a)
{
	struct json_object *o;

	assert_non_null(a);
	assert_non_null(a->details_json);
	o = json_tokener_parse(a->details_json);
	if (!o || !json_object_is_type(o, json_type_object))
		fail_msg("details are not a JSON object: %s", a->details_json);
	return o;
}

/* Member `key` of `o`, asserted present and of type `type`. */
static inline struct json_object *ct_member(struct json_object *o,
					    const char *key,
					    enum json_type type)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("details have no \"%s\": %s", key,
			 json_object_to_json_string(o));
	if (!json_object_is_type(v, type))
		fail_msg("details \"%s\" has the wrong type: %s", key,
			 json_object_to_json_string(o));
	return v;
}

static inline const char *ct_str(struct json_object *o, const char *key)
{
	return json_object_get_string(ct_member(o, key, json_type_string));
}

static inline int64_t ct_int(struct json_object *o, const char *key)
{
	return json_object_get_int64(ct_member(o, key, json_type_int));
}

static inline double ct_double(struct json_object *o, const char *key)
{
	return json_object_get_double(ct_member(o, key, json_type_double));
}

static inline int ct_bool(struct json_object *o, const char *key)
{
	return json_object_get_boolean(ct_member(o, key, json_type_boolean));
}

#endif
