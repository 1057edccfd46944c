/* names.c - see names.h. */
#include "names.h"

#include <string.h>

static int valid_label(const char *l, size_t n, int first)
{
	if (n == 0 || n > 63)
		return 0;
	if (first && n == 1 && l[0] == '*')
		return 1;
	if (l[0] == '-' || l[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = l[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int ctm_name_normalize(const char *in, char *out, size_t outlen)
{
	size_t start = 0, end, n, i, label = 0;
	int dots = 0;

	if (!in || outlen == 0)
		return -1;
	end = strlen(in);
	while (start < end && (in[start] == ' ' || in[start] == '\t'))
		start++;
	while (end > start && (in[end - 1] == ' ' || in[end - 1] == '\t' ||
			       in[end - 1] == '\r'))
		end--;
	if (end > start && in[end - 1] == '.')
		end--;
	n = end - start;
	if (n == 0 || n > 253 || n >= outlen)
		return -1;
	for (i = 0; i < n; i++) {
		char c = in[start + i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		out[i] = c;
	}
	out[n] = '\0';
	for (i = 0; i <= n; i++) {
		if (i == n || out[i] == '.') {
			if (!valid_label(out + label, i - label, label == 0))
				return -1;
			if (i < n)
				dots++;
			label = i + 1;
		}
	}
	/* A bare label ("localhost", "PayPal") is not a public host name. */
	if (dots == 0)
		return -1;
	/* All-numeric last label: an IP address, not a host name. */
	{
		const char *last = strrchr(out, '.') + 1;
		int digits = 1;
		for (const char *p = last; *p; p++)
			if (*p < '0' || *p > '9')
				digits = 0;
		if (digits)
			return -1;
	}
	return 0;
}

int ctm_name_under(const char *name, const char *domain)
{
	size_t nl, dl;

	if (ctm_name_is_wildcard(name))
		name += 2;
	nl = strlen(name);
	dl = strlen(domain);
	if (nl == dl)
		return strcmp(name, domain) == 0;
	if (nl < dl + 1)
		return 0;
	return name[nl - dl - 1] == '.' && strcmp(name + nl - dl, domain) == 0;
}

int ctm_name_matches(const char *name, const char *watched)
{
	const char *parent;

	if (ctm_name_under(name, watched))
		return 1;
	/* "*.example.com" covers "api.example.com": one label, no more. */
	parent = strchr(watched, '.');
	return ctm_name_is_wildcard(name) && parent &&
	       strcmp(name + 2, parent + 1) == 0;
}

const char *ctm_name_base(const char *name)
{
	return ctm_name_is_wildcard(name) ? name + 2 : name;
}

int ctm_name_is_wildcard(const char *name)
{
	return name[0] == '*' && name[1] == '.';
}

/* Why a name-like string failed ctm_name_normalize, for the alert. */
static const char *malformed_reason(const char *in)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t label = 0;

	for (; *p; p++) {
		if (*p >= 0x80)
			return "non-ASCII bytes (a U-label, or not UTF-8)";
		if (*p < 0x20 || *p == 0x7f)
			return "control characters";
		if (*p == '\\')
			return "a NUL byte or an escape in the name";
		if (*p == '.') {
			if (label == 0)
				return "an empty label";
			label = 0;
			continue;
		}
		if (++label > 63)
			return "a label over 63 bytes";
	}
	if (strlen(in) > 253)
		return "a name over 253 bytes";
	return "characters not allowed in a host name";
}

int ctm_name_lenient(const char *in, char *out, size_t outlen,
		     const char **reason)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0, len;

	*reason = NULL;
	if (!in || outlen < 16 || !strchr(in, '.') || strchr(in, '@') ||
	    strchr(in, ' '))
		return -1;
	/* Too long to show whole: keep the end, which names the domain. */
	len = strlen(in);
	if (len > (outlen - 4) / 4) {
		p += len - (outlen - 4) / 4;
		out[n++] = '.';
		out[n++] = '.';
	}
	for (; *p && n + 5 <= outlen; p++) {
		unsigned char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c < 0x20 || c >= 0x7f) {
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
	len = n;
	if (len && out[len - 1] == '.')
		out[--len] = '\0';
	if (len == 0)
		return -1;
	*reason = malformed_reason(in);
	return 0;
}
