/* nbuf.c - see nbuf.h. */
#include "nbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nb_free(struct nbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

void nb_reset(struct nbuf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int grow(struct nbuf *b, size_t extra)
{
	size_t cap;
	char *d;

	if (b->oom)
		return -1;
	if (extra < b->cap - b->len)
		return 0;
	if (extra > ((size_t)-1) / 2 - b->len - 1) {
		b->oom = 1;
		return -1;
	}
	cap = b->cap ? b->cap : 256;
	while (cap - b->len <= extra)
		cap *= 2;
	d = realloc(b->data, cap);
	if (!d) {
		b->oom = 1;
		return -1;
	}
	b->data = d;
	b->cap = cap;
	return 0;
}

void nb_putn(struct nbuf *b, const void *p, size_t n)
{
	if (grow(b, n) != 0)
		return;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void nb_puts(struct nbuf *b, const char *s)
{
	if (s)
		nb_putn(b, s, strlen(s));
}

void nb_putc(struct nbuf *b, char c)
{
	nb_putn(b, &c, 1);
}

void nb_printf(struct nbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n) != 0) {
		b->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *nb_str(const struct nbuf *b)
{
	return b->data ? b->data : "";
}
