/* commands.h - command-line store operations; each returns an exit code
 * (enum ctm_exit). */
#ifndef CTM_COMMANDS_H
#define CTM_COMMANDS_H

#include "cli.h"
#include "config.h"

int ctm_cmd_list_alerts(const struct ctm_cli *cli, struct ctm_config *cfg);
int ctm_cmd_ack(const struct ctm_cli *cli, struct ctm_config *cfg);
int ctm_cmd_add_ca(const struct ctm_cli *cli, struct ctm_config *cfg);
int ctm_cmd_list_cas(struct ctm_config *cfg);
int ctm_cmd_remove_ca(const struct ctm_cli *cli, struct ctm_config *cfg);
int ctm_cmd_outbox(struct ctm_config *cfg);
/* --status: domains, each source's "status.*" state and cursors, outbox
 * counts; reads the store only. */
int ctm_cmd_status(struct ctm_config *cfg);

#endif
