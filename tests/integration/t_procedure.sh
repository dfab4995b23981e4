#!/usr/bin/env bash
# t_procedure.sh: the council's half of the procedure (issue 16) with the
# people of the demo province of Lạng Sơn, through the real sangkiend and
# the CLI.  The education department's council (chair, secretary, member,
# vice-chair: four voting members) scores with
# votes; the chair's decide previews while members have not voted and
# changes nothing, then records the council's recommendation with
# --confirm; the department's head signs the recognition with a decision
# number and date; a refusal needs its reasons; an admin's reopen
# supersedes the old recommendation and refusal; two thirds of ALL the
# members must agree (2 of 4 fails, 3 of 4 passes, an author counting as
# not agreeing); an expert does not vote; a council of two is refused.

source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

start_server
ERR="$T_DIR/err"
OUT="$T_DIR/out"
check "the demo province is built" 0 "$(status_of sk demo)"
CHAIR=$(sk token luong.van.minh 2>/dev/null)  # chair of hd-gddt
SEC=$(sk token nong.thi.mai 2>/dev/null)      # secretary
MEM=$(sk token chu.van.hai 2>/dev/null)       # member
VICE=$(sk token ha.thi.thanh 2>/dev/null)     # vice-chair
HEAD=$(sk token dam.van.quang 2>/dev/null)    # head of so-gddt
ADMIN=$(sk token hoang.thi.thu 2>/dev/null)   # the provincial secretariat
LAN=$(sk token nguyen.thi.lan 2>/dev/null)    # a teacher of THPT Việt Bắc
TODAY=$(date -u +%F)

# new_case TITLE [CO-AUTHOR-USER CO-AUTHOR-NAME]: Lan files and submits a
# complete case, and the secretary accepts it; prints its id.
new_case() {
	local who='birth_date: "1985-04-12", workplace: "Trường THPT Việt Bắc", position: "Giáo viên", qualification: "Đại học"'
	local authors
	authors=$(jq -nc "[{name:\"Nguyễn Thị Lan\",user:\"nguyen.thi.lan\",share:100,$who}]")
	if [ -n "${2:-}" ]; then
		authors=$(jq -nc --arg u "$2" --arg n "$3" \
			"[{name:\"Nguyễn Thị Lan\",user:\"nguyen.thi.lan\",share:70,$who},{name:\$n,user:\$u,share:30,$who}]")
	fi
	jq -n --arg t "$1" --arg d "$(date -u -d '40 days ago' +%F)" --argjson a "$authors" '{
		title: $t, field: "Giáo dục và đào tạo", first_applied: $d,
		owner: "Trường THPT Việt Bắc", authors: $a, sections: {
		status_quo: "Học sinh lớp 11 ôn tập môn Lịch sử bằng đề cương in, ít tương tác.",
		solution: "Tổ chức trò chơi ôn tập theo nhóm trên Kahoot với 300 câu hỏi theo chủ đề.",
		novelty: "Lần đầu tại trường dùng trò chơi trực tuyến cho ôn tập Lịch sử.",
		applicability: "Áp dụng được ở mọi trường có máy chiếu và điện thoại.",
		benefits: "Điểm kiểm tra trung bình tăng từ 5,8 lên 7,1 sau một học kỳ.",
		conditions: "Máy chiếu, mạng không dây.",
		trial_users: "Học sinh các lớp 11A1, 11A2 (84 học sinh)."}}' >"$T_DIR/case.json"
	local id
	id=$(sk --token "$LAN" --json create "$T_DIR/case.json" | jq -r .id)
	sk --token "$LAN" act "$id" submit --declare >/dev/null
	sk --token "$SEC" act "$id" accept >/dev/null
	echo "$id"
}
vote() { # TOKEN ID pass|fail
	sk --token "$1" score "$2" novelty=20 applicability=20 benefit=25 \
		--vote "$3" >/dev/null
}
state_of() { sk --json show "$1" | jq -r .state; }

# --- 1. Votes, a preview that changes nothing, then the recommendation. --

A=$(new_case "Trò chơi Kahoot trong ôn tập Lịch sử lớp 11")
vote "$CHAIR" "$A" pass
vote "$MEM" "$A" pass
V0=$(sk --json show "$A" | jq .version)
ok_status "decide with two members not voted: a preview (exit 1)" 1 \
	sk --token "$CHAIR" decide "$A"
check "... pending, naming who has not voted" 1 \
	"$(grep -c '^chưa chấm và biểu quyết: nong.thi.mai, ha.thi.thanh$' "$ERR")"
check "... 2 of 4 agree: it would not pass (two thirds of ALL members)" 1 \
	"$(grep -c '^nếu ghi nhận bây giờ: kiến nghị không đạt, .* 2/4 thành viên đồng ý (cần 3)$' "$ERR")"
check "... and nothing changed" "unit_review $V0" \
	"$(sk --json show "$A" | jq -r '"\(.state) \(.version)"')"
R=$(call "$CHAIR" case.decide "{\"id\":$A}")
check "over the wire: pending with details.missing and details.outcome" \
	"pending ha.thi.thanh,nong.thi.mai fail" \
	"$(jget "$R" '"\(.error.code) \(.error.details.missing | sort | join(",")) \(.error.details.outcome.verdict)"')"
vote "$SEC" "$A" pass
ok_status "3 of 4 agree, one has not voted: still a preview" 1 \
	sk --token "$CHAIR" decide "$A"
check "... which would pass" 1 \
	"$(grep -c '^nếu ghi nhận bây giờ: kiến nghị đạt, .* 3/4 thành viên đồng ý (cần 3)$' "$ERR")"
ok_status "the secretary may not close the vote" 1 \
	sk --token "$SEC" decide "$A" --confirm
ok_status "the chair confirms" 0 sk --token "$CHAIR" decide "$A" --confirm \
	--note "Phiên họp ngày $(date -u +%d/%m/%Y)"
check "the council's recommendation: pass, 3 of 4, one missing" \
	"unit_recommended pass 3/4 ha.thi.thanh" \
	"$(sk --json show "$A" | jq -r '"\(.state) \(.decision.verdict) \(.decision.votes.pass)/\(.decision.votes.members) \(.decision.missing | join(","))"')"
sk show "$A" >"$OUT"
check "show: the recommendation and the votes" 2 \
	"$(grep -cE '^  (kiến nghị  *đạt|biểu quyết  *3 đồng ý, 0 không đồng ý trên 4 thành viên \(cần 3\))$' "$OUT")"

# --- 2. The head's decision, with its number and date. --------------------

ok_status "an admin may not sign in the head's place" 1 \
	sk --token "$ADMIN" recognize "$A" --no "1/QĐ" --date "$TODAY"
check "... forbidden" 1 "$(grep -c '^lỗi: .*(forbidden): ' "$ERR")"
ok_status "nor the chair" 1 sk --token "$CHAIR" recognize "$A" --no "1/QĐ" --date "$TODAY"
ok_status "a date to come is refused" 1 \
	sk --token "$HEAD" recognize "$A" --no "45/QĐ-SGDĐT" \
	--date "$(date -u -d '+3 days' +%F)"
ok_status "the head of so-gddt signs" 0 \
	sk --token "$HEAD" recognize "$A" --no "45/QĐ-SGDĐT" --date "$TODAY"
check "recognized, with number, date and signer" \
	"unit_recognized recognized 45/QĐ-SGDĐT $TODAY dam.van.quang Đàm Văn Quang" \
	"$(sk --json show "$A" | jq -r '"\(.state) \(.recognition.outcome) \(.recognition.decision_no) \(.recognition.decision_date) \(.recognition.signed_by) \(.recognition.signer_name)"')"
check "the review deadline ended with the head's decision" null \
	"$(sk --json show "$A" | jq .due_at)"
check "the history says recognize" 1 \
	"$(sk --json history "$A" | jq '[.items[] | select(.type == "case.recognized" and .action == "recognize")] | length')"

# --- 3. A refusal needs reasons; a reopen supersedes it. ------------------

B=$(new_case "Sổ ghi đầu bài điện tử cho tổ Sử - Địa")
for t in "$CHAIR" "$SEC" "$MEM" "$VICE"; do vote "$t" "$B" fail; done
ok_status "every member voted: decide records at once" 0 \
	sk --token "$CHAIR" decide "$B"
check "the council recommends refusing" "unit_recommended fail 0/4" \
	"$(sk --json show "$B" | jq -r '"\(.state) \(.decision.verdict) \(.decision.votes.pass)/\(.decision.votes.members)"')"
V1=$(sk --json show "$B" | jq .version)
ok_status "a refusal without reasons is refused" 1 \
	sk --token "$HEAD" recognize "$B" --no "46/QĐ-SGDĐT" --date "$TODAY"
check "... naming the note, and nothing changed" "1 $V1" \
	"$(grep -c '(bad_request): .*note' "$ERR") $(sk --json show "$B" | jq .version)"
ok_status "the head refuses with reasons" 0 \
	sk --token "$HEAD" recognize "$B" --no "46/QĐ-SGDĐT" --date "$TODAY" \
	--refuse --note "Giải pháp chưa có tính mới so với sổ điện tử của Sở."
check "refused at unit level, the reasons kept" \
	"unit_refused refused Giải pháp chưa có tính mới so với sổ điện tử của Sở." \
	"$(sk --json show "$B" | jq -r '"\(.state) \(.recognition.outcome) \(.recognition.note)"')"
sk act "$B" reopen --note "Tác giả bổ sung số liệu đối chứng." >/dev/null
check "reopened: back in review" unit_review "$(state_of "$B")"
check "the old recommendation and refusal are superseded" "true true true" \
	"$(sk --json show "$B" | jq -r '"\(.decision.superseded) \(.recognition.superseded) \(.decisions[0].superseded_at != null)"')"
sk show "$B" >"$OUT"
check "show marks both as superseded" 2 "$(grep -c 'ĐÃ BỊ THAY THẾ' "$OUT")"
for t in "$CHAIR" "$SEC" "$MEM"; do vote "$t" "$B" pass; done
sk --token "$CHAIR" decide "$B" --confirm >/dev/null
check "decided again: a new recommendation beside the superseded one" \
	"false,true pass" \
	"$(sk --json show "$B" | jq -r '"\([.decisions[].superseded] | sort | join(",")) \(.decision.verdict)"')"

# --- 4. Two thirds of all members; an author counts as not agreeing. ------

C=$(new_case "Câu lạc bộ Lịch sử địa phương Xứ Lạng" ha.thi.thanh "Hà Thị Thanh")
ok_status "the vice-chair who co-authored it may not vote" 1 \
	sk --token "$VICE" score "$C" novelty=20 applicability=20 benefit=25 --vote pass
vote "$CHAIR" "$C" pass
vote "$SEC" "$C" pass
vote "$MEM" "$C" fail
ok_status "the three eligible have voted: decide records at once" 0 \
	sk --token "$CHAIR" decide "$C"
check "2 of 4 agree (the author counts as not agreeing): refused" \
	"fail 2/4 3" \
	"$(sk --json show "$C" | jq -r '"\(.decision.verdict) \(.decision.votes.pass)/\(.decision.votes.members) \(.decision.council.eligible)"')"

# A council of three: 2 of 3 pass, 1 of 3 does not.
sk unit put thpt-thu --name "Trường THPT Thử" --parent so-gddt >/dev/null
sk user put tac.gia --name "Tác Giả" --unit thpt-thu --roles author >/dev/null
sk user put thu.truong --name "Thủ Trưởng" --unit thpt-thu --roles head >/dev/null
ok_status "a council of two is refused" 1 \
	sk council put hd-thu --name "Hội đồng thử" --scope unit --unit thpt-thu \
	--member chu.van.hai:chair --member ha.thi.thanh:secretary
check "... citing the rule" 1 \
	"$(grep -c '(bad_request): .*at least 3 .*Điều 8' "$ERR")"
ok_status "an expert does not make the third" 1 \
	sk council put hd-thu --name "Hội đồng thử" --scope unit --unit thpt-thu \
	--member chu.van.hai:chair --member ha.thi.thanh:secretary \
	--member vi.van.long:expert
sk council put hd-thu --name "Hội đồng thử" --scope unit --unit thpt-thu \
	--member chu.van.hai:chair --member ha.thi.thanh:secretary \
	--member nong.thi.mai:member --member vi.van.long:expert >/dev/null
TG=$(sk token tac.gia 2>/dev/null)
small_case() {
	jq '.authors = [{name:"Tác Giả",user:"tac.gia",share:100,
		birth_date:"1980-01-02",workplace:"Trường THPT Thử",position:"Giáo viên",
		qualification:"Thạc sĩ"}] |
		.owner = "Trường THPT Thử"' "$T_DIR/case.json" >"$T_DIR/small.json"
	local id
	id=$(sk --token "$TG" --json create "$T_DIR/small.json" | jq -r .id)
	sk --token "$TG" act "$id" submit --declare >/dev/null
	sk --token "$VICE" act "$id" accept >/dev/null
	echo "$id"
}
EXPERT=$(sk token vi.van.long 2>/dev/null)
D=$(small_case)
ok_status "the expert may not vote" 1 \
	sk --token "$EXPERT" score "$D" novelty=20 applicability=20 benefit=25 --vote pass
check "... forbidden, saying why" 1 "$(grep -c '(forbidden): .*expert' "$ERR")"
vote "$MEM" "$D" pass
vote "$VICE" "$D" pass
sk --token "$MEM" decide "$D" --confirm >/dev/null
check "2 of 3 pass" "pass 2/3" \
	"$(sk --json show "$D" | jq -r '"\(.decision.verdict) \(.decision.votes.pass)/\(.decision.votes.members)"')"
E=$(small_case)
vote "$MEM" "$E" pass
vote "$VICE" "$E" fail
sk --token "$MEM" decide "$E" --confirm >/dev/null
check "1 of 3 does not" "fail 1/3" \
	"$(sk --json show "$E" | jq -r '"\(.decision.verdict) \(.decision.votes.pass)/\(.decision.votes.members)"')"
ok_status "the head of the other school may not sign" 1 \
	sk --token "$HEAD" recognize "$E" --no "3/QĐ" --date "$TODAY" --refuse --note x
ok_status "the school's own head signs the refusal" 0 \
	sk --token "$(sk token thu.truong 2>/dev/null)" recognize "$E" --no "3/QĐ-THPT" \
	--date "$TODAY" --refuse --note "Hội đồng không thông qua."
check "refused" unit_refused "$(state_of "$E")"

check "verify after the procedure" 0 "$(status_of sk verify)"
stop_server
finish
