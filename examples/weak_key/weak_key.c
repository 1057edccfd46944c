/* weak_key.c - an example ctmon check, built outside ctmon's tree against
 * the installed SDK.  It raises
 *   weak_key            (high) for an RSA key below min_rsa_bits, read
 *                       from the certificate's DER; a source that gives no
 *                       DER (crt.sh) gives nothing to judge, so no alert;
 *   issuer_not_allowed  (high) when `issuers` is set, CAA-style, and the
 *                       certificate's issuer organisation is not in it.
 * Everything it reads from a certificate is attacker-controlled: it only
 * ever reaches the alert escaped as JSON (jw.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ctmon/plugin.h>

#include "cert_facts.h"
#include "jw.h"

struct weak_key {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	const struct ctmon_config *config; /* strings borrowed until destroy */
	int64_t min_rsa_bits;
	size_t n_issuers;
};

static const struct ctmon_option weak_key_options[] = {
	{"min_rsa_bits", CTMON_OPT_INT, "2048", 0,
	 "RSA keys shorter than this many bits raise weak_key"},
	{"issuers", CTMON_OPT_STRING_LIST, "[]", 0,
	 "issuer organisations (O=) allowed, like a CAA record; "
	 "empty: no issuer check"},
};

static int weak_key_create(struct ctmon_host *host,
			   const struct ctmon_host_api *api,
			   const struct ctmon_config *config, void **state)
{
	struct weak_key *st;
	int64_t bits = 0;
	size_t n = 0;

	*state = NULL;
	/* The core applied the defaults, so both keys are present. */
	if (api->cfg_int(config, "min_rsa_bits", &bits) != CTMON_OK ||
	    api->cfg_list_len(config, "issuers", &n) != CTMON_OK)
		return CTMON_ECONFIG;
	if (bits < 512 || bits > 16384) {
		api->set_error(host,
			       "%s: option \"min_rsa_bits\": %" PRId64
			       " is out of range (512-16384)",
			       api->cfg_where(config, "min_rsa_bits"), bits);
		return CTMON_ECONFIG;
	}
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	st->config = config;
	st->min_rsa_bits = bits;
	st->n_issuers = n;
	*state = st;
	return CTMON_OK;
}

static void weak_key_destroy(void *state) { free(state); }

static int emit(struct weak_key *st, const struct ctmon_issuance *is,
		const char *type, struct jw *details,
		struct ctmon_alert_sink *out)
{
	struct ctmon_alert a;
	char key[32];

	if (!jw_text(details))
		return CTMON_ENOMEM;
	snprintf(key, sizeof key, "%" PRId64, is->id);
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = type;
	a.severity = CTMON_SEV_HIGH;
	a.domain = is->domain;
	a.key = key; /* one alert of each type per issuance */
	a.details_json = jw_text(details);
	a.issuance_id = is->id;
	return st->api->emit_alert(out, &a);
}

static int check_key(struct weak_key *st, const struct ctmon_issuance *is,
		     struct ctmon_alert_sink *out)
{
	const struct ctmon_cert *c = is->cert;
	struct cert_key k;
	struct jw d = {0};
	int rc;

	if (!c->der || c->der_len == 0)
		return CTMON_OK;
	if (cert_key_from_der(c->der, c->der_len, &k) != 0) {
		st->api->log(st->host, CTMON_LOG_WARN,
			     "issuance %" PRId64 ": DER does not parse as a "
			     "certificate; key not checked", is->id);
		return CTMON_OK;
	}
	if (!k.is_rsa || k.bits >= st->min_rsa_bits)
		return CTMON_OK;
	jw_raw(&d, "{\"key_type\":");
	jw_str(&d, k.type);
	jw_raw(&d, ",\"key_bits\":");
	jw_int(&d, k.bits);
	jw_raw(&d, ",\"min_rsa_bits\":");
	jw_int(&d, st->min_rsa_bits);
	jw_raw(&d, ",\"subject_cn\":");
	jw_str(&d, c->subject_cn);
	jw_raw(&d, "}");
	rc = emit(st, is, "weak_key", &d, out);
	jw_free(&d);
	return rc;
}

static int issuer_allowed(const struct weak_key *st, const char *org)
{
	for (size_t i = 0; i < st->n_issuers; i++) {
		const char *allowed = NULL;

		if (st->api->cfg_list_string(st->config, "issuers", i,
					     &allowed) == CTMON_OK &&
		    strcasecmp(allowed, org) == 0)
			return 1;
	}
	return 0;
}

static int check_issuer(struct weak_key *st, const struct ctmon_issuance *is,
			struct ctmon_alert_sink *out)
{
	const struct ctmon_cert *c = is->cert;
	char org[512];
	struct jw d = {0};
	int rc, found;

	if (st->n_issuers == 0)
		return CTMON_OK;
	/* The DER is what the CA signed; the DN text is a source's rendering
	 * of it, used only when there is no DER. */
	if (c->der && c->der_len)
		found = cert_issuer_org_from_der(c->der, c->der_len, org,
						 sizeof org) == 0;
	else
		found = cert_issuer_org_from_text(c->issuer_dn, org,
						  sizeof org) == 0;
	if (!found) /* nothing to compare: unauthorized_ca's business */
		return CTMON_OK;
	if (issuer_allowed(st, org))
		return CTMON_OK;
	jw_raw(&d, "{\"issuer_organization\":");
	jw_str(&d, org);
	jw_raw(&d, ",\"issuer_dn\":");
	jw_str(&d, c->issuer_dn);
	jw_raw(&d, ",\"allowed_issuers\":[");
	for (size_t i = 0; i < st->n_issuers; i++) {
		const char *allowed = NULL;

		if (st->api->cfg_list_string(st->config, "issuers", i,
					     &allowed) != CTMON_OK)
			continue;
		jw_raw(&d, i ? "," : "");
		jw_str(&d, allowed);
	}
	jw_raw(&d, "]}");
	rc = emit(st, is, "issuer_not_allowed", &d, out);
	jw_free(&d);
	return rc;
}

static int weak_key_on_issuance(void *state, const struct ctmon_issuance *is,
				struct ctmon_alert_sink *out)
{
	struct weak_key *st = state;
	int rc;

	if (!is || !is->cert)
		return CTMON_EINVAL;
	rc = check_key(st, is, out);
	if (rc == CTMON_OK)
		rc = check_issuer(st, is, out);
	return rc;
}

static const struct ctmon_check_ops weak_key_ops = {
	.size = sizeof(struct ctmon_check_ops),
	.on_issuance = weak_key_on_issuance,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_CHECK, "weak_key", "1.0.0",
		    "Alert on short RSA keys and on issuers outside a list",
		    weak_key_options, weak_key_create, NULL, NULL,
		    weak_key_destroy, &weak_key_ops)
