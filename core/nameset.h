/* nameset.h - a bounded set of (domain, name) pairs, so a cycle touches
 * each subdomain in the store once however many certificates repeat it. */
#ifndef CTM_NAMESET_H
#define CTM_NAMESET_H

#include <stddef.h>

struct ctm_nameset {
	size_t *slots;     /* arena offsets; 0 = empty */
	size_t cap;        /* power of two */
	size_t n;
	size_t max;        /* entries kept at most: memory stays bounded */
	char *arena;
	size_t used;
	size_t arena_cap;
};

void ctm_nameset_init(struct ctm_nameset *s, size_t max_entries);
/* Frees everything; the set is empty and usable again. */
void ctm_nameset_clear(struct ctm_nameset *s);
/* 1 if added, 0 if already present, -1 if full or out of memory (the
 * caller then does the work the set would have saved). */
int ctm_nameset_add(struct ctm_nameset *s, const char *a, const char *b);

#endif
