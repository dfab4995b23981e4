#!/usr/bin/env bash
# t_layers.sh: the layers of core/ stay layers (ARCHITECTURE.md), checked
# on the source tree as grep sees it, so that a change that breaks a rule
# fails here rather than in a reviewer's reading:
#   - nothing outside core/store/ opens an LMDB cursor or reads a DBI
#     handle: every walk of a database goes through store_scan;
#   - the model (core/model/) includes neither the handlers (core/ops/) nor
#     the loop (core/server/), and the handlers do not include the loop;
#   - no handler file of core/ops/ includes another's private header (the
#     handlers share only ops.h and the model).
source "$(dirname "$0")/lib.sh"

cd "$SK_SRC"

check "no cursor or DBI outside core/store/" "" \
	"$(grep -rnE --include='*.c' --include='*.h' \
		'mdb_cursor_[a-z]+\(|MDB_cursor|(->|\.)dbi\[' core plugins ipc |
		grep -v '^core/store/' || true)"

check "core/model/ includes nothing of core/ops/ or core/server/" "" \
	"$(grep -rnE '#include "core/(ops|server)/' core/model || true)"

check "core/ops/ includes nothing of core/server/" "" \
	"$(grep -rnE '#include "core/server/' core/ops || true)"

check "core/ops/ files include no header but ops.h of their own folder" "" \
	"$(grep -rnE '#include "core/ops/' core/ops | grep -v '"core/ops/ops.h"' ||
		true)"

finish
