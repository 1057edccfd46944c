/*
 * fakehost.h - an in-memory ctmon host for testing one plugin.
 *
 * The fake host implements the whole struct ctmon_host_api of
 * <ctmon/plugin.h> without a database, a network or a real clock, so a
 * plugin's unit tests can drive it call by call and look at everything it
 * did.  It loads the *built* .so through ctmon's real loader and validates
 * the plugin's options with ctmon's real option validation, so the entry
 * point, the ABI checks and the option table are exercised as in ctmon.
 *
 * A typical check test:
 *
 *   struct fh_host *fh = fh_new();
 *   char err[1024];
 *   if (fh_load(fh, "/path/short_lived.so", "threshold_hours = 12;",
 *               err, sizeof err) != CTMON_OK) ... err says why ...
 *   fh_set_now(fh, 1700000000);
 *   fh_on_issuance(fh, &issuance);
 *   assert fh_alert_count(fh) == 1, fh_alert(fh, 0)->severity, ...
 *   fh_free(fh);
 *
 * What the fake does in place of the core, member by member:
 *  - log/vlog: lines are captured (fh_log_*) and echoed to stderr.
 *  - set_error: kept as the text of the current call (fh_last_error).
 *  - now: the settable clock (fh_set_now); monotonic_ns starts at 1 s and
 *    advances only through sleep_ms; sleep_ms never sleeps, it adds to
 *    fh_slept_ms; should_stop follows fh_set_stop.
 *  - cfg_*: ctmon's real config accessors on the validated snippet.
 *  - http_*: no network.  Requests are recorded (one record per attempt)
 *    and answered from canned responses (fh_http_respond).  The retry
 *    policy is ctmon's (408, 429, 500, 502, 503, 504, "no response" and a
 *    sink's CTMON_EAGAIN/EIO/EFORMAT are retried;
 *    Retry-After honoured, capped at max_ms) with backoff base_ms *
 *    2^(attempt-1) and no jitter; backoff goes to fh_slept_ms.  Sinks get
 *    begin/data/end with the body cut into chunks (fh_http_set_chunk).
 *  - rate_limit: counts calls (fh_rate_limit_calls), never blocks.
 *  - state_*: an in-memory key/value map (fh_state_value, fh_state_put).
 *  - sources: fh_collect runs collect() with a watch set made of the
 *    domains given; certificates are deep-copied; batches and cursors
 *    follow the ABI (explicit batches kept on commit, dropped on abort;
 *    the implicit batch kept only if collect returns CTMON_OK).
 *  - emit_warning: captured (fh_warning_*) and logged.
 *  - emit_alert: validated like ctmon does (type, domain, key present,
 *    severity known) and details_json must parse as a JSON object (NULL is
 *    "{}"); an alert failing this is refused with CTMON_EINVAL or
 *    CTMON_EFORMAT, logged as an error, and makes the fh_on_* call that
 *    caused it return CTMON_EFORMAT even if the plugin ignored the refusal.
 *    Alerts are unique on (type, domain, key) like ctmon's store: a repeat
 *    is not stored again but counted (fh_duplicate_alert_count).  Stored
 *    alerts are complete: id, created_at (the fake clock), baseline (the
 *    issuance's flag) and json are filled; details_json is kept exactly as
 *    the plugin gave it (the real core adds an "issuance" member; the fake
 *    does not).
 *  - watch_add: normalised, wildcards refused, kept (fh_watch_*).
 *  - ca_count / ca_is_authorized: the list given with
 *    fh_add_authorized_ca; DNs compared with ctmon's DN canonicalisation.
 *  - dn_equal: ctmon's.
 *  - foreach_issuance / name_covered_until: over the issuances given with
 *    fh_add_issuance, with the semantics documented in <ctmon/plugin.h>.
 * ABI 1.1 members:
 *  - source_alert: validated and stored like emit_alert (same refusals,
 *    same uniqueness, read with fh_alert_count etc.; baseline 0); also
 *    refused (CTMON_EINVAL) when issuance_id is not 0.  Raised inside a
 *    batch, the alert is kept or dropped with that batch; raised outside
 *    one, with the implicit batch.  A refused one makes fh_collect return
 *    CTMON_EFORMAT.
 *  - domain_get: the domains given with fh_add_domain, in order.
 *  - dns_result: the results given with fh_set_dns_result.
 *  - http_set_ca_file: the path is recorded with each attempt
 *    (fh_http_request_ca_file); the fake has no TLS and never reads it.
 *  - deliver_progress / deliver_retry_after: recorded during fh_deliver
 *    (fh_deliver_progress, fh_deliver_retry_after); CTMON_EINVAL outside
 *    deliver(), for n greater than the batch, or for negative seconds.
 *
 * Ownership: every pointer the fake returns stays valid until fh_free
 * (or, for fh_last_error, until the next call into the plugin).  What you
 * pass in is copied.  Functions returning int return CTMON_OK or a
 * negative enum ctmon_rc.  One struct fh_host hosts one plugin instance;
 * host API members may be called from any thread, fh_* functions from the
 * test's thread.
 */
#ifndef CTMON_FAKEHOST_H
#define CTMON_FAKEHOST_H

#include <stddef.h>
#include <stdint.h>

#include "ctmon/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

struct fh_host;

/* ---- Life cycle --------------------------------------------------------- */

/* A fresh fake host: clock at FH_DEFAULT_NOW, nothing stored.  NULL on
 * ENOMEM. */
#define FH_DEFAULT_NOW ((int64_t)1700000000) /* 2023-11-14T22:13:20Z */
struct fh_host *fh_new(void);

/* Stops (stop()) and destroys the plugin instance if one was created,
 * unloads the .so and frees everything.  NULL is allowed. */
void fh_free(struct fh_host *fh);

/*
 * Loads the plugin at so_path (a path with a '/') through ctmon's loader,
 * validates config_snippet - the *contents* of the instance's `config`
 * group in libconfig syntax, e.g. "threshold_hours = 12;", or NULL/"" for
 * none - against the plugin's option table with ctmon's validation
 * (defaults applied), then calls create() and start().  The instance id is
 * the plugin's name.  Config errors name the place as "<built-in>:LINE"
 * (ctmon's name for text that came from no file), LINE counting from 1 at
 * the snippet's first line.
 * On failure returns the rc (CTMON_ECONFIG for loader and validation
 * errors, create()'s or start()'s rc otherwise) and writes the reason into
 * err (errlen bytes; err may be NULL).  Only one load per fh_host.
 */
int fh_load(struct fh_host *fh, const char *so_path,
	    const char *config_snippet, char *err, size_t errlen);

/* The loaded plugin's descriptor (a host-side copy), or NULL. */
const struct ctmon_plugin *fh_plugin(const struct fh_host *fh);

/* The host API table and this instance's handle, for tests that call
 * host members directly (as a plugin would). */
const struct ctmon_host_api *fh_api(void);
struct ctmon_host *fh_handle(struct fh_host *fh);

/* ---- Clock and stop flag ------------------------------------------------ */

/* Sets the wall clock api->now returns (seconds since the epoch). */
void fh_set_now(struct fh_host *fh, int64_t t);
int64_t fh_now(const struct fh_host *fh);
/* Makes should_stop return `stop`; sleep_ms and rate_limit then return
 * CTMON_ESTOPPED. */
void fh_set_stop(struct fh_host *fh, int stop);
/* Total milliseconds the plugin asked to sleep (sleep_ms and HTTP retry
 * backoff). */
int64_t fh_slept_ms(const struct fh_host *fh);
/* Number of rate_limit calls. */
size_t fh_rate_limit_calls(const struct fh_host *fh);

/* ---- The store behind the check API ------------------------------------- */

/* Adds an issuance (deep copy, including its cert) to the in-memory store
 * behind foreach_issuance and name_covered_until.  is->domain and is->cert
 * are required; names should be normalised as the core would (lower case,
 * wildcards as "*.x").  To have an issuance under two monitored domains,
 * add it once per domain.  CTMON_EINVAL or CTMON_ENOMEM on failure. */
int fh_add_issuance(struct fh_host *fh, const struct ctmon_issuance *is);
size_t fh_issuance_count(const struct fh_host *fh);

/* Records an authorised CA as --add-ca would: for `domain`, or for every
 * domain when domain is NULL; by crt.sh CA id (ca_id > 0) and/or issuer DN
 * (dn non-NULL).  ca_count counts the entries that apply to a domain
 * (global + its own); ca_is_authorized matches either the id or the DN. */
int fh_add_authorized_ca(struct fh_host *fh, const char *domain,
			 int64_t ca_id, const char *dn);

/* Adds a monitored domain, served by domain_get in the order added.  It
 * is normalised as ctmon's configuration does (lower case, no trailing
 * dot); adding it again changes nothing.  CTMON_EINVAL for a wildcard or
 * a name ctmon's configuration refuses (non-ASCII: give the A-label). */
int fh_add_domain(struct fh_host *fh, const char *domain);

/* Sets the DNS result dns_result returns for `name` (normalised; a later
 * call for the same name replaces it, though strings a plugin got from
 * the earlier one stay valid).  status is one of those struct
 * ctmon_dns_result lists ("resolved", "nxdomain", "nodata", "timeout",
 * "servfail", "dangling_cname", "error"); addresses and cname are
 * NULL-terminated lists (NULL for none) and reach the plugin as lists with
 * their counts; resolved_at is the fake clock at the time of this call.
 * A name never set gives CTMON_ENOTFOUND, like a name ctmon never
 * resolved.  CTMON_EINVAL for an unknown status, a wildcard or an invalid
 * name. */
int fh_set_dns_result(struct fh_host *fh, const char *name,
		      const char *status, const char *const *addresses,
		      const char *const *cname);

/* Per-instance state (state_get/put/delete): preset or read a value.
 * fh_state_value returns NULL when the key is absent. */
int fh_state_put(struct fh_host *fh, const char *key, const char *value);
const char *fh_state_value(const struct fh_host *fh, const char *key);

/* ---- Driving the plugin ------------------------------------------------- */
/* Each returns the callback's rc, CTMON_EUNSUPPORTED when the plugin is not
 * loaded, is of another kind or lacks that optional callback, or
 * CTMON_EFORMAT when the callback emitted an invalid alert (see above).
 * fh_last_error() gives the text the plugin set with set_error. */

/* Check: on_issuance with `is` (borrowed for the call, as in ctmon). */
int fh_on_issuance(struct fh_host *fh, const struct ctmon_issuance *is);
/* Check: on_cycle. */
int fh_on_cycle(struct fh_host *fh);
/* Check: watch(); the entries it adds are read with fh_watch_*. */
int fh_watch(struct fh_host *fh);
/* Check: on_any with a certificate that belongs to no issuance. */
int fh_on_any(struct fh_host *fh, const struct ctmon_cert *c);
/* Notifier: deliver(alerts, n), the alerts passed as given.  What the
 * plugin reports with deliver_progress and deliver_retry_after during the
 * call is read afterwards with fh_deliver_progress and
 * fh_deliver_retry_after. */
int fh_deliver(struct fh_host *fh, const struct ctmon_alert *const *alerts,
	       size_t n);
/* The n the plugin last passed to deliver_progress during the latest
 * fh_deliver, or -1 if it did not call it (ctmon then counts every alert
 * delivered on CTMON_OK and none on an error). */
int64_t fh_deliver_progress(const struct fh_host *fh);
/* The seconds last passed to deliver_retry_after during the latest
 * fh_deliver, or -1 if it did not call it. */
int64_t fh_deliver_retry_after(const struct fh_host *fh);
/* Source: collect() with a watch set of `n` monitored domains (each entry
 * pattern = domain = the name, tag "domain").  Independent of
 * fh_add_domain.  CTMON_EFORMAT when a source_alert was refused (the
 * batches are still kept or dropped by collect()'s own rc). */
int fh_collect(struct fh_host *fh, const char *const *watch_domains,
	       size_t n);

/* Text the plugin passed to set_error during the last fh_* call (or the
 * fake's own explanation), "" if none. */
const char *fh_last_error(const struct fh_host *fh);

/* ---- What the plugin produced ------------------------------------------- */

/* Stored alerts, unique on (type, domain, key), in emission order: a
 * check's, and a source's once their batch is kept. */
size_t fh_alert_count(const struct fh_host *fh);
const struct ctmon_alert *fh_alert(const struct fh_host *fh, size_t i);
/* The stored alert with that type, domain and key, or NULL. */
const struct ctmon_alert *fh_find_alert(const struct fh_host *fh,
					const char *type, const char *domain,
					const char *key);
/* Emitted alerts that repeated a stored (type, domain, key). */
size_t fh_duplicate_alert_count(const struct fh_host *fh);
/* Alerts refused because they were invalid. */
size_t fh_rejected_alert_count(const struct fh_host *fh);

/* Certificates of committed batches, in emission order. */
size_t fh_cert_count(const struct fh_host *fh);
const struct ctmon_cert *fh_cert(const struct fh_host *fh, size_t i);
/* Committed cursor value, or NULL.  fh_set_cursor presets one (as if a
 * previous run had committed it). */
const char *fh_cursor(const struct fh_host *fh, const char *key);
int fh_set_cursor(struct fh_host *fh, const char *key, const char *value);
/* Number of batch_commit and batch_abort calls that succeeded. */
size_t fh_batch_commits(const struct fh_host *fh);
size_t fh_batch_aborts(const struct fh_host *fh);

/* Source warnings (emit_warning), as "domain: text" ("-" for NULL). */
size_t fh_warning_count(const struct fh_host *fh);
const char *fh_warning(const struct fh_host *fh, size_t i);

/* Watch entries added by the check's watch(). */
size_t fh_watch_count(const struct fh_host *fh);
const struct ctmon_watch_entry *fh_watch_entry(const struct fh_host *fh,
					       size_t i);

/* ---- HTTP ---------------------------------------------------------------- */

/*
 * Adds a canned response for URLs starting with url_prefix.  A request is
 * answered by the registered prefix that matches longest; responses
 * registered for the same prefix are served in order, and the last one
 * keeps being served.  A request nothing matches fails like a refused
 * connection (CTMON_EIO, retried by the policy).  content_type and body may
 * be NULL.
 */
int fh_http_respond(struct fh_host *fh, const char *url_prefix, long status,
		    const char *content_type, const char *body);
/* Adds a response header ("Retry-After: 2") to the response registered
 * last. */
int fh_http_respond_header(struct fh_host *fh, const char *line);
/* Size of the pieces a sink's data() receives; default 4096. */
void fh_http_set_chunk(struct fh_host *fh, size_t bytes);

/* Requests performed, one per attempt, in order. */
size_t fh_http_request_count(const struct fh_host *fh);
const char *fh_http_request_url(const struct fh_host *fh, size_t i);
const char *fh_http_request_method(const struct fh_host *fh, size_t i);
/* The request's body ("" if none) and a request header's value by
 * case-insensitive name (NULL if not set). */
const char *fh_http_request_body(const struct fh_host *fh, size_t i);
const char *fh_http_request_header(const struct fh_host *fh, size_t i,
				   const char *name);
/* The CA file the request set with http_set_ca_file, or NULL if it kept
 * the system's CAs. */
const char *fh_http_request_ca_file(const struct fh_host *fh, size_t i);

/* ---- Logs ---------------------------------------------------------------- */

/* Captured log lines (the message text, without prefix) and levels. */
size_t fh_log_count(const struct fh_host *fh);
const char *fh_log_line(const struct fh_host *fh, size_t i);
enum ctmon_log_level fh_log_level(const struct fh_host *fh, size_t i);
/* Number of captured lines containing `substring`. */
size_t fh_log_contains(const struct fh_host *fh, const char *substring);

#ifdef __cplusplus
}
#endif

#endif /* CTMON_FAKEHOST_H */
