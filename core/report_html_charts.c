/* report_html_charts.c - the HTML report's three charts for a scope:
 * issuances per week stacked by CA, valid certificates by days left,
 * and new subdomains per week.  Each is one aggregate query; the
 * arrays here are weeks x CAs, a few thousand numbers at most. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dn.h"
#include "report_html.h"
#include "report_html_esc.h"
#include "report_html_internal.h"
#include "report_html_svg.h"

#define DAY_S INT64_C(86400)
#define WEEK_S (7 * DAY_S)
#define DAYS_SHOWN 90 /* the days-left chart: 0..89 days, then "90+" */

void html_date(int64_t t, char *buf, size_t len)
{
	char full[32];

	ctm_format_time(t, full, sizeof full);
	snprintf(buf, len, "%.10s", full);
}

/* Monday 00:00 UTC of t's week (1970-01-01 was a Thursday). */
static int64_t week_start(int64_t t)
{
	int64_t day = t >= 0 ? t / DAY_S : (t - DAY_S + 1) / DAY_S;
	int64_t dow = ((day + 3) % 7 + 7) % 7; /* 0 = Monday */

	return (day - dow) * DAY_S;
}

/* Buckets of whole weeks from first's week to last's (last clamped to
 * now): one week each while that makes at most CTM_HTML_MAX_WEEKS bars,
 * else as many weeks a bar as keep the whole history in that many. */
struct week_axis {
	int64_t from;
	int64_t bucket; /* seconds: a multiple of a week */
	int n;
};

static void week_window(int64_t first, int64_t last, int64_t now,
			struct week_axis *w)
{
	int64_t a, b, weeks, per;

	if (last > now)
		last = now;
	if (first > last)
		first = last;
	a = week_start(first);
	b = week_start(last);
	weeks = (b - a) / WEEK_S + 1;
	per = (weeks + CTM_HTML_MAX_WEEKS - 1) / CTM_HTML_MAX_WEEKS;
	w->from = a;
	w->bucket = per * WEEK_S;
	w->n = (int)((weeks + per - 1) / per);
}

static void week_label(void *ctx, int i, char *buf, size_t len)
{
	const struct week_axis *w = ctx;

	html_date(w->from + (int64_t)i * w->bucket, buf, len);
}

static void bucket_words(const struct week_axis *w, const char *what,
			 char *buf, size_t len)
{
	int64_t weeks = w->bucket / WEEK_S;

	if (weeks == 1)
		snprintf(buf, len, "%s per week", what);
	else
		snprintf(buf, len, "%s per %lld weeks", what, (long long)weeks);
}

static int tick_every(int n, int wanted)
{
	int every = (n + wanted - 1) / wanted;

	return every > 0 ? every : 1;
}

/* ---- issuances per week, stacked by CA --------------------------------- */

struct ca {
	char *key;
	char *label;     /* the issuer's CN, else the DN */
	int unauthorized;
	int64_t total;
	int64_t *weeks;
};

struct ca_walk {
	struct html_page *p;
	struct ca *cas;
	size_t n, cap;
	int weeks;      /* buckets */
	int oom;
};

static struct ca *find_ca(struct ca_walk *w, const char *key)
{
	struct ca *c;

	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->cas[i].key, key) == 0)
			return &w->cas[i];
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct ca *grown = realloc(w->cas, cap * sizeof *grown);
		if (!grown)
			return NULL;
		w->cas = grown;
		w->cap = cap;
	}
	c = &w->cas[w->n];
	memset(c, 0, sizeof *c);
	c->key = ctm_strdup(key);
	c->weeks = calloc((size_t)w->weeks, sizeof *c->weeks);
	if (!c->key || !c->weeks) {
		free(c->key);
		free(c->weeks);
		return NULL;
	}
	w->n++;
	return c;
}

static char *ca_label(const struct ctm_report_ca_week *row)
{
	char *cn = row->issuer ? ctm_dn_attr(row->issuer, "CN") : NULL;
	struct ctm_buf b;

	if (cn && cn[0])
		return cn;
	free(cn);
	ctm_buf_init(&b);
	if (row->issuer && row->issuer[0])
		ctm_buf_puts(&b, row->issuer);
	else
		ctm_buf_printf(&b, "CA %lld", (long long)row->ca_id);
	return ctm_buf_take(&b);
}

static int add_ca_week(void *ctx, const struct ctm_report_ca_week *row)
{
	struct ca_walk *w = ctx;
	struct ca *c = find_ca(w, row->ca_key ? row->ca_key : "");

	if (!c || (!c->label && !(c->label = ca_label(row)))) {
		w->oom = 1;
		return 1;
	}
	c->unauthorized |= row->unauthorized;
	if (row->week >= 0 && row->week < w->weeks) {
		c->weeks[row->week] += row->count;
		c->total += row->count;
	}
	return 0;
}

/* Unauthorised CAs first (they must get their own series), then by
 * volume. */
static int ca_order(const void *a, const void *b)
{
	const struct ca *x = a, *y = b;

	if (x->unauthorized != y->unauthorized)
		return y->unauthorized - x->unauthorized;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->key, y->key);
}

static void issuance_chart(struct html_page *p, const char *scope,
			   const struct ctm_report_span *span)
{
	struct ca_walk w = {p, NULL, 0, 0, 0, 0};
	struct ctm_svg_series series[CTM_HTML_MAX_CAS + 1];
	struct week_axis axis;
	int64_t *other = NULL;
	size_t n_series = 0;
	char title[64], y_label[64];
	int rc;

	week_window(span->first_issued, span->last_issued, p->now, &axis);
	w.weeks = axis.n;
	rc = ctm_store_report_weekly_by_ca(p->s, scope, axis.from,
					   axis.bucket, axis.n, add_ca_week,
					   &w);
	if (rc != CTMON_OK) {
		html_fail_store(p, rc);
		goto out;
	}
	if (w.oom) {
		html_fail_oom(p);
		goto out;
	}
	qsort(w.cas, w.n, sizeof *w.cas, ca_order);
	for (size_t i = 0; i < w.n && i < CTM_HTML_MAX_CAS; i++)
		series[n_series++] = (struct ctm_svg_series){
			w.cas[i].label, w.cas[i].unauthorized, w.cas[i].weeks};
	if (w.n > CTM_HTML_MAX_CAS) {
		if (!(other = calloc((size_t)w.weeks, sizeof *other))) {
			html_fail_oom(p);
			goto out;
		}
		for (size_t i = CTM_HTML_MAX_CAS; i < w.n; i++)
			for (int k = 0; k < w.weeks; k++)
				other[k] += w.cas[i].weeks[k];
		series[n_series++] =
			(struct ctm_svg_series){"Other CAs", 0, other};
	}
	bucket_words(&axis, "Issuances", title, sizeof title);
	bucket_words(&axis, "issuances", y_label, sizeof y_label);
	ctm_buf_printf(p->out, "<h3>%s, by issuing CA</h3>", title);
	ctm_buf_puts(p->out, "<p class=\"note\">By the certificates' "
			     "not-before date; a precertificate and its "
			     "certificate count once.  Hatched red: a CA "
			     "the unauthorized_ca check flagged.</p>");
	ctm_svg_bars(p->out,
		     &(struct ctm_svg_bars){
			     p->next_chart_id++, "issuance",
			     "Issuances over time, stacked by issuing CA",
			     "week starting (Monday, UTC)", y_label,
			     w.weeks, series, n_series, week_label, &axis,
			     tick_every(w.weeks, 8), NULL, 0});
out:
	for (size_t i = 0; i < w.n; i++) {
		free(w.cas[i].key);
		free(w.cas[i].label);
		free(w.cas[i].weeks);
	}
	free(w.cas);
	free(other);
}

/* ---- valid certificates by days left ------------------------------------ */

static int add_days_left(void *ctx, int64_t days, int64_t count)
{
	int64_t *bins = ctx;

	if (days < 0)
		return 0;
	bins[days < DAYS_SHOWN ? days : DAYS_SHOWN] += count;
	return 0;
}

static void day_label(void *ctx, int i, char *buf, size_t len)
{
	(void)ctx;
	if (i >= DAYS_SHOWN)
		snprintf(buf, len, "%d+ d", DAYS_SHOWN);
	else
		snprintf(buf, len, "%d d", i);
}

static void expiry_chart(struct html_page *p, const char *scope)
{
	static const struct ctm_svg_mark marks[] = {
		{7, "7 days"}, {14, "14 days"}, {30, "30 days"}};
	int64_t bins[DAYS_SHOWN + 1];
	struct ctm_svg_series one = {"valid certificates", 0, bins};
	int rc;

	memset(bins, 0, sizeof bins);
	rc = ctm_store_report_days_left(p->s, scope, p->now, add_days_left,
					bins);
	if (rc != CTMON_OK) {
		html_fail_store(p, rc);
		return;
	}
	ctm_buf_puts(p->out, "<h3>Expiry timeline</h3><p class=\"note\">"
			     "Valid certificates by whole days left; the "
			     "dashed lines are the 7, 14 and 30-day "
			     "thresholds.</p>");
	ctm_svg_bars(p->out,
		     &(struct ctm_svg_bars){
			     p->next_chart_id++, "expiry",
			     "Valid certificates by days until expiry",
			     "days until expiry", "certificates",
			     DAYS_SHOWN + 1, &one, 1, day_label, NULL, 10,
			     marks, sizeof marks / sizeof marks[0]});
}

/* ---- new subdomains per week -------------------------------------------- */

struct sub_walk {
	int64_t *weeks;
	int n;
};

static int add_sub_week(void *ctx, int week, int64_t count)
{
	struct sub_walk *w = ctx;

	if (week >= 0 && week < w->n)
		w->weeks[week] += count;
	return 0;
}

static void subdomain_chart(struct html_page *p, const char *scope,
			    const struct ctm_report_span *span)
{
	struct week_axis axis;
	struct sub_walk w;
	struct ctm_svg_series one;
	char y_label[64];
	int rc;

	week_window(span->first_sub, span->last_sub, p->now, &axis);
	w.n = axis.n;
	w.weeks = calloc((size_t)w.n, sizeof *w.weeks);
	if (!w.weeks) {
		html_fail_oom(p);
		return;
	}
	rc = ctm_store_report_new_subs(p->s, scope, axis.from, axis.bucket,
				       axis.n, add_sub_week, &w);
	if (rc != CTMON_OK) {
		html_fail_store(p, rc);
		goto out;
	}
	one = (struct ctm_svg_series){"new subdomains", 0, w.weeks};
	bucket_words(&axis, "new subdomains", y_label, sizeof y_label);
	ctm_buf_puts(p->out, "<h3>New subdomains over time</h3>"
			     "<p class=\"note\">Each name counted in the week "
			     "of the first certificate that named it.</p>");
	ctm_svg_bars(p->out,
		     &(struct ctm_svg_bars){
			     p->next_chart_id++, "subdomains",
			     "New subdomains over time",
			     "week starting (Monday, UTC)", y_label,
			     w.n, &one, 1, week_label, &axis,
			     tick_every(w.n, 8), NULL, 0});
out:
	free(w.weeks);
}

void html_charts(struct html_page *p, const char *scope,
		 const struct ctm_report_span *span)
{
	if (p->rc != CTMON_OK)
		return;
	if (span->issuances > 0) {
		issuance_chart(p, scope, span);
		expiry_chart(p, scope);
	} else {
		ctm_buf_puts(p->out, "<p class=\"note\">No certificates "
				     "stored yet.</p>");
	}
	if (p->rc == CTMON_OK && span->subdomains > 0)
		subdomain_chart(p, scope, span);
}
