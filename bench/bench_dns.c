/* bench_dns.c - DNS resolution speed (issue 5), driven by bench/run_dns.sh.
 *
 *   bench_dns ctmon PORT N CONCURRENCY
 *       ctmon's resolver (core/dns.c) on bulk0..bulkN-1.dns.test at
 *       127.0.0.1:PORT (tests/dns/dnsmasq_env.py --bulk N).
 *   bench_dns gai PORT N
 *       the baseline: one getaddrinfo() after another on the same names,
 *       glibc's resolver pointed at the same server through _res.
 *   bench_dns dead N CONCURRENCY TIMEOUT_MS FAIL_FAST
 *       ctmon's resolver on N names against a black hole this program
 *       opens (a UDP socket never read).
 *   bench_dns gai-dead N TIMEOUT_S
 *       the baseline against the same kind of black hole.
 *   bench_dns relay PORT DELAY_MS PORT_FILE
 *       runs until killed: a UDP relay to 127.0.0.1:PORT that adds
 *       DELAY_MS of round trip; writes the port it listens on.
 *
 * Every answer is checked (bulk<i> must be 198.18.i/256.i%256): a name
 * that exists nowhere but in the local dnsmasq proves the query went
 * there.  Output: one line "names seconds names_per_s extra...". */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ctmon/plugin.h"
#include "dns.h"
#include "util.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long arg_long(const char *s)
{
	int64_t v;
	if (ctm_parse_int64(s, &v) != 0 || v < 0) {
		fprintf(stderr, "bench_dns: bad number \"%s\"\n", s);
		exit(2);
	}
	return (long)v;
}

static char **make_names(const char *prefix, long n)
{
	char **v = calloc((size_t)n + 1, sizeof *v);

	for (long i = 0; v && i < n; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s%ld.dns.test", prefix, i);
		v[i] = strdup(buf);
		if (!v[i]) {
			ctm_strv_free(v);
			return NULL;
		}
	}
	return v;
}

static void expected(long i, char *buf, size_t len)
{
	snprintf(buf, len, "198.18.%ld.%ld", i / 256, i % 256);
}

struct tally {
	long ok, wrong;
	size_t by_status[CTM_DNS_SKIPPED + 1];
};

static void check_result(void *ctx, size_t i, const struct ctm_dns_result *r)
{
	struct tally *t = ctx;
	char want[32];

	t->by_status[r->status]++;
	expected((long)i, want, sizeof want);
	if (r->status == CTM_DNS_RESOLVED && r->addresses[0] &&
	    strcmp(r->addresses[0], want) == 0 && !r->addresses[1])
		t->ok++;
	else
		t->wrong++;
}

static void count_only(void *ctx, size_t i, const struct ctm_dns_result *r)
{
	struct tally *t = ctx;
	(void)i;
	t->by_status[r->status]++;
}

static int run_ctmon(char *server, char **names, long n, long conc,
		     long timeout_ms, int fail_fast, int check,
		     struct tally *t, struct ctm_dns_stats *st, double *secs)
{
	char *servers[] = {server, NULL};
	struct ctm_dns_opts o;
	struct ctm_dns *d = NULL;
	char err[256];
	double t0;
	int rc;

	memset(&o, 0, sizeof o);
	o.servers = servers;
	o.concurrency = (int)conc;
	o.timeout_ms = timeout_ms;
	o.retries = 2;
	o.fail_fast = fail_fast;
	rc = ctm_dns_new(&o, &d, err, sizeof err);
	if (rc != CTMON_OK) {
		fprintf(stderr, "bench_dns: %s\n", err);
		return rc;
	}
	t0 = now_s();
	rc = ctm_dns_resolve(d, (const char *const *)names, (size_t)n,
			     check ? check_result : count_only, t, st);
	*secs = now_s() - t0;
	ctm_dns_free(d);
	return rc;
}

/* glibc's stub resolver reads /etc/resolv.conf, which can name only port
 * 53; _res (honoured by getaddrinfo since glibc 2.26) points it at the
 * benchmark's server instead, with the given timeout and one attempt. */
static void point_glibc_at(int port, int timeout_s)
{
	res_init();
	_res.nscount = 1;
	memset(&_res.nsaddr_list[0], 0, sizeof _res.nsaddr_list[0]);
	_res.nsaddr_list[0].sin_family = AF_INET;
	_res.nsaddr_list[0].sin_port = htons((uint16_t)port);
	_res.nsaddr_list[0].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	_res.retrans = timeout_s;
	_res.retry = 1;
}

static long gai_one(const char *name, long i, int check)
{
	struct addrinfo hints, *res = NULL;
	char got[64] = "", want[32];
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0)
		return 0;
	if (res->ai_family == AF_INET)
		inet_ntop(AF_INET,
			  &((struct sockaddr_in *)res->ai_addr)->sin_addr, got,
			  sizeof got);
	freeaddrinfo(res);
	expected(i, want, sizeof want);
	return !check || strcmp(got, want) == 0;
}

/* The black hole never answers, but reads what arrives (in a thread) so
 * the count is not capped by its socket buffer. */
struct sink {
	int fd;
	volatile long count;
	volatile int stop;
	pthread_t thread;
};

static void *drain(void *arg)
{
	struct sink *s = arg;
	char buf[1500];

	while (!s->stop) {
		struct pollfd p = {s->fd, POLLIN, 0};
		if (poll(&p, 1, 50) > 0 && recv(s->fd, buf, sizeof buf, 0) >= 0)
			s->count++;
	}
	return NULL;
}

static int blackhole(char *server, size_t len, int *fd_out)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0)
		return -1;
	snprintf(server, len, "127.0.0.1:%d", ntohs(a.sin_port));
	*fd_out = fd;
	return ntohs(a.sin_port);
}

static struct sink sink;

static int sink_start(char *server, size_t len)
{
	int port = blackhole(server, len, &sink.fd);

	if (port < 0 || pthread_create(&sink.thread, NULL, drain, &sink) != 0)
		return -1;
	return port;
}

static long sink_stop(void)
{
	struct timespec settle = {0, 200 * 1000 * 1000};

	nanosleep(&settle, NULL); /* what is still on its way */
	sink.stop = 1;
	pthread_join(sink.thread, NULL);
	close(sink.fd);
	return sink.count;
}

/* ---- a relay that adds round-trip time ------------------------------- */

/* Loopback answers in ~50 us; real resolvers in 1-50 ms.  The relay holds
 * each query `delay` ms before passing it to the server (answers go back
 * at once), so both resolvers see a realistic round trip.  Query ids are
 * rewritten so two clients' equal ids cannot mix. */
struct held {
	double due;
	struct sockaddr_in from;
	unsigned len;
	unsigned char buf[512];
};

struct origin {
	struct sockaddr_in from;
	unsigned char id[2];
};

static int relay(int upstream_port, double delay_ms, const char *port_file)
{
	static struct held q[65536];
	static struct origin orig[65536];
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	size_t head = 0, tail = 0;
	unsigned next_id = 0;
	int lfd = socket(AF_INET, SOCK_DGRAM, 0);
	int ufd = socket(AF_INET, SOCK_DGRAM, 0);
	FILE *fp;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || ufd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen))
		return 1;
	fp = fopen(port_file, "w");
	if (!fp)
		return 1;
	fprintf(fp, "%d\n", ntohs(a.sin_port));
	fclose(fp);
	a.sin_port = htons((uint16_t)upstream_port);
	if (connect(ufd, (struct sockaddr *)&a, sizeof a))
		return 1;
	for (;;) {
		struct pollfd p[2] = {{lfd, POLLIN, 0}, {ufd, POLLIN, 0}};
		double now = now_s();
		double due = head == tail ? now + 1 : q[tail % 65536].due;
		int ms = due <= now ? 0 : (int)((due - now) * 1000) + 1;
		poll(p, 2, ms);
		if (p[0].revents & POLLIN) {
			struct held *h = &q[head % 65536];
			socklen_t fl = sizeof h->from;
			ssize_t n = recvfrom(lfd, h->buf, sizeof h->buf, 0,
					     (struct sockaddr *)&h->from, &fl);
			if (n >= 12 && head - tail < 65536) {
				h->len = (unsigned)n;
				h->due = now_s() + delay_ms / 1000;
				head++;
			}
		}
		while (head != tail && q[tail % 65536].due <= now_s()) {
			struct held *h = &q[tail++ % 65536];
			struct origin *o = &orig[next_id];
			o->from = h->from;
			memcpy(o->id, h->buf, 2);
			h->buf[0] = (unsigned char)(next_id >> 8);
			h->buf[1] = (unsigned char)next_id;
			next_id = (next_id + 1) % 65536;
			send(ufd, h->buf, h->len, 0);
		}
		if (p[1].revents & POLLIN) {
			unsigned char buf[4096];
			ssize_t n = recv(ufd, buf, sizeof buf, 0);
			if (n >= 12) {
				struct origin *o = &orig[buf[0] << 8 | buf[1]];
				memcpy(buf, o->id, 2);
				sendto(lfd, buf, (size_t)n, 0,
				       (struct sockaddr *)&o->from,
				       sizeof o->from);
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct ctm_dns_stats st;
	struct tally t;
	char server[64];
	char **names = NULL;
	double secs = 0;
	int rc = 1;
	long n;

	memset(&t, 0, sizeof t);
	if (argc >= 5 && strcmp(argv[1], "ctmon") == 0) {
		n = arg_long(argv[3]);
		names = make_names("bulk", n);
		snprintf(server, sizeof server, "127.0.0.1:%ld",
			 arg_long(argv[2]));
		if (!names || run_ctmon(server, names, n, arg_long(argv[4]),
					5000, 1, 1, &t, &st, &secs))
			goto out;
		printf("%ld %.3f %.0f %ld %zu\n", n, secs, n / secs, t.ok,
		       st.queries);
		rc = t.ok == n ? 0 : 3;
	} else if (argc >= 4 && strcmp(argv[1], "gai") == 0) {
		double t0;
		n = arg_long(argv[3]);
		names = make_names("bulk", n);
		if (!names)
			goto out;
		point_glibc_at((int)arg_long(argv[2]), 5);
		t0 = now_s();
		for (long i = 0; i < n; i++)
			t.ok += gai_one(names[i], i, 1);
		secs = now_s() - t0;
		printf("%ld %.3f %.0f %ld\n", n, secs, n / secs, t.ok);
		rc = t.ok == n ? 0 : 3;
	} else if (argc >= 6 && strcmp(argv[1], "dead") == 0) {
		n = arg_long(argv[2]);
		names = make_names("dead", n);
		if (!names || sink_start(server, sizeof server) < 0 ||
		    run_ctmon(server, names, n, arg_long(argv[3]),
			      arg_long(argv[4]), (int)arg_long(argv[5]), 0, &t,
			      &st, &secs))
			goto out;
		/* seconds, timeouts, names not asked, queries seen there */
		printf("%ld %.3f %zu %zu %ld\n", n, secs,
		       t.by_status[CTM_DNS_TIMEOUT],
		       t.by_status[CTM_DNS_SKIPPED], sink_stop());
		rc = 0;
	} else if (argc >= 4 && strcmp(argv[1], "gai-dead") == 0) {
		double t0;
		int port;
		n = arg_long(argv[2]);
		names = make_names("dead", n);
		port = names ? sink_start(server, sizeof server) : -1;
		if (port < 0)
			goto out;
		point_glibc_at(port, (int)arg_long(argv[3]));
		t0 = now_s();
		for (long i = 0; i < n; i++)
			t.ok += gai_one(names[i], i, 0);
		secs = now_s() - t0;
		printf("%ld %.3f %.3f %ld %ld\n", n, secs, secs / n, t.ok,
		       sink_stop());
		rc = 0;
	} else if (argc >= 5 && strcmp(argv[1], "relay") == 0) {
		rc = relay((int)arg_long(argv[2]), (double)arg_long(argv[3]),
			   argv[4]);
	} else {
		fprintf(stderr, "usage: see bench/bench_dns.c\n");
		rc = 2;
	}
out:
	ctm_strv_free(names);
	return rc;
}
