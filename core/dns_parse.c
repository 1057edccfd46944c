/* dns_parse.c - reads DNS responses ourselves instead of through c-ares's
 * hostent helpers, because ctmon needs what those flatten away: every
 * CNAME hop in order, and which name the addresses belong to.  Every byte
 * comes from the network, so every read is bounds-checked. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctmon/plugin.h"
#include "dns_internal.h"
#include "util.h"

#define HDR_LEN 12

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static int plain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

int ctm_dns_read_name(const unsigned char *msg, size_t len, size_t *pos,
		      char *out, size_t outlen)
{
	size_t p = *pos, o = 0, wire = 0, end = 0;
	int jumped = 0, jumps = 0;

	if (outlen == 0)
		return -1;
	for (;;) {
		unsigned l;
		if (p >= len)
			return -1;
		l = msg[p];
		if ((l & 0xc0) == 0xc0) {
			size_t target;
			if (p + 1 >= len)
				return -1;
			target = (size_t)(l & 0x3f) << 8 | msg[p + 1];
			/* A name only points back; the jump cap stops loops
			 * among backward pointers too. */
			if (target >= p || ++jumps > 64)
				return -1;
			if (!jumped)
				end = p + 2;
			jumped = 1;
			p = target;
			continue;
		}
		if (l & 0xc0)
			return -1; /* 0x40/0x80: extended label types */
		p++;
		if (l == 0)
			break;
		wire += l + 1;
		if (wire > 255 || p + l > len)
			return -1;
		if (o > 0) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = '.';
		}
		for (unsigned i = 0; i < l; i++) {
			unsigned char c = msg[p + i];
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			if (plain_char(c)) {
				if (o + 1 >= outlen)
					return -1;
				out[o++] = (char)c;
			} else {
				if (o + 5 >= outlen)
					return -1;
				snprintf(out + o, 5, "\\%03u", c);
				o += 4;
			}
		}
		p += l;
	}
	out[o] = '\0';
	*pos = jumped ? end : p;
	return 0;
}

/* A record as far as the chain needs it. */
struct rr {
	char owner[CTM_DNS_NAME_MAX];
	unsigned type;
	size_t rdata;   /* offset of the RDATA in the message */
	unsigned rdlen;
};

static int read_rr(const unsigned char *msg, size_t len, size_t *pos,
		   struct rr *rr, int *in_class)
{
	if (ctm_dns_read_name(msg, len, pos, rr->owner, sizeof rr->owner))
		return -1;
	if (*pos + 10 > len)
		return -1;
	rr->type = get16(msg + *pos);
	*in_class = get16(msg + *pos + 2) == 1;
	rr->rdlen = get16(msg + *pos + 8);
	rr->rdata = *pos + 10;
	if (rr->rdata + rr->rdlen > len)
		return -1;
	*pos = rr->rdata + rr->rdlen;
	return 0;
}

/* Offset of the answer section: the header and the questions skipped. */
static int skip_questions(const unsigned char *msg, size_t len, size_t *pos)
{
	char name[CTM_DNS_NAME_MAX];
	unsigned qd = get16(msg + 4);

	*pos = HDR_LEN;
	for (unsigned i = 0; i < qd; i++) {
		if (ctm_dns_read_name(msg, len, pos, name, sizeof name) ||
		    *pos + 4 > len)
			return -1;
		*pos += 4;
	}
	return 0;
}

/* The CNAME owned by `owner` among the answers; its target into out. */
static int find_cname(const unsigned char *msg, size_t len, size_t start,
		      unsigned an, const char *owner, char *out,
		      size_t outlen, int *found)
{
	size_t pos = start;
	struct rr rr;
	int in;

	*found = 0;
	for (unsigned i = 0; i < an; i++) {
		if (read_rr(msg, len, &pos, &rr, &in))
			return -1;
		if (!in || rr.type != CTM_DNS_T_CNAME ||
		    strcmp(rr.owner, owner) != 0)
			continue;
		size_t p = rr.rdata;
		if (ctm_dns_read_name(msg, len, &p, out, outlen) ||
		    p != rr.rdata + rr.rdlen)
			return -1;
		*found = 1;
		return 0;
	}
	return 0;
}

static int chain_has(char *const *chain, const char *qname, const char *n)
{
	if (strcmp(qname, n) == 0)
		return 1;
	for (size_t i = 0; chain && chain[i]; i++)
		if (strcmp(chain[i], n) == 0)
			return 1;
	return 0;
}

static int collect_addrs(const unsigned char *msg, size_t len, size_t start,
			 unsigned an, const char *owner, int qtype,
			 char ***addrs)
{
	size_t pos = start;
	struct rr rr;
	int in;

	for (unsigned i = 0; i < an; i++) {
		char text[INET6_ADDRSTRLEN];
		if (read_rr(msg, len, &pos, &rr, &in))
			return CTMON_EFORMAT;
		if (!in || rr.type != (unsigned)qtype ||
		    strcmp(rr.owner, owner) != 0)
			continue;
		if (rr.rdlen != (qtype == CTM_DNS_T_A ? 4u : 16u))
			return CTMON_EFORMAT;
		if (!inet_ntop(qtype == CTM_DNS_T_A ? AF_INET : AF_INET6,
			       msg + rr.rdata, text, sizeof text))
			return CTMON_EFORMAT;
		if (ctm_strv_push(addrs, text) != 0)
			return CTMON_ENOMEM;
	}
	return CTMON_OK;
}

int ctm_dns_parse_answer(const unsigned char *msg, size_t len,
			 const char *qname, int qtype,
			 struct ctm_dns_answer *out)
{
	char first[CTM_DNS_NAME_MAX], cur[CTM_DNS_NAME_MAX];
	char next[CTM_DNS_NAME_MAX];
	size_t start;
	unsigned an;
	int rc = CTMON_EFORMAT, found = 1;

	memset(out, 0, sizeof *out);
	if (!msg || len < HDR_LEN || strlen(qname) >= sizeof first)
		return CTMON_EFORMAT;
	out->rcode = msg[3] & 0x0f;
	an = get16(msg + 6);
	if (skip_questions(msg, len, &start))
		goto out;
	/* qname as read_name would give it: host names need no escapes. */
	snprintf(first, sizeof first, "%s", qname);
	for (char *c = first; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	memcpy(cur, first, sizeof cur);
	for (size_t hops = 0; found; hops++) {
		if (find_cname(msg, len, start, an, cur, next, sizeof next,
			       &found))
			goto out;
		if (!found)
			break;
		if (hops >= CTM_DNS_MAX_HOPS ||
		    chain_has(out->cname, first, next) || strcmp(next, "") == 0)
			goto out;
		if (ctm_strv_push(&out->cname, next) != 0) {
			rc = CTMON_ENOMEM;
			goto out;
		}
		memcpy(cur, next, strlen(next) + 1);
	}
	rc = collect_addrs(msg, len, start, an, cur, qtype, &out->addrs);
out:
	if (rc != CTMON_OK)
		ctm_dns_answer_free(out);
	return rc;
}

void ctm_dns_answer_free(struct ctm_dns_answer *a)
{
	ctm_strv_free(a->cname);
	ctm_strv_free(a->addrs);
	a->cname = a->addrs = NULL;
}
