/* engine_malformed.c - certificates whose names are not valid host names.
 * A label over 63 bytes, a NUL, raw UTF-8: that is what an attack or a
 * broken CA produces, so such a name is never dropped in silence.  Its
 * readable form (names.h: ctm_name_lenient) is matched against the
 * monitored domains; a match stores the certificate like any other and
 * raises one `malformed_certificate` alert (high) per domain, naming the
 * names and what is wrong with them.  The malformed names themselves are
 * kept out of the issuance's names: they are no subdomain to resolve. */
#include "engine_malformed.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "names.h"
#include "util.h"

#define ALERT_TYPE "malformed_certificate"

void ctm_malformed_free(struct ctm_malformed *m)
{
	ctm_strv_free(m->names);
	free(m->reasons);
	memset(m, 0, sizeof *m);
}

int ctm_malformed_add(struct ctm_malformed *m, const char *raw)
{
	char readable[1024];
	const char *reason = NULL, **grown;

	if (ctm_name_lenient(raw, readable, sizeof readable, &reason) != 0)
		return CTMON_OK; /* an e-mail address, an organisation name */
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->names[i], readable) == 0)
			return CTMON_OK;
	grown = realloc(m->reasons, (m->n + 1) * sizeof *grown);
	if (!grown)
		return CTMON_ENOMEM;
	m->reasons = grown;
	if (ctm_strv_push(&m->names, readable) != 0)
		return CTMON_ENOMEM;
	m->reasons[m->n++] = reason;
	return CTMON_OK;
}

int ctm_malformed_matches(const struct ctm_malformed *m, const char *domain)
{
	for (size_t i = 0; i < m->n; i++)
		if (ctm_name_matches(m->names[i], domain))
			return 1;
	return 0;
}

/* "crt.sh id 42", "log X entry 7", or the fingerprint: where to look. */
static void describe_record(const struct ctmon_cert *c, struct ctm_buf *b)
{
	if (c->crtsh_id > 0)
		ctm_buf_printf(b, "crt.sh id %lld", (long long)c->crtsh_id);
	else if (c->log_id && c->log_index >= 0)
		ctm_buf_printf(b, "log %s entry %lld", c->log_id,
			       (long long)c->log_index);
	else if (c->fingerprint)
		ctm_buf_printf(b, "certificate %s", c->fingerprint);
	else
		ctm_buf_puts(b, "a certificate");
}

int ctm_malformed_alert(struct ctm_engine *e, struct ctm_rt *src,
			const struct ctm_malformed *m,
			const struct ctmon_cert *c, int64_t issuance_id,
			const char *domain)
{
	struct ctmon_alert_sink sink = {e, src, NULL};
	struct ctmon_alert a;
	struct ctm_buf details, where;
	char key[32];
	int rc = CTMON_ENOMEM;

	ctm_buf_init(&details);
	ctm_buf_init(&where);
	describe_record(c, &where);
	ctm_buf_puts(&details, "{\"malformed_names\":[");
	for (size_t i = 0, k = 0; i < m->n; i++) {
		if (!ctm_name_matches(m->names[i], domain))
			continue;
		ctm_buf_puts(&details, k++ ? ",{\"name\":" : "{\"name\":");
		ctm_buf_json_string(&details, m->names[i]);
		ctm_buf_puts(&details, ",\"problem\":");
		ctm_buf_json_string(&details, m->reasons[i]);
		ctm_buf_puts(&details, "}");
		ctm_log(CTMON_LOG_WARN, src->host.prefix,
			"%s has a malformed name under %s: %s (%s)",
			where.data ? where.data : "?", domain, m->names[i],
			m->reasons[i]);
	}
	ctm_buf_puts(&details, "],\"record\":");
	ctm_buf_json_string(&details, where.data ? where.data : "");
	ctm_buf_puts(&details, "}");
	if (details.oom || where.oom)
		goto out;
	snprintf(key, sizeof key, "%lld", (long long)issuance_id);
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = ALERT_TYPE;
	a.severity = CTMON_SEV_HIGH;
	a.domain = domain;
	a.key = key;
	a.details_json = details.data;
	a.issuance_id = issuance_id;
	rc = ctm_engine_store_alert(&sink, &a);
out:
	ctm_buf_free(&details);
	ctm_buf_free(&where);
	return rc;
}
