/* dns_internal.h - pieces of the resolver shared by dns.c and
 * dns_parse.c, and exposed to their unit tests.  Not used elsewhere. */
#ifndef CTM_DNS_INTERNAL_H
#define CTM_DNS_INTERNAL_H

#include <stddef.h>

/* Longest CNAME chain followed; longer ones (or loops) are a failure. */
#define CTM_DNS_MAX_HOPS 16
/* A name in presentation form: 255 wire bytes, each at most "\DDD". */
#define CTM_DNS_NAME_MAX 1024

#define CTM_DNS_T_A 1
#define CTM_DNS_T_CNAME 5
#define CTM_DNS_T_AAAA 28

/* What one answer says about one question. */
struct ctm_dns_answer {
	int rcode;     /* header RCODE: 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN... */
	char **cname;  /* NULL-terminated hops from the question's name */
	char **addrs;  /* NULL-terminated addresses of the asked type owned
	                  by the chain's last name */
};

/* Reads the (possibly compressed) name at *pos of a DNS message into out
 * in presentation form: lower case, labels joined by '.', any byte
 * outside [a-z0-9_-] written as \DDD so the text is unambiguous (and has
 * no blanks: the store joins names with spaces).  The root is "".
 * Advances *pos past the name in the record.  0, or -1 for a malformed
 * name (out of bounds, pointer loop, label or name too long). */
int ctm_dns_read_name(const unsigned char *msg, size_t len, size_t *pos,
		      char *out, size_t outlen);

/* Parses a response to (qname, qtype): rcode, the CNAME chain starting at
 * qname (lower case, compared case-insensitively) and the addresses of
 * the chain's end.  Records of other classes, types or owners are
 * ignored.  CTMON_OK, CTMON_EFORMAT for a malformed message or a chain
 * that loops or exceeds CTM_DNS_MAX_HOPS, CTMON_ENOMEM. */
int ctm_dns_parse_answer(const unsigned char *msg, size_t len,
			 const char *qname, int qtype,
			 struct ctm_dns_answer *out);
void ctm_dns_answer_free(struct ctm_dns_answer *a);

/* Parses a server entry ("ip", "ip:port", "[ipv6]:port", bare IPv6)
 * into the address text and port (53 when absent); *v6 = 1 for IPv6.
 * 0, or -1 when it is not one. */
int ctm_dns_server_parse(const char *s, char *addr, size_t addrlen,
			 int *port, int *v6);

#endif
