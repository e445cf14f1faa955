/* version — the one version string of camcat and camcatd. */
#ifndef CC_VERSION_H
#define CC_VERSION_H

#define CAMCAT_VERSION "0.1.0"

#endif
