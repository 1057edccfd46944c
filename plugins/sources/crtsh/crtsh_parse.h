/*
 * crtsh_parse.h - incremental parser for crt.sh JSON search results.
 *
 * crt.sh answers a search with one JSON array of flat objects, possibly
 * hundreds of megabytes long; before 2019 it sent the objects back to back
 * without the array.  The parser is fed the body in pieces of any size,
 * keeps only the element being read (so memory stays bounded whatever the
 * body size), and calls back once per record.  It knows nothing of the host
 * and can be tested and benchmarked on its own.
 *
 * Return codes are those of include/ctmon/plugin.h: CTMON_OK, CTMON_EFORMAT
 * for a body that is not (or no longer) crt.sh JSON, CTMON_ENOMEM, or the
 * callback's own error, which stops the parse.
 */
#ifndef CRTSH_PARSE_H
#define CRTSH_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* An element larger than this is refused: a real row is a few KB. */
#define CRTSH_MAX_ELEMENT (16u * 1024u * 1024u)

/* One row.  Strings are borrowed for the duration of the callback and are
 * NULL when the key is absent or null; times are UTC seconds, 0 unknown. */
struct crtsh_record {
	int64_t id;              /* "id" (or historic "min_cert_id") */
	int64_t issuer_ca_id;    /* 0 when absent; -1 is "Issuer Not Found" */
	const char *issuer_name;
	const char *common_name;
	const char *name_value;  /* as sent: identities joined by '\n' */
	/* name_value split on '\n', then common_name unless already listed;
	 * empty parts dropped */
	const char *const *names;
	size_t n_names;
	const char *serial_number;
	int64_t not_before;
	int64_t not_after;
	int64_t entry_timestamp; /* or historic "min_entry_timestamp" */
	int64_t result_count;    /* -1 when the row has no result_count */
	int bad_time;            /* a timestamp was present but unparsable */
};

/* Called once per record; a non-zero return stops the parse and is
 * returned by crtsh_parser_feed(). */
typedef int (*crtsh_record_fn)(void *ctx, const struct crtsh_record *rec);

struct crtsh_parser;

/* Running totals since the last reset. */
struct crtsh_stats {
	size_t records;
	int64_t max_id;            /* 0 when no record */
	int64_t sum_result_count;  /* over rows that carry result_count,
				      saturated at INT64_MAX */
	size_t rows_with_count;
	size_t bad_times;          /* rows with an unparsable timestamp */
	/* Rows skipped because they cannot be a record (no usable "id"):
	 * how many, and the first one's element number and reason. */
	size_t skipped;
	char first_skip[256];
};

struct crtsh_parser *crtsh_parser_new(crtsh_record_fn fn, void *ctx);
void crtsh_parser_free(struct crtsh_parser *p);
/* Forget everything seen: the next byte is the start of a new body. */
void crtsh_parser_reset(struct crtsh_parser *p);
/* Makes the parser treat the body as an error page whatever it contains
 * (the server said it is not JSON); the error text quotes its start. */
void crtsh_parser_expect_error_page(struct crtsh_parser *p,
				    const char *content_type);
int crtsh_parser_feed(struct crtsh_parser *p, const void *buf, size_t len);
/* The body ended: CTMON_OK only if it was complete JSON. */
int crtsh_parser_finish(struct crtsh_parser *p);
/* Text of the last error, "" if none. */
const char *crtsh_parser_error(const struct crtsh_parser *p);
const struct crtsh_stats *crtsh_parser_stats(const struct crtsh_parser *p);

struct ctmon_cert;

/* Fills c (zeroed first, size set) with a row as a certificate record:
 * crt.sh id, issuer, CN, names, serial, times; precert status unknown.
 * c borrows rec's strings.  One mapping for every source that reads
 * crt.sh JSON (the crtsh plugin, the file plugin, the ingest bench). */
void crtsh_record_to_cert(const struct crtsh_record *rec,
			  struct ctmon_cert *c);

/* At most this many characters of an error page are quoted. */
#define CRTSH_EXCERPT_MAX 80

/* The start of an error page as one safe log line: tags dropped, control
 * bytes and whitespace runs folded to one space, non-ASCII bytes as '?',
 * at most CRTSH_EXCERPT_MAX characters. */
void crtsh_page_excerpt(const char *buf, size_t len, char *out,
			size_t outlen);

/* "YYYY-MM-DDTHH:MM:SS[.f{1,6}][Z]" (or a space for T), UTC -> seconds.
 * Returns 0 on success, -1 if s is not such a timestamp. */
int crtsh_parse_time(const char *s, int64_t *out);

#endif
