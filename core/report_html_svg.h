/* report_html_svg.h - the report's charts as inline SVG, drawn from
 * aggregates: a (stacked) bar chart with labelled axes, a legend, and
 * optional vertical marker lines.  No script, no external reference:
 * patterns are referenced by fragment id inside the same SVG. */
#ifndef CTM_REPORT_HTML_SVG_H
#define CTM_REPORT_HTML_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* One stacked series: values[0..n_bars). `marked` draws it hatched and
 * outlined in red with "(unauthorised)" in the legend. */
struct ctm_svg_series {
	const char *label;   /* untrusted: escaped */
	int marked;
	const int64_t *values;
};

/* A vertical marker drawn at the left edge of bar `at`. */
struct ctm_svg_mark {
	int at;
	const char *label;   /* trusted text (ours) */
};

struct ctm_svg_bars {
	int id;               /* unique per page: pattern ids */
	const char *kind;     /* data-chart attribute, ours */
	const char *title;    /* accessible name, ours */
	const char *x_label;  /* axis titles, ours */
	const char *y_label;
	int n_bars;
	const struct ctm_svg_series *series;
	size_t n_series;
	/* Label of bar i for ticks and tooltips ("2024-03-04", "12 d"). */
	void (*bar_label)(void *ctx, int i, char *buf, size_t len);
	void *ctx;
	int tick_every;       /* a tick label every N bars (>= 1) */
	const struct ctm_svg_mark *marks;
	size_t n_marks;
};

/* Appends <figure> with the chart and its legend. */
void ctm_svg_bars(struct ctm_buf *out, const struct ctm_svg_bars *c);

#endif
