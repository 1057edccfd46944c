/* dn.c - see dn.h.  The three spellings ctmon meets for one issuer:
 *   crt.sh           C=US, O="DigiCert, Inc.", CN=DigiCert SHA2
 *   OpenSSL oneline  /C=US/O=DigiCert, Inc./CN=DigiCert SHA2
 *   RFC 2253         CN=DigiCert SHA2,O=DigiCert\, Inc.,C=US
 * An unquoted ',' or '/' inside a value is common (the oneline form never
 * escapes), so a separator only splits when an attribute type and '='
 * follow it.  RDNs are then sorted, because RFC 2253 writes them in
 * reverse: the result compares the DNs as multisets of RDNs. */
#include "dn.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct rdn {
	const char *type;  /* upper-case, aliases resolved; "" if none */
	const char *value; /* unquoted, unescaped, spaces collapsed, lower */
};

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static char to_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	c = to_lower(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Does "<spaces>TYPE<spaces>=" start at p?  TYPE is a name or an OID. */
static int type_follows(const char *p)
{
	size_t n = 0;

	while (*p == ' ')
		p++;
	if (!is_alpha(*p) && !is_digit(*p))
		return 0;
	while (is_alpha(p[n]) || is_digit(p[n]) || p[n] == '.' || p[n] == '-')
		n++;
	if (n > 64)
		return 0;
	p += n;
	while (*p == ' ')
		p++;
	return *p == '=';
}

/* Spellings of one attribute type, mapped to the short name. */
static const char *resolve_alias(const char *t)
{
	static const char *const map[][2] = {
		{"S", "ST"},
		{"E", "EMAILADDRESS"},
		{"EMAIL", "EMAILADDRESS"},
		{"COMMONNAME", "CN"},
		{"COUNTRYNAME", "C"},
		{"LOCALITYNAME", "L"},
		{"STATEORPROVINCENAME", "ST"},
		{"ORGANIZATIONNAME", "O"},
		{"ORGANIZATIONALUNITNAME", "OU"},
		{"2.5.4.3", "CN"},
		{"2.5.4.5", "SERIALNUMBER"},
		{"2.5.4.6", "C"},
		{"2.5.4.7", "L"},
		{"2.5.4.8", "ST"},
		{"2.5.4.10", "O"},
		{"2.5.4.11", "OU"},
		{"1.2.840.113549.1.9.1", "EMAILADDRESS"},
	};

	if (strncmp(t, "OID.", 4) == 0)
		t += 4;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(t, map[i][0]) == 0)
			return map[i][1];
	return t;
}

/* Sort order: the usual top-down X.500 order, so the canonical text reads
 * like crt.sh's; other types after, alphabetically. */
static int type_rank(const char *t)
{
	static const char *const order[] = {"C", "ST", "L", "O", "OU", "CN"};

	for (int i = 0; i < 6; i++)
		if (strcmp(t, order[i]) == 0)
			return i;
	return 6;
}

static int cmp_rdn(const void *pa, const void *pb)
{
	const struct rdn *a = pa, *b = pb;
	int ra = type_rank(a->type), rb = type_rank(b->type), c;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	c = strcmp(a->type, b->type);
	return c ? c : strcmp(a->value, b->value);
}

/* Writes the type of seg[0..n) upper-cased and trimmed into out. */
static const char *put_type(const char *seg, size_t n, char **out)
{
	char *start = *out, *w = *out;

	while (n && *seg == ' ')
		seg++, n--;
	while (n && seg[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < n; i++)
		*w++ = to_upper(seg[i]);
	*w++ = '\0';
	*out = w;
	return resolve_alias(start);
}

/* Writes the value of seg[0..n) into out: quotes dropped, escapes
 * resolved (\, and \2C alike), space runs collapsed and trimmed, ASCII
 * lower-cased. */
static const char *put_value(const char *seg, size_t n, int lower, char **out)
{
	char *start = *out, *w = *out;
	int pending_space = 0;

	for (size_t i = 0; i < n; i++) {
		char c = seg[i];
		if (c == '"')
			continue;
		if (c == '\\' && i + 1 < n) {
			int hi = hex_value(seg[i + 1]);
			int lo = i + 2 < n ? hex_value(seg[i + 2]) : -1;
			if (hi >= 0 && lo >= 0) {
				c = (char)(hi * 16 + lo);
				i += 2;
			} else {
				c = seg[++i];
			}
		} else if (c == ' ' || c == '\t') {
			pending_space = w > start;
			continue;
		}
		if (pending_space)
			*w++ = ' ';
		pending_space = 0;
		*w++ = lower ? to_lower(c) : c;
	}
	*w++ = '\0';
	*out = w;
	return start;
}

/* Splits dn into RDN segments and normalises each into rdns[] (strings
 * in `store`; values lower-cased if `lower`).  Returns the count. */
static size_t parse(const char *dn, int lower, struct rdn *rdns, char *store)
{
	int slash = 0, quoted = 0;
	const char *seg;
	size_t count = 0;

	while (*dn == ' ')
		dn++;
	if (*dn == '/') {
		slash = 1;
		dn++;
	}
	seg = dn;
	for (const char *p = dn;; p++) {
		int split = 0;
		if (*p == '\0') {
			split = 1;
		} else if (*p == '\\' && p[1]) {
			p++;
			continue;
		} else if (*p == '"') {
			quoted = !quoted;
		} else if (!quoted && type_follows(p + 1)) {
			split = slash ? (*p == '/' || *p == '+')
				      : (*p == ',' || *p == ';' || *p == '+');
		}
		if (!split)
			continue;
		if (p > seg) {
			const char *eq = NULL;
			int q = 0;
			for (const char *e = seg; e < p && !eq; e++) {
				if (*e == '\\' && e + 1 < p)
					e++;
				else if (*e == '"')
					q = !q;
				else if (*e == '=' && !q)
					eq = e;
			}
			if (eq) {
				rdns[count].type = put_type(
					seg, (size_t)(eq - seg), &store);
				rdns[count].value =
					put_value(eq + 1, (size_t)(p - eq - 1),
						  lower, &store);
			} else {
				rdns[count].type = "";
				rdns[count].value = put_value(
					seg, (size_t)(p - seg), lower, &store);
			}
			if (rdns[count].type[0] || rdns[count].value[0])
				count++;
		}
		if (*p == '\0')
			break;
		seg = p + 1;
	}
	return count;
}

char *ctm_dn_canonical(const char *dn)
{
	struct rdn *rdns = NULL;
	char *store = NULL, *text = NULL;
	struct ctm_buf out;
	size_t len, n;

	if (!dn)
		return NULL;
	ctm_buf_init(&out);
	len = strlen(dn);
	/* At most one RDN per input byte; each RDN's type and value fit in
	 * its own bytes plus two NULs. */
	rdns = calloc(len + 1, sizeof *rdns);
	store = malloc(3 * (len + 1));
	if (!rdns || !store)
		goto out;
	n = parse(dn, 1, rdns, store);
	qsort(rdns, n, sizeof *rdns, cmp_rdn);
	ctm_buf_puts(&out, "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			ctm_buf_append(&out, ",", 1);
		if (rdns[i].type[0]) {
			ctm_buf_puts(&out, rdns[i].type);
			ctm_buf_append(&out, "=", 1);
		}
		ctm_buf_puts(&out, rdns[i].value);
	}
	text = ctm_buf_take(&out);
out:
	ctm_buf_free(&out);
	free(rdns);
	free(store);
	return text;
}

int ctm_dn_equal(const char *a, const char *b)
{
	char *ca, *cb;
	int eq;

	if (!a || !b)
		return 0;
	ca = ctm_dn_canonical(a);
	cb = ctm_dn_canonical(b);
	eq = ca && cb && strcmp(ca, cb) == 0;
	free(ca);
	free(cb);
	return eq;
}

char *ctm_dn_attr(const char *dn, const char *type)
{
	struct rdn *rdns = NULL;
	char *store = NULL, *value = NULL, *want = NULL;
	size_t len, n;

	if (!dn || !type)
		return NULL;
	len = strlen(dn);
	rdns = calloc(len + 1, sizeof *rdns);
	store = malloc(3 * (len + 1));
	want = malloc(strlen(type) + 1);
	if (!rdns || !store || !want)
		goto out;
	{
		char *w = want;
		const char *t = put_type(type, strlen(type), &w);
		n = parse(dn, 0, rdns, store);
		for (size_t i = 0; i < n && !value; i++)
			if (strcmp(rdns[i].type, t) == 0)
				value = ctm_strdup(rdns[i].value);
	}
out:
	free(rdns);
	free(store);
	free(want);
	return value;
}
