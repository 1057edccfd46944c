/* ct_tbs.c - see ct_tbs.h.  A minimal DER walker: tags are one byte
 * (all of X.509's are), lengths definite and at most 4 bytes. */
#include "ct_tbs.h"

#include <string.h>

struct tlv {
	uint8_t tag;
	size_t hdr;   /* tag + length bytes */
	size_t len;   /* content length */
};

static int read_tlv(const uint8_t *p, size_t left, struct tlv *t)
{
	size_t n;

	if (left < 2)
		return -1;
	t->tag = p[0];
	if ((p[0] & 0x1f) == 0x1f) /* multi-byte tags do not occur here */
		return -1;
	if (p[1] < 0x80) {
		t->len = p[1];
		t->hdr = 2;
	} else {
		n = p[1] & 0x7f;
		if (n == 0 || n > 4 || left < 2 + n)
			return -1;
		t->len = 0;
		for (size_t i = 0; i < n; i++)
			t->len = (t->len << 8) | p[2 + i];
		t->hdr = 2 + n;
	}
	return t->len <= left - t->hdr ? 0 : -1;
}

/* DER header for tag + len into out; returns its size. */
static size_t put_hdr(uint8_t *out, uint8_t tag, size_t len)
{
	size_t n = 0;

	out[0] = tag;
	if (len < 0x80) {
		out[1] = (uint8_t)len;
		return 2;
	}
	for (size_t v = len; v; v >>= 8)
		n++;
	out[1] = (uint8_t)(0x80 | n);
	for (size_t i = 0; i < n; i++)
		out[2 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
	return 2 + n;
}

static size_t hdr_size(size_t len)
{
	size_t n = 0;

	if (len < 0x80)
		return 2;
	for (size_t v = len; v; v >>= 8)
		n++;
	return 2 + n;
}

int ct_cert_tbs(const uint8_t *cert, size_t len, const uint8_t **tbs,
		size_t *tbs_len)
{
	struct tlv outer, inner;

	if (read_tlv(cert, len, &outer) != 0 || outer.tag != 0x30 ||
	    read_tlv(cert + outer.hdr, outer.len, &inner) != 0 ||
	    inner.tag != 0x30)
		return -1;
	*tbs = cert + outer.hdr;
	*tbs_len = inner.hdr + inner.len;
	return 0;
}

/* OID TLVs of the two CT extensions; they differ in the last byte. */
static const uint8_t ct_oid_prefix[] = {0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
					0x01, 0xd6, 0x79, 0x02, 0x04};

static int is_ct_extension(const uint8_t *ext, size_t len)
{
	struct tlv t;

	/* Extension ::= SEQUENCE { extnID OID, ... }; p is its content. */
	if (read_tlv(ext, len, &t) != 0 || t.tag != 0x06 ||
	    t.hdr + t.len != sizeof ct_oid_prefix + 1)
		return 0;
	return memcmp(ext, ct_oid_prefix, sizeof ct_oid_prefix) == 0 &&
	       (ext[sizeof ct_oid_prefix] == 0x02 ||
		ext[sizeof ct_oid_prefix] == 0x03);
}

int ct_tbs_strip(const uint8_t *tbs, size_t len, uint8_t *out,
		 size_t *out_len)
{
	struct tlv seq, child, exts;
	const uint8_t *body, *p, *a3 = NULL, *list;
	size_t body_len, off, kept = 0, a3_total = 0, o = 0;
	size_t ext_len, wrap_len, seq_len;

	if (read_tlv(tbs, len, &seq) != 0 || seq.tag != 0x30 ||
	    seq.hdr + seq.len != len)
		return -1;
	body = tbs + seq.hdr;
	body_len = seq.len;
	for (off = 0; off < body_len; off += child.hdr + child.len) {
		if (read_tlv(body + off, body_len - off, &child) != 0)
			return -1;
		if (child.tag == 0xa3) {
			a3 = body + off;
			a3_total = child.hdr + child.len;
			if (off + a3_total != body_len) /* [3] is last */
				return -1;
			break;
		}
	}
	if (!a3) { /* no extensions: nothing to strip */
		memcpy(out, tbs, len);
		*out_len = len;
		return 0;
	}
	if (read_tlv(a3, a3_total, &child) != 0 ||
	    read_tlv(a3 + child.hdr, child.len, &exts) != 0 ||
	    exts.tag != 0x30 || exts.hdr + exts.len != child.len)
		return -1;
	list = a3 + child.hdr + exts.hdr;
	/* First pass: the size of the extensions kept. */
	for (p = list; p < list + exts.len; p += child.hdr + child.len) {
		if (read_tlv(p, (size_t)(list + exts.len - p), &child) != 0 ||
		    child.tag != 0x30)
			return -1;
		if (!is_ct_extension(p + child.hdr, child.len))
			kept += child.hdr + child.len;
	}
	ext_len = kept;
	wrap_len = hdr_size(ext_len) + ext_len;
	seq_len = (size_t)(a3 - body) + hdr_size(wrap_len) + wrap_len;
	if (hdr_size(seq_len) + seq_len > len)
		return -1;
	o = put_hdr(out, 0x30, seq_len);
	memcpy(out + o, body, (size_t)(a3 - body));
	o += (size_t)(a3 - body);
	o += put_hdr(out + o, 0xa3, wrap_len);
	o += put_hdr(out + o, 0x30, ext_len);
	for (p = list; p < list + exts.len; p += child.hdr + child.len) {
		read_tlv(p, (size_t)(list + exts.len - p), &child);
		if (is_ct_extension(p + child.hdr, child.len))
			continue;
		memcpy(out + o, p, child.hdr + child.len);
		o += child.hdr + child.len;
	}
	*out_len = o;
	return 0;
}

/* Next child TLV of [*p, end) into t; its start in *at. */
static int child(const uint8_t **p, const uint8_t *end, struct tlv *t,
		 const uint8_t **at)
{
	if (*p >= end || read_tlv(*p, (size_t)(end - *p), t) != 0)
		return -1;
	*at = *p;
	*p += t->hdr + t->len;
	return 0;
}

/* The SubjectAltName extnValue among the extensions [p, end). */
static int find_san(const uint8_t *p, const uint8_t *end,
		    struct ct_tbs_fields *f)
{
	static const uint8_t san_oid[] = {0x06, 0x03, 0x55, 0x1d, 0x11};
	struct tlv ext, t;
	const uint8_t *at, *q, *qe;

	while (p < end) {
		if (child(&p, end, &ext, &at) != 0 || ext.tag != 0x30)
			return -1;
		q = at + ext.hdr;
		qe = q + ext.len;
		if (ext.len < sizeof san_oid ||
		    memcmp(q, san_oid, sizeof san_oid) != 0)
			continue;
		q += sizeof san_oid;
		if (child(&q, qe, &t, &at) != 0)
			return -1;
		if (t.tag == 0x01 && child(&q, qe, &t, &at) != 0) /* critical */
			return -1;
		if (t.tag != 0x04)
			return -1;
		f->san = at + t.hdr;
		f->san_len = t.len;
		return 0;
	}
	return 0;
}

int ct_tbs_fields(const uint8_t *tbs, size_t len, struct ct_tbs_fields *f)
{
	struct tlv seq, t, v;
	const uint8_t *p, *end, *at, *vp, *ve;

	memset(f, 0, sizeof *f);
	if (read_tlv(tbs, len, &seq) != 0 || seq.tag != 0x30)
		return -1;
	p = tbs + seq.hdr;
	end = p + seq.len;
	if (child(&p, end, &t, &at) != 0)
		return -1;
	if (t.tag == 0xa0 && child(&p, end, &t, &at) != 0) /* version */
		return -1;
	if (t.tag != 0x02 || t.len == 0)
		return -1;
	f->serial = at + t.hdr;
	f->serial_len = t.len;
	if (child(&p, end, &t, &at) != 0 || t.tag != 0x30) /* signature */
		return -1;
	if (child(&p, end, &t, &at) != 0 || t.tag != 0x30)
		return -1;
	f->issuer = at;
	f->issuer_len = t.hdr + t.len;
	if (child(&p, end, &t, &at) != 0 || t.tag != 0x30) /* validity */
		return -1;
	vp = at + t.hdr;
	ve = vp + t.len;
	if (child(&vp, ve, &v, &at) != 0)
		return -1;
	f->not_before = at;
	f->not_before_len = v.hdr + v.len;
	if (child(&vp, ve, &v, &at) != 0)
		return -1;
	f->not_after = at;
	f->not_after_len = v.hdr + v.len;
	if (child(&p, end, &t, &at) != 0 || t.tag != 0x30)
		return -1;
	f->subject = at;
	f->subject_len = t.hdr + t.len;
	if (child(&p, end, &t, &at) != 0 || t.tag != 0x30) /* spki */
		return -1;
	while (p < end) {
		if (child(&p, end, &t, &at) != 0)
			return -1;
		if (t.tag == 0xa3) {
			const uint8_t *q = at + t.hdr, *qa;
			struct tlv l;
			if (child(&q, at + t.hdr + t.len, &l, &qa) != 0 ||
			    l.tag != 0x30)
				return -1;
			return find_san(qa + l.hdr, qa + l.hdr + l.len, f);
		}
	}
	return 0;
}
