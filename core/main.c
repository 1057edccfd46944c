/* main.c - ctmon's entry point: parse the command line, build the
 * configuration, then either run a store command or monitoring cycles. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "engine.h"
#include "http.h"
#include "loader.h"
#include "log.h"
#include "report.h"
#include "sd_notify.h"
#include "store.h"

static volatile sig_atomic_t reload_requested;

static void on_stop(int sig)
{
	(void)sig;
	ctm_engine_request_stop();
}

static void on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

static int stop_check(void) { return ctm_engine_stopping(); }

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The configuration: file (or built-in default) with the flags on top. */
static int build_config(const struct ctm_cli *cli, struct ctm_config **out)
{
	struct ctm_error err;
	int rc;

	memset(&err, 0, sizeof err);
	rc = ctm_config_load(cli->config, out, &err);
	if (rc == CTMON_OK) {
		rc = ctm_cli_apply(cli, *out, &err);
		if (rc != CTMON_OK) {
			ctm_config_free(*out);
			*out = NULL;
		}
	}
	if (rc != CTMON_OK) {
		fprintf(stderr, "ctmon: %s\n", err.text);
		return CTM_EXIT_CONFIG;
	}
	if (!cli->verbose && !cli->quiet) {
		int lvl = ctm_log_level_parse((*out)->log_level);
		if (lvl >= 0)
			ctm_log_set_level((enum ctmon_log_level)lvl);
	}
	return CTM_EXIT_OK;
}

static int plugin_help(const struct ctm_config *cfg, const char *name)
{
	struct ctm_plugin_path path;
	struct ctm_plugin *pl = NULL;
	struct ctm_error err;

	ctm_plugin_path_default(&path, cfg->plugin_dir);
	if (ctm_plugin_load(&path, name, 0, &pl, &err) != CTMON_OK) {
		fprintf(stderr, "ctmon: %s\n", err.text);
		return CTM_EXIT_CONFIG;
	}
	printf("%s (%s plugin, version %s)\n  %s\n  file: %s\n\noptions:\n",
	       pl->desc.name, ctm_kind_name(pl->desc.kind), pl->desc.version,
	       pl->desc.description ? pl->desc.description : "", pl->path);
	ctm_config_print_options(stdout, pl->desc.options, pl->desc.n_options,
				 pl->desc.option_size);
	ctm_plugin_unload(pl);
	return CTM_EXIT_OK;
}

static int check_config(struct ctm_config *cfg)
{
	struct ctm_engine_opts o = {0, 1};
	struct ctm_engine *e = NULL;
	struct ctm_error err;

	if (ctm_engine_new(cfg, &o, &e, &err) != CTMON_OK) {
		fprintf(stderr, "ctmon: %s\n", err.text);
		return CTM_EXIT_CONFIG;
	}
	printf("configuration OK: %zu domain(s), %zu source(s), %zu "
	       "check(s), %zu notifier(s)\n",
	       cfg->n_domains, cfg->n_sources, cfg->n_checks,
	       cfg->n_notifiers);
	ctm_engine_free(e);
	return CTM_EXIT_OK;
}

static int write_report(struct ctm_engine *e, const struct ctm_config *cfg)
{
	struct ctm_error err;

	if (!cfg->report)
		return CTM_EXIT_OK;
	if (ctm_report_write(ctm_engine_store(e), cfg->domains, cfg->n_domains,
			     ctm_engine_now(), cfg->report,
			     &err) != CTMON_OK) {
		ctm_err("report: %s", err.text);
		return CTM_EXIT_RUNTIME;
	}
	ctm_info("report written to %s", cfg->report);
	return CTM_EXIT_OK;
}

/* --list-candidates DOMAIN: the watch patterns checks add for DOMAIN
 * alone (the typosquat check's candidates), without store or network. */
static int list_candidates(const char *domain, struct ctm_config *cfg)
{
	char *domains[] = {(char *)domain, NULL};
	struct ctm_engine_opts o = {0, 1};
	struct ctm_engine *e = NULL;
	struct ctm_error err;
	size_t n = 0;
	int rc;

	memset(&err, 0, sizeof err);
	if (ctm_config_set_domains(cfg, domains, 1, &err) != CTMON_OK ||
	    ctm_engine_new(cfg, &o, &e, &err) != CTMON_OK) {
		fprintf(stderr, "ctmon: %s\n", err.text);
		return CTM_EXIT_CONFIG;
	}
	rc = ctm_engine_print_watch(e, stdout, &n);
	ctm_engine_free(e);
	if (fflush(stdout) != 0 || rc != CTMON_OK) {
		fprintf(stderr, "ctmon: --list-candidates: the typosquat check "
			"failed (see the log)\n");
		return CTM_EXIT_RUNTIME;
	}
	if (n == 0) {
		fprintf(stderr, "ctmon: --list-candidates: no candidates for "
			"%s (not a registrable domain, or the typosquat "
			"check's watch_candidates is off)\n", domain);
		return CTM_EXIT_USAGE;
	}
	ctm_info("%zu candidates for %s", n, domain);
	return CTM_EXIT_OK;
}

/* Takes the store's one-writer lock, then opens the store once so that a
 * file that is not a ctmon store is a runtime error (exit 4), told apart
 * from a plugin or configuration problem (exit 3). */
static int lock_and_check_store(const char *database,
				struct ctm_store_lock **lock)
{
	struct ctm_store *s = NULL;
	struct ctm_error err;

	memset(&err, 0, sizeof err);
	if (ctm_store_lock_acquire(database, 0, lock, &err) != CTMON_OK) {
		fprintf(stderr, "ctmon: %s\n", err.text);
		return CTM_EXIT_RUNTIME;
	}
	if (ctm_store_open(database, &s, &err) != CTMON_OK) {
		fprintf(stderr, "ctmon: %s\n", err.text);
		ctm_store_lock_release(*lock);
		*lock = NULL;
		return CTM_EXIT_RUNTIME;
	}
	ctm_store_close(s);
	return CTM_EXIT_OK;
}

/* Cycles until done (one-shot) or stopped; SIGHUP rebuilds everything
 * from the configuration between cycles. */
static int monitor(const struct ctm_cli *cli, struct ctm_config **cfgp)
{
	struct ctm_engine_opts o = {cli->auto_baseline, 0};
	struct ctm_store_lock *lock = NULL;
	struct ctm_engine *e = NULL;
	struct ctm_error err;
	int exit_code = CTM_EXIT_OK, rc;

	if ((*cfgp)->n_domains == 0) {
		fprintf(stderr, "ctmon: no domains to monitor: give --domains "
			"or `domains` in the configuration\n");
		return CTM_EXIT_USAGE;
	}
	rc = lock_and_check_store((*cfgp)->database, &lock);
	if (rc != CTM_EXIT_OK)
		return rc;
	if (ctm_engine_new(*cfgp, &o, &e, &err) != CTMON_OK) {
		fprintf(stderr, "ctmon: %s\n", err.text);
		ctm_store_lock_release(lock);
		return CTM_EXIT_CONFIG;
	}
	/* systemd Type=notify: started once the store and plugins are up. */
	if (cli->continuous)
		ctm_sd_notify("READY=1");
	for (;;) {
		struct ctm_cycle_stats st;
		rc = ctm_engine_cycle(e, &st);

		exit_code = CTM_EXIT_OK;
		if (rc != CTMON_OK && rc != CTMON_ESTOPPED)
			exit_code = CTM_EXIT_RUNTIME;
		else if (ctm_engine_stopping())
			exit_code = CTM_EXIT_OK; /* a requested stop is no failure */
		else if (st.source_failures || st.delivery_failures)
			exit_code = CTM_EXIT_PARTIAL;
		if (rc == CTMON_OK && write_report(e, *cfgp) != CTM_EXIT_OK)
			exit_code = CTM_EXIT_RUNTIME;
		if (!cli->continuous || ctm_engine_stopping())
			break;
		ctm_sleep_ms((*cfgp)->interval * 1000);
		if (ctm_engine_stopping())
			break;
		if (reload_requested) {
			struct ctm_config *fresh = NULL;
			struct ctm_engine *ne = NULL;
			reload_requested = 0;
			ctm_info("SIGHUP: reloading the configuration");
			if (build_config(cli, &fresh) != CTM_EXIT_OK) {
				ctm_err("reload failed; keeping the running "
					"configuration");
				continue;
			}
			if (strcmp(fresh->database, (*cfgp)->database) != 0) {
				ctm_err("reload failed: `database` cannot "
					"change while running (restart "
					"ctmon); keeping the running "
					"configuration");
				ctm_config_free(fresh);
				continue;
			}
			/* Old instances go first: they hold the store. */
			ctm_engine_free(e);
			e = NULL;
			if (ctm_engine_new(fresh, &o, &ne, &err) != CTMON_OK) {
				ctm_err("reload failed: %s; restarting with "
					"the previous configuration", err.text);
				ctm_config_free(fresh);
				if (ctm_engine_new(*cfgp, &o, &e, &err) !=
				    CTMON_OK) {
					ctm_err("%s", err.text);
					ctm_store_lock_release(lock);
					return CTM_EXIT_CONFIG;
				}
				continue;
			}
			ctm_config_free(*cfgp);
			*cfgp = fresh;
			e = ne;
		}
	}
	if (cli->continuous)
		ctm_sd_notify("STOPPING=1");
	ctm_engine_free(e);
	ctm_store_lock_release(lock);
	if (ctm_engine_stopping())
		ctm_info("stopped after the last committed cycle");
	return exit_code;
}

static int dispatch(const struct ctm_cli *cli, struct ctm_config **cfg)
{
	if (cli->list_plugins) {
		struct ctm_plugin_path path;
		ctm_plugin_path_default(&path, (*cfg)->plugin_dir);
		ctm_plugin_list(&path, stdout);
		return CTM_EXIT_OK;
	}
	if (cli->plugin_help)
		return plugin_help(*cfg, cli->plugin_help);
	if (cli->check_config)
		return check_config(*cfg);
	if (cli->list_candidates)
		return list_candidates(cli->list_candidates, *cfg);
	if (cli->add_ca_name)
		return ctm_cmd_add_ca(cli, *cfg);
	if (cli->remove_ca)
		return ctm_cmd_remove_ca(cli, *cfg);
	if (cli->list_cas)
		return ctm_cmd_list_cas(*cfg);
	if (cli->n_ack)
		return ctm_cmd_ack(cli, *cfg);
	if (cli->list_alerts)
		return ctm_cmd_list_alerts(cli, *cfg);
	if (cli->show_outbox)
		return ctm_cmd_outbox(*cfg);
	if (cli->show_status)
		return ctm_cmd_status(*cfg);
	return monitor(cli, cfg);
}

int main(int argc, char **argv)
{
	struct ctm_cli cli;
	struct ctm_config *cfg = NULL;
	int rc;

	rc = ctm_cli_parse(argc, argv, &cli);
	if (rc != 0 || cli.help) {
		ctm_cli_usage(rc ? stderr : stdout);
		goto out;
	}
	if (cli.version) {
		printf("ctmon %s (plugin ABI %d.%d)\n", CTMON_VERSION,
		       CTMON_PLUGIN_ABI_MAJOR, CTMON_PLUGIN_ABI_MINOR);
		goto out;
	}
	if (cli.verbose)
		ctm_log_set_level(CTMON_LOG_DEBUG);
	else if (cli.quiet)
		ctm_log_set_level(CTMON_LOG_WARN);
	rc = build_config(&cli, &cfg);
	if (rc != CTM_EXIT_OK)
		goto out;
	/* Library globals are set up before any plugin is loaded. */
	if (ctm_http_global_init("ctmon/" CTMON_VERSION) != CTMON_OK) {
		fprintf(stderr, "ctmon: cannot initialise libcurl\n");
		rc = CTM_EXIT_RUNTIME;
		goto out;
	}
	ctm_http_set_stop_check(stop_check);
	install_signals();
	/* The store, its lock, reports and temporary files hold what the
	 * team monitors: nobody else on the machine reads them. */
	umask(077);
	rc = dispatch(&cli, &cfg);
	ctm_rate_limit_cleanup();
	ctm_http_global_cleanup();
out:
	ctm_config_free(cfg);
	ctm_cli_free(&cli);
	return rc;
}
