/*
 * ct_status.c - one log's progress as plugin state "status.<log name>",
 * which `ctmon --status` and the report show: how far behind the log's
 * head the cursor is (the backlog), and how fast it is catching up.
 */
#include <stdio.h>

#include "ctlog_internal.h"

void ct_status_put(const struct ct_follow *f)
{
	const struct ctlog *st = f->st;
	const struct ct_log *log = f->log;
	char key[300], url[1024], json[1400];
	uint64_t cursor = f->range.size, head = f->head_size;
	uint64_t done = cursor - f->start_pos;
	double secs = 0, rate = 0;

	if (!f->have_head)
		return;
	/* The cursor may stand past an older head only on misbehaviour;
	 * a backlog never goes negative. */
	if (head < cursor)
		head = cursor;
	if (f->t0_ns) {
		secs = (double)(st->api->monotonic_ns(st->host) - f->t0_ns) /
		       1e9;
		rate = secs > 0 ? (double)done / secs : 0;
	}
	/* The name is the state key as is: the store binds it, and
	 * --status prints keys inert. */
	snprintf(key, sizeof key, "status.%s", log->def.name);
	ct_json_escape(log->def.url, url, sizeof url);
	snprintf(json, sizeof json,
		 "{\"url\":\"%s\",\"head\":%llu,\"cursor\":%llu,"
		 "\"backlog\":%llu,\"entries_per_s\":%.1f,\"updated_at\":%lld,"
		 "\"trusted\":%s}",
		 url, (unsigned long long)head, (unsigned long long)cursor,
		 (unsigned long long)(head - cursor), rate,
		 (long long)st->api->now(st->host),
		 log->untrusted ? "false" : "true");
	/* A lost status line must not fail the log: it is a display. */
	(void)st->api->state_put(st->host, key, json);
}
