#!/usr/bin/env bash
# t_protocol.sh: every operation in scope works as PROTOCOL.md says, every
# error code that exists so far can be provoked, a refused request changes
# nothing, confidential sections stay hidden, and a case walks
# draft -> submitted -> unit_review -> returned with nothing but nngcat,
# driven by real users holding tokens.
#
# Error codes not provoked here: `pending` and `rubric_error` arrive with the
# rubric issue (case.decide, Lua rubrics).  `unavailable` (shutting down,
# storage full) and `internal` (a bug) cannot be provoked safely from a test.
source "$(dirname "$0")/lib.sh"

# reqf FILE: one request whose bytes are FILE's (too big for argv, or not
# UTF-8).
reqf() {
	nngcat --req --dial "$API" --raw --recv-timeout 10 --file "$1"
}

# is_err NAME CODE REPLY
is_err() {
	check "$1" "false $2" "$(jget "$3" .ok) $(jget "$3" .error.code)"
}

# is_ok NAME REPLY
is_ok() {
	local ok; ok=$(jget "$2" .ok)
	if [ "$ok" = true ]; then pass "$1"; else fail "$1: $2"; fi
}

# contains NAME NEEDLE HAYSTACK
contains() {
	case "$3" in
	*"$2"*) pass "$1" ;;
	*) fail "$1: '$2' not in '$3'" ;;
	esac
}

# snap ID: what a refused request must not change (as local-admin).
snap() {
	local c h s
	c=$(call "" case.get "{\"id\":$1}")
	h=$(call "" case.history "{\"id\":$1}")
	s=$(call "" server.status)
	echo "v$(jget "$c" .result.version) h$(jget "$h" '.result.items|length') seq$(jget "$s" .result.last_seq)"
}

PORT=$(free_port)
TCP="tcp://127.0.0.1:$PORT"
start_server --listen "$TCP"

# --- Administration: units ------------------------------------------------
r=$(call "" unit.put '{"id":"so-gddt-lang-son","name":"Sở Giáo dục và Đào tạo tỉnh Lạng Sơn"}')
check "unit.put returns the unit" "so-gddt-lang-son|Sở Giáo dục và Đào tạo tỉnh Lạng Sơn|null" \
	"$(jget "$r" '[.result.id, .result.name, (.result.parent|tostring)]|join("|")')"
r=$(call "" unit.put '{"id":"thpt-viet-bac","name":"Trường THPT Việt Bắc","parent":"so-gddt-lang-son"}')
check "unit.put with a parent" "so-gddt-lang-son" "$(jget "$r" .result.parent)"
r=$(call "" unit.put '{"id":"bvdk-lang-son","name":"Bệnh viện Đa khoa tỉnh Lạng Sơn"}')
is_ok "unit.put a hospital" "$r"
r=$(call "" unit.get '{"id":"thpt-viet-bac"}')
check "unit.get" "Trường THPT Việt Bắc" "$(jget "$r" .result.name)"
r=$(call "" unit.list)
check "unit.list" "bvdk-lang-son so-gddt-lang-son thpt-viet-bac" \
	"$(jget "$r" '[.result.items[].id]|sort|join(" ")')"
r=$(call "" unit.put '{"id":"thcs-chi-lang","name":"Trường THCS Chi Lăng","parent":"phong-gd-khong-co"}')
is_err "unit.put under a missing parent" not_found "$r"

# --- Users and tokens -----------------------------------------------------
put_user() { # id name unit roles-json
	call "" user.put "$(jq -nc --arg i "$1" --arg n "$2" --arg u "$3" \
		--argjson r "$4" '{id:$i, name:$n, unit:$u, roles:$r}')"
}
r=$(put_user hung "Hoàng Văn Hùng" thpt-viet-bac '["author"]')
check "user.put returns the user" "hung|Hoàng Văn Hùng|thpt-viet-bac|author" \
	"$(jget "$r" '[.result.id,.result.name,.result.unit,(.result.roles|join(","))]|join("|")')"
put_user lan "Nguyễn Thị Lan" thpt-viet-bac '["author"]' >/dev/null
put_user binh "Lương Văn Bình" thpt-viet-bac '["author"]' >/dev/null
put_user mai "Vi Thị Mai" thpt-viet-bac '["author"]' >/dev/null
put_user tuan "Lê Minh Tuấn" bvdk-lang-son '["author"]' >/dev/null
put_user thanh "Đinh Công Thành" so-gddt-lang-son '["viewer"]' >/dev/null
r=$(put_user ha "Trần Thu Hà" so-gddt-lang-son '["admin"]')
check "user.put an admin" "admin" "$(jget "$r" '.result.roles|join(",")')"
r=$(put_user nga "Hà Thị Nga" truong-khong-co '["author"]')
is_err "user.put in a unit that does not exist" not_found "$r"
contains "not_found names the unit" truong-khong-co "$(jget "$r" .error.message)"

token() { jget "$(call "" user.token "{\"id\":\"$1\"}")" .result.token; }
T_HUNG=$(token hung)
T_LAN=$(token lan)
T_BINH=$(token binh)
T_MAI=$(token mai)
T_TUAN=$(token tuan)
T_THANH=$(token thanh)
T_HA=$(token ha)
contains "user.token gives an sk_ token" "sk_" "${T_MAI:0:3}"
r=$(call "" user.token '{"id":"mai"}')
check "user.token result names the user" mai "$(jget "$r" .result.id)"
T_MAI_OLD=$T_MAI
T_MAI=$(jget "$r" .result.token)
is_err "a replaced token stops working" unauthorized "$(call "$T_MAI_OLD" auth.whoami)"
check "the new token works" mai "$(jget "$(call "$T_MAI" auth.whoami)" .result.id)"

r=$(call "$T_THANH" user.get '{"id":"mai"}')
check "user.get (viewer)" "Vi Thị Mai|thpt-viet-bac|false" \
	"$(jget "$r" '[.result.name,.result.unit,(.result|has("token_hash")|tostring)]|join("|")')"
r=$(call "" user.list)
check "user.list" "binh ha hung lan mai thanh tuan" \
	"$(jget "$r" '[.result.items[].id]|sort|join(" ")')"
check "user.list shows no token hashes" 0 "$(jget "$r" '[.result.items[]|select(has("token_hash"))]|length')"
is_err "user.list needs admin or viewer" forbidden "$(call "$T_MAI" user.list)"

# --- Councils -------------------------------------------------------------
COUNCIL='{"id":"hd-thpt-viet-bac","name":"Hội đồng sáng kiến Trường THPT Việt Bắc","scope":"unit","unit":"thpt-viet-bac","members":[{"user":"hung","role":"chair"},{"user":"lan","role":"secretary"},{"user":"binh","role":"member"}]}'
r=$(call "" council.put "$COUNCIL")
check "council.put" "hd-thpt-viet-bac|unit|thpt-viet-bac|hung:chair,lan:secretary,binh:member" \
	"$(jget "$r" '[.result.id,.result.scope,.result.unit,([.result.members[]|.user+":"+.role]|join(","))]|join("|")')"
r=$(call "" council.put "$COUNCIL")
is_ok "council.put again with the same id replaces it" "$r"
r=$(call "" council.put '{"id":"hd-thpt-viet-bac-2","name":"Hội đồng thứ hai","scope":"unit","unit":"thpt-viet-bac","members":[{"user":"binh","role":"chair"}]}')
is_err "a second unit council for the same unit" conflict "$r"
contains "the conflict names the existing council" hd-thpt-viet-bac "$(jget "$r" .error.message)"
r=$(call "" council.put '{"id":"hd-tinh-lang-son","name":"Hội đồng sáng kiến cấp tỉnh Lạng Sơn","scope":"province","unit":"so-gddt-lang-son","members":[{"user":"ha","role":"chair"}],"fields":["giáo dục"]}')
check "council.put a province council" "province|giáo dục" "$(jget "$r" '[.result.scope,(.result.fields|join(","))]|join("|")')"
r=$(call "$T_MAI" council.get '{"id":"hd-thpt-viet-bac"}')
check "council.get" "Hội đồng sáng kiến Trường THPT Việt Bắc 3" "$(jget "$r" '.result.name+" "+(.result.members|length|tostring)')"
r=$(call "$T_MAI" council.list)
check "council.list" "hd-thpt-viet-bac hd-tinh-lang-son" "$(jget "$r" '[.result.items[].id]|sort|join(" ")')"
is_err "council.get of a missing council" not_found "$(call "" council.get '{"id":"hd-khong-co"}')"

# --- Who am I --------------------------------------------------------------
r=$(call "" auth.whoami)
check "whoami: local-admin over ipc without a token" "local-admin|admin|true" \
	"$(jget "$r" '[.result.id,(.result.roles|join(",")),(.result.local|tostring)]|join("|")')"
r=$(call "$T_LAN" auth.whoami)
check "whoami: a council secretary" "lan|Nguyễn Thị Lan|thpt-viet-bac|author|hd-thpt-viet-bac:secretary:unit" \
	"$(jget "$r" '[.result.id,.result.name,.result.unit,(.result.roles|join(",")),([.result.councils[]|.id+":"+.role+":"+.scope]|join(","))]|join("|")')"

# --- server.status answers anyone -------------------------------------------
for who in mai thanh local-admin; do
	case $who in mai) t=$T_MAI ;; thanh) t=$T_THANH ;; *) t="" ;; esac
	r=$(call "$t" server.status)
	check "server.status answers $who" "true 0.1.0 12" \
		"$(jget "$r" '[(.ok|tostring), .result.version, (.result.cases|length|tostring)]|join(" ")')"
done

# --- Unauthorized ------------------------------------------------------------
r=$(nngcat --req --dial "$TCP" --raw --recv-timeout 10 --data '{"op":"auth.whoami"}')
is_err "tcp:// without a token" unauthorized "$r"
contains "unauthorized says how to get a token" token "$(jget "$r" .error.message)"
r=$(nngcat --req --dial "$TCP" --raw --recv-timeout 10 --data "{\"op\":\"auth.whoami\",\"token\":\"$T_TUAN\"}")
check "tcp:// with a token is that user" "tuan|false" "$(jget "$r" '[.result.id,(.result.local|tostring)]|join("|")')"
is_err "an unknown token" unauthorized "$(call sk_khong-phai-token-that auth.whoami)"

# --- The walk: draft -> submitted -> unit_review -> returned ----------------
SEC_PART='{"status_quo":"Học sinh lớp 10 gặp nhiều khó khăn khi học hình học không gian; tỷ lệ đạt yêu cầu chỉ 58%.","solution":"Sử dụng phần mềm GeoGebra 3D kết hợp phiếu học tập theo nhóm trong các tiết hình học."}'
SEC_REST='{"novelty":"Lần đầu áp dụng tại trường: mô hình trực quan kết hợp đánh giá thường xuyên.","applicability":"Áp dụng được cho các trường THPT trong tỉnh có phòng máy tính.","benefits":"Tỷ lệ học sinh đạt yêu cầu tăng từ 58% lên 81% sau một học kỳ.","conditions":"Phòng máy cài GeoGebra; giáo viên được tập huấn hai buổi.","trial_users":"Tổ Toán – Tin, sáu lớp khối 10, năm học 2024–2025."}'
SEC_ALL=$(jq -nc --argjson a "$SEC_PART" --argjson b "$SEC_REST" '$a + $b')
AUTHORS='[{"name":"Vi Thị Mai","user":"mai","share":60,"birth_date":"1985-04-12","workplace":"Cơ quan chủ trì","position":"Chuyên viên","qualification":"Đại học"},{"name":"Nông Văn Dũng","share":40,"birth_date":"1985-04-12","workplace":"Cơ quan chủ trì","position":"Chuyên viên","qualification":"Đại học"}]'
# first_applied dates within the rubric's filing window (not after today, at
# most 12 months before it), so that a complete application can be submitted.
FIRST=$(date -u -d '-2 months' +%F)
FIRST_B=$(date -u -d '-3 months' +%F)
FIRST_C=$(date -u -d '-4 months' +%F)
FIRST_D=$(date -u -d '-5 months' +%F)
FIRST_E=$(date -u -d '-6 months' +%F)

r=$(call "$T_MAI" case.create "$(jq -nc --argjson s "$SEC_PART" --argjson a "$AUTHORS" --arg d "$FIRST" \
	'{title:"Ứng dụng GeoGebra 3D trong dạy học hình học không gian lớp 10", field:"giáo dục",
	  sections:$s, authors:$a, first_applied:$d}')")
C1=$(jget "$r" .result.id)
check "case.create by an author: a draft in their unit" "draft|Bản nháp|1|thpt-viet-bac|thpt-viet-bac|$FIRST|giáo dục" \
	"$(jget "$r" '[.result.state,.result.state_label,(.result.version|tostring),.result.unit,.result.owner,.result.first_applied,.result.field]|join("|")')"
check "case.create keeps the authors and shares" "Vi Thị Mai:60,Nông Văn Dũng:40" \
	"$(jget "$r" '[.result.authors[]|.name+":"+(.share|tostring)]|join(",")')"
check "case ids are positive integers" true "$(jget "$r" '.result.id|type=="number" and .>0')"

r=$(call "$T_MAI" case.act "{\"id\":$C1,\"action\":\"submit\",\"declaration\":{\"not_against_public_order\":true,\"not_protected_ip\":true}}")
is_err "submit with missing sections" incomplete "$r"
# The rubric (rubrics/default.lua) names each missing section by its
# Vietnamese label and its key: Thiếu mục "Tính mới của giải pháp"
# (sections.novelty), ...; nothing else is wrong with this draft.
check "incomplete lists the missing sections, and only them" \
	"novelty applicability benefits conditions trial_users" \
	"$(jget "$r" '[.error.details.problems[]|(capture("sections\\.(?<s>[a-z_]+)").s // "other")]|join(" ")')"
check "incomplete names the sections by their Vietnamese labels" \
	"Tính mới của giải pháp|Khả năng áp dụng của giải pháp|Lợi ích thu được do áp dụng sáng kiến|Những điều kiện cần thiết để áp dụng sáng kiến|Những người đã tham gia áp dụng thử hoặc áp dụng lần đầu" \
	"$(jget "$r" '[.error.details.problems[]|capture("Thiếu mục \"(?<l>[^\"]+)\"").l]|join("|")')"

r=$(call "$T_MAI" case.update "{\"id\":$C1,\"version\":1,\"sections\":$SEC_REST}")
check "case.update by its author" "2|draft|7" \
	"$(jget "$r" '[(.result.version|tostring),.result.state,(.result.sections|length|tostring)]|join("|")')"
BEFORE=$(snap "$C1")
r=$(call "$T_MAI" case.update "{\"id\":$C1,\"version\":1,\"title\":\"Tiêu đề cũ\"}")
is_err "case.update with a stale version" conflict "$r"
check "the conflict tells the current version" 2 "$(jget "$r" .error.details.version)"
check "a stale update changes nothing" "$BEFORE" "$(snap "$C1")"

r=$(call "$T_MAI" case.act "{\"id\":$C1,\"action\":\"submit\",\"declaration\":{\"not_against_public_order\":true,\"not_protected_ip\":true},\"version\":2}")
check "the author submits" "submitted|Đã nộp, chờ tiếp nhận|3" \
	"$(jget "$r" '[.result.state,.result.state_label,(.result.version|tostring)]|join("|")')"
check "submitted_at is an RFC 3339 UTC time" true \
	"$(jget "$r" '.result.submitted_at|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")')"

BEFORE=$(snap "$C1")
r=$(call "$T_MAI" case.act "{\"id\":$C1,\"action\":\"submit\",\"declaration\":{\"not_against_public_order\":true,\"not_protected_ip\":true}}")
is_err "submit twice" invalid_transition "$r"
check "invalid_transition details" "submitted|draft,returned" \
	"$(jget "$r" '[.error.details.state,(.error.details.allowed|join(","))]|join("|")')"
r=$(call "$T_LAN" case.act "{\"id\":$C1,\"action\":\"accept\",\"version\":2}")
is_err "case.act with a stale version" conflict "$r"
r=$(call "$T_MAI" case.act "{\"id\":$C1,\"action\":\"accept\"}")
is_err "an author may not accept" forbidden "$r"
r=$(call "$T_BINH" case.act "{\"id\":$C1,\"action\":\"accept\"}")
is_err "a plain council member may not accept" forbidden "$r"
r=$(call "$T_MAI" case.update "{\"id\":$C1,\"title\":\"Sửa sau khi nộp\"}")
is_err "case.update of a submitted case" invalid_transition "$r"
check "update's invalid_transition details" "submitted|draft,returned" \
	"$(jget "$r" '[.error.details.state,(.error.details.allowed|join(","))]|join("|")')"
r=$(call "$T_LAN" case.act "{\"id\":$C1,\"action\":\"approve\"}")
is_err "an unknown action" bad_request "$r"
check "refused requests change nothing (version, history, last_seq)" "$BEFORE" "$(snap "$C1")"

r=$(call "$T_LAN" case.act "{\"id\":$C1,\"action\":\"accept\",\"version\":3}")
check "the council secretary accepts" "unit_review|Hội đồng sáng kiến cơ sở đang xét|4" \
	"$(jget "$r" '[.result.state,.result.state_label,(.result.version|tostring)]|join("|")')"
check "accept starts the review deadline" true "$(jget "$r" '.result.due_at|type=="string"')"
check "the case shows no internal fields" "false false false" \
	"$(jget "$r" '[(.result|has("author_users")),(.result|has("due_ts")),(.result|has("councils"))]|map(tostring)|join(" ")')"

BEFORE=$(snap "$C1")
r=$(call "$T_HUNG" case.act "{\"id\":$C1,\"action\":\"return\"}")
is_err "return without a note" bad_request "$r"
contains "the refusal asks for a note" note "$(jget "$r" .error.message)"
check "a refused return changes nothing" "$BEFORE" "$(snap "$C1")"
NOTE="Đề nghị bổ sung số liệu đối chứng của năm học 2023–2024 và ý kiến của tổ chuyên môn."
r=$(call "$T_HUNG" case.act "$(jq -nc --argjson id "$C1" --arg n "$NOTE" '{id:$id,action:"return",note:$n,version:4}')")
check "the council chair returns it with a note" "returned|Trả lại để bổ sung|5" \
	"$(jget "$r" '[.result.state,.result.state_label,(.result.version|tostring)]|join("|")')"
check "returned: no deadline" null "$(jget "$r" .result.due_at)"

r=$(call "$T_MAI" case.history "{\"id\":$C1}")
check "case.history: every step with its actor, oldest first" \
	"case.created:mai::: case.updated:mai::: case.transition:mai:submit:draft:submitted case.transition:lan:accept:submitted:unit_review case.transition:hung:return:unit_review:returned" \
	"$(jget "$r" '[.result.items[]|[.type,.actor,.action,.from,.to]|map(.//"")|join(":")]|join(" ")')"
check "case.history keeps the note" "$NOTE" "$(jget "$r" '.result.items[-1].note')"
check "case.history events are numbered and carry the case" true \
	"$(jget "$r" "[.result.items[]|.case==$C1 and (.seq|type==\"number\")]|all")"
r=$(call "" case.get "{\"id\":$C1}")
check "case.get after the walk" "returned 5" "$(jget "$r" '.result.state+" "+(.result.version|tostring)')"

# --- Forbidden ----------------------------------------------------------------
is_err "a viewer may not unit.put" forbidden \
	"$(call "$T_THANH" unit.put '{"id":"thpt-moi","name":"Trường THPT Mới"}')"
is_err "a viewer may not file a case" forbidden \
	"$(call "$T_THANH" case.create "$(jq -nc --argjson s "$SEC_ALL" '{title:"Sổ theo dõi",field:"giáo dục",sections:$s,authors:[{name:"Đinh Công Thành",share:100, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}],first_applied:"'"$FIRST_B"'",unit:"so-gddt-lang-son"}')")"
r=$(call "$T_TUAN" case.create "$(jq -nc --argjson s "$SEC_ALL" '{title:"Quy trình phân loại người bệnh tại khoa Cấp cứu",field:"y tế",sections:$s,authors:[{name:"Lê Minh Tuấn",user:"tuan",share:100, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}],first_applied:"'"$FIRST_C"'",unit:"thpt-viet-bac"}')")
is_err "an author may not file in another unit" forbidden "$r"
is_err "an author may not server.backup" forbidden "$(call "$T_MAI" server.backup "{\"path\":\"$T_DIR/khong\"}")"
is_err "an author may not read events" forbidden "$(call "$T_MAI" events.since '{"seq":1}')"

# Conflict of interest: the council secretary authors a case.
r=$(call "$T_LAN" case.create "$(jq -nc --argjson s "$SEC_ALL" '{title:"Xây dựng ngân hàng câu hỏi trắc nghiệm môn Ngữ văn",field:"giáo dục",sections:$s,authors:[{name:"Nguyễn Thị Lan",user:"lan",share:100, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}],first_applied:"'"$FIRST_D"'"}')")
C2=$(jget "$r" .result.id)
r=$(call "$T_LAN" case.act "{\"id\":$C2,\"action\":\"submit\",\"declaration\":{\"not_against_public_order\":true,\"not_protected_ip\":true}}")
check "the secretary submits her own case" submitted "$(jget "$r" .result.state)"
BEFORE=$(snap "$C2")
r=$(call "$T_LAN" case.act "{\"id\":$C2,\"action\":\"accept\"}")
is_err "a council officer may not accept a case they author" forbidden "$r"
contains "forbidden says conflict of interest" "conflict of interest" "$(jget "$r" .error.message)"
check "a refused accept changes nothing" "$BEFORE" "$(snap "$C2")"

# --- Not found -----------------------------------------------------------------
r=$(call "" case.get '{"id":999}')
is_err "case 999" not_found "$r"
is_err "case.history of case 999" not_found "$(call "" case.history '{"id":999}')"
is_err "case.act on case 999" not_found "$(call "" case.act '{"id":999,"action":"submit","declaration":{"not_against_public_order":true,"not_protected_ip":true}}')"
r=$(call "$T_TUAN" case.get "{\"id\":$C2}")
is_err "another unit's author gets not_found for a draft" not_found "$r"
check "not_found for the hidden case reads like a missing one" "no case $C2" "$(jget "$r" .error.message)"
check "case.list shows another unit's author nothing of ours" 0 \
	"$(jget "$(call "$T_TUAN" case.list)" '.result.items|length')"

# --- Confidential sections ---------------------------------------------------------
r=$(call "$T_MAI" case.create "$(jq -nc --argjson s "$SEC_ALL" '{title:"Phần mềm quản lý điểm rèn luyện học sinh",field:"giáo dục",sections:$s,authors:[{name:"Vi Thị Mai",user:"mai",share:100, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}],first_applied:"'"$FIRST_E"'",confidential:["solution","benefits"]}')")
C3=$(jget "$r" .result.id)
check "confidential is kept" "solution,benefits" "$(jget "$r" '.result.confidential|join(",")')"
r=$(call "$T_THANH" case.get "{\"id\":$C3}")
check "a viewer does not see confidential sections" "applicability,conditions,novelty,status_quo,trial_users" \
	"$(jget "$r" '.result.sections|keys|join(",")')"
for who in mai ha local; do
	case $who in mai) t=$T_MAI ;; ha) t=$T_HA ;; local) t="" ;; esac
	r=$(call "$t" case.get "{\"id\":$C3}")
	check "$who sees the confidential sections" "7 Sử dụng phần mềm GeoGebra 3D kết hợp phiếu học tập theo nhóm trong các tiết hình học." \
		"$(jget "$r" '(.result.sections|length|tostring)+" "+.result.sections.solution')"
done
r=$(call "$T_THANH" case.list)
check "a viewer lists every case" "$C1 $C2 $C3" "$(jget "$r" '[.result.items[].id]|map(tostring)|join(" ")')"

# --- Bad requests -------------------------------------------------------------
is_err "not JSON" bad_request "$(req 'đây không phải là JSON')"
is_err "JSON but not an object" bad_request "$(req '["server.status"]')"
r=$(req '{"op":"case.delete","args":{"id":1}}')
is_err "an unknown op" bad_request "$r"
contains "the unknown op is named" case.delete "$(jget "$r" .error.message)"
r=$(call "" case.get "{\"id\":$C1,\"tieu_de\":\"x\"}")
is_err "an unknown argument" bad_request "$r"
contains "the unknown argument is named" tieu_de "$(jget "$r" .error.message)"
r=$(req '{"op":"server.status","arg":{}}')
is_err "an unknown envelope field" bad_request "$r"
contains "the unknown field is named" '"arg"' "$(jget "$r" .error.message)"
is_err "op missing" bad_request "$(req '{"args":{}}')"
r=$(call "$T_MAI" case.update "{\"id\":$C1,\"title\":42}")
is_err "an ill-typed field (title: number)" bad_request "$r"
contains "the ill-typed field is named" title "$(jget "$r" .error.message)"
is_err "an ill-typed id (string)" bad_request "$(call "" case.get '{"id":"1"}')"
is_err "an ill-typed args (array)" bad_request "$(req '{"op":"case.get","args":[1]}')"
is_err "a case id of 0" bad_request "$(call "" case.get '{"id":0}')"
is_err "a negative case id" bad_request "$(call "" case.get '{"id":-3}')"
is_err "a bad unit id (spaces, capitals, diacritics)" bad_request \
	"$(call "" unit.put '{"id":"THPT Việt Bắc","name":"Trường THPT Việt Bắc"}')"
is_err "a bad user id" bad_request "$(call "" user.get '{"id":"-mai"}')"
for d in 2025-02-30 2025-13-01 05/09/2025 2025-9-5; do
	r=$(call "$T_MAI" case.update "$(jq -nc --argjson id "$C1" --arg d "$d" '{id:$id,first_applied:$d}')")
	is_err "a bad date $d" bad_request "$r"
done
contains "the bad date is named" first_applied "$(jget "$r" .error.message)"
printf '{"op":"unit.put","args":{"id":"thpt-loi","name":"Tr\xc6\xb0\xe1\xbb Vi\xff"}}' >"$T_DIR/bad-utf8.json"
r=$(reqf "$T_DIR/bad-utf8.json")
is_err "invalid UTF-8" bad_request "$r"
contains "invalid UTF-8 is named" UTF-8 "$(jget "$r" .error.message)"
is_err "the invalid UTF-8 unit was not stored" not_found "$(call "" unit.get '{"id":"thpt-loi"}')"
is_err "a role that does not exist" bad_request "$(put_user vu "Vũ" thpt-viet-bac '["chair"]')"
is_err "a council scope that does not exist" bad_request \
	"$(call "" council.put '{"id":"hd-x","name":"X","scope":"huyen","unit":"thpt-viet-bac","members":[{"user":"hung","role":"chair"}]}')"
is_err "case.list with an unknown state" bad_request "$(call "" case.list '{"state":"nhap"}')"

# --- Too large ----------------------------------------------------------------------
BEFORE=$(snap "$C1")
{
	printf '{"op":"case.update","args":{"id":%s,"owner":"' "$C1"
	head -c $((1024 * 1024 + 16)) /dev/zero | tr '\0' 'a'
	printf '"}}'
} >"$T_DIR/big.json"
r=$(reqf "$T_DIR/big.json")
is_err "a request over 1 MiB" too_large "$r"
T301=$(printf 'ễ%.0s' $(seq 1 301))
T300=${T301%ễ}
r=$(call "$T_MAI" case.update "$(jq -nc --argjson id "$C1" --arg t "$T301" '{id:$id,title:$t}')")
is_err "a title of 301 Vietnamese characters" too_large "$r"
contains "too_large names the field" title "$(jget "$r" .error.message)"
# ă is two bytes: 32769 of them are 65538 bytes, one past 64 KiB.
printf 'ă%.0s' $(seq 1 32769) >"$T_DIR/sec"
jq -nc --argjson id "$C1" --rawfile s "$T_DIR/sec" --arg t "$T_MAI" \
	'{op:"case.update",token:$t,args:{id:$id,sections:{benefits:$s}}}' >"$T_DIR/sec.json"
r=$(reqf "$T_DIR/sec.json")
is_err "a section over 64 KiB" too_large "$r"
contains "too_large names the section" benefits "$(jget "$r" .error.message)"
A21=$(jq -nc '[range(21)|{name:("Tác giả số "+tostring), share:5, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}]')
r=$(call "$T_MAI" case.update "$(jq -nc --argjson id "$C1" --argjson a "$A21" '{id:$id,authors:$a}')")
is_err "21 authors" too_large "$r"
check "refused too_large requests change nothing" "$BEFORE" "$(snap "$C1")"
# ... and just inside the limits is fine (characters are counted, not bytes).
r=$(call "$T_MAI" case.update "$(jq -nc --argjson id "$C1" --arg t "$T300" '{id:$id,title:$t}')")
check "a title of 300 Vietnamese characters (900 bytes) is fine" "true 300" \
	"$(jget "$r" '(.ok|tostring)+" "+(.result.title|length|tostring)')"
printf 'ă%.0s' $(seq 1 32768) >"$T_DIR/sec"
jq -nc --argjson id "$C1" --rawfile s "$T_DIR/sec" --arg t "$T_MAI" \
	'{op:"case.update",token:$t,args:{id:$id,sections:{benefits:$s}}}' >"$T_DIR/sec.json"
r=$(reqf "$T_DIR/sec.json")
check "a section of exactly 64 KiB is fine" "true 32768" \
	"$(jget "$r" '(.ok|tostring)+" "+(.result.sections.benefits|length|tostring)')"
A20=$(jq -nc '[range(20)|{name:("Tác giả số "+tostring), share:5, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}]')
r=$(call "$T_MAI" case.update "$(jq -nc --argjson id "$C1" --argjson a "$A20" '{id:$id,authors:$a}')")
check "20 authors are fine" "true 20" "$(jget "$r" '(.ok|tostring)+" "+(.result.authors|length|tostring)')"

# --- events.since, server.verify, server.backup ----------------------------------------
r=$(call "$T_THANH" events.since '{"seq":1,"limit":2}')
check "events.since pages" "1,2 3" "$(jget "$r" '([.result.items[].seq]|map(tostring)|join(","))+" "+(.result.next_seq|tostring)')"
is_err "events.since needs seq" bad_request "$(call "" events.since '{}')"
r=$(call "$T_THANH" server.verify)
check "server.verify (viewer)" "true 0 3" \
	"$(jget "$r" '[(.result.ok|tostring),(.result.problems|length|tostring),(.result.cases|tostring)]|join(" ")')"
LAST=$(jget "$(call "" server.status)" .result.last_seq)
check "server.verify counts every event" "$LAST" "$(jget "$r" .result.events)"
r=$(call "$T_HA" server.backup "{\"path\":\"$T_DIR/sao-luu\"}")
check "server.backup (admin with a token)" "$T_DIR/sao-luu true" \
	"$(jget "$r" '.result.path+" "+(.result.bytes>0|tostring)')"
check "the backup holds data.mdb" yes "$([ -s "$T_DIR/sao-luu/data.mdb" ] && echo yes || echo no)"
is_err "server.backup into a non-empty directory" conflict "$(call "" server.backup "{\"path\":\"$T_DIR/sao-luu\"}")"
is_err "server.backup to a relative path" bad_request "$(call "" server.backup '{"path":"sao-luu-2"}')"

# The backup is a database a server can open: same cases, verify ok.
"$SKD" --data "$T_DIR/sao-luu" --log-level warn >>"$T_DIR/backup.log" 2>&1 &
BK_PID=$!
BK_API="ipc://$T_DIR/sao-luu/api.ipc"
r=""
for _ in $(seq 1 100); do
	r=$(nngcat --req --dial "$BK_API" --raw --recv-timeout 5 --data '{"op":"server.verify"}' 2>/dev/null) && break
	sleep 0.05
done
check "a server opens the backup: verify ok, same cases" "true 3" \
	"$(jget "$r" '(.result.ok|tostring)+" "+(.result.cases|tostring)')"
r=$(nngcat --req --dial "$BK_API" --raw --recv-timeout 5 --data "{\"op\":\"case.get\",\"args\":{\"id\":$C1}}")
check "the backup has the returned case" "returned" "$(jget "$r" .result.state)"
kill -TERM "$BK_PID"
rc=0
wait "$BK_PID" || rc=$?
check "the backup's server exits 0 on SIGTERM" 0 "$rc"

r=$(call "" server.status)
check "server.status counts cases by state" "draft=1 submitted=1 returned=1" \
	"$(jget "$r" '.result.cases|"draft=\(.draft) submitted=\(.submitted) returned=\(.returned)"')"

stop_server
finish
