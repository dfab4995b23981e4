#!/usr/bin/env bash
# t_events.sh: a subscriber on the events socket receives every change as
# `TYPE JSON`, seq rising by one; events.since and case.history return the
# same objects; events.since pages with next_seq; the history is a hash
# chain (each event's prev is the BLAKE2b-256 of the event before it, as
# published) and server.verify agrees.
source "$(dirname "$0")/lib.sh"

act() { # TOKEN ID ACTION [NOTE]
	call "$1" case.act "$(jq -nc --argjson id "$2" --arg a "$3" --arg n "${4:-}" \
		'{id:$id,action:$a} + (if $n == "" then {} else {note:$n} end)
		+ (if $a == "submit" then {declaration: {not_against_public_order: true,
			not_protected_ip: true}} else {} end)')"
}

# events: the subscriber's messages, one a line.  nngcat --raw writes the
# messages back to back; every message starts with `TYPE {"seq":`, which
# cannot occur inside a JSON string (its quotes would be escaped).
events() {
	sed 's/}\([a-z_]*\.[a-z_]*\) {"seq":/}\n\1 {"seq":/g' "$T_DIR/sub.raw"
	echo
}

start_server

call "" unit.put '{"id":"ubnd-huyen-cao-loc","name":"Ủy ban nhân dân huyện Cao Lộc"}' >/dev/null
for u in "thu|Hoàng Thị Thu|author" "khanh|Nông Quốc Khánh|author" "dung|Mã Văn Dũng|author" \
	"kiem-toan|Kiểm toán viên Sở Nội vụ|viewer"; do
	IFS='|' read -r id name role <<<"$u"
	call "" user.put "$(jq -nc --arg i "$id" --arg n "$name" --arg r "$role" \
		'{id:$i,name:$n,unit:"ubnd-huyen-cao-loc",roles:[$r]}')" >/dev/null
done
call "" council.put '{"id":"hd-cao-loc","name":"Hội đồng sáng kiến huyện Cao Lộc","scope":"unit","unit":"ubnd-huyen-cao-loc","members":[{"user":"khanh","role":"chair"},{"user":"dung","role":"secretary"}]}' >/dev/null
T_THU=$(jget "$(call "" user.token '{"id":"thu"}')" .result.token)
T_KHANH=$(jget "$(call "" user.token '{"id":"khanh"}')" .result.token)
T_DUNG=$(jget "$(call "" user.token '{"id":"dung"}')" .result.token)
T_VIEW=$(jget "$(call "" user.token '{"id":"kiem-toan"}')" .result.token)

# Subscribe, then poke the server until the subscriber hears something: from
# then on it is connected and must miss nothing.
nngcat --sub --dial "$EVENTS" --subscribe "" --raw >"$T_DIR/sub.raw" 2>"$T_DIR/sub.err" &
SUB_PID=$!
for _ in $(seq 1 100); do
	call "" unit.put '{"id":"ubnd-huyen-cao-loc","name":"Ủy ban nhân dân huyện Cao Lộc"}' >/dev/null
	[ -s "$T_DIR/sub.raw" ] && break
	sleep 0.05
done
[ -s "$T_DIR/sub.raw" ] || { fail "the subscriber never heard an event"; finish; exit 1; }
START=$(( $(jget "$(call "" server.status)" .result.last_seq) + 1 ))

# The changes: two cases, and one of them through submit, accept, return,
# update, submit; the other withdrawn.
SECS='{"status_quo":"Hồ sơ cấp giấy chứng nhận quyền sử dụng đất mất trung bình 28 ngày.","solution":"Số hóa quy trình một cửa, theo dõi hồ sơ bằng mã QR.","novelty":"Lần đầu áp dụng tại huyện.","applicability":"Áp dụng cho các xã, thị trấn của huyện.","benefits":"Thời gian giải quyết giảm còn 12 ngày.","conditions":"Máy quét mã QR ở bộ phận một cửa.","trial_users":"Bộ phận một cửa thị trấn Cao Lộc."}'
FIRST=$(date -u -d '-2 months' +%F) # within the rubric's filing window
mk() { jq -nc --arg t "$1" --arg d "$FIRST" --argjson s "$SECS" '{title:$t,field:"cải cách hành chính",sections:$s,
	authors:[{name:"Hoàng Thị Thu",user:"thu",share:100, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}],first_applied:$d}'; }
A=$(jget "$(call "$T_THU" case.create "$(mk "Theo dõi hồ sơ đất đai bằng mã QR tại bộ phận một cửa")")" .result.id)
B=$(jget "$(call "$T_THU" case.create "$(mk "Sổ tay điện tử hướng dẫn thủ tục hành chính")")" .result.id)
act "$T_THU" "$A" submit >/dev/null
act "$T_DUNG" "$A" accept >/dev/null
act "$T_KHANH" "$A" return "Bổ sung số liệu thời gian giải quyết hồ sơ của quý IV/2024." >/dev/null
call "$T_THU" case.update "{\"id\":$A,\"sections\":{\"benefits\":\"Thời gian giải quyết giảm từ 28 còn 12 ngày (quý IV/2024: 26 ngày).\"}}" >/dev/null
act "$T_THU" "$A" submit >/dev/null
act "$T_THU" "$B" withdraw >/dev/null
LAST=$(jget "$(call "" server.status)" .result.last_seq)
check "eight events for eight changes" $((START + 7)) "$LAST"

# Wait for the subscriber to have them all, then stop it.
for _ in $(seq 1 100); do
	events | grep -q "\"seq\":$LAST," && break
	sleep 0.05
done
kill "$SUB_PID" 2>/dev/null || true
wait "$SUB_PID" 2>/dev/null || true
events | awk -v s="$START" '{ if (match($0, /"seq":[0-9]+/)) { n = substr($0, RSTART + 6, RLENGTH - 6) + 0; if (n >= s) print } }' >"$T_DIR/sub.lines"

check "each message is TYPE, a space, and JSON of that type" 0 \
	"$(while IFS= read -r l; do t=${l%% *}; j=${l#* }; [ "$(jget "$j" .type)" = "$t" ] || echo bad; done <"$T_DIR/sub.lines" | wc -l)"
SUB_SEQ=$(while IFS= read -r l; do jget "${l#* }" .seq; done <"$T_DIR/sub.lines" | paste -sd' ')
check "the subscriber got every seq, rising by one" "$(seq -s' ' "$START" "$LAST")" "$SUB_SEQ"
SUB_SUM=$(while IFS= read -r l; do jget "${l#* }" '[.seq,.type,.case,.actor,.action//"-",.from//"-",.to//"-"]|map(tostring)|join(":")'; done <"$T_DIR/sub.lines")
EXP="$START:case.created:$A:thu:-:-:-
$((START + 1)):case.created:$B:thu:-:-:-
$((START + 2)):case.transition:$A:thu:submit:draft:submitted
$((START + 3)):case.transition:$A:dung:accept:submitted:unit_review
$((START + 4)):case.transition:$A:khanh:return:unit_review:returned
$((START + 5)):case.updated:$A:thu:-:-:-
$((START + 6)):case.transition:$A:thu:submit:returned:submitted
$((START + 7)):case.transition:$B:thu:withdraw:draft:withdrawn"
check "the subscriber's events say what happened" "$EXP" "$SUB_SUM"
check "the note travels with the return" "Bổ sung số liệu thời gian giải quyết hồ sơ của quý IV/2024." \
	"$(jget "$(sed -n 5p "$T_DIR/sub.lines" | cut -d' ' -f2-)" .note)"

# events.since returns the same objects as the subscriber got.
R=$(call "$T_VIEW" events.since "{\"seq\":$START,\"limit\":1000}")
check "events.since (viewer) from START" "$SUB_SEQ" "$(jget "$R" '[.result.items[].seq]|map(tostring)|join(" ")')"
check "events.since next_seq" $((LAST + 1)) "$(jget "$R" .result.next_seq)"
check "events.since returns the very objects published" \
	"$(while IFS= read -r l; do printf '%s\n' "${l#* }" | jq -cS .; done <"$T_DIR/sub.lines")" \
	"$(jget "$R" '.result.items[]' | jq -cS .)"
H=$(call "$T_THU" case.history "{\"id\":$A}")
check "case.history returns the same objects as events.since" \
	"$(jget "$R" ".result.items[]|select(.case==$A)" | jq -cS .)" \
	"$(jget "$H" '.result.items[]' | jq -cS .)"
check "events.since past the end" "0 $((LAST + 1))" \
	"$(jget "$(call "" events.since "{\"seq\":$((LAST + 1))}")" '(.result.items|length|tostring)+" "+(.result.next_seq|tostring)')"

# Paging through the whole history with small pages: every seq once.
for lim in 3 5; do
	seq_at=1 all="" pages=0 maxpage=0
	while :; do
		P=$(call "" events.since "{\"seq\":$seq_at,\"limit\":$lim}")
		n=$(jget "$P" '.result.items|length')
		[ "$n" -gt 0 ] || break
		[ "$n" -gt "$maxpage" ] && maxpage=$n
		all="$all $(jget "$P" '[.result.items[].seq]|map(tostring)|join(" ")')"
		seq_at=$(jget "$P" .result.next_seq)
		pages=$((pages + 1))
	done
	check "events.since limit $lim pages through 1..$LAST" "$(seq -s' ' 1 "$LAST")" "${all# }"
	check "limit $lim: pages of at most $lim" "$lim $(( (LAST + lim - 1) / lim ))" "$maxpage $pages"
done
check "events.since limit 1001 is refused" "false bad_request" \
	"$(jget "$(call "" events.since '{"seq":1,"limit":1001}')" '(.ok|tostring)+" "+.error.code')"
check "events.since is for admins and viewers" "false forbidden" \
	"$(jget "$(call "$T_THU" events.since '{"seq":1}')" '(.ok|tostring)+" "+.error.code')"

# The hash chain: the first event has an empty prev, every later one a
# 64-hex-digit prev that is the BLAKE2b-256 of the previous event's text.
ALL=$(call "" events.since '{"seq":1,"limit":1000}')
check "the first event has an empty prev" '""' "$(jget "$ALL" '.result.items[0].prev|tojson')"
check "every later prev is 64 hex digits" true \
	"$(jget "$ALL" '[.result.items[1:][]|.prev|test("^[0-9a-f]{64}$")]|all')"
check "no two events share a prev" "$((LAST - 1))" "$(jget "$ALL" '[.result.items[1:][]|.prev]|unique|length')"
bad=0 pairs=0 prev_text=""
while IFS= read -r l; do
	j=${l#* }
	if [ -n "$prev_text" ]; then
		h=$(printf '%s' "$prev_text" | b2sum -l 256 | cut -d' ' -f1)
		[ "$(jget "$j" .prev)" = "$h" ] || bad=$((bad + 1))
		pairs=$((pairs + 1))
	fi
	prev_text=$j
done <"$T_DIR/sub.lines"
check "each published event's prev is the hash of the one before" "0 of 7" "$bad of $pairs"
V=$(call "$T_VIEW" server.verify)
check "server.verify: ok, no problems, every event" "true 0 $LAST" \
	"$(jget "$V" '[(.result.ok|tostring),(.result.problems|length|tostring),(.result.events|tostring)]|join(" ")')"

stop_server
finish
