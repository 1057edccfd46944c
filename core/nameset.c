/* nameset.c - see nameset.h.  Open addressing with linear probing over
 * FNV-1a hashes; keys are copied into one growing arena so the set costs
 * one allocation per resize, not one per name. */
#include "nameset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash2(const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ull;
	for (const unsigned char *p = (const unsigned char *)a; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	h = (h ^ 0xffu) * 1099511628211ull; /* separator */
	for (const unsigned char *p = (const unsigned char *)b; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return h;
}

void ctm_nameset_init(struct ctm_nameset *s, size_t max_entries)
{
	memset(s, 0, sizeof *s);
	s->max = max_entries;
}

void ctm_nameset_clear(struct ctm_nameset *s)
{
	size_t max = s->max;
	free(s->slots);
	free(s->arena);
	ctm_nameset_init(s, max);
}

static int grow(struct ctm_nameset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 1024;
	size_t *slots = calloc(cap, sizeof *slots);

	if (!slots)
		return -1;
	for (size_t i = 0; i < s->cap; i++) {
		size_t off = s->slots[i];
		const char *a, *b;
		size_t j;
		if (!off)
			continue;
		a = s->arena + off;
		b = a + strlen(a) + 1;
		j = (size_t)hash2(a, b) & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = off;
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

static int arena_add(struct ctm_nameset *s, const char *a, const char *b,
		     size_t *off)
{
	size_t la = strlen(a) + 1, lb = strlen(b) + 1;
	size_t need = s->used + la + lb;

	if (s->used == 0)
		need++; /* offset 0 means "empty slot" */
	if (need > s->arena_cap) {
		size_t cap = s->arena_cap ? s->arena_cap : 16384;
		char *p;
		while (cap < need)
			cap *= 2;
		p = realloc(s->arena, cap);
		if (!p)
			return -1;
		s->arena = p;
		s->arena_cap = cap;
	}
	if (s->used == 0)
		s->used = 1;
	*off = s->used;
	memcpy(s->arena + s->used, a, la);
	memcpy(s->arena + s->used + la, b, lb);
	s->used += la + lb;
	return 0;
}

int ctm_nameset_add(struct ctm_nameset *s, const char *a, const char *b)
{
	size_t j, off;

	if (s->n >= s->max)
		return -1;
	if ((s->n + 1) * 2 > s->cap && grow(s) != 0)
		return -1;
	j = (size_t)hash2(a, b) & (s->cap - 1);
	while (s->slots[j]) {
		const char *ka = s->arena + s->slots[j];
		if (strcmp(ka, a) == 0 && strcmp(ka + strlen(ka) + 1, b) == 0)
			return 0;
		j = (j + 1) & (s->cap - 1);
	}
	if (arena_add(s, a, b, &off) != 0)
		return -1;
	s->slots[j] = off;
	s->n++;
	return 1;
}
