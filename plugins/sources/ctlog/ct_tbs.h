/*
 * ct_tbs.h - the identity of an issuance (ct-protocols.md §8): the
 * TBSCertificate without the CT poison and SCT-list extensions, cut out of
 * the DER byte-exactly (never re-encoded), so a precertificate's leaf TBS
 * and its final certificate's TBS hash to the same value.
 */
#ifndef CT_TBS_H
#define CT_TBS_H

#include <stddef.h>
#include <stdint.h>

/* The TBSCertificate TLV inside a DER Certificate.  Returns 0 or -1. */
int ct_cert_tbs(const uint8_t *cert, size_t len, const uint8_t **tbs,
		size_t *tbs_len);

/* Writes the TBS minus poison and SCT-list extensions into out (which
 * must hold len bytes: the result is never longer).  Returns 0 or -1 for
 * malformed DER. */
int ct_tbs_strip(const uint8_t *tbs, size_t len, uint8_t *out,
		 size_t *out_len);

/* Slices of a TBSCertificate, found by walking its DER (whole TLVs
 * unless said otherwise); san is the SubjectAltName extnValue content. */
struct ct_tbs_fields {
	const uint8_t *serial;     /* INTEGER content */
	size_t serial_len;
	const uint8_t *issuer, *not_before, *not_after, *subject, *san;
	size_t issuer_len, not_before_len, not_after_len, subject_len,
		san_len;
};

/* Returns 0, or -1 for a TBS that is not well-formed DER of that shape. */
int ct_tbs_fields(const uint8_t *tbs, size_t len, struct ct_tbs_fields *f);

#endif
