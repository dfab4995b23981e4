/*
 * host.h: the Lua host that runs scoring rubrics (ARCHITECTURE.md, "Lua
 * plugins and rubrics").  A rubric is untrusted code written by a unit's
 * secretary; the host gives each rubric version a lua_State of its own with an
 * allow list of libraries, an instruction budget on every call and a capped
 * allocator, and turns every failure into SK_ERUBRIC with file:line in the
 * message.  Nothing a rubric does can stop the server or reach outside its
 * state.
 *
 * Threads: a plug_rubric is used by one thread at a time: the loop, or the
 * worker of rubric.test or rubric.put that made it (its state may then be
 * handed to the loop, never shared).  Nothing here is global: states on
 * different threads are independent.
 * Ownership: JSON passed in stays the caller's; JSON returned belongs to the
 * caller (json_object_put).
 */
#ifndef SK_PLUGIN_HOST_H
#define SK_PLUGIN_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define PLUG_HASH_HEX 64

/*
 * Caps on what a rubric declares and returns (rubrics/README.md): each is
 * refused with a message naming it, never truncated.  Characters are
 * Unicode code points.
 */
#define PLUG_MAX_CRITERIA 200 /* criteria of a rubric */
#define PLUG_MAX_LABEL 200 /* characters of the title, of a label */
#define PLUG_MAX_GUIDE 2000 /* characters of a criterion's guide */
#define PLUG_MAX_MARK 1000 /* a criterion's max */
#define PLUG_MAX_LINES 100 /* problems check returns, reasons of decide */
#define PLUG_MAX_LINE 1000 /* characters of one problem or reason */
#define PLUG_MAX_SCORE 1e9 /* decide's score, either sign */

struct plug_limits {
	size_t   mem_bytes;    /* allocator cap per state; 0: 64 MiB */
	uint64_t instructions; /* budget per call; 0: 20 million */
	uint32_t time_ms;      /* wall-clock backstop per call; 0: 100 */
};

/*
 * Finds the source of another rubric for extend(base_id, overrides).
 * Returns 0 and the source (borrowed until the load ends) and a chunk name
 * for messages, or -1 if there is no such rubric.
 */
typedef int (*plug_resolve_fn)(void *arg, const char *id, const char **src,
    size_t *len, const char **chunkname);

struct plug_rubric; /* opaque: one loaded rubric version */

/*
 * Loads a rubric from Lua source text (never bytecode) and checks its
 * shape: id, title, criteria ({id, label, max > 0, guide?}), check and
 * decide functions.  Returns SK_OK, or SK_ERUBRIC with a message that says
 * what is wrong and where (chunkname:line).
 */
int plug_load(const char *chunkname, const char *src, size_t len,
    const struct plug_limits *lim, plug_resolve_fn resolve, void *arg,
    struct plug_rubric **out, char *err, size_t errlen);

void plug_free(struct plug_rubric *r);

/* The rubric's id, title, and criteria as JSON ([{id,label,max,guide?}]). */
const char  *plug_id(const struct plug_rubric *r);
const char  *plug_title(const struct plug_rubric *r);
json_object *plug_criteria(const struct plug_rubric *r); /* borrowed */

/*
 * Calls check(case, today, rubric), rubric being the table the file
 * returned (so a rubric built with extend() reads its own overrides):
 * returns SK_OK and a JSON array of problem strings (empty: complete), or
 * SK_ERUBRIC with err.
 */
int plug_check(struct plug_rubric *r, json_object *case_doc,
    const char *today, json_object **problems, char *err, size_t errlen);

/*
 * Calls decide(ballots, council, rubric): ballots is [{member, role, marks:
 * {criterion: n}, total}], council is {members, eligible, ...}.  Returns
 * SK_OK and {verdict: "pass"|"fail"|"pending", score: n, reasons: [..]}
 * (checked: a bad verdict or a fail without reasons is SK_ERUBRIC).
 */
int plug_decide(struct plug_rubric *r, json_object *ballots,
    json_object *council, json_object **verdict, char *err, size_t errlen);

#endif
