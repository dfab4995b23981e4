#!/usr/bin/env bash
# t_intake.sh: what an application meets at submission and acceptance
# (issue 16, the application's half): the author's declaration, the form's
# particulars, the receipt numbered per unit and year with the date the
# answer is due (three months from acceptance, or from the end of the first
# application if later), the round open for the unit, and a retyped copy of
# an earlier initiative flagged for the intake and the council at once.
source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

start_server --test-clock
TODAY=$(date -u +%F)
YEAR=${TODAY:0:4}
# months_after DATE N: the same day N months later, the month's last day
# when it is shorter (as form.c counts; GNU date would roll over).
months_after() {
	local first last d=${1:8:2}
	first=$(date -u -d "${1:0:7}-01 +$2 months" +%F)
	last=$(date -u -d "$first +1 month -1 day" +%d)
	[ "$((10#$d))" -gt "$((10#$last))" ] && d=$last
	echo "${first:0:8}$d"
}

sk unit put so-khcn --name "Sở Khoa học và Công nghệ tỉnh Cao Bằng" >/dev/null
sk unit put so-gddt --name "Sở Giáo dục và Đào tạo" --parent so-khcn >/dev/null
sk unit put thpt-a --name "Trường THPT Hòa An" --parent so-gddt >/dev/null
sk unit put thpt-b --name "Trường THPT Trùng Khánh" --parent so-gddt >/dev/null
sk unit put bv --name "Bệnh viện Đa khoa tỉnh" --parent so-khcn >/dev/null
while IFS='|' read -r id name unit roles; do
	sk user put "$id" --name "$name" --unit "$unit" --roles "$roles" >/dev/null
done <<'USERS'
be.van.an|Bế Văn An|thpt-a|author
nong.thi.ha|Nông Thị Hà|thpt-b|author
ma.van.hung|Ma Văn Hùng|bv|author
luc.thi.lan|Lục Thị Lan|so-khcn|
hoang.van.tam|Hoàng Văn Tâm|so-khcn|
vi.thi.thu|Vi Thị Thu|so-khcn|
USERS
# At least three who vote (TT 18/2013 Điều 8).
sk council put hd --name "Hội đồng sáng kiến" --scope unit --unit so-khcn \
	--member hoang.van.tam:chair --member luc.thi.lan:secretary \
	--member vi.thi.thu:member >/dev/null
AN=$(sk token be.van.an 2>/dev/null)
HA=$(sk token nong.thi.ha 2>/dev/null)
HUNG=$(sk token ma.van.hung 2>/dev/null)
SEC=$(sk token luc.thi.lan 2>/dev/null)
DECL='{"not_against_public_order":true,"not_protected_ip":true}'

# new_case TOKEN USER NAME TITLE SOLUTION [EXTRA-JSON]: a complete draft.
new_case() {
	call "$1" case.create "$(jq -nc --arg u "$2" --arg n "$3" --arg t "$4" \
		--arg s "$5" --arg d "$(date -u -d '-40 days' +%F)" \
		--argjson x "${6:-{\}}" '{title: $t, field: "Giáo dục", first_applied: $d,
		authors: [{name: $n, user: $u, share: 100, birth_date: "1984-03-08",
			workplace: "Trường THPT Hòa An", position: "Giáo viên",
			qualification: "Thạc sĩ"}],
		sections: {status_quo: "Học sinh vùng cao thiếu tài liệu ôn tập.",
			solution: $s, novelty: "Lần đầu áp dụng tại trường.",
			applicability: "Áp dụng được ở các trường vùng cao.",
			benefits: "Tỷ lệ học sinh khá giỏi tăng 12%.",
			conditions: "Máy chiếu, điện thoại.",
			trial_users: "Học sinh khối 12."}} + $x')" | jq -r .result.id
}
submit() { # TOKEN ID [DECLARATION]
	call "$1" case.act "$(jq -nc --argjson id "$2" --argjson d "${3:-$DECL}" \
		'{id: $id, action: "submit", declaration: $d}')"
}

# --- Rounds -------------------------------------------------------------

OPENS=$(date -u -d '-10 days' +%F)
r=$(call "" round.put "{\"id\":\"dot-tinh\",\"year\":${OPENS:0:4},\"opens\":\"$OPENS\",\"closes\":\"$(date -u -d '+20 days' +%F)\",\"decides_by\":\"$(date -u -d '+90 days' +%F)\",\"name\":\"Đợt xét của tỉnh\"}")
check "round.put: a round for the whole province" "dot-tinh null" \
	"$(jget "$r" '.result.id + " " + (.result.unit|tostring)')"
call "" round.put "{\"id\":\"dot-gddt\",\"unit\":\"so-gddt\",\"year\":${OPENS:0:4},\"opens\":\"$OPENS\",\"closes\":\"$(date -u -d '+20 days' +%F)\",\"decides_by\":\"$(date -u -d '+90 days' +%F)\"}" >/dev/null
r=$(call "" round.put "{\"id\":\"x\",\"year\":$YEAR,\"opens\":\"$YEAR-05-01\",\"closes\":\"$YEAR-04-01\",\"decides_by\":\"$YEAR-06-01\"}")
check "round.put: closes before opens is refused, saying so" \
	"bad_request true" "$(jget "$r" '.error.code + " " + (.error.message|test("closes")|tostring)')"
r=$(call "" round.put "{\"id\":\"x\",\"unit\":\"nowhere\",\"year\":$YEAR,\"opens\":\"$YEAR-01-01\",\"closes\":\"$YEAR-04-01\",\"decides_by\":\"$YEAR-06-01\"}")
check "round.put: an unknown unit is refused" not_found "$(jget "$r" .error.code)"
check "round.put is for admins" forbidden \
	"$(jget "$(call "$AN" round.put '{"id":"y","year":2026,"opens":"2026-01-01","closes":"2026-02-01","decides_by":"2026-03-01"}')" .error.code)"
check "round.list answers without a token: two rounds" "dot-gddt dot-tinh" \
	"$(jget "$(req '{"op":"round.list"}')" '[.result.items[].id]|join(" ")')"

# --- The declaration and the form ---------------------------------------

A1=$(new_case "$AN" be.van.an "Bế Văn An" "Sổ tay ôn thi Địa lý số" \
	"Biên soạn sổ tay điện tử gồm bản đồ, câu hỏi trắc nghiệm và video ngắn dùng khi không có mạng, cập nhật mỗi năm học cho học sinh lớp mười hai.")
r=$(call "$AN" case.act "{\"id\":$A1,\"action\":\"submit\"}")
check "submit without the declaration: refused, both named" \
	"bad_request not_against_public_order,not_protected_ip" \
	"$(jget "$r" '.error.code + " " + (.error.details.missing|join(","))')"
r=$(submit "$AN" "$A1" '{"not_against_public_order":true,"not_protected_ip":false}')
check "a declaration not made in full names what is missing" \
	"bad_request not_protected_ip" \
	"$(jget "$r" '.error.code + " " + (.error.details.missing|join(","))')"
check "... and changes nothing" "draft null" \
	"$(jget "$(call "$AN" case.get "{\"id\":$A1}")" '.result.state + " " + (.result.receipt|tostring)')"
r=$(call "$AN" case.update "{\"id\":$A1,\"authors\":[{\"name\":\"Bế Văn An\",\"user\":\"be.van.an\",\"share\":100,\"birth_date\":\"2999-01-01\"}]}")
check "a date of birth after today is refused, naming the field" \
	"bad_request true" "$(jget "$r" '.error.code + " " + (.error.message|test("authors\\[0\\].birth_date")|tostring)')"
call "$AN" case.update "{\"id\":$A1,\"trial_users\":[{\"name\":\"Hoàng Thị Mai\"}]}" >/dev/null
r=$(submit "$AN" "$A1")
check "a trial user without workplace and content: each named" \
	"incomplete 2" "$(jget "$r" '.error.code + " " + ([.error.details.problems[] | select(startswith("Người áp dụng thử 1 (Hoàng Thị Mai): thiếu"))] | length | tostring)')"
call "$AN" case.update "{\"id\":$A1,\"trial_users\":[{\"name\":\"Hoàng Thị Mai\",\"workplace\":\"Trường THPT Hòa An\",\"content\":\"Dạy thử ở lớp 12A1\"}],\"benefits_assessed\":\"Học sinh tự ôn được ở nhà.\"}" >/dev/null

# --- The receipt ---------------------------------------------------------

r=$(submit "$AN" "$A1")
check "submitted with the declaration, stored with who made it" \
	"submitted be.van.an true true" \
	"$(jget "$r" '[.result.state, .result.declaration.declared_by,
		(.result.declaration.not_against_public_order|tostring),
		(.result.declaration.not_protected_ip|tostring)]|join(" ")')"
check "receipt: number 1 of the unit's register, today, due in three months (provisional)" \
	"1/$YEAR $TODAY $(months_after "$TODAY" 3) true" \
	"$(jget "$r" '.result.receipt | "\(.no) \(.date) \(.answer_due) \(.provisional)"')"
check "the round open for the nearest unit upward (the department's)" dot-gddt \
	"$(jget "$r" .result.round)"
A2=$(new_case "$AN" be.van.an "Bế Văn An" "Câu lạc bộ đọc sách vùng cao" \
	"Thành lập câu lạc bộ đọc sách với tủ sách luân chuyển giữa các lớp, mỗi tuần một buổi giới thiệu sách do học sinh tự tổ chức và ghi chép nhật ký đọc.")
r=$(submit "$AN" "$A2")
check "the second application of the same unit: 2/$YEAR" "2/$YEAR" "$(jget "$r" .result.receipt.no)"
H1=$(new_case "$HUNG" ma.van.hung "Ma Văn Hùng" "Vòng đeo tay mã vạch cho người bệnh" \
	"Gắn vòng đeo tay có mã vạch cho mọi người bệnh nội trú, quét trước khi cấp thuốc và lấy mẫu xét nghiệm để tránh nhầm lẫn người bệnh trong khoa.")
r=$(submit "$HUNG" "$H1")
check "another unit's register starts at 1; its round is the province's" \
	"1/$YEAR dot-tinh" "$(jget "$r" '.result.receipt.no + " " + .result.round')"
check "sangkien show: the receipt, its due date, the round, the declaration" 4 \
	"$(sk show "$A1" | grep -cE "giấy biên nhận  *số 1/$YEAR ngày $TODAY|hạn trả lời  *$(months_after "$TODAY" 3) \(tạm tính|đợt xét  *dot-gddt|cam đoan  *không trái")"
check "sangkien show: the trial user and the author's particulars" 2 \
	"$(sk show "$A1" | grep -cE 'Hoàng Thị Mai|ngày sinh: 1984-03-08; nơi công tác: Trường THPT Hòa An')"
check "case.list by round" "$A1 $A2" \
	"$(jget "$(call "" case.list '{"round":"dot-gddt"}')" '[.result.items[].id|tostring]|join(" ")')"
check "sangkien cases --round" 1 \
	"$(sk --json cases --round dot-tinh | jq '.items | length')"

# Returned, supplemented and resubmitted: the same number, the date of the
# first submission, the due date counted again from the resubmission.
sk --token "$SEC" act "$A2" return --note "Bổ sung số liệu." >/dev/null
call "" server.clock '{"advance_s":864000}' >/dev/null # ten days
LATER=$(date -u -d '+10 days' +%F)
r=$(submit "$AN" "$A2")
check "a resubmission keeps its number and date; due three months on" \
	"2/$YEAR $TODAY $(months_after "$LATER" 3)" \
	"$(jget "$r" '.result.receipt | "\(.no) \(.date) \(.answer_due)"')"

# The first application still running at filing: the three months, and
# the council's deadline, run from its end.
END=$(date -u -d '+40 days' +%F)
B1=$(new_case "$HA" nong.thi.ha "Nông Thị Hà" "Phiếu học tập theo nhóm môn Sinh" \
	"Thiết kế phiếu học tập theo nhóm cho từng bài thực hành môn Sinh học, học sinh luân phiên vai trò trưởng nhóm, thư ký và báo cáo viên trong mỗi buổi học." \
	"{\"first_applied_end\":\"$END\"}")
r=$(submit "$HA" "$B1")
check "provisional due date: three months after the end of first application" \
	"$(months_after "$END" 3) true" "$(jget "$r" '.result.receipt | "\(.answer_due) \(.provisional)"')"
r=$(call "$SEC" case.act "{\"id\":$B1,\"action\":\"accept\"}")
check "accepted: the due date fixed, from the end of first application" \
	"$(months_after "$END" 3) false" "$(jget "$r" '.result.receipt | "\(.answer_due) \(.provisional)"')"
check "the council's deadline counts from the end of first application too" \
	"$END" "$(jget "$r" '.result.due_at' | cut -c1-10 |
		xargs -I{} date -u -d '{} -90 days' +%F)"
r=$(call "$SEC" case.act "{\"id\":$A1,\"action\":\"accept\"}")
check "accepted without one: three months from acceptance, fixed" \
	"$(months_after "$LATER" 3) false" "$(jget "$r" '.result.receipt | "\(.answer_due) \(.provisional)"')"

# --- A retyped copy, flagged at submit ----------------------------------

C1=$(new_case "$HA" nong.thi.ha "Nông Thị Hà" "Sổ tay điện tử ôn thi Địa lý" \
	"Biên soạn sổ tay điện tử gồm bản đồ, câu hỏi trắc nghiệm và video ngắn dùng khi không có mạng, cập nhật mỗi năm học cho học sinh lớp mười hai.")
r=$(submit "$HA" "$C1")
check "a retyped copy is flagged at submit, naming the earlier case" \
	"submitted $A1 true 0.8" "$(jget "$r" '.result | "\(.state) \(.flagged_similar.id) \(.flagged_similar.similarity >= 0.8) \(.flagged_similar.threshold)"')"
check "the intake sees it: similar names the earlier case first" "$A1" \
	"$(jget "$(call "$SEC" case.get "{\"id\":$C1}")" '.result.similar[0].id')"
check "sangkien show: the flag" 1 \
	"$(sk show "$C1" | grep -c "cảnh báo  *GẦN TRÙNG hồ sơ số $A1")"
check "a different initiative is not flagged" null \
	"$(jget "$(call "" case.get "{\"id\":$H1}")" .result.flagged_similar)"
# The province sets its threshold on its root unit.
r=$(call "" unit.put '{"id":"so-khcn","name":"Sở Khoa học và Công nghệ tỉnh Cao Bằng","similarity_flag":1.5}')
check "similarity_flag above 1 is refused" bad_request "$(jget "$r" .error.code)"
call "" unit.put '{"id":"so-khcn","name":"Sở Khoa học và Công nghệ tỉnh Cao Bằng","similarity_flag":1}' >/dev/null
C2=$(new_case "$HA" nong.thi.ha "Nông Thị Hà" "Sổ tay ôn thi Địa lý có video" \
	"Biên soạn sổ tay điện tử gồm bản đồ, câu hỏi trắc nghiệm và video ngắn dùng khi không có mạng, cập nhật mỗi năm học cho học sinh lớp mười hai và lớp mười một.")
r=$(submit "$HA" "$C2")
check "at the province's threshold of 1, a near but not exact copy is not flagged" \
	"submitted null" "$(jget "$r" '.result | "\(.state) \(.flagged_similar)"')"

# --- No open round -------------------------------------------------------

call "" server.clock '{"advance_s":3456000}' >/dev/null # 40 days on: closed
D1=$(new_case "$HA" nong.thi.ha "Nông Thị Hà" "Nhật ký thí nghiệm điện tử" \
	"Học sinh ghi nhật ký thí nghiệm trên bảng tính dùng chung, giáo viên nhận xét trực tiếp và tổng hợp lỗi thường gặp để điều chỉnh bài giảng.")
r=$(submit "$HA" "$D1")
check "outside every round: accepted, with round null" "submitted null" \
	"$(jget "$r" '.result | "\(.state) \(.round)"')"
V=$(sk --json verify || true)
check "server.verify is clean" "true 0" "$(jget "$V" '"\(.ok) \(.problems|length)"')"
stop_server
finish
