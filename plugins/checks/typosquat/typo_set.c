/* typo_set.c - see typo_set.h. */
#include "typo_set.h"

#include <stdlib.h>
#include <string.h>

#include "ctmon/plugin.h"

struct item {
	uint64_t hash;
	uint32_t off;
	uint32_t len;
	uint32_t val;
};

struct typo_set {
	char *arena;
	size_t alen, acap;
	struct item *items;
	size_t n, icap;
	uint32_t *slots; /* item index + 1; 0 = empty */
	size_t nslots;   /* power of two */
};

/* FNV-1a folded with a final mix: short host names hash fast and the
 * low bits (the slot index) still depend on every byte. */
uint64_t typo_hash(const char *str, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)str[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

struct typo_set *typo_set_new(void) { return calloc(1, sizeof(struct typo_set)); }

void typo_set_free(struct typo_set *s)
{
	if (!s)
		return;
	free(s->arena);
	free(s->items);
	free(s->slots);
	free(s);
}

void typo_set_clear(struct typo_set *s)
{
	s->alen = 0;
	s->n = 0;
	if (s->slots)
		memset(s->slots, 0, s->nslots * sizeof *s->slots);
}

static int grow_slots(struct typo_set *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 64;
	uint32_t *slots = calloc(n, sizeof *slots);

	if (!slots)
		return CTMON_ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		size_t j = (size_t)s->items[i].hash & (n - 1);
		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = (uint32_t)(i + 1);
	}
	free(s->slots);
	s->slots = slots;
	s->nslots = n;
	return CTMON_OK;
}

static size_t lookup(const struct typo_set *s, const char *str, size_t len,
		     uint64_t h, size_t *slot)
{
	size_t j;

	if (!s->nslots) {
		*slot = 0;
		return TYPO_NONE;
	}
	j = (size_t)h & (s->nslots - 1);
	while (s->slots[j]) {
		const struct item *it = &s->items[s->slots[j] - 1];
		if (it->hash == h && it->len == len &&
		    memcmp(s->arena + it->off, str, len) == 0)
			return s->slots[j] - 1;
		j = (j + 1) & (s->nslots - 1);
	}
	*slot = j;
	return TYPO_NONE;
}

size_t typo_set_find(const struct typo_set *s, const char *str, size_t len)
{
	size_t slot;

	return lookup(s, str, len, typo_hash(str, len), &slot);
}

static int reserve(struct typo_set *s, size_t len)
{
	if (s->n == s->icap) {
		size_t cap = s->icap ? s->icap * 2 : 64;
		struct item *it = realloc(s->items, cap * sizeof *it);
		if (!it)
			return CTMON_ENOMEM;
		s->items = it;
		s->icap = cap;
	}
	if (s->alen + len + 1 > s->acap) {
		size_t cap = s->acap ? s->acap : 1024;
		char *a;
		while (cap < s->alen + len + 1)
			cap *= 2;
		a = realloc(s->arena, cap);
		if (!a)
			return CTMON_ENOMEM;
		s->arena = a;
		s->acap = cap;
	}
	return CTMON_OK;
}

int typo_set_add(struct typo_set *s, const char *str, size_t len,
		 uint32_t val, size_t *idx, int *added)
{
	uint64_t h = typo_hash(str, len);
	size_t slot, found;
	struct item *it;
	int rc;

	if (added)
		*added = 0;
	if (len > UINT32_MAX / 2)
		return CTMON_EINVAL;
	/* Keep the load factor under 1/2 so probes stay short. */
	if ((s->n + 1) * 2 > s->nslots && (rc = grow_slots(s)) != CTMON_OK)
		return rc;
	found = lookup(s, str, len, h, &slot);
	if (found != TYPO_NONE) {
		if (idx)
			*idx = found;
		return CTMON_OK;
	}
	if ((rc = reserve(s, len)) != CTMON_OK)
		return rc;
	it = &s->items[s->n];
	it->hash = h;
	it->off = (uint32_t)s->alen;
	it->len = (uint32_t)len;
	it->val = val;
	memcpy(s->arena + s->alen, str, len);
	s->arena[s->alen + len] = '\0';
	s->alen += len + 1;
	s->slots[slot] = (uint32_t)(s->n + 1);
	if (idx)
		*idx = s->n;
	s->n++;
	if (added)
		*added = 1;
	return CTMON_OK;
}

size_t typo_set_count(const struct typo_set *s) { return s ? s->n : 0; }

const char *typo_set_str(const struct typo_set *s, size_t i, size_t *len)
{
	if (len)
		*len = s->items[i].len;
	return s->arena + s->items[i].off;
}

uint32_t typo_set_val(const struct typo_set *s, size_t i)
{
	return s->items[i].val;
}

void typo_set_set_val(struct typo_set *s, size_t i, uint32_t val)
{
	s->items[i].val = val;
}
