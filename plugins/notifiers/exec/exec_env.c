/* exec_env.c - the program's environment.  Values that come from a
 * certificate are rendered with NT_SHELL: no control characters, no line
 * breaks, valid UTF-8, and the shell's quoting and expansion characters
 * as \xNN, so even a hook that evals a variable cannot be made to run
 * what a certificate says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "nalert.h"
#include "ntext.h"

extern char **environ;

#define MAX_VALUE 1000

struct env {
	char **v;
	size_t n;
	size_t cap;
	int oom;
};

static void push(struct env *e, char *s)
{
	if (!s) {
		e->oom = 1;
		return;
	}
	if (e->n + 2 > e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;
		char **g = realloc(e->v, cap * sizeof *g);
		if (!g) {
			free(s);
			e->oom = 1;
			return;
		}
		e->v = g;
		e->cap = cap;
	}
	e->v[e->n++] = s;
	e->v[e->n] = NULL;
}

/* NAME=value with the value as NT_SHELL text (`raw`: ours, as is);
 * NULL is "". */
static void set(struct env *e, const char *name, const char *value, int raw)
{
	struct nbuf b = {0};

	nb_printf(&b, "%s=", name);
	if (raw)
		nb_puts(&b, value ? value : "");
	else
		nt_put(&b, value, MAX_VALUE, NT_SHELL);
	if (b.oom) {
		nb_free(&b);
		e->oom = 1;
		return;
	}
	push(e, b.data);
}

static const char *field(const struct ctmon_alert *a, int domain)
{
	const char *v = domain ? a->domain : a->type;

	return v ? v : "";
}

/* Distinct values of one alert field, space-separated. */
static void set_distinct(struct env *e, const char *name,
			 const struct ctmon_alert *const *a, size_t n,
			 int domain)
{
	struct nbuf b = {0};

	nb_printf(&b, "%s=", name);
	for (size_t i = 0, shown = 0; i < n; i++) {
		const char *v = field(a[i], domain);
		size_t j;

		for (j = 0; j < i; j++)
			if (strcmp(field(a[j], domain), v) == 0)
				break;
		if (j < i)
			continue;
		if (shown++)
			nb_putc(&b, ' ');
		nt_put(&b, v, 253, NT_SHELL);
	}
	if (b.oom) {
		nb_free(&b);
		e->oom = 1;
		return;
	}
	push(e, b.data);
}

/* certspotter-style variables about the certificate, for a batch of one. */
static void set_single(struct env *e, const struct ctmon_alert *al)
{
	struct na_view v;
	struct json_object *names, *ids;
	struct nbuf b = {0};
	char num[32];

	na_view_init(&v, al);
	snprintf(num, sizeof num, "%lld", (long long)al->id);
	set(e, "CTMON_ALERT_ID", num, 1);
	set(e, "CTMON_ALERT_TYPE", al->type, 0);
	set(e, "CTMON_SEVERITY", ctmon_severity_name(al->severity), 1);
	set(e, "CTMON_DOMAIN", al->domain, 0);
	set(e, "CTMON_ISSUER", na_issuer(&v), 0);
	set(e, "CTMON_FINGERPRINT", na_str(v.issuance, "fingerprint"), 0);
	set(e, "CTMON_SERIAL", na_str(v.issuance, "serial"), 0);
	set(e, "CTMON_NOT_BEFORE", na_str(v.issuance, "not_before"), 0);
	set(e, "CTMON_NOT_AFTER", na_str(v.issuance, "not_after"), 0);
	names = na_names(&v);
	for (size_t i = 0; names && i < json_object_array_length(names); i++) {
		struct json_object *x = json_object_array_get_idx(names, i);
		if (!json_object_is_type(x, json_type_string))
			continue;
		if (b.len)
			nb_putc(&b, ' ');
		nt_put(&b, json_object_get_string(x), 253, NT_SHELL);
	}
	set(e, "CTMON_NAMES", nb_str(&b), 1);
	nb_reset(&b);
	ids = na_crtsh_ids(&v);
	for (size_t i = 0; ids && i < json_object_array_length(ids); i++) {
		struct json_object *x = json_object_array_get_idx(ids, i);
		if (!json_object_is_type(x, json_type_int))
			continue;
		nb_printf(&b, "%s%lld", b.len ? " " : "",
			  (long long)json_object_get_int64(x));
	}
	set(e, "CTMON_CRTSH_IDS", nb_str(&b), 1);
	if (b.oom)
		e->oom = 1;
	nb_free(&b);
	na_view_free(&v);
}

char **ex_env_build(const struct ctmon_alert *const *a, size_t n)
{
	struct env e = {0};
	struct nbuf b = {0};
	char num[32];

	for (char **p = environ; p && *p; p++)
		if (strncmp(*p, "CTMON_", 6) != 0)
			push(&e, strdup(*p));
	set(&e, "CTMON_EVENT", "alerts", 1);
	snprintf(num, sizeof num, "%zu", n);
	set(&e, "CTMON_ALERT_COUNT", num, 1);
	set(&e, "CTMON_HIGHEST_SEVERITY", ctmon_severity_name(na_highest(a, n)),
	    1);
	na_summary(&b, a, n);
	set(&e, "CTMON_SUMMARY", nb_str(&b), 1);
	nb_reset(&b);
	for (size_t i = 0; i < n; i++)
		nb_printf(&b, "%s%lld", i ? " " : "", (long long)a[i]->id);
	set(&e, "CTMON_ALERT_IDS", nb_str(&b), 1);
	set_distinct(&e, "CTMON_ALERT_TYPES", a, n, 0);
	set_distinct(&e, "CTMON_DOMAINS", a, n, 1);
	if (n == 1)
		set_single(&e, a[0]);
	if (b.oom)
		e.oom = 1;
	nb_free(&b);
	if (e.oom) {
		ex_env_free(e.v);
		return NULL;
	}
	return e.v;
}

void ex_env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}
