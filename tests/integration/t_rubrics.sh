#!/usr/bin/env bash
# t_rubrics.sh: rubrics are Lua written by a unit's secretary, loaded by the
# server, versioned by hash.  A new rubric extends the default one and is
# used by a council; hostile sources (endless loops, os.execute, io.open, a
# string of gigabytes, a syntax error) are refused with rubric_error while
# the server goes on answering; a rubric edited during a review does not
# change how that review is decided (the hash pinned at accept decides it,
# even after a restart); `rubric test` changes nothing; SIGHUP rereads the
# rubrics directory and records a rubric.changed event.

source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

ERR="$T_DIR/err"
OUT="$T_DIR/out"

# ok_status NAME EXPECTED CMD...: runs CMD (stdout to $OUT, stderr to $ERR)
# and checks its exit status.
ok_status() {
	local name=$1 want=$2 rc=0
	shift 2
	"$@" >"$OUT" 2>"$ERR" || rc=$?
	check "$name" "$want" "$rc"
}
alive() { check "$1: the server still answers" 0 "$(status_of sk status)"; }
last_seq() { sk --json status | jq .last_seq; }
# events_after SEQ TYPE: the events of TYPE after SEQ, one JSON a line.
events_after() {
	sk --json call events.since "{\"seq\":$(($1 + 1)),\"limit\":1000}" |
		jq -c --arg t "$2" '.items[] | select(.type == $t)'
}
state_of() { sk --json show "$1" | jq -r .state; }

start_server

# --- A province with a specialised school and its council. ----------------

sk unit put so-gddt --name "Sở Giáo dục và Đào tạo tỉnh Cao Bằng" >/dev/null
sk unit put thpt-chuyen-cb --name "Trường THPT Chuyên Cao Bằng" \
	--parent so-gddt >/dev/null
while IFS='|' read -r id name roles; do
	sk user put "$id" --name "$name" --unit thpt-chuyen-cb --roles "$roles" >/dev/null
done <<'EOF'
nong.thi.hue|Nông Thị Huệ|author
be.van.thang|Bế Văn Thắng|
la.thi.nhung|La Thị Nhung|
duong.van.hau|Dương Văn Hậu|
EOF
sk council put hd-chuyen --name "Hội đồng sáng kiến Trường THPT Chuyên Cao Bằng" \
	--scope unit --unit thpt-chuyen-cb --member be.van.thang:chair \
	--member la.thi.nhung:secretary --member duong.van.hau:member >/dev/null
HUE=$(sk token nong.thi.hue 2>/dev/null)
CHAIR=$(sk token be.van.thang 2>/dev/null)
SEC=$(sk token la.thi.nhung 2>/dev/null)
MEM=$(sk token duong.van.hau 2>/dev/null)

FIRST=$(date -u -d '40 days ago' +%F)
# new_case TITLE: files, submits and has the secretary accept a case;
# prints its id.
new_case() {
	jq -n --arg t "$1" --arg d "$FIRST" '{title: $t,
		field: "Giáo dục và đào tạo", first_applied: $d,
		authors: [{name: "Nông Thị Huệ", user: "nong.thi.hue", share: 100, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}],
		sections: {
		status_quo: "Học sinh chuyên Sinh ít được làm thí nghiệm thực hành do phòng thí nghiệm thiếu hóa chất.",
		solution: "Thiết kế 15 bài thí nghiệm vi mô dùng vật liệu rẻ tiền, có video hướng dẫn và phiếu ghi kết quả.",
		novelty: "Lần đầu trường dùng kỹ thuật thí nghiệm vi mô cho toàn bộ chương trình Sinh học 11.",
		applicability: "Áp dụng được ở mọi trường THPT, chi phí thấp.",
		benefits: "Chi phí hóa chất giảm 80%; 100% học sinh được tự làm thí nghiệm.",
		conditions: "Bộ dụng cụ vi mô cho mỗi nhóm.",
		trial_users: "Học sinh lớp 11 chuyên Sinh (35 học sinh)."}}' >"$T_DIR/case.json"
	local id
	id=$(sk --token "$HUE" --json create "$T_DIR/case.json" | jq -r .id)
	sk --token "$HUE" act "$id" submit --declare >/dev/null
	sk --token "$SEC" act "$id" accept >/dev/null
	echo "$id"
}

# --- 1. A new rubric that extends the default one. ------------------------

cat >"$T_DIR/truong-chuyen.lua" <<'EOF'
-- Phiếu đánh giá của trường chuyên: thêm tiêu chí phát triển năng lực học
-- sinh; một phiếu đạt từ 60 điểm.  Cách quyết định lấy của default.
return extend("default", {
	id = "truong-chuyen",
	title = "Phiếu đánh giá sáng kiến trường chuyên",
	criteria = {
		{ id = "novelty", label = "Tính mới, tính sáng tạo", max = 25 },
		{ id = "applicability", label = "Khả năng áp dụng, nhân rộng", max = 25 },
		{ id = "benefit", label = "Hiệu quả", max = 30 },
		{ id = "students", label = "Phát triển phẩm chất, năng lực học sinh",
		  max = 20, guide = "20 điểm: học sinh tự nghiên cứu, tự làm." },
	},
	pass_total = 60,
})
EOF
DEFAULT_H1=$(sk --json rubric show default | jq -r .hash)
ok_status "rubric put FILE: the id is the file's name" 0 \
	sk rubric put "$T_DIR/truong-chuyen.lua"
check "put says it stored a new current version" 1 \
	"$(grep -c '^bộ tiêu chí truong-chuyen: đã lưu phiên bản [0-9a-f]\{12\}, nay là phiên bản hiện hành' "$OUT")"
TC_HASH=$(sk --json rubric show truong-chuyen | jq -r .hash)
check "rubric list shows it with its four criteria" 1 \
	"$(sk rubric list | grep -c "^truong-chuyen  *Phiếu đánh giá sáng kiến.*  4  *${TC_HASH:0:12} ")"
sk rubric show truong-chuyen >"$OUT"
check "show: the new criterion with its Vietnamese label and max" 1 \
	"$(grep -c '^  students  *Phát triển phẩm chất, năng lực học sinh  *20$' "$OUT")"
check "show: novelty worth 25 here" 1 "$(grep -c '^  novelty  *Tính mới, tính sáng tạo  *25$' "$OUT")"
check "show: the guide" 1 "$(grep -c '^    20 điểm: học sinh tự nghiên cứu, tự làm.$' "$OUT")"
check "show: it extends the current default" 1 \
	"$(grep -c "^  kế thừa  *default (mã băm ${DEFAULT_H1:0:12})$" "$OUT")"
check "show: current" 1 "$(grep -c '^  hiện hành  *có' "$OUT")"
ok_status "the old form 'rubric put ID FILE' still works" 0 \
	sk rubric put truong-chuyen "$T_DIR/truong-chuyen.lua"
check "... and says nothing changed" 1 "$(grep -c '^bộ tiêu chí truong-chuyen: không đổi' "$OUT")"
cp "$T_DIR/truong-chuyen.lua" "$T_DIR/ten-khac.lua"
ok_status "a file whose table names another id" 1 sk rubric put "$T_DIR/ten-khac.lua"
check "... is a bad_request naming both" 1 \
	"$(grep -c '^lỗi: .*(bad_request): .*truong-chuyen.*ten-khac' "$ERR")"
ok_status "--id gives the id" 0 sk rubric put "$T_DIR/ten-khac.lua" --id truong-chuyen
check "an author may not put a rubric" 1 \
	"$(status_of sk --token "$HUE" rubric put "$T_DIR/truong-chuyen.lua" 2>/dev/null)"

# The school's council reviews with it.
sk council put hd-chuyen --name "Hội đồng sáng kiến Trường THPT Chuyên Cao Bằng" \
	--scope unit --unit thpt-chuyen-cb --member be.van.thang:chair \
	--member la.thi.nhung:secretary --member duong.van.hau:member \
	--rubric truong-chuyen >/dev/null
A=$(new_case "Thí nghiệm vi mô trong dạy học Sinh học 11 chuyên")
check "accept pins the council's rubric" "truong-chuyen $TC_HASH" \
	"$(sk --json show "$A" | jq -r '"\(.rubric.id) \(.rubric.hash)"')"
ok_status "a ballot without the new criterion" 1 \
	sk --token "$MEM" score "$A" novelty=20 applicability=20 benefit=25
check "... is a bad_request naming it" 1 "$(grep -c '^lỗi: .*(bad_request): .*students' "$ERR")"
ok_status "novelty 26 is over this rubric's 25" 1 \
	sk --token "$MEM" score "$A" novelty=26 applicability=20 benefit=25 students=10
for t in "$CHAIR" "$SEC" "$MEM"; do
	sk --token "$t" score "$A" novelty=15 applicability=15 benefit=18 students=10 >/dev/null
done
ok_status "58 points everywhere: decided" 0 sk --token "$CHAIR" decide "$A"
check "... refused: this rubric's bar is 60" "unit_refused truong-chuyen" \
	"$(sk --json show "$A" | jq -r '"\(.state) \(.decision.rubric.id)"')"
sk council put hd-chuyen --name "Hội đồng sáng kiến Trường THPT Chuyên Cao Bằng" \
	--scope unit --unit thpt-chuyen-cb --member be.van.thang:chair \
	--member la.thi.nhung:secretary --member duong.van.hau:member \
	--rubric "" >/dev/null
check "without a council rubric, the default again" default \
	"$(sk --json show "$(new_case "Câu lạc bộ thiên văn học")" | jq -r .rubric.id)"

# --- 2. Hostile sources: rubric_error, and the server goes on. -------------

# hostile NAME WHY BODY: puts BODY as rubric "hostile"; it must be refused
# with a rubric_error whose message (at line 1 of the file) matches WHY.
hostile() {
	printf '%s\n' "$3" >"$T_DIR/hostile.lua"
	ok_status "$1: refused" 1 sk rubric put "$T_DIR/hostile.lua"
	check "$1: rubric_error at hostile.lua:1 saying why" 1 \
		"$(grep -c "^lỗi: .*(rubric_error): .*hostile.lua:1: .*$2" "$ERR")"
	alive "$1"
}
hostile "an endless loop as it loads" "limit" 'while true do end'
hostile "an endless loop that pcall tries to survive" "limit" \
	'for i = 1, 1e12 do pcall(function() while true do end end) end'
hostile "os.execute" "'os'" "os.execute('touch $T_DIR/pwned')"
check "os.execute ran nothing" no "$([ -e "$T_DIR/pwned" ] && echo yes || echo no)"
hostile "io.open" "'io'" "local f = io.open('/etc/passwd') return { id = 'hostile' }"
hostile "io.open, written differently" "" \
	"return extend('default', { id = 'hostile', title = _G['io'].open('/etc/passwd'):read('a') })"
hostile "load of a chunk" "'load'" "return load('return 1')()"
hostile "string.rep of a gigabyte" "memory limit" \
	"local s = string.rep('x', 1 << 30) return { id = 'hostile' }"
hostile "string.rep of gigabytes, caught by pcall, then again" "" \
	"pcall(string.rep, 'x', 1 << 30) local s = string.rep('sáng kiến', 1 << 30)"
hostile "strings doubled until memory runs out" "memory limit" \
	"local s = 'x' while true do s = s .. s end"
hostile "a table that grows without end" "limit" \
	"local t = {} local i = 0 while true do i = i + 1 t[i] = {i} end"
printf 'return {\n\tid = "hostile",\n\ttitle = "Thiếu dấu phẩy"\n\tcriteria = {},\n}\n' \
	>"$T_DIR/hostile.lua"
ok_status "a syntax error: refused" 1 sk rubric put "$T_DIR/hostile.lua"
check "... with rubric_error naming the file and line 4" 1 \
	"$(grep -c '^lỗi: .*(rubric_error): .*hostile.lua:4:' "$ERR")"
alive "a syntax error"
check "no hostile rubric was stored" 0 \
	"$(sk --json rubric list | jq '[.items[] | select(.id == "hostile")] | length')"

# An endless loop in decide loads fine; rubric.test runs decide and stops it.
cat >"$T_DIR/vong-lap.lua" <<'EOF'
return extend("default", {
	id = "vong-lap",
	title = "Quyết định không bao giờ xong",
	decide = function(ballots, council, rubric)
		while true do end
	end,
})
EOF
ok_status "a rubric whose decide never ends loads" 0 sk rubric put "$T_DIR/vong-lap.lua"
B=$(new_case "Sổ tay thí nghiệm điện tử")
ok_status "rubric test runs its decide: refused" 1 sk rubric test vong-lap --case "$B"
check "... rubric_error, naming decide" 1 "$(grep -c '^lỗi: .*(rubric_error): .*decide' "$ERR")"
alive "an endless decide"
ok_status "the same from the file" 1 sk rubric test "$T_DIR/vong-lap.lua" --case "$B"
check "... rubric_error" 1 "$(grep -c '^lỗi: .*(rubric_error): ' "$ERR")"
alive "an endless decide from a file"

# --- 3. A rubric edited during a review: the pinned hash decides. ---------

P=$(new_case "Học liệu số môn Hóa học cho học sinh dân tộc thiểu số")
check "the review pins the default's current version H1" "default $DEFAULT_H1" \
	"$(sk --json show "$P" | jq -r '"\(.rubric.id) \(.rubric.hash)"')"
sed 's/pass_total = 50,/pass_total = 80,/' "$SK_SRC/rubrics/default.lua" \
	>"$T_DIR/default.lua"
check "the stricter copy differs" 1 "$(grep -c 'pass_total = 80,' "$T_DIR/default.lua")"
SEQ=$(last_seq)
ok_status "rubric put default, a ballot now passes at 80" 0 sk rubric put "$T_DIR/default.lua"
DEFAULT_H2=$(sk --json rubric show default | jq -r .hash)
check "a new version H2" yes "$([ "$DEFAULT_H2" != "$DEFAULT_H1" ] && echo yes || echo no)"
check "a rubric.changed event" "default $DEFAULT_H2" \
	"$(events_after "$SEQ" rubric.changed | jq -r '"\(.rubric) \(.hash)"')"
check "H1 is kept, no longer current" false \
	"$(sk --json rubric show default --hash "$DEFAULT_H1" | jq .current)"
check "a version of default is no version of province" 1 \
	"$(status_of sk rubric show province --hash "$DEFAULT_H1" 2>"$ERR")"
check "... not_found" 1 "$(grep -c '^lỗi: .*(not_found): ' "$ERR")"
check "the open review still shows H1" "$DEFAULT_H1" \
	"$(sk --json show "$P" | jq -r .rubric.hash)"
Q=$(new_case "Ngân hàng đề kiểm tra Hóa học trực tuyến")
check "a review started now pins H2" "$DEFAULT_H2" \
	"$(sk --json show "$Q" | jq -r .rubric.hash)"
for c in "$P" "$Q"; do
	for t in "$CHAIR" "$SEC" "$MEM"; do
		sk --token "$t" score "$c" novelty=20 applicability=20 benefit=30 >/dev/null
	done
done

# `rubric test` changes nothing: no version, no event, no case change.
BEFORE="$(sk --json rubric list | jq -c .) $(sk --json show "$P" | jq .version) $(last_seq)"
ok_status "rubric test FILE --case" 0 sk rubric test "$SK_SRC/rubrics/province.lua" --case "$P"
check "... a source's decide sees no ballot of a review under way" 1 \
	"$(grep -c '^decide, theo 0 phiếu bạn được xem trong số đã chấm$' "$OUT")"
check "... and check's problems" 1 "$(grep -c '^check: hồ sơ đầy đủ, không có gì cần sửa$' "$OUT")"
check "... says nothing was changed" 1 "$(grep -c '(không thay đổi gì)$' "$OUT")"
ok_status "rubric test ID --case" 0 sk rubric test default --case "$P"
check "... a stored rubric sees the admin every ballot" 1 \
	"$(grep -c '^decide, theo 3 phiếu bạn được xem trong số đã chấm$' "$OUT")"
check "... the current default, H2: fail at 80" 1 "$(grep -c '^  kết quả  *không đạt$' "$OUT")"
check "rubric test changed nothing" "$BEFORE" \
	"$(sk --json rubric list | jq -c .) $(sk --json show "$P" | jq .version) $(last_seq)"

# A restart rereads the shipped directory, but its default.lua has not
# changed since it was loaded, so the version stored with rubric put stays
# current (H2); neither pinned review notices, and each is decided by its
# hash loaded from the database, not from a cache.
stop_server
start_server
check "after the restart the put version is still current" "$DEFAULT_H2" \
	"$(sk --json rubric show default | jq -r .hash)"
ok_status "the review pinned to H1 is decided" 0 sk --token "$CHAIR" decide "$P"
check "... by H1, and passes by the old rule (70 >= 50)" "unit_recognized pass $DEFAULT_H1" \
	"$(sk --json show "$P" | jq -r '"\(.state) \(.decision.verdict) \(.decision.rubric.hash)"')"
ok_status "the review pinned to H2 is decided" 0 sk --token "$CHAIR" decide "$Q"
check "... by H2, and fails by the new rule (70 < 80)" "unit_refused fail $DEFAULT_H2" \
	"$(sk --json show "$Q" | jq -r '"\(.state) \(.decision.verdict) \(.decision.rubric.hash)"')"
check "... with H2's reasons" 1 \
	"$(sk --json show "$Q" | jq -r '.decision.reasons[0]' | grep -c 'từ 80 điểm')"
stop_server

# --- 4. SIGHUP rereads the rubrics directory. ------------------------------

cp -r "$SK_SRC/rubrics" "$T_DIR/rubrics"
start_server --rubrics "$T_DIR/rubrics"
PROV_OLD=$(sk --json rubric show province | jq -r .hash)
sed -i 's/pass_total = 75,/pass_total = 70,/' "$T_DIR/rubrics/province.lua"
cp "$T_DIR/truong-chuyen.lua" "$T_DIR/rubrics/truong-chuyen.lua"
sed -i 's/pass_total = 60,/pass_total = 65,/' "$T_DIR/rubrics/truong-chuyen.lua"
printf 'return {\n  id = "hong"\n  title = "Hỏng"\n}\n' >"$T_DIR/rubrics/hong.lua"
SEQ=$(last_seq)
kill -HUP "$SKD_PID"
for _ in $(seq 1 100); do
	[ "$(sk --json rubric show province | jq -r .hash)" != "$PROV_OLD" ] && break
	sleep 0.1
done
PROV_NEW=$(sk --json rubric show province | jq -r .hash)
check "after SIGHUP rubric list shows province's new hash" 1 \
	"$(sk rubric list | grep -c "^province  .*  ${PROV_NEW:0:12} ")"
check "... which is not the old one" yes \
	"$([ "$PROV_NEW" != "$PROV_OLD" ] && echo yes || echo no)"
check "a rubric.changed event for province" "$PROV_NEW" \
	"$(events_after "$SEQ" rubric.changed | jq -r 'select(.rubric == "province") | .hash')"
check "... and one for the edited truong-chuyen" 1 \
	"$(events_after "$SEQ" rubric.changed | jq -r 'select(.rubric == "truong-chuyen") | .rubric' | wc -l)"
check "no event for the unchanged default" 0 \
	"$(events_after "$SEQ" rubric.changed | jq -r 'select(.rubric == "default") | .rubric' | wc -l)"
check "the new province version is the edited file" 1 \
	"$(sk rubric get province | grep -c 'pass_total = 70,')"
check "the broken file is skipped" 0 \
	"$(sk --json rubric list | jq '[.items[] | select(.id == "hong")] | length')"
alive "SIGHUP with a broken file"
check "verify" 0 "$(status_of sk verify)"
stop_server
finish
