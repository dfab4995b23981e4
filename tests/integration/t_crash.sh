#!/usr/bin/env bash
# t_crash.sh: durability under kill -9.  Eight writers file cases as fast as
# they can and log each case the server acknowledged; the server is killed
# with SIGKILL in the middle; after a restart on the same data directory
# every acknowledged case is there with its title and server.verify finds no
# problem.  Two rounds.  Also: a second sangkiend on the same data directory
# refuses to start, and SIGTERM makes the server exit 0.
source "$(dirname "$0")/lib.sh"

# first_applied within the rubric's filing window.
FIRST=$(date -u -d '-2 months' +%F)

# writer W ROUND: files cases until $T_DIR/stop exists; logs "id<TAB>title"
# of each acknowledged one.  No jq in the loop, to keep many requests in
# flight (the reply starts {"ok":true,"result":{"id":N, -- if that ever
# changes, no acknowledgement is logged and the test fails below).
writer() {
	local w=$1 round=$2 i=0 title r log="$T_DIR/ack.$2.$1"
	local re='^\{"ok":true,"result":\{"id":([0-9]+),'
	: >"$log"
	while [ ! -e "$T_DIR/stop" ]; do
		i=$((i + 1))
		title="Vòng $round, người viết $w, hồ sơ $i: cải tiến quy trình tiếp nhận bệnh nhân"
		r=$(nngcat --req --dial "$API" --raw --send-timeout 3 --recv-timeout 3 --data '{"op":"case.create","args":{"unit":"ttyt-huyen-loc-binh","title":"'"$title"'","field":"y tế","first_applied":"'"$FIRST"'","authors":[{"name":"Hoàng Văn Lộc","share":100,"birth_date":"1985-04-12","workplace":"Cơ quan chủ trì","position":"Chuyên viên","qualification":"Đại học"}],"sections":{"status_quo":"Bệnh nhân chờ tiếp nhận trung bình 45 phút.","solution":"Phát số thứ tự qua tin nhắn và sắp xếp lại quầy tiếp đón."}}}' 2>/dev/null) || {
			sleep 0.05
			continue
		}
		if [[ $r =~ $re ]]; then
			printf '%s\t%s\n' "${BASH_REMATCH[1]}" "$title" >>"$log"
		fi
	done
}

# all_cases: "id<TAB>title" of every case, paged through case.list.
all_cases() {
	local after=0 r
	while :; do
		r=$(call "" case.list "{\"limit\":500,\"after\":$after}")
		jget "$r" '.result.items[]|"\(.id)\t\(.title)"'
		after=$(jget "$r" .result.next)
		[ "$after" != null ] || break
	done
}

start_server
call "" unit.put '{"id":"ttyt-huyen-loc-binh","name":"Trung tâm Y tế huyện Lộc Bình"}' >/dev/null
# The events before any case: the unit's, and the rubric.changed of each
# rubric the server loaded from --rubrics on its first start.
BASE_SEQ=$(jget "$(call "" server.status)" .result.last_seq)

# A second server on the same data directory must refuse to start.
rc=0
out=$(timeout 10 "$SKD" --data "$DATA" --log-level warn 2>&1) || rc=$?
check "a second sangkiend on the same data dir exits non-zero" true "$([ "$rc" != 0 ] && [ "$rc" != 124 ] && echo true || echo "false (rc $rc)")"
case "$out" in
*already*) pass "... saying the data dir is already in use" ;;
*) fail "... saying the data dir is already in use: got '$out'" ;;
esac
check "the first server still answers" true "$(jget "$(call "" server.status)" .ok)"

TOTAL_ACK=0
for round in 1 2; do
	rm -f "$T_DIR/stop"
	pids=()
	for w in $(seq 1 8); do
		writer "$w" "$round" &
		pids+=($!)
	done
	sleep $((2 * ${SK_TIME_SCALE:-1})) # longer under the sanitizers
	kill_server
	touch "$T_DIR/stop"
	for p in "${pids[@]}"; do wait "$p" || true; done

	cat "$T_DIR"/ack."$round".* | sort -n >"$T_DIR/acked.$round"
	n=$(wc -l <"$T_DIR/acked.$round")
	echo "# round $round: $n cases acknowledged before kill -9"
	check "round $round: the writers got acknowledgements" true "$([ "$n" -gt 20 ] && echo true || echo "false ($n)")"
	check "round $round: acknowledged ids are distinct" "$n" "$(cut -f1 "$T_DIR/acked.$round" | sort -u | wc -l)"
	TOTAL_ACK=$((TOTAL_ACK + n))

	start_server
	all_cases | sort -n >"$T_DIR/present.$round"
	sort "$T_DIR"/acked.[0-9] >"$T_DIR/all-acked"
	check "round $round: $TOTAL_ACK acknowledged so far" "$TOTAL_ACK" "$(wc -l <"$T_DIR/all-acked")"
	comm -23 "$T_DIR/all-acked" <(sort "$T_DIR/present.$round") >"$T_DIR/missing"
	check "round $round: every acknowledged case is there with its title" 0 "$(wc -l <"$T_DIR/missing")"
	sed -n '1,5s/^/# missing: /p' "$T_DIR/missing"
	present=$(wc -l <"$T_DIR/present.$round")
	check "round $round: ids run 1..$present without a gap" "$(seq 1 "$present" | md5sum)" \
		"$(cut -f1 "$T_DIR/present.$round" | md5sum)"
	V=$(call "" server.verify)
	check "round $round: server.verify ok, no problems" "true []" \
		"$(jget "$V" '(.result.ok|tostring)+" "+(.result.problems|tojson)')"
	check "round $round: server.verify counts every case" "$present" "$(jget "$V" .result.cases)"
	S=$(call "" server.status)
	check "round $round: server.status counts every case" "$present" "$(jget "$S" .result.cases.draft)"
	check "round $round: every case created has its event" "$((present + BASE_SEQ))" "$(jget "$S" .result.last_seq)"
done

# SIGTERM: the server exits 0, and what it acknowledged is there after a
# restart.
r=$(call "" case.create '{"unit":"ttyt-huyen-loc-binh","title":"Hồ sơ cuối cùng trước khi tắt máy chủ","field":"y tế","first_applied":"'"$FIRST"'","authors":[{"name":"Hoàng Văn Lộc","share":100,"birth_date":"1985-04-12","workplace":"Cơ quan chủ trì","position":"Chuyên viên","qualification":"Đại học"}],"sections":{}}')
LASTID=$(jget "$r" .result.id)
kill -TERM "$SKD_PID"
rc=0
wait "$SKD_PID" || rc=$?
SKD_PID=""
check "SIGTERM: the server exits 0" 0 "$rc"
start_server
check "the case acknowledged before SIGTERM is there" "Hồ sơ cuối cùng trước khi tắt máy chủ" \
	"$(jget "$(call "" case.get "{\"id\":$LASTID}")" .result.title)"
stop_server
finish
