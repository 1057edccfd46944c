/* ntext.h - renders untrusted certificate text (names, issuer DNs, keys,
 * details) for each place a notifier puts it.  Whoever obtains a
 * certificate chooses that text, so it may carry markup, link syntax,
 * CR/LF, terminal escapes, invalid UTF-8 or megabytes of anything. */
#ifndef NOTIF_NTEXT_H
#define NOTIF_NTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "nbuf.h"

enum nt_style {
	NT_PLAIN,    /* plain text (e-mail text part, environment): '\' is
	                doubled so a visible escape always means one */
	NT_HTML,     /* HTML text or attribute: & < > " ' as entities */
	NT_MRKDWN,   /* Slack mrkdwn: & < > as entities (no links, no
	                mentions), ` made inert so code spans stay closed */
	NT_MARKDOWN, /* Discord / Teams markdown: markup punctuation
	                backslash-escaped (no links, emphasis or mentions) */
	NT_SHELL     /* an environment variable's value: also the shell's
	                quoting and expansion characters ($ ` " ' \ ; & | < >
	                ( ) { } !) become \xNN, so a hook that forgets to
	                quote, or evals, gets no command out of it */
};

/* Appends `s` for `style`.  Every byte that is not UTF-8 becomes U+FFFD;
 * control characters (C0, DEL, C1), bidi overrides and line separators
 * become visible escapes (\x0d, \u{202e}), so text can neither break a
 * line nor reorder what is shown.  At most max_cp code points of `s` are
 * used (0: all); a cut is marked with "…".  NULL is "". */
void nt_put(struct nbuf *b, const char *s, size_t max_cp, enum nt_style style);

/* Cuts already-rendered text in b (from byte `start` on) to at most
 * max_cp code points, ending with "…", without splitting a UTF-8
 * sequence, an HTML entity, a mrkdwn <link> or a backslash escape.
 * Nothing happens when it already fits. */
void nt_cut(struct nbuf *b, size_t start, size_t max_cp);

/* Number of code points in the UTF-8 text s[0..len). */
size_t nt_count_cp(const char *s, size_t len);

/* Decodes one strict UTF-8 sequence at p (NUL-terminated text).  Returns
 * its length and sets *cp, or 0 when the bytes are not UTF-8. */
size_t nt_utf8_decode(const unsigned char *p, uint32_t *cp);
/* Appends code point cp as UTF-8. */
void nt_put_cp(struct nbuf *b, uint32_t cp);

/* Copies `s` into out (outlen bytes) with every character outside
 * printable ASCII replaced by '?'; for log lines and error texts that
 * quote a server's answer. */
void nt_ascii_safe(const char *s, size_t len, char *out, size_t outlen);

#endif
