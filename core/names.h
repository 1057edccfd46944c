/* names.h - host names as ctmon compares them: lower case, no trailing dot,
 * A-labels; monitored domains match on label boundaries. */
#ifndef CTM_NAMES_H
#define CTM_NAMES_H

#include <stddef.h>

/* Normalises a name from a certificate into out (size outlen): trims
 * spaces, lower-cases ASCII, drops one trailing dot.  Returns 0 when the
 * result is a valid host name or wildcard ("*.x.y"), -1 for anything else
 * (e-mail addresses, organisation names, IPs in raw form, empty labels,
 * labels over 63 bytes, names over 253 bytes, bytes outside
 * [a-z0-9-_*.]).  Non-ASCII names are rejected: sources give A-labels. */
int ctm_name_normalize(const char *in, char *out, size_t outlen);

/* 1 if name (normalised, wildcard allowed) is domain or under it, on a
 * label boundary: "a.example.com" and "*.example.com" are under
 * "example.com"; "notexample.com" is not. */
int ctm_name_under(const char *name, const char *domain);

/* 1 if a certificate for name concerns the watched name: name is it or
 * under it (ctm_name_under), or name is a wildcard that covers it
 * ("*.example.com" covers "api.example.com"), as certspotter matches. */
int ctm_name_matches(const char *name, const char *watched);

/* The name a wildcard stands for: "*.x.example.com" -> "x.example.com";
 * other names are returned unchanged. */
const char *ctm_name_base(const char *name);

/* 1 if name starts with "*.". */
int ctm_name_is_wildcard(const char *name);

/* For a name ctm_name_normalize refused that still looks like a host
 * name (a '.', no '@' or space: not an e-mail address or organisation
 * name): its readable form in out, lower-cased, bytes outside printable
 * ASCII as "\\xHH", cut to outlen, and in *reason why it is malformed.
 * Misissued certificates look like this (a label over 63 bytes, a NUL,
 * raw UTF-8); the readable form still matches the monitored domains.
 * Returns 0, or -1 when it does not look like a host name at all. */
int ctm_name_lenient(const char *in, char *out, size_t outlen,
		     const char **reason);

#endif
