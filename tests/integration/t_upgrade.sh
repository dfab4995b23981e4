#!/usr/bin/env bash
# t_upgrade.sh: a data directory written before council_index and
# case_items existed still works.  The test copies the databases of a demo
# province, but for those two, with mdb_dump/mdb_load (lmdb-utils; the
# duplicate-detection databases are left out too, as mdb_load of this
# version drops their DUPSORT flag), starts sangkiend on the copy, and
# checks that it rebuilds them: councils are found again (a chair sees
# their council and can act) and lists show every case, with nothing in
# server.verify about case_items.
source "$(dirname "$0")/lib.sh"

start_server
sk demo >/dev/null
WANT_CASES=$(sk --json cases --all | jq '.items | length')
stop_server

OLD="$T_DIR/old"
mkdir "$OLD"
for db in meta cases history case_history by_state by_unit by_author \
	by_due units users tokens councils idem idem_time rubrics rubric_ids \
	ballots timers; do
	mdb_dump -s "$db" "$DATA" | mdb_load -s "$db" "$OLD" 2>/dev/null
done
check "the copy has no council index" "" \
	"$(mdb_stat -s council_index "$OLD" 2>/dev/null | grep Entries)"
rm -rf "$DATA"
mv "$OLD" "$DATA"

start_server
check "every case is listed again" "$WANT_CASES" \
	"$(sk --json cases --all | jq '.items | length')"
V=$(sk --json verify || true)
check "server.verify finds every list item" 0 \
	"$(jget "$V" '[.problems[] | select(test("case_items"))] | length')"
check "... and every case" "$WANT_CASES" "$(jget "$V" .cases)"
T=$(sk token luong.van.minh 2>/dev/null)
check "the chair's council is found" "hd-gddt chair" \
	"$(sk --json --token "$T" whoami | jq -r '.councils[0] | "\(.id) \(.role)"')"
# The education department's council (hd-gddt) reviews so-gddt's schools.
C=$(sk --json cases --state unit_review | jq '[.items[] | select(.unit == "so-gddt" or (.unit | startswith("thpt")))][0].id')
check "the chair can score a case under review" "luong.van.minh" \
	"$(sk --json --token "$T" score "$C" novelty=20 applicability=20 benefit=30 | jq -r .member)"
stop_server
finish
