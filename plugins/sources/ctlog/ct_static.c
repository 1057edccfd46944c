/* ct_static.c - see ct_static.h. */
#include "ct_static.h"

#include <stdio.h>
#include <string.h>

#include "ctmon/plugin.h"

void ct_checkpoint_key_id(struct ct_hash *h, const char *origin,
			  const uint8_t log_id[CT_HASH_LEN], uint8_t out[4])
{
	static const uint8_t mid[2] = {0x0a, 0x05};
	uint8_t d[CT_HASH_LEN];

	ct_sha256(h, origin, strlen(origin), mid, 2, log_id, CT_HASH_LEN, d);
	memcpy(out, d, 4);
}

/* Next line of [*p, end) without its '\n'; -1 when no '\n' is left. */
static int next_line(const char **p, const char *end, const char **line,
		     size_t *len)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));

	if (!nl)
		return -1;
	*line = *p;
	*len = (size_t)(nl - *p);
	*p = nl + 1;
	return 0;
}

static int parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	/* Decimal, no sign, no leading zeros. */
	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int check_sig_line(const char *line, size_t n, const char *origin,
			  const uint8_t key_id[4], const struct ct_key *k,
			  struct ct_checkpoint *cp, int *seen, int *ok)
{
	static const char dash[] = "\xe2\x80\x94 ";
	size_t olen = strlen(origin), blen;
	uint8_t sig[1100];
	uint8_t msg[CT_THS_LEN];
	const char *b64;

	if (n < 4 || memcmp(line, dash, 4) != 0)
		return -1;
	line += 4;
	n -= 4;
	if (n <= olen + 1 || memcmp(line, origin, olen) != 0 ||
	    line[olen] != ' ')
		return 0; /* another signer (witness, grease): ignored */
	b64 = line + olen + 1;
	blen = n - olen - 1;
	if (ct_b64_max(blen) > sizeof sig ||
	    ct_b64_decode(b64, blen, sig, &blen) != 0 || blen < 4 + 8 + 4 ||
	    memcmp(sig, key_id, 4) != 0)
		return 0; /* not our key's ID: ignored */
	*seen = 1;
	cp->timestamp = ct_be(sig + 4, 8);
	ct_tree_head_input(msg, cp->timestamp, cp->size, cp->root);
	if (ct_verify_ds(k, msg, sizeof msg, sig + 12, blen - 12) == 0)
		*ok = 1;
	return 0;
}

int ct_checkpoint_verify(const char *text, size_t len, const char *origin,
			 const struct ct_key *k, struct ct_hash *h,
			 struct ct_checkpoint *out, int *bad_signature,
			 char *err, size_t errlen)
{
	const char *p = text, *end = text + len, *line, *sep = NULL;
	uint8_t key_id[4], root[CT_HASH_LEN + 3];
	size_t n, rl = 0;
	int seen = 0, ok = 0, lines = 0;

	memset(out, 0, sizeof *out);
	*bad_signature = 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 && text[i] != '\n') {
			snprintf(err, errlen, "checkpoint: control character");
			return CTMON_EFORMAT;
		}
	/* The note text ends at the last blank line. */
	for (const char *q = text; q + 1 < end; q++)
		if (q[0] == '\n' && q[1] == '\n')
			sep = q + 1;
	if (!sep || next_line(&p, end, &line, &n) != 0 ||
	    n >= sizeof out->origin) {
		snprintf(err, errlen, "checkpoint: malformed");
		return CTMON_EFORMAT;
	}
	memcpy(out->origin, line, n);
	out->origin[n] = '\0';
	if (strcmp(out->origin, origin) != 0) {
		snprintf(err, errlen, "checkpoint: origin is not %s", origin);
		return CTMON_EFORMAT;
	}
	if (next_line(&p, end, &line, &n) || parse_size(line, n, &out->size) ||
	    next_line(&p, end, &line, &n) || n != 44 ||
	    ct_b64_decode(line, n, root, &rl) || rl != CT_HASH_LEN) {
		snprintf(err, errlen, "checkpoint: bad size or root line");
		return CTMON_EFORMAT;
	}
	memcpy(out->root, root, CT_HASH_LEN);
	/* RFC6962NoteSignature logs carry no extension lines. */
	if (p != sep) {
		snprintf(err, errlen, "checkpoint: unexpected extension lines");
		return CTMON_EFORMAT;
	}
	p = sep + 1;
	ct_checkpoint_key_id(h, origin, k->log_id, key_id);
	while (p < end && lines++ < 100) {
		if (next_line(&p, end, &line, &n) != 0 ||
		    check_sig_line(line, n, origin, key_id, k, out, &seen,
				   &ok) != 0) {
			snprintf(err, errlen, "checkpoint: bad signature line");
			return CTMON_EFORMAT;
		}
	}
	if (!seen) {
		snprintf(err, errlen, "checkpoint: no signature by the log's key");
		return CTMON_EFORMAT;
	}
	if (!ok) {
		*bad_signature = 1;
		snprintf(err, errlen, "checkpoint: the log's signature does "
				      "not verify");
		return CTMON_EFORMAT;
	}
	return CTMON_OK;
}

void ct_tile_path(char *out, size_t cap, int level, uint64_t index,
		  unsigned width)
{
	char n[64], lv[16];
	size_t o = 0;
	int groups = 1;
	uint64_t div = 1;

	while (index / div >= 1000) {
		div *= 1000;
		groups++;
	}
	/* "x001/x234/067": every group but the last is "x"-prefixed. */
	for (int g = 0; g < groups; g++, div /= 1000)
		o += (size_t)snprintf(n + o, sizeof n - o, "%s%03u%s",
				      g < groups - 1 ? "x" : "",
				      (unsigned)((index / div) % 1000),
				      g < groups - 1 ? "/" : "");
	if (level < 0)
		snprintf(lv, sizeof lv, "data");
	else
		snprintf(lv, sizeof lv, "%d", level);
	if (width == 0 || width >= CT_TILE_WIDTH)
		snprintf(out, cap, "tile/%s/%s", lv, n);
	else
		snprintf(out, cap, "tile/%s/%s.p/%u", lv, n, width);
}

void ct_origin_from_url(const char *url, char *out, size_t cap)
{
	const char *s = strstr(url, "://");
	size_t n;

	s = s ? s + 3 : url;
	n = strlen(s);
	while (n && s[n - 1] == '/')
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}
