/* fuzz_ct_common.h - one SHA-256 context per process for the CT log
 * targets, and the certificate step every parsed entry goes through. */
#ifndef FUZZ_CT_COMMON_H
#define FUZZ_CT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "ct_cert.h"
#include "ct_leaf.h"
#include "ct_util.h"

static inline struct ct_hash *fuzz_hash(void)
{
	static struct ct_hash *h;

	if (!h)
		h = ct_hash_new();
	return h;
}

/* What the ctlog source does with a parsed entry: the X.509 fields. */
static inline void fuzz_cert_of_entry(const struct ct_entry *e)
{
	struct ct_cert ci;
	uint8_t leaf_hash[CT_HASH_LEN];

	ct_entry_leaf_hash(fuzz_hash(), e, leaf_hash);
	if (!e->cert)
		return;
	ct_cert_init(&ci);
	(void)ct_cert_parse(&ci, fuzz_hash(), e->cert, e->cert_len,
			    e->entry_type == CT_ENTRY_PRECERT, e->pre_cert,
			    e->pre_cert_len);
	ct_cert_free(&ci);
}

#endif
