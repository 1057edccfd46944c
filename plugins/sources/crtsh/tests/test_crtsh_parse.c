/*
 * test_crtsh_parse.c - the incremental crt.sh parser against every real
 * response in tests/data/crtsh/, fed in pieces of many sizes, and
 * against the broken bodies crt.sh is known to send.
 *
 * The oracle for the real files is json-c parsing the whole file at once:
 * the streamed parse must yield the same elements in the same order.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "ctmon/plugin.h"
#include "crtsh_parse.h"
#include "crtsh_query.h"

#define FIXTURES CTM_FIXTURES_DIR "/crtsh"

/* What the callback saw, kept whole so tests can look at any record. */
struct seen_rec {
	int64_t id, issuer_ca_id, not_before, not_after, entry_timestamp;
	int64_t result_count;
	char *issuer_name, *common_name, *name_value, *serial;
	char **names;
	size_t n_names;
};

struct seen {
	struct seen_rec *v;
	size_t n, cap;
	size_t fail_at;   /* return fail_rc at this record (1-based), 0 never */
	int fail_rc;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int collect(void *ctx, const struct crtsh_record *r)
{
	struct seen *s = ctx;
	struct seen_rec *x;

	if (s->fail_at && s->n + 1 == s->fail_at)
		return s->fail_rc;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		assert_non_null(s->v);
	}
	x = &s->v[s->n++];
	memset(x, 0, sizeof *x);
	x->id = r->id;
	x->issuer_ca_id = r->issuer_ca_id;
	x->not_before = r->not_before;
	x->not_after = r->not_after;
	x->entry_timestamp = r->entry_timestamp;
	x->result_count = r->result_count;
	x->issuer_name = dup_or_null(r->issuer_name);
	x->common_name = dup_or_null(r->common_name);
	x->name_value = dup_or_null(r->name_value);
	x->serial = dup_or_null(r->serial_number);
	x->n_names = r->n_names;
	x->names = calloc(r->n_names + 1, sizeof *x->names);
	assert_non_null(x->names);
	for (size_t i = 0; i < r->n_names; i++)
		x->names[i] = strdup(r->names[i]);
	return CTMON_OK;
}

static void seen_clear(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct seen_rec *x = &s->v[i];
		free(x->issuer_name);
		free(x->common_name);
		free(x->name_value);
		free(x->serial);
		for (size_t j = 0; j < x->n_names; j++)
			free(x->names[j]);
		free(x->names);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Feeds buf in pieces of `chunk` bytes (0: random sizes 1..8192) and
 * finishes; returns the first error or CTMON_OK. */
static int parse_chunked(struct crtsh_parser *p, const char *buf, size_t len,
			 size_t chunk)
{
	size_t off = 0;
	int rc = CTMON_OK;

	crtsh_parser_reset(p);
	while (off < len && rc == CTMON_OK) {
		size_t n = chunk ? chunk : 1 + (size_t)(rand() % 8192);
		if (n > len - off)
			n = len - off;
		rc = crtsh_parser_feed(p, buf + off, n);
		off += n;
	}
	return rc == CTMON_OK ? crtsh_parser_finish(p) : rc;
}

static int parse_text(struct crtsh_parser *p, const char *text, size_t chunk)
{
	return parse_chunked(p, text, strlen(text), chunk);
}

static const char *str_member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void assert_same_str(const char *want, const char *got)
{
	if (!want)
		assert_null(got);
	else
		assert_string_equal(want, got);
}

/* The streamed records equal the whole-file parse, element by element. */
static void assert_matches_oracle(struct json_object *arr,
				  const struct seen *s)
{
	size_t n = json_object_array_length(arr);

	assert_int_equal(s->n, n);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *v;
		const struct seen_rec *x = &s->v[i];

		assert_true(json_object_object_get_ex(o, "id", &v));
		assert_int_equal(x->id, json_object_get_int64(v));
		if (json_object_object_get_ex(o, "issuer_ca_id", &v))
			assert_int_equal(x->issuer_ca_id,
					 json_object_get_int64(v));
		if (json_object_object_get_ex(o, "result_count", &v))
			assert_int_equal(x->result_count,
					 json_object_get_int64(v));
		else
			assert_int_equal(x->result_count, -1);
		assert_same_str(str_member(o, "issuer_name"), x->issuer_name);
		assert_same_str(str_member(o, "common_name"), x->common_name);
		assert_same_str(str_member(o, "name_value"), x->name_value);
		assert_same_str(str_member(o, "serial_number"), x->serial);
		/* Every row in the fixtures has at least one name and valid
		 * validity dates. */
		assert_true(x->n_names >= 1);
		assert_true(x->not_before > 0);
		assert_true(x->not_after > x->not_before);
	}
}

static int is_json_name(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Every fixture, in 1-byte, 7-byte, 4096-byte, whole and random pieces,
 * then re-serialised as the pre-2019 back-to-back objects. */
static void test_every_fixture(void **unused)
{
	static const size_t chunks[] = {1, 7, 4096, SIZE_MAX, 0, 0};
	struct seen s = {0};
	struct crtsh_parser *p = crtsh_parser_new(collect, &s);
	DIR *d = opendir(FIXTURES);
	struct dirent *de;
	size_t files = 0, formats_seen[11] = {0};

	(void)unused;
	assert_non_null(p);
	assert_non_null(d);
	srand(20240611);
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		size_t len;
		char *buf;
		struct json_object *arr;

		if (!is_json_name(de->d_name))
			continue;
		snprintf(path, sizeof path, "%s/%s", FIXTURES, de->d_name);
		buf = read_file(path, &len);
		arr = json_tokener_parse(buf);
		assert_non_null(arr);
		assert_true(json_object_is_type(arr, json_type_array));
		assert_true(json_object_array_length(arr) > 0);
		formats_seen[json_object_object_length(
			json_object_array_get_idx(arr, 0))]++;
		for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
			size_t chunk = chunks[c] == SIZE_MAX ? len : chunks[c];
			assert_int_equal(parse_chunked(p, buf, len, chunk),
					 CTMON_OK);
			assert_int_equal(crtsh_parser_stats(p)->records,
					 json_object_array_length(arr));
			assert_matches_oracle(arr, &s);
			seen_clear(&s);
		}
		/* Historic format: the same elements without '[', ',' and
		 * ']', some separated by newlines as old captures were. */
		{
			size_t n = json_object_array_length(arr), cl = 0;
			char *cat = malloc(len * 2 + 16);
			assert_non_null(cat);
			for (size_t i = 0; i < n; i++) {
				const char *el = json_object_to_json_string_ext(
					json_object_array_get_idx(arr, i),
					JSON_C_TO_STRING_PLAIN |
						JSON_C_TO_STRING_NOSLASHESCAPE);
				size_t el_len = strlen(el);
				assert_true(cl + el_len + 1 < len * 2 + 16);
				memcpy(cat + cl, el, el_len);
				cl += el_len;
				if (i % 3 == 0)
					cat[cl++] = '\n';
			}
			assert_int_equal(parse_chunked(p, cat, cl, 0),
					 CTMON_OK);
			assert_matches_oracle(arr, &s);
			seen_clear(&s);
			assert_int_equal(parse_chunked(p, cat, cl, 1),
					 CTMON_OK);
			assert_matches_oracle(arr, &s);
			seen_clear(&s);
			free(cat);
		}
		json_object_put(arr);
		free(buf);
		files++;
	}
	closedir(d);
	crtsh_parser_free(p);
	/* The fixture set holds the 7-, 9- and 10-key generations. */
	assert_true(files >= 7);
	assert_true(formats_seen[7] > 0);
	assert_true(formats_seen[9] > 0);
	assert_true(formats_seen[10] > 0);
}

/* Field values of known real rows (checked by hand against the files). */
static void test_fixture_fields(void **unused)
{
	struct seen s = {0};
	struct crtsh_parser *p = crtsh_parser_new(collect, &s);
	size_t len;
	char *buf = read_file(
		FIXTURES "/melotic-enum.land__tests_data_crtsh.json", &len);
	const struct seen_rec *x;

	(void)unused;
	assert_int_equal(parse_chunked(p, buf, len, 13), CTMON_OK);
	assert_int_equal(s.n, 23);
	x = &s.v[0];
	assert_int_equal(x->id, 8913351873LL);
	assert_int_equal(x->issuer_ca_id, 185756);
	assert_int_equal(x->not_before, 1673568000);  /* 2023-01-13 */
	assert_int_equal(x->not_after, 1707868799);   /* 2024-02-13 23:59:59 */
	assert_int_equal(x->entry_timestamp, 1679070398);
	assert_string_equal(x->serial, "0c1fcb184518c7e3866741236d6b73f1");
	/* name_value split on '\n', then the CN, which is not among them */
	assert_int_equal(x->n_names, 3);
	assert_string_equal(x->names[0], "example.com");
	assert_string_equal(x->names[1], "www.example.com");
	assert_string_equal(x->names[2], "www.example.org");
	/* never seen in a log: entry_timestamp null */
	x = &s.v[21];
	assert_int_equal(x->id, 10570508844LL);
	assert_int_equal(x->entry_timestamp, 0);
	assert_string_equal(x->serial, "1000");
	/* CN equal to name_value is not listed twice */
	assert_int_equal(x->n_names, 1);
	/* "Issuer Not Found" */
	x = &s.v[22];
	assert_int_equal(x->issuer_ca_id, -1);
	assert_string_equal(x->issuer_name, "Issuer Not Found");
	assert_int_equal(x->n_names, 2);
	assert_string_equal(x->names[1], "user@example.com");
	assert_int_equal(crtsh_parser_stats(p)->max_id, 10570508844LL);
	assert_int_equal(crtsh_parser_stats(p)->rows_with_count, 0);
	seen_clear(&s);
	free(buf);

	/* The pretty-printed 10-key file: result_count summed */
	buf = read_file(FIXTURES "/cyberspacesec-crt.sh-skills__docs_ai-coding_"
				 "response-format-example.json",
			&len);
	assert_int_equal(parse_chunked(p, buf, len, 1), CTMON_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].result_count, 1);
	assert_string_equal(s.v[0].issuer_name,
			    "C=US, O=\"thawte, Inc.\", CN=thawte SSL CA - G2");
	assert_int_equal(s.v[0].entry_timestamp, 1476152023);
	assert_int_equal(crtsh_parser_stats(p)->sum_result_count, 2);
	assert_int_equal(crtsh_parser_stats(p)->rows_with_count, 2);
	assert_int_equal(crtsh_parser_stats(p)->max_id, 41794150);
	seen_clear(&s);
	free(buf);
	crtsh_parser_free(p);
}

/* A body cut anywhere is an error naming the records read, never a crash
 * and never success. */
static void test_truncated_everywhere(void **unused)
{
	struct seen s = {0};
	struct crtsh_parser *p = crtsh_parser_new(collect, &s);
	size_t len, total;
	char *buf = read_file(
		FIXTURES "/ninoseki-mihari__cassette_crt_sh_www_example_com."
			 "body.json",
		&len);
	char want[64];

	(void)unused;
	assert_int_equal(parse_chunked(p, buf, len, 0), CTMON_OK);
	total = s.n;
	assert_int_equal(total, 3);
	seen_clear(&s);
	for (size_t cut = 0; cut < len; cut++) {
		int rc = parse_chunked(p, buf, cut, 1 + cut % 5);
		assert_int_equal(rc, CTMON_EFORMAT);
		assert_true(s.n <= total);
		if (cut == 0)
			assert_string_equal(crtsh_parser_error(p),
					    "empty body");
		else {
			snprintf(want, sizeof want,
				 "truncated JSON after %zu records", s.n);
			assert_string_equal(crtsh_parser_error(p), want);
		}
		seen_clear(&s);
	}
	/* The same cut inside the big file, at a few offsets. */
	free(buf);
	buf = read_file(FIXTURES "/gwen001-related-domains__crtsh.json", &len);
	for (size_t cut = 1; cut < len; cut += len / 7) {
		assert_int_equal(parse_chunked(p, buf, cut, 4096),
				 CTMON_EFORMAT);
		snprintf(want, sizeof want, "truncated JSON after %zu records",
			 s.n);
		assert_string_equal(crtsh_parser_error(p), want);
		assert_true(s.n <= 1837);
		seen_clear(&s);
	}
	free(buf);
	crtsh_parser_free(p);
}

/* Error pages: crt.sh's HTML with status 200, its plain "ERROR", the
 * [BEGIN_HEADERS] leak, and an empty or blank body. */
static void test_non_json_bodies(void **unused)
{
	struct seen s = {0};
	struct crtsh_parser *p = crtsh_parser_new(collect, &s);
	static const char html[] =
		"<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.0 "
		"Transitional//EN\">\n<HTML><HEAD><TITLE>crt.sh</TITLE></HEAD>"
		"<BODY><BR><BR>Unsupported output type: json</BODY></HTML>";
	size_t chunks[] = {1, 3, 4096};

	(void)unused;
	for (size_t c = 0; c < 3; c++) {
		assert_int_equal(parse_text(p, html, chunks[c]), CTMON_EFORMAT);
		assert_string_equal(crtsh_parser_error(p),
				    "crt.sh returned HTML instead of JSON: "
				    "crt.sh Unsupported output type: json");
	}
	/* A long page fails as soon as enough of it is kept to quote. */
	{
		char big[8192];
		memset(big, 'x', sizeof big);
		big[0] = '<';
		big[1] = 'p';
		big[2] = '>';
		crtsh_parser_reset(p);
		assert_int_equal(crtsh_parser_feed(p, big, sizeof big),
				 CTMON_EFORMAT);
		assert_int_equal(strlen(crtsh_parser_error(p)),
				 strlen("crt.sh returned HTML instead of "
					"JSON: ") + CRTSH_EXCERPT_MAX);
	}
	assert_int_equal(parse_text(p, "ERROR\n", 1), CTMON_EFORMAT);
	assert_string_equal(crtsh_parser_error(p),
			    "crt.sh returned non-JSON data instead of JSON: "
			    "ERROR");
	/* The server said text/html even though the body looks like JSON. */
	crtsh_parser_reset(p);
	crtsh_parser_expect_error_page(p, "text/html; charset=UTF-8");
	assert_int_equal(crtsh_parser_feed(p, "[{\"id\":1}]", 10), CTMON_OK);
	assert_int_equal(crtsh_parser_finish(p), CTMON_EFORMAT);
	assert_string_equal(crtsh_parser_error(p),
			    "crt.sh returned HTML instead of JSON: "
			    "[{\"id\":1}]");
	assert_int_equal(s.n, 0);
	crtsh_parser_reset(p);
	crtsh_parser_expect_error_page(p, "text/plain");
	assert_int_equal(crtsh_parser_finish(p), CTMON_EFORMAT);
	assert_string_equal(crtsh_parser_error(p),
			    "crt.sh returned text/plain instead of JSON: "
			    "(no text)");
	/* SQL error leaking the JSON headers into the body */
	assert_int_equal(parse_text(p,
				    "[BEGIN_HEADERS]\nContent-Type: "
				    "application/json\n[END_HEADERS]\n[{",
				    2),
			 CTMON_EFORMAT);
	assert_non_null(strstr(crtsh_parser_error(p),
			       "element 1 is not an object: starts with 'B'"));
	assert_int_equal(parse_text(p, "", 1), CTMON_EFORMAT);
	assert_string_equal(crtsh_parser_error(p), "empty body");
	assert_int_equal(parse_text(p, " \r\n\t ", 1), CTMON_EFORMAT);
	assert_string_equal(crtsh_parser_error(p), "empty body");
	/* Control and non-ASCII bytes never reach the message raw. */
	assert_int_equal(parse_text(p, "Bad\x01\x1b[31m\xc3\xa9 page", 4096),
			 CTMON_EFORMAT);
	assert_string_equal(crtsh_parser_error(p),
			    "crt.sh returned non-JSON data instead of JSON: "
			    "Bad [31m?? page");
	assert_int_equal(s.n, 0);
	crtsh_parser_free(p);
}

/* Strings holding brackets, braces, escaped quotes and \n must not confuse
 * the element scanner; name_value's \n splits names. */
static void test_tricky_strings(void **unused)
{
	struct seen s = {0};
	struct crtsh_parser *p = crtsh_parser_new(collect, &s);
	static const char body[] =
		"[ {\"issuer_ca_id\":7,\"issuer_name\":\"C=US, O=\\\"a]}[{ "
		"\\\\\\\" Inc.\\\"\",\"common_name\":\"b.example.com\","
		"\"name_value\":\"a.example.com\\nb.example.com\\n\\n*."
		"example.com\\n\",\"id\":5,\"note\":{\"x\":[1,{\"y\":"
		"\"}\"}]}} ,"
		"\n {\"id\":6,\"name_value\":\"\\\\303\\\\251.example.com\","
		"\"common_name\":\"\\u00e9\"}\n]\n";

	(void)unused;
	for (size_t chunk = 1; chunk <= 9; chunk += 4) {
		assert_int_equal(parse_text(p, body, chunk), CTMON_OK);
		assert_int_equal(s.n, 2);
		assert_string_equal(s.v[0].issuer_name,
				    "C=US, O=\"a]}[{ \\\" Inc.\"");
		assert_int_equal(s.v[0].n_names, 3);
		assert_string_equal(s.v[0].names[0], "a.example.com");
		assert_string_equal(s.v[0].names[1], "b.example.com");
		assert_string_equal(s.v[0].names[2], "*.example.com");
		/* crt.sh's octal escapes stay opaque text; the CN is UTF-8 */
		assert_string_equal(s.v[1].names[0], "\\303\\251.example.com");
		assert_string_equal(s.v[1].names[1], "\xc3\xa9");
		seen_clear(&s);
	}
	crtsh_parser_free(p);
}

/* JSON null for every nullable key, missing keys, historic key names. */
static void test_nulls_and_old_keys(void **unused)
{
	struct seen s = {0};
	struct crtsh_parser *p = crtsh_parser_new(collect, &s);

	(void)unused;
	assert_int_equal(
		parse_text(p,
			   "[{\"issuer_ca_id\":-1,\"issuer_name\":null,"
			   "\"common_name\":null,\"name_value\":null,\"id\":"
			   "28000000000,\"entry_timestamp\":null,"
			   "\"not_before\":null,\"not_after\":null,"
			   "\"serial_number\":null,"
			   "\"result_count\":null},"
			   "{\"min_cert_id\":42,\"min_entry_timestamp\":"
			   "\"2015-04-22T16:20:13.18\",\"name_value\":"
			   "\"x.example.com\"},{\"id\":43}]",
			   3),
		CTMON_OK);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v[0].id, 28000000000LL);
	assert_int_equal(s.v[0].issuer_ca_id, -1);
	assert_null(s.v[0].issuer_name);
	assert_null(s.v[0].common_name);
	assert_null(s.v[0].serial);
	assert_int_equal(s.v[0].n_names, 0);
	assert_int_equal(s.v[0].not_before, 0);
	assert_int_equal(s.v[0].entry_timestamp, 0);
	assert_int_equal(s.v[0].result_count, -1);
	assert_int_equal(s.v[1].id, 42);
	assert_int_equal(s.v[1].entry_timestamp, 1429719613);
	assert_int_equal(s.v[1].n_names, 1);
	assert_int_equal(s.v[2].issuer_ca_id, 0);
	assert_int_equal(crtsh_parser_stats(p)->bad_times, 0);
	seen_clear(&s);
	/* A timestamp that is not one is unknown, and counted. */
	assert_int_equal(parse_text(p,
				    "[{\"id\":1,\"not_before\":\"yesterday\","
				    "\"not_after\":17}]",
				    4096),
			 CTMON_OK);
	assert_int_equal(s.v[0].not_before, 0);
	assert_int_equal(s.v[0].not_after, 0);
	assert_int_equal(crtsh_parser_stats(p)->bad_times, 1);
	seen_clear(&s);
	crtsh_parser_free(p);
}

static void expect_format_error(struct crtsh_parser *p, const char *body,
				const char *msg_part)
{
	for (size_t chunk = 1; chunk <= 4096; chunk *= 64) {
		assert_int_equal(parse_text(p, body, chunk), CTMON_EFORMAT);
		if (!strstr(crtsh_parser_error(p), msg_part))
			fail_msg("'%s': error '%s' lacks '%s'", body,
				 crtsh_parser_error(p), msg_part);
	}
}

static void test_structural_errors(void **unused)
{
	struct seen s = {0};
	struct crtsh_parser *p = crtsh_parser_new(collect, &s);

	(void)unused;
	expect_format_error(p, "[1]", "element 1 is not an object");
	expect_format_error(p, "[{\"id\":1},\"x\"]",
			    "element 2 is not an object");
	expect_format_error(p, "[{\"id\":1 \"x\":2}]",
			    "invalid JSON in element 1");
	expect_format_error(p, "[{\"id\":1}{\"id\":2}]", "expected ',' or ']'");
	expect_format_error(p, "[{\"id\":1},]", "element 2 is not an object");
	expect_format_error(p, "[{\"id\":1}] x", "data after the end");
	expect_format_error(p, "[{\"id\":1},",
			    "truncated JSON after 1 records");
	expect_format_error(p, "{\"id\":1}{\"id\":2", "truncated JSON after 1");
	expect_format_error(p, "{\"id\":1}[", "element 2 is not an object");
	seen_clear(&s);
	/* Too deep */
	{
		char deep[200] = "[{\"id\":1,\"a\":";
		size_t n = strlen(deep);
		for (int i = 0; i < 40; i++)
			deep[n++] = '[';
		deep[n] = '\0';
		expect_format_error(p, deep, "nests deeper");
	}
	/* Too big: one element over the limit is refused, memory bounded. */
	{
		size_t big = CRTSH_MAX_ELEMENT + 100, off = 0;
		char *buf = malloc(big);
		assert_non_null(buf);
		memset(buf, 'a', big);
		memcpy(buf, "[{\"id\":1,\"x\":\"", 14);
		crtsh_parser_reset(p);
		int rc = CTMON_OK;
		while (off < big && rc == CTMON_OK) {
			size_t n = big - off < 65536 ? big - off : 65536;
			rc = crtsh_parser_feed(p, buf + off, n);
			off += n;
		}
		assert_int_equal(rc, CTMON_EFORMAT);
		assert_non_null(strstr(crtsh_parser_error(p), "larger than"));
		free(buf);
	}
	crtsh_parser_free(p);
}

/* A row without a usable id is skipped and counted, named by element and
 * id; the rows around it are records. */
static void test_bad_id_row_skipped(void **unused)
{
	struct seen s = {0};
	struct crtsh_parser *p = crtsh_parser_new(collect, &s);
	static const char body[] =
		"[{\"id\":1,\"name_value\":\"a.example.com\"},"
		"{\"id\":\"7x\",\"name_value\":\"b.example.com\"},"
		"{\"name_value\":\"c.example.com\"},{\"id\":0},{\"id\":-3},"
		"{\"id\":4,\"name_value\":\"d.example.com\"}]";

	(void)unused;
	for (size_t chunk = 1; chunk <= sizeof body; chunk *= 3) {
		seen_clear(&s);
		assert_int_equal(parse_text(p, body, chunk), CTMON_OK);
		assert_int_equal(s.n, 2);
		assert_int_equal(s.v[0].id, 1);
		assert_int_equal(s.v[1].id, 4);
		assert_int_equal(crtsh_parser_stats(p)->records, 2);
		assert_int_equal(crtsh_parser_stats(p)->skipped, 4);
		assert_int_equal(crtsh_parser_stats(p)->max_id, 4);
		assert_non_null(strstr(crtsh_parser_stats(p)->first_skip,
				       "element 2"));
		assert_non_null(strstr(crtsh_parser_stats(p)->first_skip,
				       "id \"7x\""));
		assert_non_null(strstr(crtsh_parser_stats(p)->first_skip,
				       "numeric \"id\""));
	}
	seen_clear(&s);
	assert_int_equal(parse_text(p, "[{\"id\":1}]", 1), CTMON_OK);
	assert_int_equal(crtsh_parser_stats(p)->skipped, 0);
	/* Nothing but bad rows is not a crt.sh answer. */
	expect_format_error(p, "[{\"id\":\"7\"},{\"x\":1}]",
			    "no element is a crt.sh record");
	seen_clear(&s);
	crtsh_parser_free(p);
}

/* result_count is the server's number: two INT64_MAX rows saturate (no
 * signed overflow, which UBSan would abort on). */
static void test_result_count_saturates(void **unused)
{
	struct seen s = {0};
	struct crtsh_parser *p = crtsh_parser_new(collect, &s);
	static const char body[] =
		"[{\"id\":1,\"result_count\":9223372036854775807},"
		"{\"id\":2,\"result_count\":9223372036854775807},"
		"{\"id\":3,\"result_count\":5}]";

	(void)unused;
	assert_int_equal(parse_text(p, body, 7), CTMON_OK);
	assert_int_equal(crtsh_parser_stats(p)->sum_result_count, INT64_MAX);
	assert_int_equal(crtsh_parser_stats(p)->rows_with_count, 3);
	seen_clear(&s);
	assert_int_equal(parse_text(p, "[{\"id\":1,\"result_count\":2},"
				       "{\"id\":2,\"result_count\":3}]", 4),
			 CTMON_OK);
	assert_int_equal(crtsh_parser_stats(p)->sum_result_count, 5);
	seen_clear(&s);
	crtsh_parser_free(p);
}

/* The callback's error stops the parse and is returned as is; a failed
 * parser stays failed until reset. */
static void test_callback_error_and_reset(void **unused)
{
	struct seen s = {0};
	struct crtsh_parser *p = crtsh_parser_new(collect, &s);
	static const char body[] = "[{\"id\":1},{\"id\":2},{\"id\":3}]";

	(void)unused;
	s.fail_at = 2;
	s.fail_rc = CTMON_EIO;
	crtsh_parser_reset(p);
	assert_int_equal(crtsh_parser_feed(p, body, strlen(body)), CTMON_EIO);
	assert_int_equal(s.n, 1);
	assert_int_equal(crtsh_parser_feed(p, "]", 1), CTMON_EIO);
	assert_int_equal(crtsh_parser_finish(p), CTMON_EIO);
	s.fail_at = 0;
	assert_int_equal(parse_text(p, body, 2), CTMON_OK);
	assert_int_equal(s.n, 4);
	assert_int_equal(crtsh_parser_stats(p)->records, 3);
	assert_int_equal(crtsh_parser_stats(p)->max_id, 3);
	seen_clear(&s);
	assert_int_equal(parse_text(p, "[]", 1), CTMON_OK);
	assert_int_equal(crtsh_parser_stats(p)->records, 0);
	assert_int_equal(crtsh_parser_stats(p)->max_id, 0);
	crtsh_parser_free(p);
}

static void test_time(void **unused)
{
	int64_t t = -5;

	(void)unused;
	assert_int_equal(crtsh_parse_time("1970-01-01T00:00:00", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(crtsh_parse_time("2015-04-22T16:20:13.18", &t), 0);
	assert_int_equal(t, 1429719613);
	assert_int_equal(crtsh_parse_time("2015-04-22 16:20:13", &t), 0);
	assert_int_equal(t, 1429719613);
	assert_int_equal(crtsh_parse_time("2015-04-22T16:20:13.123456Z", &t),
			 0);
	assert_int_equal(t, 1429719613);
	assert_int_equal(crtsh_parse_time("2024-02-29T23:59:59", &t), 0);
	assert_int_equal(t, 1709251199);
	assert_int_equal(crtsh_parse_time("9999-12-31T23:59:59", &t), 0);
	assert_int_equal(t, 253402300799LL);
	t = 7;
	assert_int_equal(crtsh_parse_time("2015-04-22T16:20:13.1234567", &t),
			 -1);
	assert_int_equal(crtsh_parse_time("2023-02-29T00:00:00", &t), -1);
	assert_int_equal(crtsh_parse_time("2023-13-01T00:00:00", &t), -1);
	assert_int_equal(crtsh_parse_time("2023-01-01T24:00:00", &t), -1);
	assert_int_equal(crtsh_parse_time("2023-01-01T00:00", &t), -1);
	assert_int_equal(crtsh_parse_time("2023-01-01X00:00:00", &t), -1);
	assert_int_equal(crtsh_parse_time("2023-01-01T00:00:00+01", &t), -1);
	assert_int_equal(crtsh_parse_time("", &t), -1);
	assert_int_equal(crtsh_parse_time(NULL, &t), -1);
	assert_int_equal(t, 7);
}

static void test_query_url(void **unused)
{
	struct crtsh_query_opts none = {0, 0}, all = {1, 1};
	char *u;

	(void)unused;
	u = crtsh_query_url("https://crt.sh/", "example.com", &none);
	assert_string_equal(u, "https://crt.sh/?dNSName=example.com"
			       "&match=ILIKE&output=json");
	free(u);
	u = crtsh_query_url("http://127.0.0.1:8080/",
			    "xn--bcher-kva.my-bank.example", &all);
	assert_string_equal(u, "http://127.0.0.1:8080/?dNSName=xn--bcher-kva."
			       "my-bank.example&match=ILIKE&output=json"
			       "&exclude=expired&deduplicate=Y");
	free(u);
	u = crtsh_query_url("https://crt.sh/?excludeCAs=12", "a b&c%d/é",
			    &none);
	assert_string_equal(u, "https://crt.sh/?excludeCAs=12&dNSName="
			       "a%20b%26c%25d%2F%C3%A9&match=ILIKE"
			       "&output=json");
	free(u);
	u = crtsh_query_url("https://crt.sh/?", "example.com", NULL);
	assert_string_equal(u, "https://crt.sh/?dNSName=example.com"
			       "&match=ILIKE&output=json");
	free(u);
	assert_null(crtsh_query_url("https://crt.sh/", "", &none));
	assert_null(crtsh_query_url(NULL, "example.com", &none));
}

static void test_page_excerpt(void **unused)
{
	char out[CRTSH_EXCERPT_MAX + 1];
	static const char page[] =
		"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
		"<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
		"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

	(void)unused;
	crtsh_page_excerpt(page, strlen(page), out, sizeof out);
	assert_string_equal(out, "502 Bad Gateway 502 Bad Gateway nginx");
	crtsh_page_excerpt("<br><br>", 8, out, sizeof out);
	assert_string_equal(out, "<br><br>");
	crtsh_page_excerpt("", 0, out, sizeof out);
	assert_string_equal(out, "");
	crtsh_page_excerpt("abcdef", 6, out, 4);
	assert_string_equal(out, "abc");
	crtsh_page_excerpt("ab  cd", 6, out, 4);
	assert_string_equal(out, "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fixture),
		cmocka_unit_test(test_fixture_fields),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_non_json_bodies),
		cmocka_unit_test(test_tricky_strings),
		cmocka_unit_test(test_nulls_and_old_keys),
		cmocka_unit_test(test_structural_errors),
		cmocka_unit_test(test_bad_id_row_skipped),
		cmocka_unit_test(test_result_count_saturates),
		cmocka_unit_test(test_callback_error_and_reset),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_query_url),
		cmocka_unit_test(test_page_excerpt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
