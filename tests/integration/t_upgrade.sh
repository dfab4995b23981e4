#!/usr/bin/env bash
# t_upgrade.sh: a data directory written before council_index and
# case_items existed, and before the application's form (issue 16) had the
# authors' particulars, still works and keeps all it recorded.  The test copies the databases of a demo
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
# What each case recorded before issue 16's form, to compare after.
recorded() {
	for id in $(sk --json cases --all | jq '.items[].id'); do
		call "" case.get "{\"id\":$id}" | jq -c '.result | {id, title,
			state, version, field, owner, first_applied, sections,
			confidential, decisions, similar,
			authors: [.authors[] | {name, user, share}]}'
	done
}
recorded >"$T_DIR/before"
stop_server
# Older still: written before record checksums (tests/tools/nosums.c), so
# that the cases' text can be edited below as that sangkiend wrote it.
"$SK_BIN/tests/nosums" "$DATA"

# The cases as sangkiend wrote them before issue 16 (mdb_dump -p keeps
# printable bytes as they are): no particulars of the authors, no trial
# users, receipt, round, declaration or flag; and no marker of the form's
# upgrade in meta.
old_shape() {
	sed -E 's/,"birth_date":"[^"]*","workplace":"[^"]*","position":"[^"]*","qualification":"[^"]*"//g
		s/,"(trial_users":\[\]|benefits_assessed":"[^"]*"|round":("[^"]*"|null)|(receipt|declaration|flagged_similar)":\{[^}]*\})//g'
}
OLD="$T_DIR/old"
mkdir "$OLD"
for db in meta cases history case_history by_state by_unit by_author \
	by_due units users tokens councils idem idem_time rubrics rubric_ids \
	ballots timers; do
	case "$db" in
	cases) mdb_dump -p -s "$db" "$DATA" | old_shape ;;
	meta) mdb_dump -p -s "$db" "$DATA" |
		awk '$1 == "form_upgraded" { skip = 2 } skip { skip--; next } 1' ;;
	*) mdb_dump -s "$db" "$DATA" ;;
	esac | mdb_load -s "$db" "$OLD" 2>/dev/null
done
check "the copy's cases have no particulars of their authors" 0 \
	"$(mdb_dump -p -s cases "$OLD" | grep -c 'birth_date' || true)"
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
# (The copy left the duplicate and search indexes out: verify says so,
# nothing else.)
check "server.verify finds nothing else wrong with the cases" 0 \
	"$(jget "$V" '[.problems[] | select(test("case") and
		(test("dedup_sigs|search_terms") | not))] | length')"
# Issue 16: nothing recorded is lost; the new fields are there, empty.
check "every case keeps what it recorded" "" \
	"$(recorded | diff "$T_DIR/before" - | head -5)"
check "every author has the form's particulars, empty" 0 \
	"$(for id in $(sk --json cases --all | jq '.items[].id'); do
		call "" case.get "{\"id\":$id}" | jq '[.result.authors[] |
			select(.birth_date != "" or .workplace != "" or
			       .position != "" or .qualification != "")] | length'
	done | jq -s add)"
# The returned case is asked for them at its next submission.
RET=$(sk --json cases --state returned | jq -r '.items[0].id')
RA=$(sk --json show "$RET" | jq -r '.authors[0].user')
r=$(call "$(sk token "$RA" 2>/dev/null)" case.act "{\"id\":$RET,\"action\":\"submit\",\"declaration\":{\"not_against_public_order\":true,\"not_protected_ip\":true}}")
check "its next submission asks for the author's date of birth" \
	"incomplete 1" "$(jget "$r" '.error.code + " " +
		([.error.details.problems[] | select(test("^Tác giả 1 .*thiếu ngày sinh \\(birth_date\\)"))] | length | tostring)')"
T=$(sk token luong.van.minh 2>/dev/null)
check "the chair's council is found" "hd-gddt chair" \
	"$(sk --json --token "$T" whoami | jq -r '.councils[0] | "\(.id) \(.role)"')"
# The education department's council (hd-gddt) reviews so-gddt's schools.
C=$(sk --json cases --state unit_review | jq '[.items[] | select(.unit == "so-gddt" or (.unit | startswith("thpt")))][0].id')
check "the chair can score a case under review" "luong.van.minh" \
	"$(sk --json --token "$T" score "$C" novelty=20 applicability=20 benefit=30 | jq -r .member)"
stop_server
finish
