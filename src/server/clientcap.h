/* clientcap — the per-client connection cap (max_client_conns).
 *
 * civetweb 1.15 has no accept hook, and its init_connection callback cannot
 * tell who connected (mg_get_request_info() answers NULL until the request
 * is read). So camcatd defines accept() itself: civetweb's listening thread
 * calls it through the dynamic linker, which prefers the executable's
 * definition. It accepts with accept4(), counts the client's connections
 * that are already open to the same port (the process's sockets, read from
 * /proc/self/fd: what the kernel holds, so nothing to keep in step with
 * civetweb), and closes a connection over the cap before civetweb sees it
 * (civetweb takes a failed accept as nothing to do). Refusals are logged
 * once per client a minute.
 *
 * Thread rules: srv_clientcap_start before mg_start2 and srv_clientcap_stop
 * after mg_stop, alone (they set the module's one global, which accept()
 * only reads); accept() runs in civetweb's listening thread. */
#ifndef CC_SRV_CLIENTCAP_H
#define CC_SRV_CLIENTCAP_H

#include "config.h"

/* Turns the cap on with cfg->max_client_conns (0: stays off). 0 or -errno. */
int srv_clientcap_start(const struct cc_config *cfg);
void srv_clientcap_stop(void);

#endif
