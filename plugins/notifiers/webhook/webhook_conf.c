/* webhook_conf.c - what the webhook notifier derives from its options:
 * the payload format a URL calls for, the URL as logs may show it, and
 * extra header lines with ${VAR} taken from the environment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "webhook.h"

int wh_url_host(const char *url, char *out, size_t outlen)
{
	const char *p, *end, *at;
	size_t n;

	if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		return -1;
	end = p + strcspn(p, "/?#");
	/* userinfo@host: the host is after the last '@' of the authority */
	for (at = p; at < end; at++)
		if (*at == '@')
			p = at + 1;
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (!close)
			return -1;
		n = (size_t)(close - p) + 1;
	} else {
		const char *colon = memchr(p, ':', (size_t)(end - p));
		n = (size_t)((colon ? colon : end) - p);
	}
	if (n == 0 || n >= outlen)
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] - 'A' + 'a'
							       : p[i]);
	out[n] = '\0';
	return 0;
}

/* host is `domain` or a name under it. */
static int host_is(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);

	if (h == d)
		return strcmp(host, domain) == 0;
	return h > d && host[h - d - 1] == '.' &&
	       strcmp(host + h - d, domain) == 0;
}

enum wh_format wh_detect_format(const char *url)
{
	char host[256];
	const char *path;

	if (wh_url_host(url, host, sizeof host) != 0)
		return WH_GENERIC;
	if (strcmp(host, "hooks.slack.com") == 0 ||
	    strcmp(host, "hooks.slack-gov.com") == 0)
		return WH_SLACK;
	/* Teams: Office 365 connectors and the Workflows (Power Automate)
	 * URLs that replace them. */
	if (host_is(host, "webhook.office.com") ||
	    strcmp(host, "outlook.office.com") == 0 ||
	    strcmp(host, "outlook.office365.com") == 0 ||
	    host_is(host, "logic.azure.com") ||
	    host_is(host, "api.powerplatform.com"))
		return WH_TEAMS;
	if (host_is(host, "discord.com") || host_is(host, "discordapp.com")) {
		path = strstr(url, "/api/");
		return path ? WH_DISCORD : WH_GENERIC;
	}
	return WH_GENERIC;
}

char *wh_url_redact(const char *url)
{
	char host[256];
	const char *scheme = strncasecmp(url, "https://", 8) == 0 ? "https"
								  : "http";
	size_t len;
	char *out;

	if (wh_url_host(url, host, sizeof host) != 0)
		snprintf(host, sizeof host, "(invalid)");
	len = strlen(scheme) + strlen(host) + 16;
	out = malloc(len);
	if (out)
		snprintf(out, len, "%s://%s/\xe2\x80\xa6", scheme, host);
	return out;
}

static int is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c);
}

/* Appends `line` with every ${NAME} replaced by $NAME's value. */
static int expand(struct nbuf *b, const char *line, char *err, size_t errlen)
{
	const char *p = line;

	while (*p) {
		const char *start = strstr(p, "${"), *end;
		char name[128];
		const char *value;
		size_t n;

		if (!start) {
			nb_puts(b, p);
			break;
		}
		nb_putn(b, p, (size_t)(start - p));
		end = strchr(start + 2, '}');
		n = end ? (size_t)(end - start - 2) : 0;
		if (!end || n == 0 || n >= sizeof name) {
			snprintf(err, errlen, "header \"%.40s...\": unterminated "
				 "or empty ${...}", line);
			return CTMON_ECONFIG;
		}
		memcpy(name, start + 2, n);
		name[n] = '\0';
		value = getenv(name);
		if (!value) {
			snprintf(err, errlen, "header uses ${%s}, which is not "
				 "set in the environment", name);
			return CTMON_ECONFIG;
		}
		nb_puts(b, value);
		p = end + 1;
	}
	return b->oom ? CTMON_ENOMEM : CTMON_OK;
}

int wh_header_add(char ***list, const char *line, char *err, size_t errlen)
{
	struct nbuf b = {0};
	const char *colon;
	size_t n = 0;
	char **grown;
	int rc;

	colon = strchr(line, ':');
	if (!colon || colon == line) {
		snprintf(err, errlen, "header \"%.40s\" is not \"Name: value\"",
			 line);
		return CTMON_ECONFIG;
	}
	for (const char *p = line; p < colon; p++) {
		if (!is_tchar(*p)) {
			snprintf(err, errlen, "header name \"%.*s\" is not a "
				 "valid HTTP field name", (int)(colon - line),
				 line);
			return CTMON_ECONFIG;
		}
	}
	rc = expand(&b, line, err, errlen);
	if (rc != CTMON_OK)
		goto out;
	/* A value from the environment must not start a second header. */
	if (strpbrk(nb_str(&b), "\r\n")) {
		snprintf(err, errlen, "header \"%.*s\": the value contains a "
			 "line break", (int)(colon - line), line);
		rc = CTMON_ECONFIG;
		goto out;
	}
	while (*list && (*list)[n])
		n++;
	grown = realloc(*list, (n + 2) * sizeof *grown);
	if (!grown) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	*list = grown;
	grown[n] = b.data;
	grown[n + 1] = NULL;
	memset(&b, 0, sizeof b);
out:
	nb_free(&b);
	return rc;
}

void wh_headers_free(char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}
