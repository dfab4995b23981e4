#!/usr/bin/env bash
# t_durability.sh: no acknowledged write is lost to kill -9 under load.
# skbench's crash rounds, small: 32 writers file and retitle cases through
# the API with their own tokens; skbench kills sangkiend with SIGKILL at a
# random moment, restarts it on the same data, and checks that every write
# that got an "ok" reply is there (the case by id, with the title of its last
# acknowledged change) and that server.verify is clean.  Two rounds of a
# few hundred writes.  Nothing about speed is asserted here.
source "$(dirname "$0")/lib.sh"

SKB="$SK_BIN/skbench"
rc=0
TMPDIR="$T_DIR" timeout 180 "$SKB" --sangkiend "$SKD" --rubrics "$SK_SRC/rubrics" \
	--crash-only --crash-rounds 2 --crash-seconds 0.3 --json \
	>"$T_DIR/skbench.out" 2>"$T_DIR/skbench.err" || rc=$?
J=$(tail -n 1 "$T_DIR/skbench.out")
check "skbench exits 0" 0 "$rc"
check "skbench ends with its JSON line" true \
	"$(jget "$J" 'has("crash_lost")' 2>/dev/null || echo false)"
check "two crash rounds ran" 2 "$(jget "$J" .crash_rounds 2>/dev/null)"
check "the writers got acknowledgements before each kill" true \
	"$(jget "$J" '.crash_acked >= 64' 2>/dev/null)"
check "no acknowledged write was lost" 0 "$(jget "$J" .crash_lost 2>/dev/null)"
check "server.verify is clean after every restart" true \
	"$(jget "$J" .crash_verify_ok 2>/dev/null)"
check "no request got an error reply" 0 \
	"$(jget "$J" .failed_requests 2>/dev/null)"
echo "# $(jget "$J" '"\(.crash_acked) writes acknowledged, \(.crash_lost) lost"' 2>/dev/null)"
if [ "$T_FAILED" != 0 ]; then
	sed 's/^/# /' "$T_DIR/skbench.err" "$T_DIR/skbench.out"
fi
finish
