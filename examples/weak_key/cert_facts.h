/* cert_facts.h - what weak_key needs to know about a certificate: its
 * public key (from the DER, with OpenSSL) and its issuer's organisation
 * (from the DER, or else from the issuer DN text a source gave). */
#ifndef WEAK_KEY_CERT_FACTS_H
#define WEAK_KEY_CERT_FACTS_H

#include <stddef.h>
#include <stdint.h>

struct cert_key {
	char type[16]; /* "RSA", "RSA-PSS", "EC", "DSA", "Ed25519", ... */
	int bits;      /* key size as OpenSSL reports it */
	int is_rsa;
};

/* Reads the public key of a DER certificate.  0 on success, -1 when the
 * DER is not a certificate OpenSSL can parse. */
int cert_key_from_der(const uint8_t *der, size_t len, struct cert_key *out);

/* The issuer's organizationName (O), or failing that its commonName (CN),
 * from a DER certificate, as UTF-8 into out.  0 on success, -1 when the
 * DER does not parse or the issuer has neither. */
int cert_issuer_org_from_der(const uint8_t *der, size_t len, char *out,
			     size_t outlen);

/* The same from issuer DN text in the forms sources give:
 *   crt.sh    C=US, O="DigiCert, Inc.", CN=DigiCert SHA2
 *   RFC 2253  CN=DigiCert SHA2,O=DigiCert\, Inc.,C=US
 *   OpenSSL   /C=US/O=DigiCert, Inc./CN=DigiCert SHA2
 * 0 on success, -1 when there is neither O nor CN. */
int cert_issuer_org_from_text(const char *dn, char *out, size_t outlen);

#endif
