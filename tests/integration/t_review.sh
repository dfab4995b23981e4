#!/usr/bin/env bash
# t_review.sh: council review from the CLI, as a province's people do it.
# A teacher files an initiative; the school's initiative council (three
# members) scores it and its chair decides; the case is nominated, and the
# province council accepts, scores (raw JSON over nngcat, with tokens) and
# recognizes it.  Around that walk: a refusal whose reasons the author reads
# without ever seeing who scored what; a decision refused as `pending` for
# want of a quorum; the education rubric, which waits for a third scorer
# when two disagree; a council member who authored a case; marks checked
# against the pinned rubric; and ballots kept secret until the decision.

source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

start_server
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

# --- The province, its schools, people and councils. ---------------------

sk unit put so-khcn --name "Sở Khoa học và Công nghệ tỉnh Bắc Kạn" >/dev/null
sk unit put so-gddt --name "Sở Giáo dục và Đào tạo tỉnh Bắc Kạn" \
	--parent so-khcn >/dev/null
sk unit put thpt-na-ri --name "Trường THPT Na Rì" --parent so-gddt >/dev/null
sk unit put thpt-cho-don --name "Trường THPT Chợ Đồn" \
	--parent so-gddt >/dev/null
while IFS='|' read -r id name unit roles; do
	sk user put "$id" --name "$name" --unit "$unit" --roles "$roles" >/dev/null
done <<'EOF'
ma.thi.hanh|Ma Thị Hạnh|thpt-na-ri|author
hoang.van.quy|Hoàng Văn Quý|thpt-na-ri|author
be.van.long|Bế Văn Long|thpt-cho-don|author
nong.van.tuan|Nông Văn Tuấn|so-gddt|
ly.thi.mai|Lý Thị Mai|so-gddt|
trieu.van.son|Triệu Văn Sơn|thpt-na-ri|author
ha.van.binh|Hà Văn Bình|so-khcn|
dam.thi.thao|Đàm Thị Thảo|so-khcn|
lo.van.kien|Lò Văn Kiên|so-khcn|
EOF
sk council put hd-gddt --name "Hội đồng sáng kiến ngành Giáo dục tỉnh Bắc Kạn" \
	--scope unit --unit so-gddt --member nong.van.tuan:chair \
	--member ly.thi.mai:secretary --member trieu.van.son:member >/dev/null
sk council put hd-tinh --name "Hội đồng sáng kiến cấp tỉnh Bắc Kạn" \
	--scope province --unit so-khcn --member ha.van.binh:chair \
	--member dam.thi.thao:secretary --member lo.van.kien:member >/dev/null

HANH=$(sk token ma.thi.hanh 2>/dev/null)
QUY=$(sk token hoang.van.quy 2>/dev/null)
LONG=$(sk token be.van.long 2>/dev/null)
CHAIR=$(sk token nong.van.tuan 2>/dev/null)
SEC=$(sk token ly.thi.mai 2>/dev/null)
MEMBER=$(sk token trieu.van.son 2>/dev/null)
P_CHAIR=$(sk token ha.van.binh 2>/dev/null)
P_SEC=$(sk token dam.thi.thao 2>/dev/null)
P_MEMBER=$(sk token lo.van.kien 2>/dev/null)

FIRST=$(date -u -d '75 days ago' +%F)
# new_case TOKEN USER NAME TITLE [CO-AUTHOR-USER CO-AUTHOR-NAME]: files a
# complete case as TOKEN (sole author, or 60/40 with a co-author) and
# submits it; prints its id.
new_case() {
	local authors
	if [ -n "${5:-}" ]; then
		authors=$(jq -nc --arg u "$2" --arg n "$3" --arg u2 "$5" --arg n2 "$6" \
			'[{name:$n,user:$u,share:60, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"},{name:$n2,user:$u2,share:40, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}]')
	else
		authors=$(jq -nc --arg u "$2" --arg n "$3" '[{name:$n,user:$u,share:100, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}]')
	fi
	jq -n --arg t "$4" --arg d "$FIRST" --argjson a "$authors" '{
		title: $t, field: "Giáo dục và đào tạo", first_applied: $d,
		owner: "Sở Giáo dục và Đào tạo tỉnh Bắc Kạn", authors: $a,
		sections: {
		status_quo: "Học sinh lớp 12 người Tày, Dao, Mông ôn thi môn Địa lí chủ yếu bằng đề cương in sẵn; kỹ năng đọc Atlat và biểu đồ yếu, năm trước chỉ 38% đạt điểm 5 trở lên.",
		solution: "Xây dựng 24 bản đồ tư duy số trên Canva gắn với Atlat Địa lí Việt Nam; học sinh làm việc nhóm, trình bày và tự chấm theo phiếu tiêu chí.",
		novelty: "Lần đầu tại trường kết hợp bản đồ tư duy số với kỹ năng khai thác Atlat, dùng được trên điện thoại không cần mạng.",
		applicability: "Áp dụng được cho các trường THPT vùng cao của tỉnh, phần mềm miễn phí.",
		benefits: "Sau một học kỳ, tỷ lệ học sinh đạt điểm 5 trở lên trong bài thi thử tăng từ 38% lên 71%.",
		conditions: "Máy chiếu, điện thoại dùng chung theo nhóm.",
		trial_users: "Học sinh các lớp 12A1 đến 12A4 (152 học sinh)."}}' \
		>"$T_DIR/case.json"
	local id
	id=$(sk --token "$1" --json create "$T_DIR/case.json" | jq -r .id)
	sk --token "$1" act "$id" submit --declare >/dev/null
	echo "$id"
}
state_of() { sk --json show "$1" | jq -r .state; }
# ballots_as TOKEN ID: the ballots TOKEN may see on case ID, as JSON.
ballots_as() { sk --token "$1" --json show "$2" | jq -c '.ballots'; }
DEFAULT_HASH=$(sk --json rubric show default | jq -r .hash)

# --- 1. From draft to recognized. ----------------------------------------

A=$(new_case "$HANH" ma.thi.hanh "Ma Thị Hạnh" \
	"Sử dụng bản đồ tư duy số trong ôn thi tốt nghiệp môn Địa lí cho học sinh vùng cao")
check "the author submitted the case" submitted "$(state_of "$A")"
ok_status "the secretary accepts it" 0 sk --token "$SEC" act "$A" accept
check "accept pins the current default rubric for the unit review" \
	"default $DEFAULT_HASH unit" \
	"$(sk --json show "$A" | jq -r '.rubric | "\(.id) \(.hash) \(.stage)"')"
check "show tells the pinned rubric" 1 \
	"$(sk show "$A" | grep -c "^  bộ tiêu chí  *default (mã băm ${DEFAULT_HASH:0:12}), cố định cho đợt xét cấp cơ sở$")"

ok_status "a member scores with decimals" 0 \
	sk --token "$MEMBER" score "$A" novelty=20.5 applicability=20 benefit=28 \
	--comment "Có số liệu đối chứng rõ ràng."
check "the CLI shows the ballot's total" 1 \
	"$(grep -c '^  tổng  *68.5$' "$OUT")"
check "the member's ballot as stored" '{"novelty":20.5,"applicability":20,"benefit":28} 68.5' \
	"$(sk --token "$MEMBER" --json score "$A" novelty=20.5 applicability=20 \
		benefit=28 | jq -c '"\(.marks) \(.total)"' -r)"
sk --token "$CHAIR" score "$A" novelty=25 applicability=25 benefit=35 >/dev/null
sk --token "$SEC" score "$A" novelty=22 applicability=24 benefit=30 >/dev/null

# Ballot secrecy until the decision.
check "a member sees their own ballot only, with its marks" "trieu.van.son 68.5" \
	"$(ballots_as "$MEMBER" "$A" | jq -r 'map("\(.member) \(.total)") | join(",")')"
check "the secretary sees who has scored" \
	"ly.thi.mai,nong.van.tuan,trieu.van.son" \
	"$(ballots_as "$SEC" "$A" | jq -r 'map(.member) | sort | join(",")')"
check "... but only their own marks" "ly.thi.mai" \
	"$(ballots_as "$SEC" "$A" | jq -r 'map(select(has("marks"))) |
		map(.member) | join(",")')"
check "... and no other total" "ly.thi.mai" \
	"$(ballots_as "$SEC" "$A" | jq -r 'map(select(has("total"))) |
		map(.member) | join(",")')"
sk --token "$SEC" show "$A" >"$OUT"
check "the secretary's show: who has scored, without marks" 2 \
	"$(grep -c '^  [a-z.]*  .*  [0-9-]* [0-9:]*  *giữ kín$' "$OUT")"
check "the secretary's show: their own marks" 1 \
	"$(grep -A1 '^  ly.thi.mai  *thư ký  *[0-9-]* [0-9:]*  *76$' "$OUT" |
		grep -c '^      novelty 22, applicability 24, benefit 30$')"
check "the author sees no ballots" "[]" "$(ballots_as "$HANH" "$A")"
sk --token "$HANH" show "$A" >"$OUT"
check "the author's show has no ballots and names no scorer" 0 \
	"$(grep -cE 'Ballots|has scored|trieu\.van\.son|nong\.van\.tuan' "$OUT" || true)"
check "the author's timeline does not say who scored" 0 \
	"$(sk --token "$HANH" --json history "$A" |
		jq '[.items[] | select(.type == "case.scored" and has("actor"))] | length')"

ok_status "only the chair decides" 1 sk --token "$SEC" decide "$A"
check "the secretary is forbidden" 1 "$(grep -c '^lỗi: .*(forbidden): ' "$ERR")"
ok_status "the chair decides" 0 sk --token "$CHAIR" decide "$A" \
	--note "Họp hội đồng ngày 15/11"
check "decide prints the new state" 1 \
	"$(grep -c '^hồ sơ số '"$A"': đã quyết định, nay Được công nhận sáng kiến cấp cơ sở (unit_recognized)' "$OUT")"
check "decide prints the verdict" 1 "$(grep -c '^  kết quả  *đạt$' "$OUT")"
sk --json show "$A" >"$OUT"
check "the decision: unit stage, pass, the mean of the totals, by the chair" \
	"unit pass 76.5 nong.van.tuan" \
	"$(jq -r '.decision | "\(.stage) \(.verdict) \(.score * 100 | round / 100) \(.decided_by)"' "$OUT")"
check "the decision names the pinned rubric version" "$DEFAULT_HASH" \
	"$(jq -r .decision.rubric.hash "$OUT")"
check "after the decision a member sees every ballot" 3 \
	"$(ballots_as "$MEMBER" "$A" | jq '[.[] | select(has("marks"))] | length')"
check "... and the author still none" "[]" "$(ballots_as "$HANH" "$A")"
ok_status "a ballot after the decision is refused" 1 \
	sk --token "$MEMBER" score "$A" novelty=1 applicability=1 benefit=1
check "... as an invalid transition" 1 \
	"$(grep -c '^lỗi: .*(invalid_transition): ' "$ERR")"
check "no due date once decided" null "$(sk --json show "$A" | jq .due_at)"

# The province stage, partly over nngcat with raw JSON and tokens.
sk --token "$SEC" act "$A" nominate >/dev/null
check "nominated" nominated "$(state_of "$A")"
sk --token "$P_SEC" act "$A" accept >/dev/null
check "the province council pins the province rubric" "province province" \
	"$(sk --json show "$A" | jq -r '"\(.rubric.id) \(.rubric.stage)"')"
R=$(req "$(jq -nc --argjson id "$A" --arg t "$P_MEMBER" '{op:"case.score",
	token:$t, args:{id:$id, marks:{novelty:26, applicability:25, benefit:34}}}')")
check "nngcat: a province member's ballot" "true province lo.van.kien member 85" \
	"$(jget "$R" '"\(.ok) \(.result.stage) \(.result.member) \(.result.role) \(.result.total)"')"
R=$(req "$(jq -nc --argjson id "$A" --arg t "$P_CHAIR" '{op:"case.decide",
	token:$t, args:{id:$id}}')")
check "nngcat: one of three is not a quorum" "false pending" \
	"$(jget "$R" '"\(.ok) \(.error.code)"')"
check "nngcat: pending says why" yes \
	"$(jget "$R" 'if (.error.details.reasons | length) > 0 then "yes" else "no" end')"
R=$(req "$(jq -nc --argjson id "$A" --arg t "$HANH" '{op:"case.score",
	token:$t, args:{id:$id, marks:{novelty:30, applicability:30, benefit:40}}}')")
check "nngcat: the author may not score" "false forbidden" \
	"$(jget "$R" '"\(.ok) \(.error.code)"')"
R=$(req "$(jq -nc --argjson id "$A" --arg t "$CHAIR" '{op:"case.score",
	token:$t, args:{id:$id, marks:{novelty:30, applicability:30, benefit:40}}}')")
check "nngcat: the unit council does not score the province review" \
	"false forbidden" "$(jget "$R" '"\(.ok) \(.error.code)"')"
for t in "$P_CHAIR" "$P_SEC"; do
	req "$(jq -nc --argjson id "$A" --arg t "$t" '{op:"case.score", token:$t,
		args:{id:$id, marks:{novelty:27, applicability:26, benefit:36}}}')" >/dev/null
done
R=$(req "$(jq -nc --argjson id "$A" --arg t "$P_CHAIR" '{op:"case.decide",
	token:$t, args:{id:$id, note:"Phiên họp tháng 12"}}')")
check "nngcat: the province chair recognizes the case" "true recognized pass province" \
	"$(jget "$R" '"\(.ok) \(.result.state) \(.result.decision.verdict) \(.result.decision.stage)"')"
check "both decisions are kept" "unit,province" \
	"$(sk --json show "$A" | jq -r '.decisions | map(.stage) | join(",")')"
sk --token "$HANH" show "$A" >"$OUT"
check "the author's show: both decisions" 2 "$(grep -c '^Quyết định cấp ' "$OUT")"
check "the author's show: the province verdict" 1 \
	"$(grep -c '^Quyết định cấp tỉnh$' "$OUT")"

# --- 2. A refusal: reasons for the author, and nothing about who. --------

B=$(new_case "$QUY" hoang.van.quy "Hoàng Văn Quý" \
	"Quản lý sổ điểm bằng bảng tính Excel tại tổ chuyên môn")
sk --token "$SEC" act "$B" accept >/dev/null
sk --token "$CHAIR" score "$B" novelty=10 applicability=10 benefit=15 >/dev/null
sk --token "$SEC" score "$B" novelty=12 applicability=8 benefit=10 >/dev/null
sk --token "$MEMBER" score "$B" novelty=15 applicability=15 benefit=20 >/dev/null
ok_status "the chair decides a weak case" 0 sk --token "$CHAIR" decide "$B"
check "it is refused at unit level" unit_refused "$(state_of "$B")"
check "a refusal carries reasons" yes \
	"$(sk --json show "$B" | jq -r 'if (.decision.reasons | length) > 0 then "yes" else "no" end')"
sk --token "$QUY" show "$B" >"$OUT"
check "the author reads the verdict" 1 "$(grep -c '^  kết quả  *không đạt$' "$OUT")"
check "the author reads the reasons" 1 "$(grep -c '^  lý do  *[^ -]' "$OUT")"
check "the author reads the score" 1 "$(grep -c '^  điểm  *38.3$' "$OUT")"
check "the author sees no ballot and no scorer" 0 \
	"$(grep -cE 'Phiếu chấm|giữ kín|trieu\.van\.son|novelty [0-9]' "$OUT" || true)"
check "the author's JSON has no ballots" "[]" "$(ballots_as "$QUY" "$B")"

# --- 3. Pending: one of three has scored. ---------------------------------

C=$(new_case "$HANH" ma.thi.hanh "Ma Thị Hạnh" \
	"Câu lạc bộ đọc sách song ngữ Tày - Việt cho học sinh nội trú")
sk --token "$SEC" act "$C" accept >/dev/null
V0=$(sk --json show "$C" | jq .version)
sk --token "$MEMBER" score "$C" novelty=25 applicability=25 benefit=35 >/dev/null
ok_status "decide with 1 of 3 ballots exits 1" 1 sk --token "$CHAIR" decide "$C"
check "it says pending" 1 "$(grep -c '^lỗi: .*(pending): ' "$ERR")"
check "it lists the reasons" 1 "$(grep -c '^lý do:$' "$ERR")"
check "... one a line" yes \
	"$(grep -A1 '^lý do:$' "$ERR" | tail -1 | grep -q '^  - ' && echo yes || echo no)"
check "it says how many have scored" 1 \
	"$(grep -c '^hội đồng hd-gddt: 1 trên 3 thành viên được chấm đã chấm$' "$ERR")"
check "the case is still in unit review" unit_review "$(state_of "$C")"
check "... unchanged but for the ballot" "$V0" "$(sk --json show "$C" | jq .version)"

# --- 4. Marks are checked against the pinned rubric. ----------------------

ok_status "a missing criterion" 1 sk --token "$SEC" score "$C" novelty=20 applicability=20
check "... is a bad_request naming it" 1 \
	"$(grep -c '^lỗi: .*(bad_request): .*benefit' "$ERR")"
ok_status "31 for novelty" 1 \
	sk --token "$SEC" score "$C" novelty=31 applicability=20 benefit=20
check "... is a bad_request naming novelty" 1 \
	"$(grep -c '^lỗi: .*(bad_request): .*novelty.*30' "$ERR")"
ok_status "an unknown criterion" 1 \
	sk --token "$SEC" score "$C" novelty=20 applicability=20 benefit=20 originality=5
check "... is a bad_request naming it" 1 \
	"$(grep -c '^lỗi: .*(bad_request): .*originality' "$ERR")"
ok_status "a negative mark" 1 \
	sk --token "$SEC" score "$C" novelty=-1 applicability=20 benefit=20
check "... is a bad_request" 1 "$(grep -c '^lỗi: .*(bad_request): .*novelty' "$ERR")"
ok_status "a mark that is not a number is a usage error" 2 \
	sk --token "$SEC" score "$C" novelty=nhiều applicability=20 benefit=20
check "... naming it" 1 "$(grep -c "novelty.*'nhiều'" "$ERR")"
ok_status "a word without = is a usage error" 2 \
	sk --token "$SEC" score "$C" novelty applicability=20 benefit=20
check "... naming it" 1 "$(grep -c "không phải 'novelty'" "$ERR")"
check "no refused ballot was stored" 1 \
	"$(ballots_as "$SEC" "$C" | jq length)"
ok_status "a ballot may be replaced before the decision" 0 \
	sk --token "$MEMBER" score "$C" novelty=5 applicability=5 benefit=5
check "... and the new one counts" "15" \
	"$(ballots_as "$MEMBER" "$C" | jq -r '.[0].total')"
ok_status "the ballot in the decimal comma of Vietnamese" 0 \
	sk --token "$SEC" score "$C" novelty=7,5 applicability=20 benefit=20
check "... is 7.5" "7.5" "$(ballots_as "$SEC" "$C" |
	jq -r '.[] | select(.member == "ly.thi.mai") | .marks.novelty')"

# --- 5. A council member who authored the case. ---------------------------

D=$(new_case "$MEMBER" trieu.van.son "Triệu Văn Sơn" \
	"Thí nghiệm ảo môn Hóa học bằng PhET cho lớp 10" ma.thi.hanh "Ma Thị Hạnh")
sk --token "$SEC" act "$D" accept >/dev/null
ok_status "the member may not score their own case" 1 \
	sk --token "$MEMBER" score "$D" novelty=30 applicability=30 benefit=40
check "... forbidden, a conflict of interest" 1 \
	"$(grep -c '^lỗi: .*(forbidden): .*author' "$ERR")"
check "... and no ballot was stored" 0 "$(ballots_as "$SEC" "$D" | jq length)"
sk --token "$CHAIR" score "$D" novelty=24 applicability=25 benefit=33 >/dev/null
sk --token "$SEC" score "$D" novelty=22 applicability=22 benefit=30 >/dev/null
ok_status "two of the two eligible members are a quorum" 0 \
	sk --token "$CHAIR" decide "$D"
check "the decision counts the eligible without the author" "3 2 2" \
	"$(sk --json show "$D" | jq -r '.decision.council | "\(.members) \(.eligible) \(.scored)"')"
check "... and recognizes the case" unit_recognized "$(state_of "$D")"
check "show says it" 1 \
	"$(sk show "$D" | grep -c '^  hội đồng  *hd-gddt: 2 trên 2 người được chấm đã chấm (3 thành viên)$')"

# --- 6. The education rubric: two disagree, a third settles it. ----------

sk unit put thpt-cho-don --name "Trường THPT Chợ Đồn" --parent so-gddt \
	--rubric education >/dev/null
check "unit put with an unknown rubric is not_found" 1 \
	"$(status_of sk unit put thpt-cho-don --name "Trường THPT Chợ Đồn" \
		--parent so-gddt --rubric khong-co 2>"$ERR")"
check "... not_found" 1 "$(grep -c '^lỗi: .*(not_found): ' "$ERR")"
E=$(new_case "$LONG" be.van.long "Bế Văn Long" \
	"Vườn thuốc nam trong trường học gắn với môn Sinh học")
sk --token "$SEC" act "$E" accept >/dev/null
check "the unit's rubric is pinned" education \
	"$(sk --json show "$E" | jq -r .rubric.id)"
sk --token "$CHAIR" score "$E" novelty=25 applicability=25 benefit=30 >/dev/null
sk --token "$SEC" score "$E" novelty=15 applicability=15 benefit=20 >/dev/null
ok_status "totals 80 and 50 differ by 30: pending" 1 sk --token "$CHAIR" decide "$E"
check "... pending" 1 "$(grep -c '^lỗi: .*(pending): ' "$ERR")"
check "... still in review" unit_review "$(state_of "$E")"
sk --token "$MEMBER" score "$E" novelty=22 applicability=22 benefit=26 >/dev/null
ok_status "a third scorer: the chair decides" 0 sk --token "$CHAIR" decide "$E"
check "... decided under the education rubric" "education unit" \
	"$(sk --json show "$E" | jq -r '"\(.decision.rubric.id) \(.decision.stage)"')"
check "... out of review" yes \
	"$(case $(state_of "$E") in unit_recognized | unit_refused) echo yes ;; *) echo no ;; esac)"

# The same rule by the council's rubric, which wins over the unit's.
sk council put hd-gddt --name "Hội đồng sáng kiến ngành Giáo dục tỉnh Bắc Kạn" \
	--scope unit --unit so-gddt --member nong.van.tuan:chair \
	--member ly.thi.mai:secretary --member trieu.van.son:member \
	--rubric education >/dev/null
F=$(new_case "$QUY" hoang.van.quy "Hoàng Văn Quý" \
	"Sổ liên lạc điện tử bằng Zalo nhóm lớp")
sk --token "$SEC" act "$F" accept >/dev/null
check "the council's rubric is pinned" education \
	"$(sk --json show "$F" | jq -r .rubric.id)"
sk --token "$CHAIR" score "$F" novelty=28 applicability=28 benefit=38 >/dev/null
sk --token "$MEMBER" score "$F" novelty=10 applicability=10 benefit=20 >/dev/null
check "94 and 40: pending" 1 "$(status_of sk --token "$CHAIR" decide "$F" 2>/dev/null)"
check "council put with an unknown rubric is not_found" 1 \
	"$(status_of sk council put hd-gddt --name x --scope unit --unit so-gddt \
		--member nong.van.tuan:chair --rubric khong-co 2>"$ERR")"
check "... not_found" 1 "$(grep -c '^lỗi: .*(not_found): ' "$ERR")"

# --- Events and the audit trail. -----------------------------------------

check "every decision is an event" 5 \
	"$(sk --json call events.since '{"seq":0,"limit":1000}' |
		jq '[.items[] | select(.type == "case.decided")] | length')"
check "verify after the reviews" 0 "$(status_of sk verify)"
stop_server
finish
