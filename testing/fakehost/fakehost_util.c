/* fakehost_util.c - owning vectors and deep copies for the fake host: it
 * must copy whatever a plugin hands over, as the ABI promises. */
#include <stdlib.h>
#include <string.h>

#include "fakehost_internal.h"

int fh_vec_push(struct fh_vec *v, void *item)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		void **grown = realloc(v->items, cap * sizeof *grown);
		if (!grown)
			return -1;
		v->items = grown;
		v->cap = cap;
	}
	v->items[v->n++] = item;
	return 0;
}

void fh_vec_free(struct fh_vec *v, void (*free_item)(void *))
{
	for (size_t i = 0; i < v->n; i++)
		free_item(v->items[i]);
	free(v->items);
	memset(v, 0, sizeof *v);
}

void *fh_own(struct fh_owned *o, void *p)
{
	if (!p)
		return NULL;
	if (fh_vec_push(&o->ptrs, p) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

int fh_own_str(struct fh_owned *o, const char *s, const char **out)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = fh_own(o, strdup(s));
	return *out ? 0 : -1;
}

int fh_own_strv(struct fh_owned *o, const char *const *v, size_t n,
		const char *const **out)
{
	const char **copy;

	*out = NULL;
	if (n == 0 || !v)
		return 0;
	copy = fh_own(o, calloc(n, sizeof *copy));
	if (!copy)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (fh_own_str(o, v[i], &copy[i]) != 0)
			return -1;
	*out = copy;
	return 0;
}

void fh_owned_free(struct fh_owned *o)
{
	fh_vec_free(&o->ptrs, free);
}

int fh_copy_cert(struct fh_owned *o, const struct ctmon_cert *src,
		 struct ctmon_cert *dst)
{
	size_t n = src->size < sizeof *dst ? src->size : sizeof *dst;

	/* Fields beyond the writer's size stay zero, as the ABI says. */
	memset(dst, 0, sizeof *dst);
	memcpy(dst, src, n);
	dst->size = sizeof *dst;
	if (!dst->names)
		dst->n_names = 0;
	if (n < offsetof(struct ctmon_cert, log_index) + sizeof dst->log_index)
		dst->log_index = -1;
	if (fh_own_str(o, dst->log_id, &dst->log_id) ||
	    fh_own_str(o, dst->fingerprint, &dst->fingerprint) ||
	    fh_own_str(o, dst->issuer_dn, &dst->issuer_dn) ||
	    fh_own_str(o, dst->subject_cn, &dst->subject_cn) ||
	    fh_own_strv(o, dst->names, dst->n_names, &dst->names) ||
	    fh_own_str(o, dst->serial, &dst->serial) ||
	    fh_own_str(o, dst->tbs_hash, &dst->tbs_hash))
		return -1;
	if (dst->der && dst->der_len > 0) {
		uint8_t *der = fh_own(o, malloc(dst->der_len));
		if (!der)
			return -1;
		memcpy(der, dst->der, dst->der_len);
		dst->der = der;
	} else {
		dst->der = NULL;
		dst->der_len = 0;
	}
	return 0;
}
