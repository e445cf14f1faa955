/* Helpers shared by the unit tests: temporary trees and playlists. */
#ifndef CC_TESTUTIL_H
#define CC_TESTUTIL_H

#include <stdint.h>

/* A fresh temporary directory; caller frees the string (tree left for rm). */
char *tu_tmpdir(void);
void tu_mkdirs(const char *path);
void tu_write(const char *path, const char *text);
void tu_append(const char *path, const char *text);
/* Appends n chunks of dur_ms starting at index first, PDT from t0_ms (UTC),
 * to a playlist text, and creates the chunk files beside it in dir. */
void tu_chunks(const char *dir, const char *playlist, int first, int n, int64_t t0_ms, int dur_ms);
void tu_rmrf(const char *path);

#endif
