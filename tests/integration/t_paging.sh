#!/usr/bin/env bash
# t_paging.sh: 1,000 cases filed by 8 parallel nngcat clients; case.list
# pages (limit 100, 37, 500) follow `next` until null and see each case
# exactly once, in ascending id order; the state, unit and author filters
# and the caller's visibility give the right counts; limit 501 is refused.
source "$(dirname "$0")/lib.sh"

# send_all FILE OUT: every line of FILE is one request; 8 nngcat clients at
# once; each reply a line of OUT.
send_all() {
	export API
	tr '\n' '\0' <"$1" | xargs -0 -P 8 -n 1 bash -c \
		'r=$(nngcat --req --dial "$API" --raw --recv-timeout 20 --data "$1"); printf "%s\n" "$r"' _ >"$2"
}

# list_all TOKEN ARGS LIMIT: every id case.list gives, page by page; also
# writes the page sizes to $T_DIR/pages.
list_all() {
	local after="" r next
	: >"$T_DIR/pages"
	while :; do
		r=$(call "$1" case.list "$(jq -nc --argjson a "$2" --argjson l "$3" --arg af "$after" \
			'$a + {limit:$l} + (if $af == "" then {} else {after:($af|tonumber)} end)')")
		[ "$(jget "$r" .ok)" = true ] || { echo "case.list failed: $r" >&2; return 1; }
		jget "$r" '.result.items[].id'
		jget "$r" '.result.items|length' >>"$T_DIR/pages"
		next=$(jget "$r" .result.next)
		[ "$next" = null ] && break
		after=$next
	done
}

start_server

call "" unit.put '{"id":"thpt-chu-van-an","name":"Trường THPT Chu Văn An, Lạng Sơn"}' >/dev/null
call "" unit.put '{"id":"thpt-luong-van-tri","name":"Trường THPT Lương Văn Tri"}' >/dev/null
for u in "ngoc|Lăng Thị Ngọc|thpt-chu-van-an" "phuong|Chu Thị Phương|thpt-chu-van-an" \
	"hai|Lường Văn Hải|thpt-luong-van-tri"; do
	IFS='|' read -r id name unit <<<"$u"
	call "" user.put "$(jq -nc --arg i "$id" --arg n "$name" --arg u "$unit" \
		'{id:$i,name:$n,unit:$u,roles:["author"]}')" >/dev/null
done
declare -A TOK
for u in ngoc phuong hai; do
	TOK[$u]=$(jget "$(call "" user.token "{\"id\":\"$u\"}")" .result.token)
done

# 1,000 creates: ngoc 350, phuong 250 (Chu Văn An), hai 400 (Lương Văn Tri).
# first_applied within the rubric's filing window, so that submit passes.
FIRST=$(date -u -d '-2 months' +%F)
T0=$(date +%s)
for spec in ngoc:350:Ngọc phuong:250:Phương hai:400:Hải; do
	IFS=: read -r u n who <<<"$spec"
	jq -nc --arg t "${TOK[$u]}" --arg who "$who" --arg d "$FIRST" --argjson n "$n" '
	  range($n) as $i | {op:"case.create", token:$t, args:{
	    title:("Sáng kiến số \($i + 1) của cô/thầy \($who): đổi mới phương pháp dạy học"),
	    field:"giáo dục", first_applied:$d,
	    authors:[{name:$who, share:100, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}],
	    sections:{status_quo:"Học sinh thụ động trong giờ học.", solution:"Dạy học theo dự án.",
	      novelty:"Mới tại trường.", applicability:"Toàn trường.", benefits:"Điểm trung bình tăng 0,8.",
	      conditions:"Máy chiếu.", trial_users:"Khối 11."}}}'
done >"$T_DIR/creates"
send_all "$T_DIR/creates" "$T_DIR/created"
check "1,000 creates answered ok" 1000 "$(jq -s '[.[]|select(.ok)]|length' "$T_DIR/created")"
check "1,000 distinct ids, 1..1000" "1000 1 1000" \
	"$(jq -s '[.[].result.id]|unique|"\(length) \(min) \(max)"' -r "$T_DIR/created")"
echo "# 1,000 creates took $(($(date +%s) - T0)) s"

# Move some: ngoc submits 120 of hers, hai withdraws 30 of his.
jq -r 'select(.result.created_by=="ngoc")|.result.id' "$T_DIR/created" | sort -n | head -120 >"$T_DIR/ngoc120"
jq -r 'select(.result.created_by=="hai")|.result.id' "$T_DIR/created" | sort -n | tail -30 >"$T_DIR/hai30"
{
	jq -c --arg t "${TOK[ngoc]}" '{op:"case.act",token:$t,args:{id:.,action:"submit",declaration:{not_against_public_order:true,not_protected_ip:true}}}' "$T_DIR/ngoc120"
	jq -c --arg t "${TOK[hai]}" '{op:"case.act",token:$t,args:{id:.,action:"withdraw"}}' "$T_DIR/hai30"
} >"$T_DIR/acts"
send_all "$T_DIR/acts" "$T_DIR/acted"
check "150 transitions answered ok" 150 "$(jq -s '[.[]|select(.ok)]|length' "$T_DIR/acted")"

# Page through everything.
for lim in 100 37 500; do
	list_all "" '{}' "$lim" >"$T_DIR/ids.$lim"
	check "limit $lim: 1,000 ids" 1000 "$(wc -l <"$T_DIR/ids.$lim")"
	check "limit $lim: all distinct" 1000 "$(sort -u "$T_DIR/ids.$lim" | wc -l)"
	check "limit $lim: ascending, none missing" "$(seq 1 1000 | md5sum)" "$(md5sum <"$T_DIR/ids.$lim")"
	pages=$(( (1000 + lim - 1) / lim ))
	full=$(( 1000 / lim ))
	check "limit $lim: $pages pages, each full but the last" \
		"$pages $full" "$(wc -l <"$T_DIR/pages" | tr -d ' ') $(grep -cx "$lim" "$T_DIR/pages")"
done

# Filters, each paged with limit 100 (counts over 500 need several pages).
count() { list_all "$1" "$2" 100 | sort -u | wc -l | tr -d ' '; }
check "state draft" 850 "$(count "" '{"state":"draft"}')"
check "state submitted" 120 "$(count "" '{"state":"submitted"}')"
check "state withdrawn" 30 "$(count "" '{"state":"withdrawn"}')"
check "unit thpt-chu-van-an" 600 "$(count "" '{"unit":"thpt-chu-van-an"}')"
check "unit thpt-luong-van-tri" 400 "$(count "" '{"unit":"thpt-luong-van-tri"}')"
check "author ngoc" 350 "$(count "" '{"author":"ngoc"}')"
check "author phuong" 250 "$(count "" '{"author":"phuong"}')"
check "author hai" 400 "$(count "" '{"author":"hai"}')"
check "author ngoc, state submitted: exactly the ones she submitted" "$(md5sum <"$T_DIR/ngoc120")" \
	"$(list_all "" '{"author":"ngoc","state":"submitted"}' 37 | md5sum)"
check "unit thpt-luong-van-tri, state withdrawn: exactly the withdrawn" "$(md5sum <"$T_DIR/hai30")" \
	"$(list_all "" '{"unit":"thpt-luong-van-tri","state":"withdrawn"}' 7 | md5sum)"
check "unit thpt-chu-van-an, state withdrawn: none" 0 "$(count "" '{"unit":"thpt-chu-van-an","state":"withdrawn"}')"
check "an empty filter result has next null" "0 null" \
	"$(jget "$(call "" case.list '{"author":"khong-ai"}')" '(.result.items|length|tostring)+" "+(.result.next|tostring)')"

# What the caller may see: an author sees only their own cases.
check "hai pages through his own 400 cases only" 400 "$(count "${TOK[hai]}" '{}')"
check "phuong sees none of hai's" 0 "$(count "${TOK[phuong]}" '{"unit":"thpt-luong-van-tri"}')"

# Items carry what PROTOCOL.md says.
r=$(call "" case.list '{"state":"submitted","limit":1}')
check "list items carry id, unit, title, state, updated_at, due_at" \
	"due_at id state title unit updated_at" \
	"$(jget "$r" '.result.items[0]|keys-["state_label"]|join(" ")')"
r=$(call "" case.list)
check "default limit is 50" "50 50" "$(jget "$r" '(.result.items|length|tostring)+" "+(.result.next|tostring)')"

for bad in '{"limit":501}' '{"limit":0}' '{"limit":-1}' '{"after":-5}' '{"limit":"100"}'; do
	check "case.list $bad is bad_request" "false bad_request" \
		"$(jget "$(call "" case.list "$bad")" '(.ok|tostring)+" "+.error.code')"
done
r=$(call "" case.list '{"limit":500}')
check "limit 500 is fine" "500 500" "$(jget "$r" '(.result.items|length|tostring)+" "+(.result.next|tostring)')"

V=$(call "" server.verify)
check "server.verify" "true 0 1000" \
	"$(jget "$V" '[(.result.ok|tostring),(.result.problems|length|tostring),(.result.cases|tostring)]|join(" ")')"

stop_server
finish
