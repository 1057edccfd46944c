/* util.c - see util.h. */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *ctm_strdup(const char *s) { return s ? strdup(s) : NULL; }

char *ctm_strndup(const char *s, size_t n) { return s ? strndup(s, n) : NULL; }

void ctm_buf_init(struct ctm_buf *b) { memset(b, 0, sizeof *b); }

void ctm_buf_free(struct ctm_buf *b)
{
	free(b->data);
	ctm_buf_init(b);
}

void ctm_buf_reset(struct ctm_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int buf_reserve(struct ctm_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return -1;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

void ctm_buf_append(struct ctm_buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) != 0)
		return;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void ctm_buf_puts(struct ctm_buf *b, const char *s)
{
	ctm_buf_append(b, s, strlen(s));
}

void ctm_buf_printf(struct ctm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (p[0] == 0xe0 && p[1] < 0xa0)
			return 0;
		if (p[0] == 0xed && p[1] > 0x9f)
			return 0; /* surrogates */
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (p[0] == 0xf0 && p[1] < 0x90)
			return 0;
		if (p[0] == 0xf4 && p[1] > 0x8f)
			return 0;
		return 4;
	}
	return 0;
}

void ctm_buf_json_string(struct ctm_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char esc[8];

	ctm_buf_append(b, "\"", 1);
	while (*p) {
		size_t n;
		switch (*p) {
		case '"': ctm_buf_append(b, "\\\"", 2); p++; continue;
		case '\\': ctm_buf_append(b, "\\\\", 2); p++; continue;
		case '\n': ctm_buf_append(b, "\\n", 2); p++; continue;
		case '\r': ctm_buf_append(b, "\\r", 2); p++; continue;
		case '\t': ctm_buf_append(b, "\\t", 2); p++; continue;
		default: break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			ctm_buf_append(b, esc, 6);
			p++;
			continue;
		}
		n = utf8_seq_len(p);
		if (n == 0) {
			ctm_buf_append(b, "\\ufffd", 6);
			p++;
			continue;
		}
		ctm_buf_append(b, p, n);
		p += n;
	}
	ctm_buf_append(b, "\"", 1);
}

/* 1 for the code points that reorder or hide text on a terminal: bidi
 * embeddings, overrides and isolates (U+202A-202E, U+2066-2069). */
static int is_bidi_control(const unsigned char *p, size_t n)
{
	if (n != 3 || p[0] != 0xe2)
		return 0;
	return (p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
	       (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9);
}

void ctm_buf_term_safe(struct ctm_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		size_t n = utf8_seq_len(p);
		/* C1 controls (U+0080-009F) are two bytes: c2 80..9f. */
		int c1 = n == 2 && p[0] == 0xc2 && p[1] < 0xa0;
		if (n == 0 || *p < 0x20 || *p == 0x7f || c1 ||
		    is_bidi_control(p, n)) {
			size_t k = n ? n : 1;
			for (size_t i = 0; i < k; i++) {
				char esc[4] = {'\\', 'x', hex[p[i] >> 4],
					       hex[p[i] & 15]};
				ctm_buf_append(b, esc, 4);
			}
			p += k;
			continue;
		}
		ctm_buf_append(b, p, n);
		p += n;
	}
}

char *ctm_buf_take(struct ctm_buf *b)
{
	char *d;

	if (b->oom) {
		ctm_buf_free(b);
		return NULL;
	}
	d = b->data ? b->data : strdup("");
	ctm_buf_init(b);
	return d;
}

int ctm_parse_int64(const char *s, int64_t *out)
{
	char *end = NULL;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || !end || *end)
		return -1;
	*out = v;
	return 0;
}

size_t ctm_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void ctm_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int ctm_strv_push(char ***v, const char *s)
{
	size_t n = ctm_strv_len(*v);
	char **nv = realloc(*v, (n + 2) * sizeof *nv);
	if (!nv)
		return -1;
	*v = nv;
	nv[n] = strdup(s);
	nv[n + 1] = NULL;
	return nv[n] ? 0 : -1;
}

char **ctm_strv_dup(char *const *v)
{
	char **out = calloc(ctm_strv_len(v) + 1, sizeof *out);
	if (!out)
		return NULL;
	for (size_t i = 0; v && v[i]; i++) {
		out[i] = strdup(v[i]);
		if (!out[i]) {
			ctm_strv_free(out);
			return NULL;
		}
	}
	return out;
}

int ctm_parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0;

	if (!s)
		return -1;
	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%d-%d-%d%*1[T ]%d:%d:%d%n", &y, &mo, &d, &h, &mi, &sec,
		   &n) != 6)
		return -1;
	if (s[n] == '.') {
		n++;
		while (s[n] >= '0' && s[n] <= '9')
			n++;
	}
	if (s[n] == 'Z')
		n++;
	if (s[n] != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm);
	return 0;
}

void ctm_format_time(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm)) {
		snprintf(buf, len, "invalid");
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
