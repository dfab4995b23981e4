#!/usr/bin/env bash
# t_subunits.sh: case.list with `unit` and `subunits: true` lists the cases
# of the unit and of every unit below it (children and grandchildren, not
# siblings or other trees), in id order, paged by `after`/`next`; without
# `subunits` only the unit's own; the caller still sees only what they may
# see; the other filters still apply; a non-boolean `subunits` is refused.
source "$(dirname "$0")/lib.sh"

start_server

# so-gddt > thpt-a > to-toan; so-gddt > thpt-b; ubnd stands apart.
call "" unit.put '{"id":"so-gddt","name":"Sở Giáo dục và Đào tạo"}' >/dev/null
call "" unit.put '{"id":"thpt-a","name":"Trường THPT A","parent":"so-gddt"}' >/dev/null
call "" unit.put '{"id":"to-toan","name":"Tổ Toán, THPT A","parent":"thpt-a"}' >/dev/null
call "" unit.put '{"id":"thpt-b","name":"Trường THPT B","parent":"so-gddt"}' >/dev/null
call "" unit.put '{"id":"ubnd","name":"Ủy ban nhân dân tỉnh"}' >/dev/null
declare -A TOK
for u in so:so-gddt a:thpt-a toan:to-toan b:thpt-b ub:ubnd; do
	IFS=: read -r id unit <<<"$u"
	call "" user.put "$(jq -nc --arg i "$id" --arg u "$unit" \
		'{id:$i,name:"Tác giả \($i)",unit:$u,roles:["author"]}')" >/dev/null
	TOK[$id]=$(jget "$(call "" user.token "{\"id\":\"$id\"}")" .result.token)
done

# Cases interleaved across the units, so that id order mixes them:
# ids 1..10 go to so, a, toan, b, ub, so, a, toan, b, ub.
FIRST=$(date -u -d '-2 months' +%F)
for round in 1 2; do
	for u in so a toan b ub; do
		r=$(call "${TOK[$u]}" case.create "$(jq -nc --arg d "$FIRST" --arg u "$u" '{
		  title:"Sáng kiến của \($u)", field:"giáo dục", first_applied:$d,
		  authors:[{name:"Tác giả \($u)", user:$u, share:100, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}],
		  sections:{status_quo:"Hiện trạng.", solution:"Giải pháp.",
		    novelty:"Mới.", applicability:"Áp dụng.", benefits:"Lợi ích.",
		    conditions:"Điều kiện.", trial_users:"Người áp dụng."}}')")
		[ "$(jget "$r" .ok)" = true ] || fail "create for $u: $r"
	done
done
call "${TOK[a]}" case.act '{"id":2,"action":"submit","declaration":{"not_against_public_order":true,"not_protected_ip":true}}' >/dev/null

# ids ARGS [TOKEN]: the ids of one case.list page, on one line.
ids() {
	jget "$(call "${2:-}" case.list "$1")" '[.result.items[].id]|map(tostring)|join(" ")'
}

check "subunits: the unit and every unit below it, in id order" \
	"1 2 3 4 6 7 8 9" "$(ids '{"unit":"so-gddt","subunits":true}')"
check "without subunits: the unit's own cases" \
	"1 6" "$(ids '{"unit":"so-gddt"}')"
check "subunits false: the unit's own cases" \
	"1 6" "$(ids '{"unit":"so-gddt","subunits":false}')"
check "subunits of a middle unit: it and its child, not its sibling" \
	"2 3 7 8" "$(ids '{"unit":"thpt-a","subunits":true}')"
check "subunits of a leaf: the leaf alone" \
	"3 8" "$(ids '{"unit":"to-toan","subunits":true}')"
check "subunits of an unknown unit: nothing" \
	"" "$(ids '{"unit":"khong-co","subunits":true}')"

# Paging by three: the same eight ids, each once, and next null at the end.
after="" got=""
for _ in 1 2 3 4; do
	r=$(call "" case.list "$(jq -nc --arg af "$after" '{unit:"so-gddt",subunits:true,limit:3}
		+ (if $af == "" then {} else {after:($af|tonumber)} end)')")
	got="$got $(jget "$r" '[.result.items[].id]|map(tostring)|join(" ")')"
	after=$(jget "$r" .result.next)
	[ "$after" = null ] && break
done
check "paging by three follows next to the end" " 1 2 3 4 6 7 8 9" "$got"
check "the last page says next null" null "$after"
r=$(call "" case.list '{"unit":"so-gddt","subunits":true,"limit":3,"after":4}')
check "after 4: the next three, next 8" "6 7 8 8" \
	"$(jget "$r" '[.result.items[].id]|map(tostring)|join(" ")') $(jget "$r" .result.next)"

check "with state: only the submitted case below" \
	"2" "$(ids '{"unit":"so-gddt","subunits":true,"state":"submitted"}')"
check "with author: only that author's cases below" \
	"3 8" "$(ids '{"unit":"so-gddt","subunits":true,"author":"toan"}')"
check "with author outside the tree: nothing" \
	"" "$(ids '{"unit":"so-gddt","subunits":true,"author":"ub"}')"

# Access rules unchanged: an author sees only their own drafts.
check "an author sees only their own cases below" \
	"3 8" "$(ids '{"unit":"so-gddt","subunits":true}' "${TOK[toan]}")"

expect_error "subunits must be a boolean" bad_request \
	'{"op":"case.list","args":{"unit":"so-gddt","subunits":"yes"}}'

stop_server
finish
