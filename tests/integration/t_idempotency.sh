#!/usr/bin/env bash
# t_idempotency.sh: a mutating request repeated with the same request_id by
# the same principal returns the first reply and changes nothing; another
# principal's request_id space is its own; reads with a request_id are
# answered afresh.  And the CLI's write whose connection is lost (the server
# restarts) is sent again and done once.
source "$(dirname "$0")/lib.sh"

status_field() { jget "$(call "" server.status)" "$1"; }

start_server

call "" unit.put '{"id":"bvdk-lang-son","name":"Bệnh viện Đa khoa tỉnh Lạng Sơn"}' >/dev/null
for u in "hoa|Nguyễn Thị Hoa" "quang|Đặng Văn Quang" "son|Lộc Văn Sơn"; do
	call "" user.put "$(jq -nc --arg i "${u%%|*}" --arg n "${u#*|}" \
		'{id:$i,name:$n,unit:"bvdk-lang-son",roles:["author"]}')" >/dev/null
done
call "" council.put '{"id":"hd-bvdk-lang-son","name":"Hội đồng sáng kiến Bệnh viện Đa khoa tỉnh Lạng Sơn","scope":"unit","unit":"bvdk-lang-son","members":[{"user":"quang","role":"chair"},{"user":"son","role":"secretary"}]}' >/dev/null
T_HOA=$(jget "$(call "" user.token '{"id":"hoa"}')" .result.token)
T_SON=$(jget "$(call "" user.token '{"id":"son"}')" .result.token)

# first_applied within the rubric's filing window, so that submit passes.
CASE=$(jq -nc --arg d "$(date -u -d '-2 months' +%F)" '{title:"Quy trình sàng lọc nguy cơ té ngã cho người bệnh cao tuổi nội trú",
	field:"y tế", first_applied:$d,
	authors:[{name:"Nguyễn Thị Hoa",user:"hoa",share:70, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"},{name:"Hoàng Thị Yến",share:30, birth_date: "1985-04-12", workplace: "Cơ quan chủ trì", position: "Chuyên viên", qualification: "Đại học"}],
	sections:{status_quo:"Năm 2024 khoa Nội ghi nhận 14 trường hợp người bệnh cao tuổi bị té ngã.",
	  solution:"Áp dụng thang điểm Morse khi nhập viện và đánh giá lại mỗi 48 giờ.",
	  novelty:"Lần đầu áp dụng có hệ thống tại bệnh viện, gắn với bảng màu nhận diện.",
	  applicability:"Áp dụng cho mọi khoa lâm sàng có người bệnh trên 65 tuổi.",
	  benefits:"Số ca té ngã giảm từ 14 xuống 3 trong sáu tháng.",
	  conditions:"Điều dưỡng được tập huấn về thang điểm Morse.",
	  trial_users:"Khoa Nội tổng hợp và khoa Lão khoa."}}')

# --- case.create, repeated -------------------------------------------------
SEQ0=$(status_field .result.last_seq)
R1=$(call "$T_HOA" case.create "$CASE" "tao-ho-so-hoa-0001")
ID=$(jget "$R1" .result.id)
check "the first create succeeds" "true draft" "$(jget "$R1" '(.ok|tostring)+" "+.result.state')"
sleep 1.1 # a second later: a re-executed create would show another created_at
R2=$(call "$T_HOA" case.create "$CASE" "tao-ho-so-hoa-0001")
check "the repeated create returns the identical reply" "$R1" "$R2"
check "... with the same id" "$ID" "$(jget "$R2" .result.id)"
check "one case only" 1 "$(status_field .result.cases.draft)"
check "one event only" $((SEQ0 + 1)) "$(status_field .result.last_seq)"
check "the case list holds one case" "$ID" \
	"$(jget "$(call "" case.list)" '[.result.items[].id]|map(tostring)|join(" ")')"

# The same request_id from another principal is another request.
R3=$(call "" case.create "$(jq -c '.unit="bvdk-lang-son"' <<<"$CASE")" "tao-ho-so-hoa-0001")
ID3=$(jget "$R3" .result.id)
check "another principal's same request_id creates its own case" "true $((ID + 1)) local-admin" \
	"$(jget "$R3" '(.ok|tostring)+" "+(.result.id|tostring)+" "+.result.created_by')"
check "two cases now" 2 "$(status_field .result.cases.draft)"
R4=$(call "" case.create "$(jq -c '.unit="bvdk-lang-son"' <<<"$CASE")" "tao-ho-so-hoa-0001")
check "... and its own repeat is idempotent too" "$R3" "$R4"
R5=$(call "$T_HOA" case.create "$CASE" "tao-ho-so-hoa-0002")
check "a new request_id is a new request" $((ID3 + 1)) "$(jget "$R5" .result.id)"
check "three cases" 3 "$(status_field .result.cases.draft)"

# Eight copies at once (as REQ resends can arrive while the first is in a
# batch): one case, eight identical replies.
BEFORE=$(status_field .result.cases.draft)
J=$(jq -nc --argjson a "$CASE" --arg t "$T_HOA" '{op:"case.create",args:$a,token:$t,request_id:"cung-luc-8"}')
export API J
seq 1 8 | xargs -P 8 -I{} bash -c 'nngcat --req --dial "$API" --raw --recv-timeout 10 --data "$J" >"'"$T_DIR"'/par.{}"; echo >>"'"$T_DIR"'/par.{}"'
check "eight concurrent copies: one distinct reply" 1 "$(cat "$T_DIR"/par.* | sort -u | wc -l)"
check "... which is a success" true "$(jget "$(cat "$T_DIR/par.1")" .ok)"
check "... and one case more" $((BEFORE + 1)) "$(status_field .result.cases.draft)"

# --- case.act, repeated --------------------------------------------------------
A1=$(call "$T_HOA" case.act "{\"id\":$ID,\"action\":\"submit\",\"declaration\":{\"not_against_public_order\":true,\"not_protected_ip\":true}}" "nop-ho-so-$ID")
check "submit" "submitted 2" "$(jget "$A1" '.result.state+" "+(.result.version|tostring)')"
A2=$(call "$T_HOA" case.act "{\"id\":$ID,\"action\":\"submit\",\"declaration\":{\"not_against_public_order\":true,\"not_protected_ip\":true}}" "nop-ho-so-$ID")
check "a repeated submit returns the first reply, not invalid_transition" "$A1" "$A2"
A3=$(call "$T_HOA" case.act "{\"id\":$ID,\"action\":\"submit\",\"declaration\":{\"not_against_public_order\":true,\"not_protected_ip\":true}}" "nop-ho-so-$ID-lan-2")
check "a submit with a fresh request_id is refused" "false invalid_transition" \
	"$(jget "$A3" '(.ok|tostring)+" "+.error.code')"
G=$(call "" case.get "{\"id\":$ID}")
check "the case moved once" "submitted 2" "$(jget "$G" '.result.state+" "+(.result.version|tostring)')"
H=$(call "" case.history "{\"id\":$ID}")
check "one submit in the history" 1 "$(jget "$H" '[.result.items[]|select(.action=="submit")]|length')"

# The secretary accepts; a resend of the accept after it is done is harmless.
B1=$(call "$T_SON" case.act "{\"id\":$ID,\"action\":\"accept\",\"version\":2}" "tiep-nhan-$ID")
B2=$(call "$T_SON" case.act "{\"id\":$ID,\"action\":\"accept\",\"version\":2}" "tiep-nhan-$ID")
check "a repeated accept (with a now stale version) gets the first reply" "$B1" "$B2"
check "... which was the accept" "true unit_review 3" \
	"$(jget "$B2" '(.ok|tostring)+" "+.result.state+" "+(.result.version|tostring)')"

# A refusal is a reply too: repeating it repeats the refusal, even when the
# request would now succeed.
E1=$(call "$T_HOA" case.update "{\"id\":$((ID + 2)),\"version\":7,\"owner\":\"Bệnh viện Đa khoa tỉnh Lạng Sơn\"}" "sua-chu-so-huu")
check "a stale update is refused" "false conflict" "$(jget "$E1" '(.ok|tostring)+" "+.error.code')"
E2=$(call "$T_HOA" case.update "{\"id\":$((ID + 2)),\"version\":1,\"owner\":\"Bệnh viện Đa khoa tỉnh Lạng Sơn\"}" "sua-chu-so-huu")
check "the same request_id gets the same refusal" "$E1" "$E2"
check "and nothing changed" 1 "$(jget "$(call "" case.get "{\"id\":$((ID + 2))}")" .result.version)"

# --- Reads with a request_id are answered afresh ------------------------------------
G1=$(call "$T_HOA" case.get "{\"id\":$ID}" "doc-ho-so")
check "a read with a request_id works" "true 3" "$(jget "$G1" '(.ok|tostring)+" "+(.result.version|tostring)')"
call "$T_SON" case.act "{\"id\":$ID,\"action\":\"return\",\"note\":\"Bổ sung bảng số liệu té ngã theo tháng.\"}" >/dev/null
G2=$(call "$T_HOA" case.get "{\"id\":$ID}" "doc-ho-so")
check "the same read request_id later sees the change (reads are not replayed)" "returned 4" \
	"$(jget "$G2" '.result.state+" "+(.result.version|tostring)')"
L=$(call "" case.list '{"limit":2}' "liet-ke")
check "case.list with a request_id" "2 2" "$(jget "$L" '(.result.items|length|tostring)+" "+(.result.next|tostring)')"

# --- request_id limits, and persistence across a restart ------------------------------
RID65=$(printf 'x%.0s' $(seq 1 65))
E=$(call "$T_HOA" case.create "$CASE" "$RID65")
check "a request_id over 64 bytes is refused" "false bad_request" "$(jget "$E" '(.ok|tostring)+" "+.error.code')"
E=$(req "{\"op\":\"server.status\",\"request_id\":42}")
check "a request_id must be a string" "false bad_request" "$(jget "$E" '(.ok|tostring)+" "+.error.code')"
RID64=$(printf 'y%.0s' $(seq 1 64))
C64=$(call "$T_HOA" case.create "$CASE" "$RID64")
check "a request_id of 64 bytes is fine" true "$(jget "$C64" .ok)"
N=$(status_field .result.cases.draft)

stop_server
start_server
R6=$(call "$T_HOA" case.create "$CASE" "tao-ho-so-hoa-0001")
check "after a restart the repeated create still returns the first reply" "$R1" "$R6"
R7=$(call "$T_HOA" case.create "$CASE" "$RID64")
check "... and so does the 64-byte one" "$C64" "$R7"
check "no case was added by the repeats" "$N" "$(status_field .result.cases.draft)"
V=$(call "" server.verify)
check "server.verify" "true 0" "$(jget "$V" '(.result.ok|tostring)+" "+(.result.problems|length|tostring)')"

# --- The CLI across a restart ---------------------------------------------------
# The server goes while a CLI write is in flight: nngcat stands in for a
# server that takes the request and stops without answering.  The CLI sends
# the write again, with the request_id it made up, to the server that comes
# back: the write is done once, and the CLI reports it.
N=$(status_field .result.cases.draft)
stop_server
rm -f "$DATA/api.ipc"
timeout 20 nngcat --rep --listen "$API" --raw --count 1 >"$T_DIR/lost.req" &
NC=$!
for _ in $(seq 1 100); do [ -S "$DATA/api.ipc" ] && break; sleep 0.05; done
(
	rc=0
	"$SKC" --server "$API" --token "$T_HOA" --timeout 20 --json \
		call case.create "$CASE" >"$T_DIR/lost.out" 2>"$T_DIR/lost.err" || rc=$?
	echo "$rc" >"$T_DIR/lost.rc"
) &
CLI=$!
wait_pid "$NC" 10 || fail "nngcat never got the CLI's request"
start_server
wait_pid "$CLI" 20 || fail "the CLI did not finish after the server came back"
check "the CLI's write, its connection lost, succeeds once the server is back" \
	0 "$(cat "$T_DIR/lost.rc" 2>/dev/null || echo none)"
LOST_ID=$(jq -r .id "$T_DIR/lost.out" 2>/dev/null || echo none)
check "... and files one case, the one it reports" "$((N + 1)) $LOST_ID" \
	"$(status_field .result.cases.draft) $(jget "$(call "" case.list '{"limit":500}')" '.result.items[-1].id')"
RID=$(jq -r .request_id "$T_DIR/lost.req" 2>/dev/null || echo none)
check "the CLI gave the write a request_id of its own" cli- "${RID:0:4}"
# Had the first attempt been done and only its reply lost, the same bytes
# again would get the same case, not a second one.
R=$(req "$(cat "$T_DIR/lost.req")")
check "the same request again gets the same case" "true $LOST_ID" \
	"$(jget "$R" '(.ok|tostring)+" "+(.result.id|tostring)')"
check "... and files nothing more" $((N + 1)) "$(status_field .result.cases.draft)"
if [ "$T_FAILED" != 0 ]; then
	sed 's/^/# /' "$T_DIR/lost.err" 2>/dev/null || true
fi

stop_server
finish
