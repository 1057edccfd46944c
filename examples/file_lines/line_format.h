/* line_format.h - one alert as one line of text.  Alert fields come from
 * certificates and check plugins, so nothing in them may break a line or
 * reach a terminal as a control sequence. */
#ifndef FILE_LINES_LINE_FORMAT_H
#define FILE_LINES_LINE_FORMAT_H

#include <stddef.h>

#include <ctmon/plugin.h>

/* A growable byte buffer. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
	int failed; /* an allocation failed */
};

void buf_free(struct buf *b);

/* "<created_at> <severity> <type> <domain> <key> id=<id>[ baseline]\n",
 * created_at as 2023-11-14T22:13:20Z.  Every byte outside printable ASCII
 * (space, controls, 0x7f and above) and the backslash are written as
 * \xNN, so a line always has exactly these space-separated fields. */
void line_text(struct buf *b, const struct ctmon_alert *a);

/* The alert's JSON as the host rendered it (alert->json) on one line:
 * control characters inside strings become \u00NN, between tokens a
 * space.  Falls back to line_text when the host gave no JSON. */
void line_json(struct buf *b, const struct ctmon_alert *a);

#endif
