#!/usr/bin/env bash
# t_cli.sh: the sangkien CLI against the real server, as its users meet it:
# exit codes a script can rely on (1 the server said no, 2 bad usage, 3 no
# server), errors on stderr, users and tokens, filing and moving a case,
# `show` with its Vietnamese headings and timeline, `watch` receiving the
# events of other commands, request ids, backup and verify.

source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

start_server
ERR="$T_DIR/err"

# --- The command line: usage errors exit 2 and say what was wrong. -------

check "unknown command exits 2" 2 "$(status_of sk frobnicate 2>"$ERR")"
check "unknown command is named" 1 \
	"$(grep -c "không có lệnh 'frobnicate'" "$ERR")"
check "bad case id exits 2" 2 "$(status_of sk show seven 2>"$ERR")"
check "bad case id is named" 1 "$(grep -c "không phải 'seven'" "$ERR")"
check "unknown option exits 2" 2 "$(status_of sk cases --colour 2>"$ERR")"
check "unknown option is named" 1 "$(grep -c "'--colour'" "$ERR")"
check "bad JSON args exit 2" 2 \
	"$(status_of sk call case.get '{"id":' 2>"$ERR")"
check "user put without --roles exits 2" 2 \
	"$(status_of sk user put x --name X --unit y 2>"$ERR")"
check "missing option is named" 1 "$(grep -c -- "--roles" "$ERR")"
check "no command exits 2" 2 "$(status_of "$SKC" 2>/dev/null)"
check "help exits 0" 0 "$(status_of sk help)"
sk help >"$T_DIR/help"
for c in status verify backup cases show history watch call whoami \
	'unit put' 'user put' 'council put' token act create update demo \
	passwd login; do
	check "help lists '$c'" 1 \
		"$(grep -c "^  $c\( \|$\)" "$T_DIR/help")"
done

check "passwd with nothing on standard input exits 2" 2 \
	"$(status_of sk passwd ly.thi.ba </dev/null 2>"$ERR")"
check "... saying so" 1 "$(grep -c 'không có mật khẩu nào' "$ERR")"
check "passwd with a missing --password-file exits 2" 2 \
	"$(status_of sk passwd ly.thi.ba --password-file "$T_DIR/khong-co" 2>"$ERR")"
check "... naming it" 1 "$(grep -c "$T_DIR/khong-co" "$ERR")"

# --- No server: exit 3 with a message that says what to check. ----------

check "unreachable server exits 3" 3 \
	"$(status_of "$SKC" --server ipc:///nonexistent/x.ipc status 2>"$ERR")"
check "unreachable server is explained" 1 \
	"$(grep -c 'cannot reach the server at ipc:///nonexistent/x' "$ERR")"

# --- Error replies: exit 1, "lỗi: WORDS (CODE): MESSAGE" on stderr. ------

check "not_found exits 1" 1 \
	"$(status_of sk call case.get '{"id":999}' 2>"$ERR")"
check "not_found on stderr" 1 "$(grep -c '^lỗi: .*(not_found): ' "$ERR")"
check "unknown op is the server's bad_request" 1 \
	"$(status_of sk call no.such.op 2>"$ERR")"
check "bad_request on stderr" 1 "$(grep -c '^lỗi: .*(bad_request): ' "$ERR")"

# --- Status and --json. ---------------------------------------------------

check "status prints a state table" 1 \
	"$(sk status | grep -c '^draft  *0  *Nháp$')"
check "--json status is one line" 1 "$(sk --json status | wc -l)"
check "--json status has the version" 0.1.0 \
	"$(sk --json status | jq -r .version)"

# --- An empty server says so. --------------------------------------------

check "no case: cases says so" "Không có hồ sơ nào." "$(sk cases)"
check "no council: council list says so" "Chưa có hội đồng nào." \
	"$(sk council list)"

# --- Units, users, tokens. ------------------------------------------------

sk unit put so-thu --name "Sở Thử nghiệm" >/dev/null
sk unit put phong-a --name "Phòng A" --parent so-thu >/dev/null
check "unit get shows the parent" so-thu \
	"$(sk --json unit get phong-a | jq -r .parent)"
check "unit list shows Vietnamese names" 1 \
	"$(sk unit list | grep -c '^so-thu  *Sở Thử nghiệm')"
sk user put tran.van.an --name "Trần Văn An" --unit phong-a \
	--roles author >/dev/null
sk user put ly.thi.ba --name "Lý Thị Ba" --unit phong-a --roles "" >/dev/null
check "roles may be empty" "[]" \
	"$(sk --json user get ly.thi.ba | jq -c .roles)"
sk user put --json '{"id":"chu.van.ca","name":"Chu Văn Ca","unit":"so-thu",
	"roles":["viewer"]}' >/dev/null
check "user put --json" viewer \
	"$(sk --json user get chu.van.ca | jq -r '.roles[0]')"
sk council put hd-thu --name "Hội đồng thử" --scope unit --unit so-thu \
	--member ly.thi.ba:chair --member chu.van.ca:member >/dev/null
check "council put with members" "ly.thi.ba:chair chu.van.ca:member" \
	"$(sk --json council get hd-thu |
		jq -r '[.members[] | .user + ":" + .role] | join(" ")')"

TOKEN=$(sk token tran.van.an 2>"$ERR")
check "token is printed alone on stdout" 1 "$(printf '%s\n' "$TOKEN" | wc -l)"
check "token is said to be shown once" 1 "$(grep -c 'chỉ hiện một lần' "$ERR")"
check "whoami with --token" tran.van.an \
	"$(sk --token "$TOKEN" --json whoami | jq -r .id)"
check "whoami shows the name" 1 \
	"$(sk --token "$TOKEN" whoami | grep -c 'Trần Văn An')"
check "whoami with SANGKIEN_TOKEN" tran.van.an \
	"$(SANGKIEN_TOKEN=$TOKEN sk --json whoami | jq -r .id)"
check "no token over ipc is local-admin" true \
	"$(sk --json whoami | jq -r .local)"
VTOKEN=$(sk token chu.van.ca 2>/dev/null)
check "a viewer may not change units" 1 \
	"$(status_of sk --token "$VTOKEN" unit put x --name X 2>"$ERR")"
check "forbidden on stderr" 1 "$(grep -c '^lỗi: .*(forbidden): ' "$ERR")"

# --- A case: create from a file, act, show, history. ---------------------

FIRST=$(date -u -d '40 days ago' +%F)
cat >"$T_DIR/case.json" <<JSON
{"title": "Sổ tay điện tử hướng dẫn thủ tục hành chính cho người dân",
 "field": "Cải cách hành chính", "first_applied": "$FIRST",
 "authors": [{"name": "Trần Văn An", "user": "tran.van.an", "share": 80,"birth_date":"1985-04-12","workplace":"Cơ quan chủ trì","position":"Chuyên viên","qualification":"Đại học"},
             {"name": "Hoàng Thị Em", "share": 20,"birth_date":"1985-04-12","workplace":"Cơ quan chủ trì","position":"Chuyên viên","qualification":"Đại học"}],
 "sections": {
  "status_quo": "Người dân phải hỏi nhiều nơi mới biết cần giấy tờ gì.",
  "solution": "Một sổ tay điện tử có mã QR dán tại bộ phận một cửa.",
  "novelty": "Lần đầu các thủ tục được tra cứu bằng mã QR tại chỗ.",
  "applicability": "Dùng được ở mọi bộ phận một cửa của tỉnh.",
  "benefits": "Số lần đi lại của người dân giảm một nửa.",
  "conditions": "Điện thoại có camera; một cán bộ cập nhật nội dung.",
  "trial_users": "Bộ phận một cửa của Phòng A trong ba tháng."}}
JSON
ID=$(sk --token "$TOKEN" --json create "$T_DIR/case.json" | jq -r .id)
check "create from a file gives a draft" draft \
	"$(sk --json show "$ID" | jq -r .state)"
check "act submit says the new state" 1 \
	"$(sk --token "$TOKEN" act "$ID" submit --declare |
		grep -c 'đã nộp, nay Đã nộp, chờ tiếp nhận (submitted)')"
check "a wrong action exits 1" 1 \
	"$(status_of sk --token "$TOKEN" act "$ID" submit --declare 2>"$ERR")"
check "invalid_transition on stderr" 1 \
	"$(grep -c '^lỗi: .*(invalid_transition): ' "$ERR")"
check "details follow on stderr, for people" \
	"trạng thái hiện tại: Đã nộp, chờ tiếp nhận (submitted)" \
	"$(grep '^trạng thái hiện tại: ' "$ERR")"
check "... with the states it is allowed from" 1 \
	"$(grep -c '^chỉ làm được khi: Nháp (draft), Trả lại (returned)$' "$ERR")"
sk act "$ID" return --note "Bổ sung số liệu về số lần đi lại." >/dev/null
sk show "$ID" >"$T_DIR/show"
for h in "Tình trạng đã biết" "Nội dung giải pháp" "Tính mới" \
	"Khả năng áp dụng" "Hiệu quả" "Điều kiện cần thiết" \
	"Người tham gia áp dụng thử"; do
	check "show has the heading '$h'" 1 "$(grep -c "^$h (" "$T_DIR/show")"
done
check "show has the state label" 1 \
	"$(grep -c 'Trả lại để bổ sung (returned)' "$T_DIR/show")"
check "show lists the authors with shares" 1 \
	"$(grep -c 'Hoàng Thị Em  *20%' "$T_DIR/show")"
check "show has a timeline" 1 "$(grep -c '^Diễn biến$' "$T_DIR/show")"
check "the timeline has the submission" 1 \
	"$(grep -c 'tran.van.an  *nộp  *→ Đã nộp$' "$T_DIR/show")"
check "the timeline has the return, its note on the next line" 1 \
	"$(grep -A1 'trả lại  *→ Trả lại$' "$T_DIR/show" |
		grep -c '^      Bổ sung số liệu về số lần đi lại.$')"
check "history: a header, three events and a note" 5 \
	"$(sk history "$ID" | wc -l)"
check "history --json is the server's" \
	"case.created case.transition case.transition" \
	"$(sk --json history "$ID" | jq -r '[.items[].type] | join(" ")')"
check "update of a returned case exits 0" 0 \
	"$(status_of sk --token "$TOKEN" update "$ID" \
		--json '{"title": "Sổ tay điện tử thủ tục hành chính"}')"
check "update changes the title" "Sổ tay điện tử thủ tục hành chính" \
	"$(sk --json show "$ID" | jq -r .title)"

# --- A put changes only what it is given. --------------------------------

sk unit put phong-a --rubric default >/dev/null
check "unit put --rubric keeps the name and the parent" \
	"Phòng A so-thu default" \
	"$(sk --json unit get phong-a | jq -r '"\(.name) \(.parent) \(.rubric)"')"
sk unit put phong-a --name "Phòng A mới" >/dev/null
check "unit put --name keeps the parent and the rubric" \
	"Phòng A mới so-thu default" \
	"$(sk --json unit get phong-a | jq -r '"\(.name) \(.parent) \(.rubric)"')"
sk unit put phong-a --rubric "" >/dev/null
check "an empty value drops the field, as asked" "so-thu null" \
	"$(sk --json unit get phong-a | jq -r '"\(.parent) \(.rubric)"')"
check "a new unit without --name exits 2" 2 \
	"$(status_of sk unit put phong-moi --parent so-thu 2>"$ERR")"
check "... saying what it needs" 1 "$(grep -c -- "--name" "$ERR")"
sk user put ly.thi.ba --roles author >/dev/null
check "user put --roles keeps the name and the unit" \
	"Lý Thị Ba phong-a author" \
	"$(sk --json user get ly.thi.ba | jq -r '"\(.name) \(.unit) \(.roles | join(","))"')"
members() {
	sk --json council get hd-thu |
		jq -r '[.members[] | .user + ":" + .role] | join(" ")'
}
sk council put hd-thu --member tran.van.an:member >/dev/null
check "council put --member adds one, keeping the others" \
	"ly.thi.ba:chair chu.van.ca:member tran.van.an:member" "$(members)"
sk council put hd-thu --member chu.van.ca:secretary >/dev/null
check "... or changes one's role" \
	"ly.thi.ba:chair chu.van.ca:secretary tran.van.an:member" "$(members)"
sk council put hd-thu --remove tran.van.an >/dev/null
check "council put --remove takes one out" \
	"ly.thi.ba:chair chu.van.ca:secretary" "$(members)"
check "... the council keeps its name and unit" "Hội đồng thử so-thu" \
	"$(sk --json council get hd-thu | jq -r '"\(.name) \(.unit)"')"
check "removing one who is not a member exits 2" 2 \
	"$(status_of sk council put hd-thu --remove khong.ai 2>"$ERR")"
check "... and changes nothing" "ly.thi.ba:chair chu.van.ca:secretary" \
	"$(members)"

# --- cases --unit: the unit and the units below it. ----------------------

check "cases --unit so-thu includes phong-a's cases" yes \
	"$(sk --json cases --unit so-thu --all |
		jq -r --argjson id "$ID" 'if any(.items[]; .id == $id) then "yes" else "no" end')"
check "cases --unit so-thu --only keeps to so-thu" 0 \
	"$(sk --json cases --unit so-thu --only --all | jq '.items | length')"
check "cases --unit phong-a has the case" yes \
	"$(sk --json cases --unit phong-a | jq -r --argjson id "$ID" \
		'if any(.items[]; .id == $id) then "yes" else "no" end')"
check "an empty list of a unit says so" "Không có hồ sơ nào." \
	"$(sk cases --unit so-thu --only)"

# --- A refused submission lists what to fix, one a line. -----------------

jq '.sections.solution = "" | .sections.novelty = " "' "$T_DIR/case.json" \
	>"$T_DIR/thin.json"
THIN=$(sk --token "$TOKEN" --json create "$T_DIR/thin.json" | jq -r .id)
check "an incomplete submission exits 1" 1 \
	"$(status_of sk --token "$TOKEN" act "$THIN" submit --declare 2>"$ERR")"
check "... the code in words" 1 \
	"$(grep -c '^lỗi: hồ sơ chưa đầy đủ (incomplete): ' "$ERR")"
check "... the problems as a list, one a line" 2 \
	"$(grep -A2 '^cần sửa:$' "$ERR" | grep -c '^  - Thiếu mục "')"
check "... and no JSON" 0 "$(grep -c '[{}]' "$ERR" || true)"

# A request repeated with the same request id is done once.
A=$(sk --token "$TOKEN" --request-id file-once-1 --json \
	create "$T_DIR/case.json" | jq -r .id)
B=$(sk --token "$TOKEN" --request-id file-once-1 --json \
	create "$T_DIR/case.json" | jq -r .id)
check "same request id, same case" "$A" "$B"

# --- watch: the events of two CLI commands arrive. ----------------------

sk watch --count 2 >"$T_DIR/watch.out" 2>"$T_DIR/watch.err" &
WATCH=$!
wait_for_text "$T_DIR/watch.err" "đang theo dõi" || fail "watch did not start"
sk unit put w-mot --name "Một" >/dev/null
sk unit put w-hai --name "Hai" >/dev/null
wait_pid "$WATCH" 10 || fail "watch --count 2 did not end"
check "watch printed two events" 2 "$(wc -l <"$T_DIR/watch.out")"
check "watch lines say when, what and who, in Vietnamese" 2 \
	"$(grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}  đơn vị w-(mot|hai)  sửa đơn vị, bởi local-admin$' \
		"$T_DIR/watch.out")"
sk --json watch --count 2 >"$T_DIR/watch.out" 2>"$T_DIR/watch.err" &
WATCH=$!
wait_for_text "$T_DIR/watch.err" "đang theo dõi" || fail "watch --json did not start"
sk unit put w-ba --name "Ba" >/dev/null
sk unit put w-bon --name "Bốn" >/dev/null
wait_pid "$WATCH" 10 || fail "watch --json --count 2 did not end"
check "watch --json prints the events raw" "unit.changed w-ba unit.changed w-bon" \
	"$(jq -r '.type + " " + .unit' "$T_DIR/watch.out" | paste -sd' ')"
sk --json watch --from 1 --count 3 >"$T_DIR/watch.out" 2>/dev/null &
WATCH=$!
wait_pid "$WATCH" 10 || fail "watch --from did not end"
check "watch --from prints the history" "1 2 3" \
	"$(jq -r .seq "$T_DIR/watch.out" | paste -sd' ')"
# A case's events: the case, the action and the change of state.
sk --token "$TOKEN" --json create "$T_DIR/case.json" >/dev/null
LAST=$(sk --json status | jq -r .last_seq)
sk watch --from "$LAST" --count 1 >"$T_DIR/watch.out" 2>/dev/null &
WATCH=$!
wait_pid "$WATCH" 10 || fail "watch of a case event did not end"
check "a case's event in watch" 1 \
	"$(grep -cE '  hồ sơ #[0-9]+  tạo hồ sơ, bởi tran.van.an$' "$T_DIR/watch.out")"

# --- Backup and verify. ---------------------------------------------------

sk backup "$T_DIR/bk1" >/dev/null
check "backup to an absolute path" yes \
	"$([ -s "$T_DIR/bk1/data.mdb" ] && echo yes || echo no)"
(cd "$T_DIR" && sk backup ./bk2 >/dev/null)
check "backup to a relative path" yes \
	"$([ -s "$T_DIR/bk2/data.mdb" ] && echo yes || echo no)"
check "verify exits 0" 0 "$(status_of sk verify)"
check "verify --json says ok" true "$(sk --json verify | jq -r .ok)"

stop_server
finish
