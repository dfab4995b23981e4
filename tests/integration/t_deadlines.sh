#!/usr/bin/env bash
# t_deadlines.sh: a unit must answer an initiative within three months
# (Nghị định 13/2012/NĐ-CP).  Accepting a case sets its due date 90 days
# later; 14 days before it a case.due_soon event is recorded, and at it a
# case.overdue event, each exactly once, even across restarts; `cases
# --overdue` lists the late ones; a case decided (or returned) in time is
# never reported.  Time is moved with server.clock, which exists only when
# sangkiend runs with --test-clock.

source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

DAY=86400
last_seq() { sk --json status | jq .last_seq; }
# count_events TYPE CASE: how many TYPE events the history has for CASE.
count_events() {
	sk --json call events.since '{"seq":0,"limit":1000}' |
		jq --arg t "$1" --argjson c "$2" \
			'[.items[] | select(.type == $t and .case == $c)] | length'
}
advance() { # DAYS: moves the test clock; prints the server's new time
	sk --json call server.clock "{\"advance_s\":$(($1 * DAY))}" | jq -r .now
}
epoch() { date -u -d "$1" +%s; }
overdue_ids() { sk --json cases --overdue | jq -r '[.items[].id] | join(",")'; }

start_server --test-clock

# --- A district, its people, its council. --------------------------------

sk unit put ubnd-ba-be --name "UBND huyện Ba Bể" >/dev/null
while IFS='|' read -r id name roles; do
	sk user put "$id" --name "$name" --unit ubnd-ba-be --roles "$roles" >/dev/null
done <<'EOF'
hoang.thi.nhung|Hoàng Thị Nhung|author
ma.van.cuong|Ma Văn Cường|
ly.thi.dao|Lý Thị Đào|
nong.van.hieu|Nông Văn Hiếu|
EOF
sk council put hd-ba-be --name "Hội đồng sáng kiến huyện Ba Bể" --scope unit \
	--unit ubnd-ba-be --member ma.van.cuong:chair --member ly.thi.dao:secretary \
	--member nong.van.hieu:member >/dev/null
AUTHOR=$(sk token hoang.thi.nhung 2>/dev/null)
CHAIR=$(sk token ma.van.cuong 2>/dev/null)
SEC=$(sk token ly.thi.dao 2>/dev/null)
MEM=$(sk token nong.van.hieu 2>/dev/null)

FIRST=$(date -u -d '30 days ago' +%F)
# new_case TITLE: files and submits a case; prints its id.
new_case() {
	jq -n --arg t "$1" --arg d "$FIRST" '{title: $t,
		field: "Cải cách hành chính", first_applied: $d,
		authors: [{name: "Hoàng Thị Nhung", user: "hoang.thi.nhung", share: 100, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}],
		sections: {
		status_quo: "Người dân các xã vùng hồ Ba Bể phải đến huyện nhiều lần để nộp hồ sơ đăng ký kinh doanh hộ gia đình.",
		solution: "Tiếp nhận hồ sơ qua Zalo của bộ phận một cửa, hẹn trả kết quả qua bưu điện.",
		novelty: "Lần đầu huyện tiếp nhận hồ sơ qua mạng xã hội có xác thực.",
		applicability: "Áp dụng cho các thủ tục cấp huyện.",
		benefits: "Giảm 2 lần đi lại cho mỗi hồ sơ; 640 hồ sơ trong 6 tháng.",
		conditions: "Điện thoại thông minh ở bộ phận một cửa.",
		trial_users: "Bộ phận một cửa UBND huyện Ba Bể."}}' >"$T_DIR/case.json"
	local id
	id=$(sk --token "$AUTHOR" --json create "$T_DIR/case.json" | jq -r .id)
	sk --token "$AUTHOR" act "$id" submit --declare >/dev/null
	echo "$id"
}

# --- Accept: due 90 days later. ------------------------------------------

A=$(new_case "Tiếp nhận hồ sơ đăng ký hộ kinh doanh qua Zalo")
sk --token "$SEC" --json act "$A" accept >"$T_DIR/a.json"
ACCEPTED=$(sk --json history "$A" | jq -r '[.items[] | select(.action == "accept")][0].at')
DUE=$(jq -r .due_at "$T_DIR/a.json")
check "accept sets due_at 90 days later" $((90 * DAY)) \
	$(($(epoch "$DUE") - $(epoch "$ACCEPTED")))
check "case.list items carry due_at" "$DUE" \
	"$(sk --json cases --state unit_review | jq -r --argjson a "$A" '.items[] | select(.id == $a) | .due_at')"
check "show tells the due date" 1 "$(sk show "$A" | grep -c '^  hạn xét  ')"

# B is decided in time; C is returned to its author in time.
B=$(new_case "Số hóa sổ hộ tịch tại UBND xã Nam Mẫu")
sk --token "$SEC" act "$B" accept >/dev/null
for t in "$CHAIR" "$SEC" "$MEM"; do
	sk --token "$t" score "$B" novelty=22 applicability=22 benefit=30 >/dev/null
done
sk --token "$CHAIR" decide "$B" >/dev/null
check "B is decided before its deadline" unit_recognized \
	"$(sk --json show "$B" | jq -r .state)"
check "a decided case has no due date" null "$(sk --json show "$B" | jq .due_at)"
C=$(new_case "Bản đồ số điểm du lịch cộng đồng hồ Ba Bể")
sk --token "$SEC" act "$C" accept >/dev/null
sk --token "$SEC" act "$C" return --note "Bổ sung số liệu khách du lịch." >/dev/null
check "nothing is overdue yet" "" "$(overdue_ids)"

# The timers are in the database: a restart loses none.
stop_server
start_server --test-clock

SEQ0=$(last_seq)
NOW=$(advance 77)
check "server.clock moved the server's time 77 days" yes \
	"$([ $(($(epoch "$NOW") - $(date -u +%s))) -ge $((77 * DAY - 60)) ] && echo yes || echo no)"
check "77 days after accept: case.due_soon for A" 1 "$(count_events case.due_soon "$A")"
check "... carrying its due date" "$DUE" \
	"$(sk --json call events.since "{\"seq\":$((SEQ0 + 1))}" |
		jq -r --argjson a "$A" '.items[] | select(.type == "case.due_soon" and .case == $a) | .due_at')"
check "... no case.overdue yet" 0 "$(count_events case.overdue "$A")"
check "... and not listed overdue" "" "$(overdue_ids)"

# Restarted between the two events, the server fires neither twice.
stop_server
start_server --test-clock
advance 14 >/dev/null
check "91 days after accept: case.overdue for A" 1 "$(count_events case.overdue "$A")"
check "case.due_soon still once" 1 "$(count_events case.due_soon "$A")"
check "cases --overdue lists A" "$A" "$(overdue_ids)"
sk cases --overdue >"$T_DIR/overdue"
check "cases --overdue shows the due date" 1 \
	"$(grep -c "^$A  .*  $(date -d "$DUE" +%F)\$" "$T_DIR/overdue")"
check "the table has a DUE column" 1 "$(head -1 "$T_DIR/overdue" | grep -c ' HẠN$')"

advance 30 >/dev/null
stop_server
start_server --test-clock
advance 60 >/dev/null
check "later: no second case.due_soon" 1 "$(count_events case.due_soon "$A")"
check "later: no second case.overdue" 1 "$(count_events case.overdue "$A")"
check "the decided case never got a case.due_soon" 0 "$(count_events case.due_soon "$B")"
check "the decided case never got a case.overdue" 0 "$(count_events case.overdue "$B")"
check "the returned case never got a case.overdue" 0 "$(count_events case.overdue "$C")"
check "A is still the only overdue case" "$A" "$(overdue_ids)"

# Deciding the late case takes it off the list.
for t in "$CHAIR" "$SEC" "$MEM"; do
	sk --token "$t" score "$A" novelty=20 applicability=20 benefit=25 >/dev/null
done
sk --token "$CHAIR" decide "$A" >/dev/null
check "decided late: no longer overdue" "" "$(overdue_ids)"

# Only an admin moves the clock.
R=$(req "$(jq -nc --arg t "$CHAIR" '{op:"server.clock",token:$t,args:{advance_s:60}}')")
check "server.clock by a council chair is forbidden" "false forbidden" \
	"$(jget "$R" '"\(.ok) \(.error.code)"')"
stop_server

# --review-days sets the deadline.
start_server --test-clock --review-days 30
D=$(new_case "Trả kết quả thủ tục hành chính tại nhà cho người cao tuổi")
sk --token "$SEC" --json act "$D" accept >"$T_DIR/d.json"
check "--review-days 30: due 30 days after accept" $((30 * DAY)) \
	$(($(epoch "$(jq -r .due_at "$T_DIR/d.json")") - $(epoch "$(jq -r .updated_at "$T_DIR/d.json")")))
stop_server

# --- Without --test-clock, server.clock does not exist. -------------------

start_server
R=$(req '{"op":"server.clock","args":{"advance_s":86400}}')
check "server.clock without --test-clock" "false bad_request" \
	"$(jget "$R" '"\(.ok) \(.error.code)"')"
check "... is an unknown op" 1 "$(jget "$R" .error.message | grep -ci 'unknown op')"
check "the CLI says so too" 1 \
	"$(status_of sk call server.clock '{"advance_s":86400}' 2>/dev/null)"
stop_server
finish
