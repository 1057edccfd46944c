/* dns.c - resolves many names at once on one c-ares channel (docs/dns.md).
 * Each name asks A and AAAA side by side; each question follows its CNAME
 * chain (asking the last target again when a server did not), and is
 * retried after a timeout or a server failure while the name's deadline
 * allows.  c-ares's own retries are off (tries = 1) so the deadline is
 * ours: per attempt, timeout / ((retries + 1) x servers). */
#include "dns.h"

#include <ares.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctmon/plugin.h"
#include "dns_internal.h"
#include "util.h"

enum outcome {
	Q_PENDING,
	Q_ADDR,
	Q_NXDOMAIN,
	Q_NODATA,
	Q_SERVFAIL,
	Q_TIMEOUT,
	Q_ERROR,
	Q_CANCELLED
};

struct job;

/* One of a name's two questions (A, AAAA). */
struct question {
	struct job *job;
	int type;
	int attempts;       /* of the current target */
	char *target;       /* the name asked now: NULL = the job's name */
	char **chain;       /* CNAME hops so far */
	char **addrs;
	enum outcome out;
};

struct job {
	struct ctm_dns *d;
	size_t index;
	const char *name;
	uint64_t deadline_ms;
	int outstanding;    /* questions c-ares still holds */
	int queries;
	int finished;
	struct question q[2];
	struct job *next;   /* free list or done list */
};

struct ctm_dns {
	ares_channel ch;
	int ares_ok;        /* channel initialised */
	int lib_ok;         /* ares_library_init succeeded */
	int concurrency;
	int64_t timeout_ms;
	int retries;
	int fail_fast;
	int (*should_stop)(void);
	struct pollfd *fds;
	size_t nfds, capfds;
	int fds_oom;
	/* per resolve call */
	struct job *slots, *free_slots, *done;
	size_t silent;      /* attempts in a row that got no answer */
	int tripped;
	int stopping;
	struct ctm_dns_stats *st;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

const char *ctm_dns_status_name(enum ctm_dns_status s)
{
	static const char *const names[] = {
		"resolved", "nxdomain", "nodata",	 "timeout",
		"servfail", "dangling_cname", "error", "skipped"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

char *ctm_dns_join(char *const *v, int *oom)
{
	struct ctm_buf b;

	if (!v || !v[0])
		return NULL;
	ctm_buf_init(&b);
	for (size_t i = 0; v[i]; i++) {
		if (i)
			ctm_buf_puts(&b, " ");
		ctm_buf_puts(&b, v[i]);
	}
	if (b.oom) {
		*oom = 1;
		ctm_buf_free(&b);
		return NULL;
	}
	return ctm_buf_take(&b);
}

/* ---- sockets: c-ares tells us which ones to poll ------------------------ */

static void sock_state(void *data, ares_socket_t fd, int readable,
		       int writable)
{
	struct ctm_dns *d = data;
	size_t i;

	for (i = 0; i < d->nfds && d->fds[i].fd != fd; i++)
		;
	if (!readable && !writable) {
		if (i < d->nfds)
			d->fds[i] = d->fds[--d->nfds];
		return;
	}
	if (i == d->nfds) {
		if (d->nfds == d->capfds) {
			size_t cap = d->capfds ? d->capfds * 2 : 8;
			struct pollfd *p = realloc(d->fds, cap * sizeof *p);
			if (!p) {
				d->fds_oom = 1;
				return;
			}
			d->fds = p;
			d->capfds = cap;
		}
		d->nfds++;
	}
	d->fds[i].fd = fd;
	d->fds[i].events = (short)((readable ? POLLIN : 0) |
				   (writable ? POLLOUT : 0));
	d->fds[i].revents = 0;
}

/* ---- set-up ------------------------------------------------------------- */

static int set_servers(struct ctm_dns *d, char *const *servers, char *err,
		       size_t errlen)
{
	struct ctm_buf csv;
	int rc = CTMON_OK;

	ctm_buf_init(&csv);
	for (size_t i = 0; servers && servers[i]; i++) {
		char addr[64];
		int port, v6;
		if (ctm_dns_server_parse(servers[i], addr, sizeof addr, &port,
					 &v6) != 0) {
			snprintf(err, errlen,
				 "dns_servers: \"%s\" is not an IP address "
				 "with an optional port (\"127.0.0.1:5353\", "
				 "\"[::1]:53\")", servers[i]);
			rc = CTMON_ECONFIG;
			goto out;
		}
		ctm_buf_printf(&csv, v6 ? "%s[%s]:%d" : "%s%s:%d",
			       csv.len ? "," : "", addr, port);
	}
	if (csv.oom) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	if (csv.len && ares_set_servers_ports_csv(d->ch, csv.data) !=
			       ARES_SUCCESS) {
		snprintf(err, errlen, "dns_servers: c-ares refused \"%s\"",
			 csv.data);
		rc = CTMON_ECONFIG;
	}
out:
	ctm_buf_free(&csv);
	return rc;
}

static int count_servers(struct ctm_dns *d)
{
	struct ares_addr_port_node *list = NULL;
	int n = 0;

	if (ares_get_servers_ports(d->ch, &list) != ARES_SUCCESS)
		return 1;
	for (struct ares_addr_port_node *s = list; s; s = s->next)
		n++;
	ares_free_data(list);
	return n > 0 ? n : 1;
}

/* A channel whose attempts last per_try_ms; tries = 1 because retries
 * are ours (see the top of this file). */
static int open_channel(struct ctm_dns *d, int64_t per_try_ms,
			char *const *servers, char *err, size_t errlen)
{
	struct ares_options ao;
	int arc;

	memset(&ao, 0, sizeof ao);
	ao.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
	ao.tries = 1;
	ao.timeout = (int)per_try_ms;
	ao.sock_state_cb = sock_state;
	ao.sock_state_cb_data = d;
	arc = ares_init_options(&d->ch, &ao,
				ARES_OPT_FLAGS | ARES_OPT_TRIES |
					ARES_OPT_TIMEOUTMS |
					ARES_OPT_SOCK_STATE_CB);
	if (arc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(arc));
		return arc == ARES_ENOMEM ? CTMON_ENOMEM : CTMON_EIO;
	}
	d->ares_ok = 1;
	return set_servers(d, servers, err, errlen);
}

int ctm_dns_new(const struct ctm_dns_opts *o, struct ctm_dns **out,
		char *err, size_t errlen)
{
	struct ctm_dns *d = NULL;
	int64_t per_try;
	int rc, arc, nservers;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (!o || o->concurrency < 1 || o->timeout_ms < 1 || o->retries < 0) {
		snprintf(err, errlen, "dns: concurrency and timeout must be "
				      "positive, retries not negative");
		return CTMON_EINVAL;
	}
	d = calloc(1, sizeof *d);
	if (!d)
		return CTMON_ENOMEM;
	d->concurrency = o->concurrency;
	d->timeout_ms = o->timeout_ms;
	d->retries = o->retries;
	d->fail_fast = o->fail_fast;
	d->should_stop = o->should_stop;
	arc = ares_library_init(ARES_LIB_INIT_ALL);
	if (arc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(arc));
		rc = CTMON_EIO;
		goto fail;
	}
	d->lib_ok = 1;
	/* The attempt length depends on the number of servers; the system's
	 * are only known once c-ares has read resolv.conf, and options are
	 * fixed at init: a first channel counts them. */
	nservers = (int)ctm_strv_len(o->servers);
	if (nservers == 0) {
		rc = open_channel(d, 1000, NULL, err, errlen);
		if (rc != CTMON_OK)
			goto fail;
		nservers = count_servers(d);
		ares_destroy(d->ch);
		d->ares_ok = 0;
	}
	per_try = o->timeout_ms / ((int64_t)(o->retries + 1) * nservers);
	if (per_try < 1)
		per_try = 1;
	rc = open_channel(d, per_try, o->servers, err, errlen);
	if (rc != CTMON_OK)
		goto fail;
	*out = d;
	return CTMON_OK;
fail:
	ctm_dns_free(d);
	return rc;
}

void ctm_dns_free(struct ctm_dns *d)
{
	if (!d)
		return;
	if (d->ares_ok)
		ares_destroy(d->ch);
	if (d->lib_ok)
		ares_library_cleanup();
	free(d->fds);
	free(d);
}

/* ---- one question ------------------------------------------------------- */

static void on_answer(void *arg, int status, int timeouts,
		      unsigned char *abuf, int alen);

static void ask(struct question *q)
{
	struct job *j = q->job;

	j->outstanding++;
	j->queries++;
	j->d->st->queries++;
	q->attempts++;
	ares_query(j->d->ch, q->target ? q->target : j->name, 1 /* IN */,
		   q->type, on_answer, q);
}

static void retry_or(struct question *q, enum outcome o)
{
	struct job *j = q->job;

	if (!j->d->stopping && q->attempts <= j->d->retries &&
	    now_ms() < j->deadline_ms)
		ask(q);
	else
		q->out = o;
}

/* Adds an answer's hops to the question's chain; -1 on a loop or a chain
 * too long (the hops are then dropped). */
static int extend_chain(struct question *q, char **hops)
{
	size_t have = ctm_strv_len(q->chain);

	for (size_t i = 0; hops && hops[i]; i++) {
		if (have + i + 1 > CTM_DNS_MAX_HOPS ||
		    strcmp(hops[i], q->job->name) == 0)
			return -1;
		for (size_t k = 0; k < have; k++)
			if (strcmp(q->chain[k], hops[i]) == 0)
				return -1;
	}
	for (size_t i = 0; hops && hops[i]; i++)
		if (ctm_strv_push(&q->chain, hops[i]) != 0)
			return -2;
	return 0;
}

static void handle_answer(struct question *q, const unsigned char *abuf,
			  int alen)
{
	struct ctm_dns_answer a;
	const char *asked = q->target ? q->target : q->job->name;
	int rc, grew;

	rc = ctm_dns_parse_answer(abuf, alen > 0 ? (size_t)alen : 0, asked,
				  q->type, &a);
	if (rc == CTMON_ENOMEM) {
		q->out = Q_ERROR;
		return;
	}
	if (rc != CTMON_OK) {
		retry_or(q, Q_SERVFAIL); /* malformed, or a looping chain */
		return;
	}
	grew = a.cname && a.cname[0];
	rc = extend_chain(q, a.cname);
	if (rc != 0) {
		q->out = rc == -2 ? Q_ERROR : Q_SERVFAIL;
	} else if (a.addrs && a.addrs[0]) {
		q->addrs = a.addrs;
		a.addrs = NULL;
		q->out = Q_ADDR;
	} else if (a.rcode == 3) {
		q->out = Q_NXDOMAIN;
	} else if (a.rcode != 0) {
		retry_or(q, Q_SERVFAIL);
	} else if (grew) {
		/* A server that does not recurse stops at a hop: ask the
		 * last target itself, so the chain's end is known. */
		char *t = strdup(q->chain[ctm_strv_len(q->chain) - 1]);
		if (!t) {
			q->out = Q_ERROR;
		} else {
			free(q->target);
			q->target = t;
			q->attempts = 0;
			retry_or(q, Q_TIMEOUT);
		}
	} else {
		q->out = Q_NODATA;
	}
	ctm_dns_answer_free(&a);
}

static enum ctm_dns_status job_status(const struct job *j)
{
	const struct question *a = &j->q[0], *b = &j->q[1];
	int chain = (a->chain && a->chain[0]) || (b->chain && b->chain[0]);

#define ANY(o) (a->out == (o) || b->out == (o))
	if (ANY(Q_ADDR))
		return CTM_DNS_RESOLVED;
	if (ANY(Q_CANCELLED))
		return CTM_DNS_SKIPPED;
	if (ANY(Q_ERROR))
		return CTM_DNS_ERROR;
	if (ANY(Q_NXDOMAIN))
		return chain ? CTM_DNS_DANGLING : CTM_DNS_NXDOMAIN;
	if (ANY(Q_SERVFAIL))
		return CTM_DNS_SERVFAIL;
	if (ANY(Q_TIMEOUT))
		return CTM_DNS_TIMEOUT;
	return chain ? CTM_DNS_DANGLING : CTM_DNS_NODATA;
#undef ANY
}

static void maybe_finish(struct job *j)
{
	if (j->finished || j->outstanding > 0 || j->q[0].out == Q_PENDING ||
	    j->q[1].out == Q_PENDING)
		return;
	j->finished = 1;
	j->next = j->d->done;
	j->d->done = j;
}

static void on_answer(void *arg, int status, int timeouts,
		      unsigned char *abuf, int alen)
{
	struct question *q = arg;
	struct job *j = q->job;
	struct ctm_dns *d = j->d;

	(void)timeouts;
	j->outstanding--;
	switch (status) {
	case ARES_SUCCESS:
	case ARES_ENODATA:
	case ARES_ENOTFOUND:
		d->silent = 0;
		if (abuf)
			handle_answer(q, abuf, alen);
		else
			q->out = status == ARES_ENOTFOUND ? Q_NXDOMAIN
							  : Q_NODATA;
		break;
	case ARES_ETIMEOUT:
	case ARES_ECONNREFUSED:
		/* No server said anything: the sign of a dead resolver. */
		d->silent++;
		if (d->fail_fast &&
		    d->silent >= (size_t)(d->concurrency > 16
						  ? 2 * d->concurrency
						  : 32))
			d->tripped = 1;
		retry_or(q, status == ARES_ETIMEOUT ? Q_TIMEOUT : Q_SERVFAIL);
		break;
	case ARES_ESERVFAIL:
	case ARES_EREFUSED:
	case ARES_ENOTIMP:
	case ARES_EFORMERR:
	case ARES_EBADRESP:
		d->silent = 0;
		retry_or(q, Q_SERVFAIL);
		break;
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION:
		q->out = Q_CANCELLED;
		break;
	default: /* ENOMEM, EBADNAME, ... */
		q->out = Q_ERROR;
		break;
	}
	maybe_finish(j);
}

/* ---- the loop ----------------------------------------------------------- */

/* Host names in A-label form only: c-ares would otherwise send whatever
 * bytes it is given, and a wildcard is not a name to look up. */
static int askable(const char *n)
{
	size_t len = strlen(n), label = 0;

	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];
		if (c == '.') {
			if (label == 0 || label > 63)
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		label++;
	}
	return label > 0 && label <= 63;
}

static void start_job(struct ctm_dns *d, struct job *j, size_t index,
		      const char *name)
{
	static const int types[2] = {CTM_DNS_T_A, CTM_DNS_T_AAAA};

	memset(j, 0, sizeof *j);
	j->d = d;
	j->index = index;
	j->name = name;
	j->deadline_ms = now_ms() + (uint64_t)d->timeout_ms;
	for (int i = 0; i < 2; i++) {
		j->q[i].job = j;
		j->q[i].type = types[i];
	}
	if (!name || !askable(name)) {
		j->q[0].out = j->q[1].out = Q_ERROR;
		maybe_finish(j);
		return;
	}
	/* Both go out before either can finish the job. */
	j->outstanding++;
	ask(&j->q[0]);
	ask(&j->q[1]);
	j->outstanding--;
	maybe_finish(j);
}

static void free_job(struct job *j)
{
	for (int i = 0; i < 2; i++) {
		free(j->q[i].target);
		ctm_strv_free(j->q[i].chain);
		ctm_strv_free(j->q[i].addrs);
		j->q[i].target = NULL;
		j->q[i].chain = j->q[i].addrs = NULL;
	}
}

/* Hands finished jobs to the caller and returns their slots. */
static size_t deliver(struct ctm_dns *d,
		      void (*fn)(void *, size_t, const struct ctm_dns_result *),
		      void *ctx)
{
	static char *const none[] = {NULL};
	size_t n = 0;

	while (d->done) {
		struct job *j = d->done;
		char **addrs = NULL, **chain;
		struct ctm_dns_result r;
		int oom = 0;

		d->done = j->next;
		for (int i = 0; i < 2 && !oom; i++)
			for (size_t k = 0; j->q[i].addrs && j->q[i].addrs[k];
			     k++)
				if (ctm_strv_push(&addrs, j->q[i].addrs[k])) {
					oom = 1;
					break;
				}
		chain = j->q[0].chain && j->q[0].chain[0] ? j->q[0].chain
							   : j->q[1].chain;
		memset(&r, 0, sizeof r);
		r.name = j->name;
		r.status = oom ? CTM_DNS_ERROR : job_status(j);
		r.addresses = addrs && !oom ? addrs : none;
		r.cname = chain ? chain : none;
		r.queries = j->queries;
		d->st->by_status[r.status]++;
		fn(ctx, j->index, &r);
		ctm_strv_free(addrs);
		free_job(j);
		j->next = d->free_slots;
		d->free_slots = j;
		n++;
	}
	return n;
}

static void wait_and_process(struct ctm_dns *d)
{
	struct timeval maxtv = {0, 100000}, tv, *tvp;
	int ms, ready;

	/* Wake at least every 100 ms to notice a stop request. */
	tvp = ares_timeout(d->ch, &maxtv, &tv);
	ms = (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);
	ready = poll(d->fds, d->nfds, ms);
	if (ready <= 0) {
		ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		return;
	}
	/* Processing may close sockets (fds shrinks): copy first. */
	{
		struct pollfd ready_fds[16];
		size_t n = 0;
		for (size_t i = 0; i < d->nfds && n < 16; i++)
			if (d->fds[i].revents)
				ready_fds[n++] = d->fds[i];
		for (size_t i = 0; i < n; i++) {
			short ev = ready_fds[i].revents;
			ares_socket_t fd = ready_fds[i].fd;
			ares_process_fd(
				d->ch,
				ev & (POLLIN | POLLERR | POLLHUP)
					? fd
					: ARES_SOCKET_BAD,
				ev & POLLOUT ? fd : ARES_SOCKET_BAD);
		}
	}
}

int ctm_dns_resolve(struct ctm_dns *d, const char *const *names, size_t n,
		    void (*fn)(void *ctx, size_t i,
			       const struct ctm_dns_result *r),
		    void *ctx, struct ctm_dns_stats *st)
{
	struct ctm_dns_stats local;
	size_t next = 0, active = 0, slots;
	int rc = CTMON_OK;

	if (!st)
		st = &local;
	memset(st, 0, sizeof *st);
	if (!d || !fn || (n && !names))
		return CTMON_EINVAL;
	slots = (size_t)d->concurrency < n ? (size_t)d->concurrency : n;
	d->slots = calloc(slots ? slots : 1, sizeof *d->slots);
	if (!d->slots)
		return CTMON_ENOMEM;
	for (size_t i = 0; i < slots; i++) {
		d->slots[i].next = d->free_slots;
		d->free_slots = &d->slots[i];
	}
	d->st = st;
	d->silent = 0;
	d->tripped = d->stopping = 0;
	d->done = NULL;
	for (;;) {
		if (!d->stopping && d->should_stop && d->should_stop()) {
			d->stopping = 1;
			ares_cancel(d->ch); /* every question ends CANCELLED */
		}
		/* Finished names free their slots before new ones start, or
		 * a slot would idle until the next answer; repeat while
		 * names finish at once (not askable). */
		for (;;) {
			size_t started = 0;
			active -= deliver(d, fn, ctx);
			while (!d->stopping && !d->tripped && next < n &&
			       d->free_slots) {
				struct job *j = d->free_slots;
				d->free_slots = j->next;
				start_job(d, j, next, names[next]);
				next++;
				active++;
				started++;
			}
			if (!started)
				break;
		}
		if (active == 0)
			break; /* all done, or no more may start */
		if (d->fds_oom) {
			/* A socket we cannot watch: give up cleanly. */
			d->stopping = 1;
			ares_cancel(d->ch);
			rc = CTMON_ENOMEM;
			continue;
		}
		wait_and_process(d);
	}
	/* Names never started: not asked. */
	for (; next < n; next++) {
		static char *const none[] = {NULL};
		struct ctm_dns_result r = {names[next], CTM_DNS_SKIPPED, none,
					   none, 0};
		st->by_status[CTM_DNS_SKIPPED]++;
		fn(ctx, next, &r);
	}
	st->gave_up = d->tripped;
	free(d->slots);
	d->slots = d->free_slots = NULL;
	d->st = NULL;
	return rc;
}
