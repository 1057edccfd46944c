/*
 * crtsh_parse.c - splits a streamed crt.sh body into its top-level
 * elements and parses each one with json-c.
 *
 * A whole-body json_tokener would hold the entire result tree in memory
 * (hundreds of MB for a big domain).  Instead a small scanner tracks string,
 * escape and nesting state to find where each element ends, buffers only
 * that element, and hands it to json_tokener_parse_ex.  The scanner also
 * accepts the pre-2019 body of objects written back to back ("{..}{..}").
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctmon/plugin.h"
#include "crtsh_parse.h"
#include "crtsh_record.h"

/* How much of an error page is kept to quote its start. */
#define PAGE_KEEP 1024
/* Rows are flat; anything deeper than this is not crt.sh. */
#define MAX_DEPTH 32

enum scan_state {
	ST_START,        /* nothing but whitespace yet */
	ST_ARRAY_OPEN,   /* after '[': an element or ']' */
	ST_ARRAY_NEXT,   /* after ',': an element */
	ST_AFTER_ELEM,   /* in the array, after an element: ',' or ']' */
	ST_CONCAT_NEXT,  /* historic format: '{' or the end */
	ST_ELEMENT,      /* inside an element */
	ST_DONE,         /* after the closing ']' */
	ST_ERROR_PAGE,   /* collecting the start of a non-JSON body */
	ST_FAILED
};

struct crtsh_parser {
	crtsh_record_fn fn;
	void *ctx;
	enum scan_state state;
	int concat;          /* historic back-to-back objects */
	int depth;
	int in_string;
	int escape;
	unsigned long long offset;  /* bytes consumed, for messages */
	char *elem;          /* the element being read */
	size_t elem_len;
	size_t elem_cap;
	char page[PAGE_KEEP];
	size_t page_len;
	char page_kind[64];  /* "HTML", or the content type that was sent */
	int rc;              /* sticky error once ST_FAILED */
	char err[320];
	struct json_tokener *tok;
	struct crtsh_scratch scratch;
	struct crtsh_stats stats;
};

struct crtsh_parser *crtsh_parser_new(crtsh_record_fn fn, void *ctx)
{
	struct crtsh_parser *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->tok = json_tokener_new();
	if (!p->tok) {
		free(p);
		return NULL;
	}
	p->fn = fn;
	p->ctx = ctx;
	return p;
}

void crtsh_parser_free(struct crtsh_parser *p)
{
	if (!p)
		return;
	json_tokener_free(p->tok);
	crtsh_scratch_free(&p->scratch);
	free(p->elem);
	free(p);
}

void crtsh_parser_reset(struct crtsh_parser *p)
{
	p->state = ST_START;
	p->concat = 0;
	p->depth = 0;
	p->in_string = 0;
	p->escape = 0;
	p->offset = 0;
	p->elem_len = 0;
	p->page_len = 0;
	p->page_kind[0] = '\0';
	p->rc = CTMON_OK;
	p->err[0] = '\0';
	memset(&p->stats, 0, sizeof p->stats);
	json_tokener_reset(p->tok);
}

const char *crtsh_parser_error(const struct crtsh_parser *p)
{
	return p->err;
}

const struct crtsh_stats *crtsh_parser_stats(const struct crtsh_parser *p)
{
	return &p->stats;
}

static int fail(struct crtsh_parser *p, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct crtsh_parser *p, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof p->err, fmt, ap);
	va_end(ap);
	p->state = ST_FAILED;
	p->rc = rc;
	return rc;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Printable form of an unexpected byte for messages. */
static const char *byte_name(char c, char *buf, size_t len)
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x21 && u < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", u);
	return buf;
}

void crtsh_page_excerpt(const char *buf, size_t len, char *out,
			size_t outlen)
{
	size_t n = 0;

	if (outlen == 0)
		return;
	/* First pass skips markup (crt.sh puts its message after
	 * "<BR><BR>"); if nothing is left, the second quotes the markup. */
	for (int pass = 0; pass < 2 && n == 0; pass++) {
		int in_tag = 0, gap = 0;

		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)buf[i];
			size_t need;

			if (pass == 0 && c == '<') {
				in_tag = 1;
				continue;
			}
			if (in_tag) {
				if (c == '>') {
					in_tag = 0;
					gap = 1;
				}
				continue;
			}
			if (c <= 0x20) {
				gap = 1;
				continue;
			}
			need = gap && n > 0 ? 2 : 1;
			if (n + need >= outlen || n + need > CRTSH_EXCERPT_MAX)
				break;
			if (need == 2)
				out[n++] = ' ';
			gap = 0;
			out[n++] = c >= 0x7f ? '?' : (char)c;
		}
	}
	out[n] = '\0';
}

static int fail_page(struct crtsh_parser *p)
{
	char text[CRTSH_EXCERPT_MAX + 1];
	const char *kind = p->page_kind[0] ? p->page_kind : "non-JSON data";

	crtsh_page_excerpt(p->page, p->page_len, text, sizeof text);
	if (!p->page_kind[0] && p->page_len > 0 && p->page[0] == '<')
		kind = "HTML";
	return fail(p, CTMON_EFORMAT, "crt.sh returned %s instead of JSON: %s",
		    kind, text[0] ? text : "(no text)");
}

void crtsh_parser_expect_error_page(struct crtsh_parser *p,
				    const char *content_type)
{
	const char *ct = content_type ? content_type : "";

	if (strstr(ct, "html") || strstr(ct, "HTML"))
		snprintf(p->page_kind, sizeof p->page_kind, "HTML");
	else if (*ct)
		snprintf(p->page_kind, sizeof p->page_kind, "%.*s",
			 (int)strcspn(ct, ";"), ct);
	else
		snprintf(p->page_kind, sizeof p->page_kind, "no content type");
	p->state = ST_ERROR_PAGE;
}

/* Collects the start of an error page; gives up once enough is kept. */
static int feed_page(struct crtsh_parser *p, const char *s, size_t n)
{
	size_t take = PAGE_KEEP - p->page_len;

	if (take > n)
		take = n;
	memcpy(p->page + p->page_len, s, take);
	p->page_len += take;
	if (p->page_len == PAGE_KEEP)
		return fail_page(p);
	return CTMON_OK;
}

static int element_done(struct crtsh_parser *p)
{
	struct json_object *obj;
	struct crtsh_record rec;
	enum json_tokener_error jerr;
	char why[128];
	size_t n = p->stats.records;
	int rc;

	json_tokener_reset(p->tok);
	obj = json_tokener_parse_ex(p->tok, p->elem, (int)p->elem_len);
	jerr = json_tokener_get_error(p->tok);
	if (jerr != json_tokener_success || !obj ||
	    json_tokener_get_parse_end(p->tok) != p->elem_len) {
		json_object_put(obj);
		return fail(p, CTMON_EFORMAT,
			    "invalid JSON in element %zu (byte %llu): %s",
			    n + 1, p->offset,
			    jerr != json_tokener_success
				    ? json_tokener_error_desc(jerr)
				    : "trailing data");
	}
	rc = crtsh_record_from_json(obj, &p->scratch, &rec, why, sizeof why);
	if (rc == CTMON_EFORMAT) {
		/* One bad row is the row's problem, not the whole answer's:
		 * skip it, count it, and let the caller warn. */
		struct json_object *id = NULL;
		const char *shown = "absent";

		if (json_object_object_get_ex(obj, "id", &id))
			shown = json_object_to_json_string(id);
		if (p->stats.skipped++ == 0)
			snprintf(p->stats.first_skip,
				 sizeof p->stats.first_skip,
				 "element %zu (byte %llu, id %.40s): %.100s",
				 n + p->stats.skipped, p->offset, shown, why);
		json_object_put(obj);
		goto next;
	}
	if (rc != CTMON_OK) {
		json_object_put(obj);
		return fail(p, rc, "out of memory");
	}
	p->stats.records++;
	if (rec.id > p->stats.max_id)
		p->stats.max_id = rec.id;
	if (rec.result_count >= 0) {
		/* Attacker-sized: saturate rather than overflow. */
		p->stats.sum_result_count =
			rec.result_count > INT64_MAX - p->stats.sum_result_count
				? INT64_MAX
				: p->stats.sum_result_count + rec.result_count;
		p->stats.rows_with_count++;
	}
	if (rec.bad_time)
		p->stats.bad_times++;
	rc = p->fn ? p->fn(p->ctx, &rec) : CTMON_OK;
	json_object_put(obj);
	if (rc != CTMON_OK)
		return fail(p, rc, "record %lld refused (rc %d)",
			    (long long)rec.id, rc);
next:
	p->elem_len = 0;
	p->state = p->concat ? ST_CONCAT_NEXT : ST_AFTER_ELEM;
	return CTMON_OK;
}

/* Scans element bytes; returns how many belong to the element and sets
 * *closed when its final brace is among them. */
static size_t scan_element(struct crtsh_parser *p, const char *s, size_t n,
			   int *closed)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (p->in_string) {
			if (p->escape)
				p->escape = 0;
			else if (c == '\\')
				p->escape = 1;
			else if (c == '"')
				p->in_string = 0;
			continue;
		}
		if (c == '"') {
			p->in_string = 1;
		} else if (c == '{' || c == '[') {
			p->depth++;
		} else if (c == '}' || c == ']') {
			if (--p->depth == 0) {
				*closed = 1;
				return i + 1;
			}
		}
	}
	return n;
}

static int feed_element(struct crtsh_parser *p, const char *s, size_t n,
			size_t *used)
{
	int closed = 0;
	size_t k = scan_element(p, s, n, &closed);

	if (p->depth > MAX_DEPTH)
		return fail(p, CTMON_EFORMAT,
			    "element %zu nests deeper than %d levels",
			    p->stats.records + 1, MAX_DEPTH);
	if (k > CRTSH_MAX_ELEMENT - p->elem_len)
		return fail(p, CTMON_EFORMAT,
			    "element %zu is larger than %u bytes",
			    p->stats.records + 1, CRTSH_MAX_ELEMENT);
	if (p->elem_len + k > p->elem_cap) {
		size_t cap = p->elem_cap ? p->elem_cap : 4096;
		char *e;
		while (cap < p->elem_len + k)
			cap *= 2;
		if (cap > CRTSH_MAX_ELEMENT)
			cap = CRTSH_MAX_ELEMENT;
		e = realloc(p->elem, cap);
		if (!e)
			return fail(p, CTMON_ENOMEM, "out of memory");
		p->elem = e;
		p->elem_cap = cap;
	}
	memcpy(p->elem + p->elem_len, s, k);
	p->elem_len += k;
	p->offset += k;
	*used = k;
	return closed ? element_done(p) : CTMON_OK;
}

static void start_element(struct crtsh_parser *p)
{
	p->state = ST_ELEMENT;
	p->depth = 0;
	p->in_string = 0;
	p->escape = 0;
	p->elem_len = 0;
}

/* One structural byte outside any element. */
static int feed_structure(struct crtsh_parser *p, char c)
{
	char b[16];

	switch (p->state) {
	case ST_START:
		if (c == '[') {
			p->state = ST_ARRAY_OPEN;
			return CTMON_OK;
		}
		p->concat = 1;
		return CTMON_OK; /* '{': the caller starts the element */
	case ST_ARRAY_OPEN:
		if (c == ']') {
			p->state = ST_DONE;
			return CTMON_OK;
		}
		/* fall through */
	case ST_ARRAY_NEXT:
		break;
	case ST_AFTER_ELEM:
		if (c == ',') {
			p->state = ST_ARRAY_NEXT;
			return CTMON_OK;
		}
		if (c == ']') {
			p->state = ST_DONE;
			return CTMON_OK;
		}
		return fail(p, CTMON_EFORMAT,
			    "expected ',' or ']' after element %zu, got %s "
			    "(byte %llu)",
			    p->stats.records, byte_name(c, b, sizeof b),
			    p->offset);
	case ST_DONE:
		return fail(p, CTMON_EFORMAT,
			    "data after the end of the array: %s (byte %llu)",
			    byte_name(c, b, sizeof b), p->offset);
	default:
		break;
	}
	return fail(p, CTMON_EFORMAT,
		    "element %zu is not an object: starts with %s (byte %llu)",
		    p->stats.records + 1, byte_name(c, b, sizeof b), p->offset);
}

int crtsh_parser_feed(struct crtsh_parser *p, const void *buf, size_t len)
{
	const char *s = buf;
	size_t i = 0;
	int rc;

	while (i < len) {
		if (p->state == ST_FAILED)
			return p->rc;
		if (p->state == ST_ERROR_PAGE)
			return feed_page(p, s + i, len - i);
		if (p->state == ST_ELEMENT) {
			size_t used = 0;
			rc = feed_element(p, s + i, len - i, &used);
			if (rc != CTMON_OK)
				return rc;
			i += used;
			continue;
		}
		if (is_space(s[i])) {
			i++;
			p->offset++;
			continue;
		}
		if (p->state == ST_START && s[i] != '[' && s[i] != '{') {
			p->state = ST_ERROR_PAGE;
			continue;
		}
		if (s[i] == '{' && p->state != ST_AFTER_ELEM &&
		    p->state != ST_DONE) {
			if (p->state == ST_START)
				p->concat = 1;
			start_element(p);
			continue; /* the brace is the element's first byte */
		}
		rc = feed_structure(p, s[i]);
		if (rc != CTMON_OK)
			return rc;
		i++;
		p->offset++;
	}
	return p->state == ST_FAILED ? p->rc : CTMON_OK;
}

int crtsh_parser_finish(struct crtsh_parser *p)
{
	switch (p->state) {
	case ST_FAILED:
		return p->rc;
	case ST_START:
		return fail(p, CTMON_EFORMAT, "empty body");
	case ST_ERROR_PAGE:
		return fail_page(p);
	case ST_DONE:
	case ST_CONCAT_NEXT:
		/* Some bad rows are skipped; a body of nothing but bad rows
		 * is not a crt.sh answer. */
		if (p->stats.records == 0 && p->stats.skipped > 0)
			return fail(p, CTMON_EFORMAT,
				    "no element is a crt.sh record (%zu "
				    "skipped; first: %.200s)",
				    p->stats.skipped, p->stats.first_skip);
		return CTMON_OK;
	default:
		return fail(p, CTMON_EFORMAT,
			    "truncated JSON after %zu records",
			    p->stats.records);
	}
}
