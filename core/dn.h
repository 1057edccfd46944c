/* dn.h - issuer distinguished names compared the way people read them:
 * crt.sh writes O="DigiCert, Inc." where a certificate dump writes
 * O=DigiCert, Inc.; spacing around separators and attribute-name case
 * vary too. */
#ifndef CTM_DN_H
#define CTM_DN_H

/* Canonical form: RDNs split on unquoted ',' (or '/' for the
 * "/C=US/O=x" OpenSSL one-line form), attribute names upper-cased,
 * quotes and backslash escapes removed, surrounding spaces trimmed,
 * inner runs of spaces collapsed, joined as "C=US,O=DigiCert, Inc.,CN=x"
 * (values compared case-insensitively: lower-cased).  Caller frees.
 * NULL on ENOMEM or NULL input. */
char *ctm_dn_canonical(const char *dn);

/* 1 if equal after canonicalisation. */
int ctm_dn_equal(const char *a, const char *b);

/* The first value of attribute `type` ("CN", "O", ...; aliases and case
 * as above) with quotes and escapes removed and spaces collapsed, case
 * kept: "DigiCert SHA2" from any of the three spellings.  Caller frees;
 * NULL if absent or on ENOMEM. */
char *ctm_dn_attr(const char *dn, const char *type);

#endif
