/* report_html_svg.c - bar charts as inline SVG (report_html_svg.h).
 * Coordinates are whole pixels in a fixed viewBox; the SVG scales to the
 * page width.  Every number comes from the aggregates; every label from a
 * certificate goes through ctm_html_text / ctm_html_attr. */
#include "report_html_svg.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report_html_esc.h"

#define W 960
#define PLOT_H 220
#define LEFT 64
#define RIGHT 16
#define TOP 14
#define AXIS_H 44          /* tick labels + x-axis title */
#define LEGEND_ROW 22
#define LEGEND_COLS 3
#define LEGEND_CHARS 44    /* a legend label's visible characters */

/* Colour-blind-safe palette (Okabe-Ito, then greys for the rest). */
static const char *const palette[] = {
	"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9",
	"#d55e00", "#f0e442", "#999999", "#666666", "#bbbbbb",
};
#define N_PALETTE (sizeof palette / sizeof palette[0])
#define MARK_RED "#c1121f"

/* 1, 2, 5 x 10^k at or above v, so gridlines fall on round numbers. */
static int64_t nice_max(int64_t v)
{
	int64_t step = 1;

	if (v <= 4)
		return 4;
	for (;;) {
		if (step * 4 >= v)
			return step * 4;
		if (step * 8 >= v)
			return step * 8;
		if (step * 20 >= v)
			return step * 20;
		step *= 10;
	}
}

/* Appends at most `max` characters of s (UTF-8 aware), "…" when cut. */
static void put_truncated(struct ctm_buf *out, const char *s, size_t max)
{
	struct ctm_buf clean, cut;
	size_t chars = 0, i;

	ctm_buf_init(&clean);
	ctm_buf_init(&cut);
	ctm_utf8_repair(&clean, s ? s : "");
	for (i = 0; clean.data && clean.data[i]; i++) {
		if (((unsigned char)clean.data[i] & 0xc0) != 0x80 &&
		    ++chars > max)
			break;
	}
	ctm_buf_append(&cut, clean.data ? clean.data : "", i);
	if (clean.data && clean.data[i])
		ctm_buf_puts(&cut, "\xe2\x80\xa6");
	ctm_html_text(out, cut.data ? cut.data : "");
	if (clean.oom || cut.oom)
		out->oom = 1;
	ctm_buf_free(&clean);
	ctm_buf_free(&cut);
}

static const char *colour(size_t i)
{
	return palette[i < N_PALETTE ? i : N_PALETTE - 1];
}

/* Hatched fills for the marked series: the series colour under red
 * stripes, so an unauthorised CA stands out even in greyscale. */
static void put_patterns(struct ctm_buf *out, const struct ctm_svg_bars *c)
{
	int any = 0;

	for (size_t s = 0; s < c->n_series; s++) {
		if (!c->series[s].marked)
			continue;
		if (!any)
			ctm_buf_puts(out, "<defs>");
		any = 1;
		ctm_buf_printf(out,
			       "<pattern id=\"h%d-%zu\" width=\"6\" height=\"6\" "
			       "patternUnits=\"userSpaceOnUse\" "
			       "patternTransform=\"rotate(45)\">"
			       "<rect width=\"6\" height=\"6\" fill=\"%s\"/>"
			       "<rect width=\"3\" height=\"6\" fill=\"%s\"/>"
			       "</pattern>",
			       c->id, s, colour(s), MARK_RED);
	}
	if (any)
		ctm_buf_puts(out, "</defs>");
}

static void put_fill(struct ctm_buf *out, const struct ctm_svg_bars *c,
		     size_t s)
{
	if (c->series[s].marked)
		ctm_buf_printf(out, "fill=\"url(#h%d-%zu)\" stroke=\"%s\"",
			       c->id, s, MARK_RED);
	else
		ctm_buf_printf(out, "fill=\"%s\"", colour(s));
}

static void put_axes(struct ctm_buf *out, const struct ctm_svg_bars *c,
		     int64_t ymax, int plot_w)
{
	char label[48];
	int bottom = TOP + PLOT_H;

	/* Gridlines and y ticks at quarters of the (round) maximum. */
	for (int q = 0; q <= 4; q++) {
		int y = bottom - PLOT_H * q / 4;
		ctm_buf_printf(out,
			       "<line class=\"grid\" x1=\"%d\" x2=\"%d\" "
			       "y1=\"%d\" y2=\"%d\"/>"
			       "<text class=\"tick\" x=\"%d\" y=\"%d\" "
			       "text-anchor=\"end\">%" PRId64 "</text>",
			       LEFT, LEFT + plot_w, y, y, LEFT - 6, y + 4,
			       ymax * q / 4);
	}
	ctm_buf_printf(out,
		       "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" "
		       "y2=\"%d\"/><line class=\"axis\" x1=\"%d\" x2=\"%d\" "
		       "y1=\"%d\" y2=\"%d\"/>",
		       LEFT, LEFT + plot_w, bottom, bottom, LEFT, LEFT, TOP,
		       bottom);
	for (int i = 0; c->bar_label && i < c->n_bars;
	     i += c->tick_every > 0 ? c->tick_every : 1) {
		int x = LEFT + (int)((int64_t)plot_w * i / c->n_bars);
		c->bar_label(c->ctx, i, label, sizeof label);
		ctm_buf_printf(out,
			       "<line class=\"axis\" x1=\"%d\" x2=\"%d\" "
			       "y1=\"%d\" y2=\"%d\"/>"
			       "<text class=\"tick\" x=\"%d\" y=\"%d\">",
			       x, x, bottom, bottom + 4, x, bottom + 16);
		ctm_html_text(out, label);
		ctm_buf_puts(out, "</text>");
	}
	ctm_buf_printf(out,
		       "<text class=\"axis-title\" x=\"%d\" y=\"%d\" "
		       "text-anchor=\"middle\">",
		       LEFT + plot_w / 2, bottom + 38);
	ctm_html_text(out, c->x_label);
	ctm_buf_printf(out,
		       "</text><text class=\"axis-title\" "
		       "transform=\"translate(16 %d) rotate(-90)\" "
		       "text-anchor=\"middle\">",
		       TOP + PLOT_H / 2);
	ctm_html_text(out, c->y_label);
	ctm_buf_puts(out, "</text>");
}

static void put_bars(struct ctm_buf *out, const struct ctm_svg_bars *c,
		     int64_t ymax, int plot_w)
{
	char label[48];
	int bottom = TOP + PLOT_H;

	for (int i = 0; i < c->n_bars; i++) {
		int x0 = LEFT + (int)((int64_t)plot_w * i / c->n_bars);
		int x1 = LEFT + (int)((int64_t)plot_w * (i + 1) / c->n_bars);
		int w = x1 - x0 > 2 ? x1 - x0 - 1 : 1;
		int64_t below = 0;

		if (c->bar_label)
			c->bar_label(c->ctx, i, label, sizeof label);
		else
			snprintf(label, sizeof label, "%d", i);
		for (size_t s = 0; s < c->n_series; s++) {
			int64_t v = c->series[s].values[i];
			int y0, y1;
			if (v <= 0)
				continue;
			y0 = bottom - (int)(PLOT_H * below / ymax);
			below += v;
			y1 = bottom - (int)(PLOT_H * below / ymax);
			ctm_buf_printf(out,
				       "<rect class=\"bar\" data-series=\"%zu\" "
				       "data-n=\"%" PRId64 "\" x=\"%d\" y=\"%d\" "
				       "width=\"%d\" height=\"%d\" ",
				       s, v, x0, y1, w,
				       y0 - y1 > 0 ? y0 - y1 : 1);
			put_fill(out, c, s);
			ctm_buf_puts(out, "><title>");
			ctm_html_text(out, c->series[s].label);
			ctm_buf_printf(out, ": %" PRId64 " (", v);
			ctm_html_text(out, label);
			ctm_buf_puts(out, ")</title></rect>");
		}
	}
}

static void put_marks(struct ctm_buf *out, const struct ctm_svg_bars *c,
		      int plot_w)
{
	for (size_t m = 0; m < c->n_marks; m++) {
		int at = c->marks[m].at;
		int x;
		if (at < 0 || at > c->n_bars)
			continue;
		x = LEFT + (int)((int64_t)plot_w * at / c->n_bars);
		ctm_buf_printf(out,
			       "<line class=\"mark\" x1=\"%d\" x2=\"%d\" "
			       "y1=\"%d\" y2=\"%d\"/>"
			       "<text class=\"mark-label\" x=\"%d\" y=\"%d\">",
			       x, x, TOP, TOP + PLOT_H, x + 3, TOP + 10);
		ctm_html_text(out, c->marks[m].label);
		ctm_buf_puts(out, "</text>");
	}
}

static void put_legend(struct ctm_buf *out, const struct ctm_svg_bars *c,
		       int y0)
{
	int col_w = (W - LEFT) / LEGEND_COLS;

	for (size_t s = 0; s < c->n_series; s++) {
		int x = LEFT + col_w * (int)(s % LEGEND_COLS);
		int y = y0 + LEGEND_ROW * (int)(s / LEGEND_COLS);
		ctm_buf_printf(out,
			       "<g class=\"legend-item\" data-series=\"%zu\">"
			       "<rect x=\"%d\" y=\"%d\" width=\"12\" "
			       "height=\"12\" ",
			       s, x, y);
		put_fill(out, c, s);
		ctm_buf_printf(out, "/><text class=\"legend\" x=\"%d\" y=\"%d\">",
			       x + 18, y + 10);
		put_truncated(out, c->series[s].label, LEGEND_CHARS);
		if (c->series[s].marked)
			ctm_buf_puts(out, " <tspan class=\"unauth\">"
					  "(unauthorised)</tspan>");
		ctm_buf_puts(out, "<title>");
		ctm_html_text(out, c->series[s].label);
		ctm_buf_puts(out, "</title></text></g>");
	}
}

void ctm_svg_bars(struct ctm_buf *out, const struct ctm_svg_bars *c)
{
	int plot_w = W - LEFT - RIGHT;
	int legend_rows = c->n_series > 1
				  ? (int)((c->n_series + LEGEND_COLS - 1) /
					  LEGEND_COLS)
				  : 0;
	int height = TOP + PLOT_H + AXIS_H + 8 + legend_rows * LEGEND_ROW;
	int64_t peak = 0, total = 0;

	for (int i = 0; i < c->n_bars; i++) {
		int64_t sum = 0;
		for (size_t s = 0; s < c->n_series; s++)
			sum += c->series[s].values[i];
		if (sum > peak)
			peak = sum;
		total += sum;
	}
	ctm_buf_printf(out,
		       "<figure class=\"chart\"><svg data-chart=\"%s\" "
		       "data-total=\"%" PRId64 "\" viewBox=\"0 0 %d %d\" "
		       "role=\"img\" aria-label=\"",
		       c->kind, total, W, height);
	ctm_html_attr(out, c->title);
	ctm_buf_puts(out, "\" xmlns=\"http://www.w3.org/2000/svg\">");
	put_patterns(out, c);
	if (c->n_bars > 0) {
		int64_t ymax = nice_max(peak);
		put_axes(out, c, ymax, plot_w);
		put_bars(out, c, ymax, plot_w);
		put_marks(out, c, plot_w);
	}
	if (legend_rows)
		put_legend(out, c, TOP + PLOT_H + AXIS_H + 6);
	ctm_buf_puts(out, "</svg></figure>");
}
