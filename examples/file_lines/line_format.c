/* line_format.c - see line_format.h. */
#define _POSIX_C_SOURCE 200809L
#include "line_format.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void put(struct buf *b, const char *p, size_t n)
{
	char *grown;
	size_t cap;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		grown = realloc(b->data, cap);
		if (!grown) {
			b->failed = 1;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void puts_raw(struct buf *b, const char *s) { put(b, s, strlen(s)); }

void buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

/* One field: "-" when empty, every unsafe byte as \xNN. */
static void field(struct buf *b, const char *s)
{
	char esc[8];

	put(b, " ", 1);
	if (!s || !*s) {
		put(b, "-", 1);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p > 0x20 && *p < 0x7f && *p != '\\') {
			put(b, (const char *)p, 1);
		} else {
			snprintf(esc, sizeof esc, "\\x%02x", *p);
			puts_raw(b, esc);
		}
	}
}

void line_text(struct buf *b, const struct ctmon_alert *a)
{
	char when[32] = "-", id[40];
	time_t t = (time_t)a->created_at;
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	puts_raw(b, when);
	field(b, ctmon_severity_name(a->severity));
	field(b, a->type);
	field(b, a->domain);
	field(b, a->key);
	snprintf(id, sizeof id, " id=%" PRId64, a->id);
	puts_raw(b, id);
	if (a->baseline)
		puts_raw(b, " baseline");
	put(b, "\n", 1);
}

void line_json(struct buf *b, const struct ctmon_alert *a)
{
	int in_string = 0;
	char esc[8];

	if (!a->json) {
		line_text(b, a);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)a->json; *p; p++) {
		if (in_string && *p == '\\' && p[1] >= 0x20) {
			put(b, (const char *)p, 2);
			p++;
		} else if (*p == '"') {
			in_string = !in_string;
			put(b, (const char *)p, 1);
		} else if (*p < 0x20 && in_string) {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			puts_raw(b, esc);
		} else if (*p < 0x20) {
			put(b, " ", 1);
		} else {
			put(b, (const char *)p, 1);
		}
	}
	put(b, "\n", 1);
}
