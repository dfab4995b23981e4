/*
 * conf.h: the configuration file's syntax, shared by sangkiend (which turns
 * each line into the command-line flag of the same name) and the CLI (which
 * reads the server's socket from it).
 *
 * One `key = value` per line; blank lines and lines whose first non-blank
 * character is '#' are ignored, and so is " # ..." after a value; blanks
 * around the key and the value are dropped; a value may be wrapped in
 * double quotes (to keep blanks at its ends, or a " #").  The reader knows
 * no keys: the caller decides what each means.
 */
#ifndef SK_CONF_H
#define SK_CONF_H

#include <stddef.h>

/*
 * Called once per setting, in file order.  key and val are valid during the
 * call only.  Returns 0 to go on, or anything else to stop (conf_read then
 * returns it), after writing a message to err.
 */
typedef int (*conf_fn)(void *arg, const char *key, const char *val, int line,
    char *err, size_t errlen);

/*
 * Reads path, calling fn for each setting.  Returns 0; -1 if the file cannot
 * be read or a line is malformed (err then says which file, which line and
 * what is wrong); or what fn returned to stop.
 */
int conf_read(
    const char *path, conf_fn fn, void *arg, char *err, size_t errlen);

#endif
