/*
 * ctmon/plugin.h - the whole plugin ABI of ctmon.
 *
 * A ctmon plugin is a shared object exporting exactly one symbol,
 * ctmon_plugin_entry(), defined with CTMON_PLUGIN_DEFINE().  Everything the
 * plugin may do with the host goes through the struct ctmon_host_api table
 * passed to create().  Plugins link nothing from the host.
 *
 * ABI policy (docs/plugin-abi.md): every struct that crosses the boundary
 * starts with a size field and only ever grows at its end; enums are
 * append-only; a new member means a minor bump, anything else a major bump.
 *
 * Ownership, for every declaration below:
 *  1. What the core passes in is borrowed until the callback returns
 *     (config strings: until destroy).  Copy what you keep.
 *  2. What a plugin passes to the core is copied before the call returns.
 *  3. Objects the core creates for a plugin are released with the matching
 *     core *_free function, never free().
 *  4. The descriptor, ops and option tables are static const data.
 *
 * Threads: the core never calls one instance concurrently with itself.
 * All host API functions may be called from any thread.
 * Plugins never call global init/cleanup of libcurl, OpenSSL or SQLite.
 */
#ifndef CTMON_PLUGIN_H
#define CTMON_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version, independent of the product version.  Since ABI 1.0. */
#define CTMON_PLUGIN_ABI_MAJOR 1
#define CTMON_PLUGIN_ABI_MINOR 2

#if defined(__GNUC__)
#define CTMON_EXPORT __attribute__((visibility("default")))
#define CTMON_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CTMON_EXPORT
#define CTMON_PRINTF(f, a)
#endif

/*
 * Return codes.  0 is success, errors are negative.  Append-only: values are
 * never renumbered or reused.  Findings (alerts) are results, not errors.
 * Since ABI 1.0.
 */
enum ctmon_rc {
	CTMON_OK = 0,
	CTMON_EINVAL = -1,      /* bad argument */
	CTMON_ECONFIG = -2,     /* configuration is wrong; not retryable */
	CTMON_ENOMEM = -3,      /* out of memory */
	CTMON_EIO = -4,         /* I/O or protocol failure; retryable */
	CTMON_ETIMEDOUT = -5,   /* deadline passed; retryable */
	CTMON_EAGAIN = -6,      /* temporary failure (429, 5xx); retryable */
	CTMON_EUNSUPPORTED = -7,/* not supported by this host or plugin */
	CTMON_EINTERNAL = -8,   /* bug */
	CTMON_EPERMANENT = -9,  /* permanent failure (4xx); do not retry */
	CTMON_ENOTFOUND = -10,  /* no such key / item */
	CTMON_ESTOPPED = -11,   /* the host is shutting down */
	CTMON_EFORMAT = -12     /* malformed input (JSON, DER, HTML body) */
};

/* Plugin kinds; 0 is invalid.  Since ABI 1.0. */
enum ctmon_kind {
	CTMON_KIND_SOURCE = 1,
	CTMON_KIND_CHECK = 2,
	CTMON_KIND_NOTIFIER = 3
};

/* Alert severities, ordered.  Since ABI 1.0. */
enum ctmon_severity {
	CTMON_SEV_INFO = 0,
	CTMON_SEV_LOW = 1,
	CTMON_SEV_MEDIUM = 2,
	CTMON_SEV_HIGH = 3,
	CTMON_SEV_CRITICAL = 4
};

/* Log levels.  Since ABI 1.0. */
enum ctmon_log_level {
	CTMON_LOG_ERROR = 0,
	CTMON_LOG_WARN = 1,
	CTMON_LOG_INFO = 2,
	CTMON_LOG_DEBUG = 3
};

/* Opaque handles, owned by the core.  Since ABI 1.0. */
struct ctmon_host;      /* one per plugin instance */
struct ctmon_config;    /* read-only view of the instance's config group */
struct ctmon_http_req;  /* an HTTP request/response */
struct ctmon_emitter;   /* a source's output for one collect() */
struct ctmon_watch;     /* the watch set, read by sources */
struct ctmon_watch_builder; /* the watch set, extended by checks */
struct ctmon_alert_sink;/* a check's output for one call */

/* ------------------------------------------------------------------------
 * Options: declared by the plugin, validated by the core before create().
 * ---------------------------------------------------------------------- */

/* Option value types.  Append-only.  Since ABI 1.0. */
enum ctmon_opt_type {
	CTMON_OPT_STRING = 1,
	CTMON_OPT_INT = 2,       /* 64-bit integer */
	CTMON_OPT_DOUBLE = 3,    /* an int is accepted too */
	CTMON_OPT_BOOL = 4,
	CTMON_OPT_STRING_LIST = 5,/* array or list of strings */
	CTMON_OPT_INT_LIST = 6,  /* array or list of integers */
	CTMON_OPT_GROUP = 7,     /* free-form group the plugin reads itself */
	CTMON_OPT_GROUP_LIST = 8 /* list of groups, read with cfg_list_group */
};

/* Option flags.  Since ABI 1.0. */
#define CTMON_OPTF_REQUIRED 0x1u /* missing key is a config error */
#define CTMON_OPTF_SECRET 0x2u   /* redacted in logs and dumps */

/*
 * One option of a plugin's config group.  Arrays of these are strided by
 * struct ctmon_plugin.option_size, so entries may grow at the end.
 * default_value is the text shown by --plugin-help and applied by the core
 * when the key is absent ("30", "true", "[\"a\", \"b\"]"), or NULL.
 * Since ABI 1.0.
 */
struct ctmon_option {
	const char *name;          /* [a-z0-9_]+ */
	enum ctmon_opt_type type;
	const char *default_value;
	unsigned flags;            /* CTMON_OPTF_* */
	const char *help;          /* one line */
};

/* ------------------------------------------------------------------------
 * Data passed across the boundary.  All pointers inside are borrowed.
 * ---------------------------------------------------------------------- */

/*
 * A certificate record, as a source emits it and as checks see it.
 * Strings are NUL-terminated UTF-8 (or NULL when unknown); times are UTC
 * seconds since the epoch (0 = unknown).  Since ABI 1.0.
 */
struct ctmon_cert {
	size_t size;                /* sizeof(struct ctmon_cert) of the writer */
	int64_t crtsh_id;           /* crt.sh certificate id, 0 if none */
	const char *log_id;         /* base64 CT log id, or NULL */
	int64_t log_index;          /* entry index in that log, -1 if none */
	const char *fingerprint;    /* lower-case hex SHA-256 of the DER, or NULL */
	const char *issuer_dn;      /* issuer distinguished name */
	int64_t issuer_ca_id;       /* crt.sh CA id; 0 unknown, -1 not found */
	const char *subject_cn;     /* subject common name, or NULL */
	const char *const *names;   /* DNS names as given (core normalises) */
	size_t n_names;
	const char *serial;         /* lower-case hex, or NULL */
	int64_t not_before;
	int64_t not_after;
	int64_t entry_timestamp;    /* when logged, 0 if unknown */
	int is_precert;             /* 1 precert, 0 final, -1 unknown */
	const uint8_t *der;         /* DER if the source has it, or NULL */
	size_t der_len;
	const char *tbs_hash;       /* hex SHA-256 of the TBS without CT
	                               extensions (pairs precert/cert), or NULL */
};

/*
 * One issuance of a monitored domain, as a check sees it: a precertificate
 * and its final certificate are one issuance.  `cert` is the first record
 * seen; `names` are normalised (lower case, no trailing dot, A-labels) and
 * restricted to `domain`.  Since ABI 1.0.
 */
struct ctmon_issuance {
	size_t size;
	int64_t id;                   /* store id of the issuance */
	const char *domain;           /* the monitored domain it falls under */
	const struct ctmon_cert *cert;
	const int64_t *crtsh_ids;     /* every crt.sh id of the issuance */
	size_t n_crtsh_ids;
	const char *const *names;     /* normalised names under `domain` */
	size_t n_names;
	const char *const *new_names; /* names first seen in this issuance
	                                 (wildcards given as their base) */
	size_t n_new_names;
	int baseline;                 /* 1 during the domain's first cycle */
};

/*
 * An alert.  A check fills type, severity, domain, key, details_json and
 * issuance_id and passes it to emit_alert (the core copies it).  A notifier
 * receives complete alerts, every field filled.  `key` makes the alert
 * unique: the same (type, domain, key) is stored once.  details_json is a
 * JSON object; the core adds an "issuance" member with the issuance's
 * crt.sh ids, fingerprint, issuer, names and validity.  Since ABI 1.0.
 */
struct ctmon_alert {
	size_t size;
	int64_t id;                 /* set by the core */
	const char *type;           /* e.g. "new_subdomain" */
	enum ctmon_severity severity;
	const char *domain;
	const char *key;
	const char *details_json;   /* JSON object text, or NULL for {} */
	int64_t issuance_id;        /* 0 when not about an issuance */
	int64_t created_at;         /* set by the core */
	int baseline;               /* set by the core */
	const char *json;           /* set by the core: the whole alert as a
	                               JSON object, for notifiers */
};

/* One entry of the watch set.  Since ABI 1.0. */
struct ctmon_watch_entry {
	size_t size;
	const char *pattern;  /* a domain: matches it and names under it */
	const char *domain;   /* the monitored domain it serves */
	const char *tag;      /* who asked: "domain" or "<check>:<detail>" */
};

/*
 * A sink for a streamed HTTP response body.  begin() is called at the start
 * of every attempt that got a 2xx status (so a retry starts over);
 * data() receives the body as it arrives; end() (optional) once the whole
 * body arrived, so the sink can say it was incomplete.  Returning an error
 * from any of them aborts the attempt: CTMON_EAGAIN/EFORMAT (the body
 * was bad) are retried by the core's policy, other codes are not.  Since
 * ABI 1.2 that includes CTMON_EIO, which a sink returns for a local
 * failure (the store cannot write, a full disk) that downloading the body
 * again cannot fix; before, it was retried.  Since ABI 1.0.
 */
struct ctmon_http_sink {
	size_t size;
	int (*begin)(void *ctx, long status, const char *content_type);
	int (*data)(void *ctx, const void *buf, size_t len);
	int (*end)(void *ctx);
	void *ctx;
};

/*
 * A subdomain's DNS result, filled by dns_result.  The caller sets `size`
 * to sizeof its struct; the host fills the members that fit.  status is
 * one of "resolved", "nxdomain", "nodata", "timeout", "servfail",
 * "dangling_cname" (a CNAME chain whose last target does not resolve: the
 * subdomain-takeover signal) or "error".  Since ABI 1.1.
 */
struct ctmon_dns_result {
	size_t size;
	const char *status;
	const char *const *addresses; /* IPv4 then IPv6, as text */
	size_t n_addresses;
	const char *const *cname;     /* the CNAME chain: each hop's target,
	                                 in order */
	size_t n_cname;
	int64_t resolved_at;          /* UTC seconds */
};

/* ------------------------------------------------------------------------
 * The host API, passed to create().  Read members only when
 * CTMON_HOST_HAS(api, member) is true.
 * ---------------------------------------------------------------------- */

struct ctmon_host_api {
	size_t size;
	int abi_major;
	int abi_minor;

	/* Logging.  The core prefixes "[kind:plugin:instance]".  1.0 */
	void (*log)(struct ctmon_host *h, enum ctmon_log_level lvl,
		    const char *fmt, ...) CTMON_PRINTF(3, 4);
	void (*vlog)(struct ctmon_host *h, enum ctmon_log_level lvl,
		     const char *fmt, va_list ap);
	/* Error text for the rc the current callback returns; copied.  1.0 */
	void (*set_error)(struct ctmon_host *h, const char *fmt, ...)
		CTMON_PRINTF(2, 3);

	/* Time.  wall: seconds since the epoch (tests may set it);
	 * monotonic: nanoseconds.  sleep_ms returns CTMON_ESTOPPED early if
	 * the host is stopping.  1.0 */
	int64_t (*now)(struct ctmon_host *h);
	uint64_t (*monotonic_ns)(struct ctmon_host *h);
	int (*should_stop)(struct ctmon_host *h);
	int (*sleep_ms)(struct ctmon_host *h, int64_t ms);

	/* Config getters on the instance's validated `config` group.  The
	 * core has applied defaults, so declared keys are present unless
	 * they have no default.  Strings are borrowed until destroy.
	 * Return CTMON_ENOTFOUND when absent.  1.0 */
	int (*cfg_string)(const struct ctmon_config *c, const char *key,
			  const char **out);
	int (*cfg_int)(const struct ctmon_config *c, const char *key,
		       int64_t *out);
	int (*cfg_double)(const struct ctmon_config *c, const char *key,
			  double *out);
	int (*cfg_bool)(const struct ctmon_config *c, const char *key,
			int *out);
	/* Lists: count, then element i (string or integer).  1.0 */
	int (*cfg_list_len)(const struct ctmon_config *c, const char *key,
			    size_t *out);
	int (*cfg_list_string)(const struct ctmon_config *c, const char *key,
			       size_t i, const char **out);
	int (*cfg_list_int)(const struct ctmon_config *c, const char *key,
			    size_t i, int64_t *out);
	/* A child group as a config view (for CTMON_OPT_GROUP).  1.0 */
	int (*cfg_group)(const struct ctmon_config *c, const char *key,
			 const struct ctmon_config **out);
	/* Element i of a CTMON_OPT_GROUP_LIST option as a config view.  1.0 */
	int (*cfg_list_group)(const struct ctmon_config *c, const char *key,
			      size_t i, const struct ctmon_config **out);
	/* Names of a group's members, i-th; for free-form groups.  1.0 */
	int (*cfg_member_name)(const struct ctmon_config *c, size_t i,
			       const char **out);
	/* "file:line" of a key, for the plugin's own semantic errors.  1.0 */
	const char *(*cfg_where)(const struct ctmon_config *c, const char *key);

	/* HTTP through the core's libcurl.  TLS verification is always on.
	 * http_new returns NULL on ENOMEM.  1.0 */
	struct ctmon_http_req *(*http_new)(struct ctmon_host *h,
					   const char *method, const char *url);
	int (*http_set_header)(struct ctmon_http_req *r, const char *line);
	int (*http_set_body)(struct ctmon_http_req *r, const void *body,
			     size_t len);
	int (*http_set_timeout_ms)(struct ctmon_http_req *r, int64_t ms);
	/* Retry policy: up to `attempts` tries on connection errors, timeouts,
	 * 408, 429 and 5xx, with exponential backoff from base_ms plus jitter;
	 * Retry-After is honoured (capped at max_ms).  Default: 1 attempt. */
	int (*http_set_retry)(struct ctmon_http_req *r, int attempts,
			      int64_t base_ms, int64_t max_ms);
	/* Cap on the buffered body size; default 16 MiB.  1.0 */
	int (*http_set_max_body)(struct ctmon_http_req *r, size_t max);
	/* Stream 2xx bodies into a sink instead of buffering them.  1.0 */
	int (*http_set_sink)(struct ctmon_http_req *r,
			     const struct ctmon_http_sink *sink);
	/* Run the request with its retries.  CTMON_OK means a response was
	 * received (any status; read it with http_status); errors mean no
	 * usable response, and http_error says why.  1.0 */
	int (*http_perform)(struct ctmon_http_req *r);
	long (*http_status)(const struct ctmon_http_req *r);
	/* Response header by case-insensitive name, or NULL.  1.0 */
	const char *(*http_header)(const struct ctmon_http_req *r,
				   const char *name);
	/* Buffered body (NUL-terminated), empty when streamed.  1.0 */
	const char *(*http_body)(const struct ctmon_http_req *r, size_t *len);
	/* Last error text of this request ("" if none).  1.0 */
	const char *(*http_error)(const struct ctmon_http_req *r);
	void (*http_free)(struct ctmon_http_req *r);

	/* Process-wide token bucket named `name`: blocks until a token is
	 * free.  The first call fixes the rate.  CTMON_ESTOPPED on stop.  1.0 */
	int (*rate_limit)(struct ctmon_host *h, const char *name,
			  double per_minute, int burst);

	/* Per-instance key/value state in the store, in the cycle's
	 * transaction.  state_get returns a core-allocated copy.  1.0 */
	int (*state_get)(struct ctmon_host *h, const char *key, char **value);
	int (*state_put)(struct ctmon_host *h, const char *key,
			 const char *value);
	int (*state_delete)(struct ctmon_host *h, const char *key);
	void (*free)(void *p);

	/* Sources.  Batches are atomic: a batch's certificates and cursor
	 * are kept on batch_commit and vanish on batch_abort.  Emits outside
	 * a batch belong to an implicit batch committed when collect()
	 * returns CTMON_OK.  1.0 */
	size_t (*watch_count)(const struct ctmon_watch *w);
	int (*watch_get)(const struct ctmon_watch *w, size_t i,
			 struct ctmon_watch_entry *out);
	/* 1 if the name falls under any watched pattern.  1.0 */
	int (*watch_match)(const struct ctmon_watch *w, const char *name);
	int (*batch_begin)(struct ctmon_emitter *e);
	int (*emit_cert)(struct ctmon_emitter *e, const struct ctmon_cert *c);
	int (*set_cursor)(struct ctmon_emitter *e, const char *key,
			  const char *value);
	int (*get_cursor)(struct ctmon_emitter *e, const char *key,
			  char **value);
	int (*batch_commit)(struct ctmon_emitter *e);
	int (*batch_abort)(struct ctmon_emitter *e);
	/* Warnings the core should surface in the cycle summary.  1.0 */
	void (*emit_warning)(struct ctmon_emitter *e, const char *domain,
			     const char *text);

	/* Checks.  1.0 */
	int (*emit_alert)(struct ctmon_alert_sink *s,
			  const struct ctmon_alert *a);
	int (*watch_add)(struct ctmon_watch_builder *b,
			 const struct ctmon_watch_entry *e);
	/* Authorised CAs recorded in the store (--add-ca, --auto-baseline)
	 * for `domain` or globally: count, and whether a CA (by crt.sh id
	 * or issuer DN, compared canonically) is among them.  1.0 */
	int (*ca_count)(struct ctmon_host *h, const char *domain,
			int64_t *count);
	int (*ca_is_authorized)(struct ctmon_host *h, const char *domain,
				int64_t ca_id, const char *issuer_dn,
				int *authorized);
	/* 1 if two issuer DNs are the same after canonicalisation. 1.0 */
	int (*dn_equal)(const char *a, const char *b);
	/* Calls fn for each stored issuance of `domain` (NULL: of every
	 * monitored domain, once per domain it falls under) whose not_after
	 * is in [from, to).  fn returning non-zero stops the walk.  1.0 */
	int (*foreach_issuance)(struct ctmon_host *h, const char *domain,
				int64_t from, int64_t to,
				int (*fn)(void *ctx,
					  const struct ctmon_issuance *is),
				void *ctx);
	/* Latest not_after among stored issuances (other than
	 * except_issuance) whose names cover `name` (wildcards included),
	 * issued after except_issuance (later not_before) and valid now
	 * (not_before <= now); 0 if none.  An older certificate never
	 * renews a newer one.  1.0 (the "issued after" rule since 1.1) */
	int (*name_covered_until)(struct ctmon_host *h, const char *name,
				  int64_t except_issuance, int64_t *until);

	/* Sources: an alert about the source itself, not an issuance (a CT
	 * log that misbehaves, an entry that cannot be parsed).  Stored and
	 * queued like a check's alert, in the cycle's transaction; raised
	 * inside an open batch it belongs to that batch (an abort drops it).
	 * issuance_id must be 0.  Since ABI 1.1. */
	int (*source_alert)(struct ctmon_emitter *e,
			    const struct ctmon_alert *a);

	/* The monitored domains (normalised, as configured): the i-th in
	 * *out, borrowed until the current callback returns; CTMON_ENOTFOUND
	 * when i is past the end.  For checks that must know every domain
	 * before any issuance exists (typosquat candidates).  Since ABI 1.1. */
	int (*domain_get)(struct ctmon_host *h, size_t i, const char **out);

	/* Checks: the DNS result the core stored for a subdomain of a
	 * monitored domain (resolve_dns; a new name is resolved before the
	 * checks of the cycle that found it run).  Set out->size first.
	 * CTMON_ENOTFOUND when it was never resolved.  Strings are borrowed
	 * until the callback returns or this instance's next dns_result
	 * call.  Since ABI 1.1. */
	int (*dns_result)(struct ctmon_host *h, const char *name,
			  struct ctmon_dns_result *out);

	/* HTTP: trust the CA certificates in this PEM file instead of the
	 * system's (a private CA, a test certificate).  Verification stays
	 * on.  The path is copied.  Since ABI 1.1. */
	int (*http_set_ca_file)(struct ctmon_http_req *r, const char *path);

	/* Notifiers, during deliver() only.  deliver_progress: the first n
	 * alerts of the batch reached their destination even though deliver
	 * returns an error (a batch sent as several messages failed part
	 * way); the outbox marks them delivered and keeps only the rest.
	 * deliver_retry_after: the destination asked to be left alone for
	 * `seconds` (Retry-After); with a retryable error the outbox waits
	 * that long instead of its own backoff.  CTMON_EINVAL outside
	 * deliver() or out of range.  Since ABI 1.1. */
	int (*deliver_progress)(struct ctmon_host *h, size_t n);
	int (*deliver_retry_after)(struct ctmon_host *h, int64_t seconds);

	/* HTTP redirects.  By default none is followed: a 301/302/303/307/
	 * 308 answer makes http_perform fail with CTMON_EPERMANENT and an
	 * error naming the status and the (redacted) target; http_status
	 * still reads it.  With max > 0 (at most 10) a GET or HEAD without a
	 * body follows up to max redirects, but never from https to http,
	 * and the headers set with http_set_header are not sent once the
	 * redirect leaves the request's origin (scheme, host, port).  Other
	 * methods never follow.  Since ABI 1.2. */
	int (*http_set_follow_redirects)(struct ctmon_http_req *r, int max);
};

/* True when the host table has `member` (it may be older).  1.0 */
#define CTMON_HOST_HAS(api, member)                                         \
	((api)->size >= offsetof(struct ctmon_host_api, member) +           \
				 sizeof((api)->member) &&                   \
	 (api)->member != NULL)

/* ------------------------------------------------------------------------
 * Per-kind operations.  Each starts with its size.
 * ---------------------------------------------------------------------- */

/* Source.  collect is mandatory.  Since ABI 1.0. */
struct ctmon_source_ops {
	size_t size;
	/* Fetch what is new since the cursor for the watch set and emit it.
	 * Returns CTMON_OK, or an error: the implicit batch is rolled back
	 * (explicit committed batches stay). */
	int (*collect)(void *state, const struct ctmon_watch *w,
		       struct ctmon_emitter *e);
};

/* Check.  on_issuance is mandatory; the rest optional.  Since ABI 1.0. */
struct ctmon_check_ops {
	size_t size;
	/* Once per new issuance per monitored domain it falls under. */
	int (*on_issuance)(void *state, const struct ctmon_issuance *is,
			   struct ctmon_alert_sink *out);
	/* Once per cycle, after every on_issuance. */
	int (*on_cycle)(void *state, struct ctmon_alert_sink *out);
	/* Before sources run: add patterns to the watch set. */
	int (*watch)(void *state, struct ctmon_watch_builder *b);
	/* Every certificate a stream source reads, matched or not. */
	int (*on_any)(void *state, const struct ctmon_cert *c,
		      struct ctmon_alert_sink *out);
};

/*
 * Notifier.  deliver is mandatory.  Returns CTMON_OK (all delivered),
 * CTMON_EAGAIN / EIO / ETIMEDOUT (the outbox keeps the batch and retries
 * with backoff) or another error (permanent: recorded, not retried).
 * Since ABI 1.0.
 */
struct ctmon_notifier_ops {
	size_t size;
	int (*deliver)(void *state, const struct ctmon_alert *const *alerts,
		       size_t n);
};

/* ------------------------------------------------------------------------
 * The descriptor.
 * ---------------------------------------------------------------------- */

/* Descriptor flags.  Since ABI 1.0. */
#define CTMON_PLUGF_NONE 0x0u

/*
 * What ctmon_plugin_entry() returns: static const data.  The first fields up
 * to `ops` form the 1.0 layout and never move.  Since ABI 1.0.
 */
struct ctmon_plugin {
	size_t size;
	int abi_major;
	int abi_minor;
	enum ctmon_kind kind;
	const char *name;        /* [a-z0-9_]+, equals the .so's base name */
	const char *version;
	const char *description;
	const char *build_info;  /* compiler and header version */
	const struct ctmon_option *options;
	size_t n_options;
	size_t option_size;      /* sizeof(struct ctmon_option) of the writer */
	unsigned flags;          /* CTMON_PLUGF_* */
	/* create: read options, semantic checks, allocate state.  No threads,
	 * no network.  On error leave *state NULL and free everything; the
	 * host then never calls destroy.  `host` and `api` stay valid until
	 * destroy returns. */
	int (*create)(struct ctmon_host *host, const struct ctmon_host_api *api,
		      const struct ctmon_config *config, void **state);
	int (*start)(void *state);   /* optional */
	void (*stop)(void *state);   /* optional, idempotent */
	void (*destroy)(void *state);/* mandatory */
	const void *ops;             /* struct ctmon_<kind>_ops */
};

/* Size of the 1.0 descriptor: the loader refuses anything smaller. */
#define CTMON_PLUGIN_SIZE_1_0                                               \
	(offsetof(struct ctmon_plugin, ops) + sizeof(const void *))

#define CTMON_PLUGIN_ENTRY_SYMBOL "ctmon_plugin_entry"

#define CTMON_STR2(x) #x
#define CTMON_STR(x) CTMON_STR2(x)
#define CTMON_BUILD_INFO                                                    \
	"abi " CTMON_STR(CTMON_PLUGIN_ABI_MAJOR) "." CTMON_STR(             \
		CTMON_PLUGIN_ABI_MINOR) " " __VERSION__

/*
 * Defines the plugin's entry point.  Use once per plugin:
 *
 *   CTMON_PLUGIN_DEFINE(CTMON_KIND_CHECK, "wildcard", "1.0.0",
 *                       "Alert on wildcard certificates", options,
 *                       wildcard_create, NULL, NULL, wildcard_destroy,
 *                       &wildcard_ops);
 *
 * `options` is a static array.  A plugin without options uses
 * CTMON_PLUGIN_DEFINE_N(..., NULL, 0, ...).
 */

#define CTMON_PLUGIN_DEFINE_N(kind_, name_, version_, desc_, opts_, nopts_,  \
			      create_, start_, stop_, destroy_, ops_)       \
	CTMON_EXPORT const struct ctmon_plugin *ctmon_plugin_entry(void);   \
	const struct ctmon_plugin *ctmon_plugin_entry(void)                 \
	{                                                                   \
		static const struct ctmon_plugin desc = {                   \
			sizeof(struct ctmon_plugin),                        \
			CTMON_PLUGIN_ABI_MAJOR,                             \
			CTMON_PLUGIN_ABI_MINOR,                             \
			(kind_),                                            \
			(name_),                                            \
			(version_),                                         \
			(desc_),                                            \
			CTMON_BUILD_INFO,                                   \
			(opts_),                                            \
			(nopts_),                                           \
			sizeof(struct ctmon_option),                        \
			CTMON_PLUGF_NONE,                                   \
			(create_),                                          \
			(start_),                                           \
			(stop_),                                            \
			(destroy_),                                         \
			(ops_)};                                            \
		return &desc;                                               \
	}

#define CTMON_PLUGIN_DEFINE(kind_, name_, version_, desc_, opts_, create_,  \
			    start_, stop_, destroy_, ops_)                  \
	CTMON_PLUGIN_DEFINE_N(kind_, name_, version_, desc_, (opts_),       \
			      sizeof(opts_) / sizeof((opts_)[0]), create_,  \
			      start_, stop_, destroy_, ops_)

/* Helpers for severities, shared spelling: "critical", "high", ... */
static inline const char *ctmon_severity_name(enum ctmon_severity s)
{
	static const char *const names[] = {"info", "low", "medium", "high",
					    "critical"};
	return (s >= CTMON_SEV_INFO && s <= CTMON_SEV_CRITICAL) ? names[s]
							       : "unknown";
}

#ifdef __cplusplus
}
#endif

#endif /* CTMON_PLUGIN_H */
