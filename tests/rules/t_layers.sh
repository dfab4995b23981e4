#!/usr/bin/env bash
# t_layers.sh: the layering rules of ARCHITECTURE.md, checked on the source
# tree (no server is started).  Each rule prints the lines that break it.
#
# 1. Only the store touches LMDB's cursors and databases: mdb_cursor_*,
#    MDB_SET_RANGE and ->dbi[ appear in no C file outside core/store/
#    (callers use store_scan_* and store_dup_*; struct store is opaque, so
#    the compiler refuses ->dbi[ too).
# 2. The layers below the handlers do not include the wire: no file under
#    core/util/, core/store/ or plugins/ includes an ipc/ header.  Nor do
#    they include anything above them: core/util/ (the bottom) includes
#    only itself; core/store/ and plugins/ add core/util/; core/dedup/ adds
#    core/store/.
#    Above them, core/model/ includes neither core/ops/ nor core/server/,
#    and core/ops/ does not include core/server/.
# 3. A folder's private header is its own: by convention a private header
#    is named impl.h (or *_impl.h); only the files of its folder may
#    include it, so no two files of different folders share insides, let
#    alone include each other's.  Every other header is a public API.
#
# Every C file of core/, plugins/, ipc/ and tests/ is read: the tests, too,
# reach the store through its public header.
set -euo pipefail
SRC=${SK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$SRC"
failed=0

# rule NAME OFFENDING-LINES: passes if there are none.
rule() {
	if [ -z "$2" ]; then
		echo "ok: $1"
	else
		echo "FAILED: $1:"
		printf '%s\n' "$2" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
}

# Every C source and header of ours, as paths from the top (npm's
# node_modules, which tests/web/ may have, is not ours).
sources() {
	find core plugins ipc tests -name node_modules -prune -o -type f \
		\( -name '*.c' -o -name '*.h' \) -print | sort
}

# tests/tools/ is exempt: its programs write a database as an older
# sangkiend did (nosums: records without their checksums), below the store
# on purpose.
rule "no cursor, MDB_SET_RANGE or DBI handle outside core/store/" \
	"$(sources | grep -v -e '^core/store/' -e '^tests/tools/' |
		xargs grep -nE 'mdb_cursor_|MDB_SET_RANGE|->dbi\[' || true)"

rule "core/util/, core/store/ and plugins/ do not include ipc/" \
	"$(sources | grep -E '^(core/util|core/store|plugins)/' |
		xargs grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"ipc/' ||
		true)"

# below DIR "FOLDER...": DIR's files include, of ours, only DIR's own
# headers and those of the folders named (the layers below it).
below() {
	local allowed="$1" f
	for f in $2; do
		allowed="$allowed|$f"
	done
	rule "$1/ includes only from itself${2:+ and $2}" \
		"$(sources | grep "^$1/" |
			xargs grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' |
			grep -vE "#[[:space:]]*include[[:space:]]*\"($allowed)/" ||
			true)"
}
below core/util ""
below core/store "core/util"
below plugins "core/util"
below core/dedup "core/util core/store"

# Above the store the layers point down only: the model (core/model/)
# includes neither the handlers (core/ops/) nor the loop (core/server/);
# the handlers do not include the loop, and share nothing of their folder
# but ops.h.
rule "core/model/ includes nothing of core/ops/ or core/server/" \
	"$(grep -rnE '#include "core/(ops|server)/' core/model || true)"
rule "core/ops/ includes nothing of core/server/" \
	"$(grep -rnE '#include "core/server/' core/ops || true)"
rule "core/ops/ files include no header of their folder but ops.h" \
	"$(grep -rnE '#include "core/ops/' core/ops |
		grep -v '"core/ops/ops.h"' || true)"

# file:line:#include "dir/impl.h" where dir is not file's own folder.
private=$(sources |
	xargs grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*(/|_)impl\.h"' |
	while IFS=: read -r file line text; do
		header=$(printf '%s\n' "$text" | sed -E 's/.*"([^"]+)".*/\1/')
		if [ "$(dirname "$header")" != "$(dirname "$file")" ]; then
			echo "$file:$line: $header is private to $(dirname "$header")/"
		fi
	done)
rule "private headers (impl.h, *_impl.h) are included only in their folder" \
	"$private"

# The rules must have something to read: a tree moved elsewhere would
# otherwise pass them all.
rule "the store and its private header are where the rules expect them" \
	"$( [ -f core/store/impl.h ] && [ -f core/store/store.h ] ||
		echo "core/store/store.h or core/store/impl.h is missing")"

[ "$failed" = 0 ]
