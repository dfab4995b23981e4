#!/usr/bin/env bash
# t_demo.sh: `sangkien demo` builds the sample province of Lạng Sơn through
# the API, and the CLI shows it the way a Vietnamese reader expects: the
# eighteen cases (at least one in every state, one a near copy flagged at submission) with their state labels, tables whose columns line up whatever
# the accents (precomposed or combining), cards with the sections' headings
# and a timeline.  The demo's users can then act with their own tokens.

source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

start_server

check "demo exits 0" 0 "$(status_of sk demo)"
sk cases --all >/dev/null
check "the demo filed eighteen cases" 18 \
	"$(sk --json cases --all | jq '.items | length')"

# Where the demo leaves its cases (decisions, when the server has them, take
# the reviewed ones further; the others stay where the demo put them).
for sc in draft:2 submitted:3 returned:1 withdrawn:2; do
	check "demo cases in ${sc%%:*}" "${sc##*:}" \
		"$(sk --json cases --state "${sc%%:*}" | jq '.items | length')"
done
check "demo cases in review or decided" 10 \
	"$(sk --json cases --all | jq '[.items[] | select(.state |
		IN("unit_review", "unit_recommended", "unit_recognized",
		   "unit_refused", "nominated", "province_review",
		   "province_recommended", "recognized",
		   "province_refused", "revoked"))] | length')"
# The demo promises at least one case in every state of the procedure.
check "every state has a demo case" \
	"draft submitted returned unit_review unit_recommended unit_recognized unit_refused nominated province_review province_recommended recognized province_refused withdrawn revoked" \
	"$(for st in draft submitted returned unit_review unit_recommended \
		unit_recognized unit_refused nominated province_review \
		province_recommended recognized province_refused withdrawn \
		revoked; do
		[ "$(sk --json cases --state "$st" | jq '.items | length')" \
			-ge 1 ] && printf '%s\n' "$st"
	done | paste -sd' ')"
check "at least one case is in unit review" yes \
	"$([ "$(sk --json cases --state unit_review | jq '.items | length')" \
		-ge 1 ] && echo yes || echo no)"

# The table for people: short Vietnamese labels of the states, whole.
sk cases >"$T_DIR/cases"
check "cases: a header and eighteen rows" 19 "$(wc -l <"$T_DIR/cases")"
check "header" "SỐ TRẠNG THÁI ĐƠN VỊ TÊN SÁNG KIẾN CẬP NHẬT" \
	"$(head -1 "$T_DIR/cases" | tr -s ' ')"
check "label of draft" 2 "$(grep -c '^[0-9]*  *Nháp  ' "$T_DIR/cases")"
check "label of submitted" 3 "$(grep -c '^[0-9]*  *Đã nộp  ' "$T_DIR/cases")"
check "label of returned" 1 "$(grep -c '^[0-9]*  *Trả lại  ' "$T_DIR/cases")"
check "label of withdrawn" 2 "$(grep -c '^[0-9]*  *Đã rút  ' "$T_DIR/cases")"
check "label of unit_review" \
	"$(sk --json cases --state unit_review | jq '.items | length')" \
	"$(grep -c '^[0-9]*  *Cơ sở đang xét  ' "$T_DIR/cases")"
check "no state label is cut" 0 \
	"$(cut -c1-30 "$T_DIR/cases" | grep -c '…' || true)"
check "Vietnamese units and titles" 1 \
	"$(grep -c 'thpt-viet-bac  *Sử dụng sơ đồ tư duy' "$T_DIR/cases")"

# The columns line up by display width: UPDATED starts at the same column
# on every row, though each title has a different number of bytes.
check "the UPDATED column lines up" 1 \
	"$(tail -n +2 "$T_DIR/cases" >"$T_DIR/rows" &&
		last_column_starts "$T_DIR/rows" | sort -u | wc -l)"
check "the table fits 80 columns" yes \
	"$([ "$(wc -L <"$T_DIR/cases")" -le 80 ] && echo yes || echo no)"
check "long titles are cut with an ellipsis" yes \
	"$(grep -q '…' "$T_DIR/cases" && echo yes || echo no)"

# The same with a title in NFD (combining accents) and one that is short.
NFD=$(printf 'Tie\xcc\x82\xcc\x81ng Vie\xcc\xa3\xcc\x82t %b' \
	'trong gia\xcc\x89ng da\xcc\xa3y')
FIRST=$(date -u -d '20 days ago' +%F)
for title in "$NFD" "Ngắn"; do
	jq -n --arg t "$title" --arg d "$FIRST" '{unit: "thpt-viet-bac",
		title: $t, field: "Giáo dục và đào tạo", first_applied: $d,
		authors: [{name: "Nguyễn Thị Lan", user: "nguyen.thi.lan",
			   share: 100, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}],
		sections: {status_quo: "a", solution: "b", novelty: "c",
			   applicability: "d", benefits: "e", conditions: "f",
			   trial_users: "g"}}' >"$T_DIR/extra.json"
	sk create "$T_DIR/extra.json" >/dev/null
done
sk cases --all >"$T_DIR/cases"
check "with NFD and short titles the columns still line up" 1 \
	"$(tail -n +2 "$T_DIR/cases" >"$T_DIR/rows" &&
		last_column_starts "$T_DIR/rows" | sort -u | wc -l)"
sk user list | tail -n +2 >"$T_DIR/users"
check "user list lines up" 1 \
	"$(last_column_starts "$T_DIR/users" | sort -u | wc -l)"

# The card of the returned case: headings, the note, the timeline.
RET=$(sk --json cases --state returned | jq -r '.items[0].id')
sk show "$RET" >"$T_DIR/show"
for h in "Tình trạng đã biết" "Nội dung giải pháp" "Tính mới" \
	"Khả năng áp dụng" "Hiệu quả" "Điều kiện cần thiết" \
	"Người tham gia áp dụng thử"; do
	check "show has the heading '$h'" 1 "$(grep -c "^$h (" "$T_DIR/show")"
done
check "show: the author" 1 "$(grep -c 'Hoàng Văn Đức (hoang.van.duc)  *100%' \
	"$T_DIR/show")"
check "show: the timeline's return, by the secretary, with its note" 1 \
	"$(grep -A1 'nong.thi.mai  *trả lại  *→ Trả lại$' "$T_DIR/show" |
		grep -c '^      Đề nghị')"
REC=$(sk --json cases --state recognized | jq -r '.items[0].id')
check "a case's card fits 80 columns" yes \
	"$([ "$(sk show "$REC" | wc -L)" -le 80 ] && echo yes || echo no)"
# The application as the form asks (issue 16): the authors' particulars,
# the receipt of the unit's register with its due date, the year's round,
# the declaration; and the retyped first case flagged as a near copy.
sk show "$REC" >"$T_DIR/rec"
check "show: both authors' particulars" 2 "$(grep -c \
	'ngày sinh: [0-9-]*; nơi công tác: Trường THPT Việt Bắc; chức danh: Giáo' \
	"$T_DIR/rec")"
check "show: the receipt, its number from the unit's register" 1 \
	"$(grep -c "giấy biên nhận  *số [0-9]*/$(date -u +%Y) ngày" "$T_DIR/rec")"
check "show: the round of the year" 1 \
	"$(grep -c "đợt xét  *dot-$(date -u +%Y)" "$T_DIR/rec")"
check "show: the author's declaration" 1 "$(grep -c '^  cam đoan ' "$T_DIR/rec")"
COPY=$(sk --json cases --state submitted --all | jq -r '.items[] |
	select(.title | startswith("Dạy học hình học không gian")) | .id')
FIRST_ID=$(sk --json cases --all | jq -r '.items[] |
	select(.title | startswith("Ứng dụng phần mềm GeoGebra")) | .id')
check "the near copy is flagged at submission, naming the first case" \
	"$FIRST_ID true" "$(sk --json show "$COPY" |
	jq -r '"\(.flagged_similar.id) \(.flagged_similar.similarity >= 0.8)"')"
check "show: the flag, for the intake and the council" 1 \
	"$(sk show "$COPY" | grep -c "cảnh báo  *GẦN TRÙNG hồ sơ số $FIRST_ID")"
sk history "$REC" >"$T_DIR/history"
check "a long history fits 80 columns" yes \
	"$([ "$(wc -L <"$T_DIR/history")" -le 80 ] && echo yes || echo no)"
check "... and what happened is never cut" 8 \
	"$(grep -c '  chấm điểm$' "$T_DIR/history")"
CONF=$(sk --json cases --unit so-nnptnt | jq -r '.items[0].id')
check "show marks confidential sections" 1 \
	"$(sk show "$CONF" |
		grep -c '^Nội dung giải pháp (solution) \[bảo mật\]$')"

# The demo's own output: a summary, and no token.
sk demo >"$T_DIR/demo"
check "demo runs again on the same server: 18 + 2 + 18 cases" 38 \
	"$(sk --json cases --all | jq '.items | length')"
check "demo prints a summary of its cases: a header and eighteen rows" 19 \
	"$(grep -cE '^(SỐ|[0-9]+) ' "$T_DIR/demo")"
check "demo prints no token" 0 \
	"$(grep -cE 'sk_[A-Za-z0-9_-]{16,}' "$T_DIR/demo" || true)"
check "demo says how to log in (the server has passwords)" 1 \
	"$(grep -c 'sangkien login USER' "$T_DIR/demo")"

# The heads sign recognitions with decision numbers; the councils have the
# roles of TT 18/2013 Điều 8.
REC_ID=$(sk --json cases --state recognized | jq -r '.items[0].id')
check "a recognized demo case carries the province head's decision" \
	"hoang.van.tuan province recognized" \
	"$(sk --json show "$REC_ID" | jq -r '.recognition | "\(.signed_by) \(.stage) \(.outcome)"')"
check "the councils have a vice-chair and a union representative" \
	"chair secretary member vice_chair|chair secretary vice_chair union_rep" \
	"$(sk --json council get hd-gddt | jq -r '[.members[].role] | join(" ")')|$(sk --json council get hd-tinh | jq -r '[.members[].role] | join(" ")')"
check "the demo's heads have passwords like the others" 1 \
	"$(grep -c '^dam.van.quang .*quang-langson' "$T_DIR/demo")"

# Its users act with their own tokens.
LAN=$(sk token nguyen.thi.lan 2>/dev/null)
check "an author's token" thpt-viet-bac \
	"$(sk --token "$LAN" --json whoami | jq -r .unit)"
CHAIR=$(sk token luong.van.minh 2>/dev/null)
check "the council chair sees the council" "hd-gddt chair" \
	"$(sk --token "$CHAIR" --json whoami |
		jq -r '.councils[0] | .id + " " + .role')"
VIEWER=$(sk token vi.van.long 2>/dev/null)
check "the viewer lists every case" 38 \
	"$(sk --token "$VIEWER" --json cases --all | jq '.items | length')"
check "the viewer may not act" 1 \
	"$(status_of sk --token "$VIEWER" act "$RET" withdraw 2>/dev/null)"
# A recognized case is public, its people's dates of birth are not: the
# author and the admin see them, a viewer and another unit's teacher not.
births() { sk ${1:+--token "$1"} --json show "$REC_ID" |
	jq -r '[.authors[] | has("birth_date")] | unique | join(",")'; }
check "the admin sees the authors' dates of birth" true "$(births)"
check "a viewer of a recognized case does not" false "$(births "$VIEWER")"
OTHER=$(sk --json user list | jq -r '[.items[] | select(.unit != "thpt-viet-bac"
	and (.roles | index("author")))][0].id')
check "nor does an author of another unit" false \
	"$(births "$(sk token "$OTHER" 2>/dev/null)")"

check "the demo's users have addresses that receive no mail" yes \
	"$(sk --json user list | jq -r 'if (.items | length) > 0 and all(.items[]; (.email // "") | endswith("@example.invalid")) then "yes" else "no" end')"
check "the demo's notices are there for the application" yes \
	"$(sk --json call notice.outbox '{"limit":1}' | jq -r 'if ([.counts[]] | add) > 0 then "yes" else "no" end')"
check "verify after the demo" 0 "$(status_of sk verify)"
stop_server
finish
