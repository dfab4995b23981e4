#!/usr/bin/env bash
# t_checksums.sh: every stored record carries a checksum (issue 19, finding
# 4; core/store/sum.c).  A byte flipped on disk in a case's title, in a
# ballot's comment or in a history event used to pass verify, and could
# reach clients as invalid UTF-8.  Now:
#   - a database written before checksums gets them at start, and verify
#     is clean;
#   - after each flip (of a stopped server's data.mdb), verify names the
#     damaged record (table and key), reading it is refused with
#     `internal` and a message naming it, every reply is valid UTF-8, and
#     the server stays up.
source "$(dirname "$0")/lib.sh"

FLIP="python3 $SK_SRC/tests/integration/flip.py"
NOSUMS="$SK_BIN/tests/nosums"
utf8() { $FLIP - utf8; }

start_server
sk demo >/dev/null
FIRST=$(date -u -d '-2 months' +%F)
TITLE="Ứng dụng nhật ký điện tử kiểm tra độc nhất"
r=$(call "" case.create "$(jq -nc --arg t "$TITLE" --arg f "$FIRST" \
	'{unit: "bv-da-khoa", title: $t, field: "y tế", first_applied: $f,
	  authors: [{name: "Hoàng Văn Lộc", share: 100}],
	  sections: {status_quo: "a", solution: "b"}}')")
ID=$(jget "$r" .result.id)
CASES=$(sk --json verify | jq .cases)
stop_server
cp -a "$DATA" "$T_DIR/pristine"

# An old database: the same records without their checksums.
"$NOSUMS" "$DATA" >/dev/null
check "the old database has no checksum marker" "" \
	"$(mdb_dump -p -s meta "$DATA" | grep -x ' checksums' || true)"
start_server --log-level info
V=$(sk --json verify)
check "an old database gets checksums at start and verify is clean" \
	"true $CASES" "$(jget "$V" .ok) $(jget "$V" .cases)"
grep -q "checksums added to" "$T_DIR/server.log" &&
	pass "the upgrade is logged" || fail "the upgrade is not logged"
r=$(call "" case.get "{\"id\":$ID}")
check "the upgraded case reads as before" "$TITLE" "$(jget "$r" .result.title)"
stop_server
start_server --log-level info
check "the upgrade is done once" 1 "$(grep -c "checksums added to" "$T_DIR/server.log")"
stop_server

# flip_round NAME TEXT TABLE: every occurrence of TEXT flipped in a fresh
# copy; verify must name a damaged record of TABLE.
flip_round() {
	rm -rf "$DATA"
	cp -a "$T_DIR/pristine" "$DATA"
	local n
	n=$($FLIP "$DATA/data.mdb" all "$2")
	start_server
	V=$(sk --json verify 2>&1 || true)
	echo "# $1: $n occurrences flipped; verify: $(jget "$V" '.problems[:3]' | tr -d '\n')"
	check "$1: verify is not clean" false "$(jget "$V" .ok)"
	check "$1: verify names a damaged record of $3" true \
		"$(jget "$V" "[.problems[] | select(startswith(\"damaged record: $3 \"))] | length > 0")"
	printf '%s' "$V" | utf8 && pass "$1: verify's answer is UTF-8" ||
		fail "$1: verify's answer is not UTF-8"
}

flip_round "a case's title" "$TITLE" cases
r=$(call "" case.get "{\"id\":$ID}")
check "case.get of the damaged case is refused with internal" "false internal" \
	"$(jget "$r" .ok) $(jget "$r" .error.code)"
check "... naming the record" "damaged record: cases $ID" \
	"$(jget "$r" .error.message | cut -d' ' -f1-4)"
printf '%s' "$r" | utf8 && pass "the refusal is UTF-8" || fail "the refusal is not UTF-8"
r=$(call "" case.list '{}')
printf '%s' "$r" | utf8 && pass "case.list's reply is UTF-8" || fail "case.list's reply is not UTF-8"
r=$(call "" case.get '{"id":1}')
check "another case still reads" true "$(jget "$r" .ok)"
check "the server is alive" 0 "$(status_of kill -0 "$SKD_PID")"
stop_server

# The demo's comments are in ballots only.
flip_round "a ballot's comment" "Nội dung còn sơ sài" ballots
: >"$T_DIR/replies"
for id in $(seq 1 "$CASES"); do
	call "" case.get "{\"id\":$id}" >>"$T_DIR/replies"
	echo >>"$T_DIR/replies"
done
utf8 <"$T_DIR/replies" && pass "every case.get reply is UTF-8" ||
	fail "a case.get reply is not UTF-8"
refused=$(grep -c '"message":"damaged record: ballots [0-9]*/' "$T_DIR/replies" || true)
check "case.get of a case with a damaged ballot is refused naming it" true \
	"$([ "$refused" -ge 1 ] && echo true || echo "false ($refused)")"
check "the server is alive after reading every case's ballots" 0 \
	"$(status_of kill -0 "$SKD_PID")"
stop_server

flip_round "a history event" '{"seq":7,' history
check "verify names event 7" true \
	"$(jget "$V" '[.problems[] | select(startswith("damaged record: history 7 "))] | length == 1')"
r=$(call "" events.since '{"seq":0}')
printf '%s' "$r" | utf8 && pass "events.since's reply is UTF-8" || fail "events.since's reply is not UTF-8"
check "the server is alive" 0 "$(status_of kill -0 "$SKD_PID")"
stop_server
finish
