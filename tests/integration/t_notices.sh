#!/usr/bin/env bash
# t_notices.sh: who is told what, by mail and in the application (issue
# 18).  sangkiend sends to a real SMTP server on 127.0.0.1 (Debian's
# python3-aiosmtpd, tests/integration/smtp_sink.py), which keeps each
# message; the test decodes them (RFC 2047 subject, UTF-8 text/plain body)
# and checks that each event of the procedure gives exactly one mail to
# each right person with the right Vietnamese subject; that notify "off"
# stops the mail and "daily" gathers it into one digest; that a kill -9
# between the commit and the delivery still delivers the mail once, and a
# restart after it does not send it again; and that a mail server that
# never answers delays the mail but not the API.

source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

PY=/usr/bin/python3 # Debian's, which has python3-aiosmtpd
SINK_PY="$SK_SRC/tests/integration/smtp_sink.py"
MAIL="$T_DIR/mail"
SINK_PID=""
DAY=86400
mkdir -p "$MAIL"

# start_sink: the mail server, on a free port ($SMTP_PORT).
start_sink() {
	SMTP_PORT=$(free_port)
	: >"$T_DIR/sink.log"
	"$PY" "$SINK_PY" serve "$SMTP_PORT" "$MAIL" >>"$T_DIR/sink.log" 2>&1 &
	SINK_PID=$!
	if ! wait_for_text "$T_DIR/sink.log" ready 20; then
		echo "the SMTP sink did not start:" >&2
		cat "$T_DIR/sink.log" >&2
		exit 1
	fi
}
stop_sink() {
	kill "$SINK_PID" 2>/dev/null || true
	wait "$SINK_PID" 2>/dev/null || true
	SINK_PID=""
}
start_mailing() { # [SMTP URL]: sangkiend sending through it
	start_server --test-clock --smtp "${1:-smtp://127.0.0.1:$SMTP_PORT}" \
		--mail-from "Sáng kiến Lạng Sơn <sangkien@example.invalid>" \
		--public-url https://sangkien.example.invalid/
}
mail_count() { find "$MAIL" -name '*.eml' | wc -l; }
# new_mails: the messages kept since mark_mail, one JSON line each.
mark_mail() { MARK=$(mail_count); }
new_mails() { "$PY" "$SINK_PY" list "$MAIL" | tail -n "+$((MARK + 1))"; }
# expect_mails NAME N: waits for N new messages, then a little longer
# (none more may come), and says whether exactly N came.
expect_mails() {
	local want=$((MARK + $2))
	for _ in $(seq 1 300); do
		[ "$(mail_count)" -ge "$want" ] && break
		sleep 0.1
	done
	sleep 1.5
	check "$1: $2 mail(s)" "$want" "$(mail_count)"
}
# rcpts [SUBJECT]: the new messages' recipients (with SUBJECT), sorted.
rcpts() {
	new_mails | jq -r --arg s "${1:-}" 'select($s == "" or .subject == $s) | .to' |
		sort | paste -sd, -
}
subjects() { new_mails | jq -r .subject | sort -u | paste -sd '|' -; }
# last_error CASE N: waits (10 s at most) until a queued mail of CASE has
# been tried N times; prints its last error.
last_error() {
	local err=""
	for _ in $(seq 1 100); do
		err=$(sk --json call notice.outbox '{"state":"queued"}' |
			jq -r --argjson c "$1" --argjson n "$2" \
				'[.items[] | select(.case == $c and .attempts >= $n)][0].error // ""')
		[ -n "$err" ] && break
		sleep 0.1
	done
	printf '%s' "$err"
}

start_sink
start_mailing

# --- A district, its people, its council. --------------------------------

sk unit put ubnd-ba-be --name "UBND huyện Ba Bể" >/dev/null
while IFS='|' read -r id name roles; do
	sk call user.put "$(jq -nc --arg id "$id" --arg n "$name" --arg r "$roles" \
		'{id: $id, name: $n, unit: "ubnd-ba-be",
		  roles: ($r | split(",") | map(select(. != ""))),
		  email: ($id + "@example.invalid")}')" >/dev/null
done <<'EOF2'
hoang.thi.nhung|Hoàng Thị Nhung|author
ma.van.cuong|Ma Văn Cường|
ly.thi.dao|Lý Thị Đào|
nong.van.hieu|Nông Văn Hiếu|
quan.tri|Quản Trị Tỉnh|admin
trieu.van.truong|Triệu Văn Trường|head
EOF2
sk council put hd-ba-be --name "Hội đồng sáng kiến huyện Ba Bể" --scope unit \
	--unit ubnd-ba-be --member ma.van.cuong:chair --member ly.thi.dao:secretary \
	--member nong.van.hieu:member >/dev/null
AUTHOR=$(sk token hoang.thi.nhung 2>/dev/null)
CHAIR=$(sk token ma.van.cuong 2>/dev/null)
SEC=$(sk token ly.thi.dao 2>/dev/null)
MEM=$(sk token nong.van.hieu 2>/dev/null)
A_M=hoang.thi.nhung@example.invalid
C_M=ma.van.cuong@example.invalid
S_M=ly.thi.dao@example.invalid
M_M=nong.van.hieu@example.invalid
Q_M=quan.tri@example.invalid
H_M=trieu.van.truong@example.invalid

check "user.get shows the e-mail and notify" "$A_M now" \
	"$(sk --json user get hoang.thi.nhung | jq -r '"\(.email) \(.notify)"')"
check "user.put without email keeps it" "$A_M" \
	"$(sk user put hoang.thi.nhung --name "Hoàng Thị Nhung" --unit ubnd-ba-be \
		--roles author >/dev/null && sk --json user get hoang.thi.nhung | jq -r .email)"

FIRST=$(date -u -d '30 days ago' +%F)
new_case() { # TITLE: files a draft; prints its id
	jq -n --arg t "$1" --arg d "$FIRST" '{title: $t,
		field: "Cải cách hành chính", first_applied: $d,
		authors: [{name: "Hoàng Thị Nhung", user: "hoang.thi.nhung", share: 100,
			birth_date: "1985-04-12", workplace: "UBND huyện Ba Bể",
			position: "Chuyên viên", qualification: "Đại học"}],
		sections: {status_quo: "Người dân phải đi lại nhiều lần.",
		solution: "Tiếp nhận hồ sơ qua mạng.", novelty: "Lần đầu áp dụng.",
		applicability: "Các xã trong huyện.", benefits: "Giảm 2 lần đi lại.",
		conditions: "Điện thoại thông minh.", trial_users: "Bộ phận một cửa."}}' \
		>"$T_DIR/case.json"
	sk --token "$AUTHOR" --json create "$T_DIR/case.json" | jq -r .id
}

# --- Arrival: the secretary and the chair. --------------------------------

TITLE="Tiếp nhận hồ sơ đăng ký hộ kinh doanh qua Zalo"
A=$(new_case "$TITLE")
mark_mail
sk --token "$AUTHOR" act "$A" submit --declare >/dev/null
expect_mails "submit" 2
check "submit: the chair and the secretary" "$S_M,$C_M" "$(rcpts)"
check "submit: the subject, in Vietnamese" "Hồ sơ sáng kiến mới số $A: $TITLE" "$(subjects)"
new_mails | head -1 >"$T_DIR/one.json"
check "the mail is text/plain; charset=UTF-8" "text/plain utf-8" \
	"$(jq -r '"\(.content_type) \(.charset)"' "$T_DIR/one.json")"
check "the subject is RFC 2047 encoded" "=?UTF-8?B?" \
	"$(jq -r '.raw_subject[0:10]' "$T_DIR/one.json")"
check "the body names the unit and links to the case's page" "yes yes" \
	"$(jq -r --arg u "https://sangkien.example.invalid/#/case/$A" \
		'"\(.body | contains("UBND huyện Ba Bể") | if . then "yes" else "no" end) \(.body | contains($u) | if . then "yes" else "no" end)"' "$T_DIR/one.json")"
check "the sender is --mail-from, its name encoded" "Sáng kiến Lạng Sơn <sangkien@example.invalid>" \
	"$(jq -r .from "$T_DIR/one.json")"

# --- Returned, with the note: the author. ---------------------------------

mark_mail
sk --token "$SEC" act "$A" return --note "Thiếu số liệu sáu tháng" >/dev/null
expect_mails "return" 1
check "return: the author" "$A_M" "$(rcpts)"
check "return: the subject" "Hồ sơ sáng kiến số $A bị trả lại để bổ sung" "$(subjects)"
check "return: the note is in the body" 1 \
	"$(new_mails | jq -r .body | grep -c 'Ghi chú: Thiếu số liệu sáu tháng')"

# A change that fails leaves no notice and no mail.
NOTICES=$(sk --json call notice.outbox | jq '[.counts[]] | add')
mark_mail
check "an act on a stale version fails" 1 \
	"$(status_of sk --token "$AUTHOR" act "$A" submit --declare --version 1 2>/dev/null)"
check "a failed act records no notice" "$NOTICES" \
	"$(sk --json call notice.outbox | jq '[.counts[]] | add')"

mark_mail
sk --token "$AUTHOR" act "$A" submit --declare >/dev/null
expect_mails "resubmit" 2

# --- Accepted: the author; the review starts: the members. ----------------

mark_mail
sk --token "$SEC" act "$A" accept >/dev/null
expect_mails "accept" 3
check "accept: the author is told" "$A_M" "$(rcpts "Hồ sơ sáng kiến số $A đã được tiếp nhận")"
check "accept: the members but the secretary who accepted" "$C_M,$M_M" \
	"$(rcpts "Mời xét sáng kiến số $A: $TITLE")"

# --- Before the deadline: the members; after it: the chair and admins. ----

mark_mail
sk call server.clock "{\"advance_s\":$((77 * DAY))}" >/dev/null
expect_mails "due_soon" 3
check "due_soon: every member" "$S_M,$C_M,$M_M" "$(rcpts "Sắp đến hạn xét sáng kiến số $A")"
mark_mail
sk call server.clock "{\"advance_s\":$((14 * DAY))}" >/dev/null
expect_mails "overdue" 2
check "overdue: the chair and the province's admins" "$C_M,$Q_M" \
	"$(rcpts "Quá hạn xét sáng kiến số $A")"

# --- Decided: the author; the head of the unit, who must now decide. -------

for t in "$CHAIR" "$SEC" "$MEM"; do
	sk --token "$t" score "$A" novelty=22 applicability=22 benefit=30 >/dev/null
done
mark_mail
sk --token "$CHAIR" decide "$A" >/dev/null
LABEL=$(sk --json show "$A" | jq -r .state_label)
expect_mails "decide" 2
check "decide: the author, with the outcome" "$A_M" \
	"$(rcpts "Kết quả xét sáng kiến số $A: $LABEL")"
check "decide: the head of the unit, asked to decide" "$H_M" \
	"$(rcpts "Chờ quyết định công nhận sáng kiến số $A: $TITLE")"

# --- In the application. ---------------------------------------------------

LIST=$(sk --token "$AUTHOR" --json call notice.list)
check "the author's list: returned, accepted, decided, newest first" \
	"decided accepted returned" "$(jget "$LIST" '[.items[].kind] | join(" ")')"
check "all three unread" 3 "$(jget "$LIST" .unread)"
FIRST_ID=$(jget "$LIST" '.items[0].id')
check "notice.read marks one" 2 \
	"$(sk --token "$AUTHOR" --json call notice.read "{\"id\":$FIRST_ID}" | jq .unread)"
check "notice.list unread:true leaves it out" 2 \
	"$(sk --token "$AUTHOR" --json call notice.list '{"unread":true}' | jq '.items | length')"
check "nobody reads another's notice" not_found \
	"$(call "$MEM" notice.read "{\"id\":$FIRST_ID}" | jq -r .error.code)"
check "notice.read all" 0 \
	"$(sk --token "$AUTHOR" --json call notice.read '{"all":true}' | jq .unread)"

# --- Settings: off stops the mail, daily gathers it. -----------------------

check "a bad address is refused" bad_request \
	"$(call "$MEM" user.settings '{"email":"nong van hieu@example"}' | jq -r .error.code)"
check "a bad mode is refused" bad_request \
	"$(call "$MEM" user.settings '{"notify":"hourly"}' | jq -r .error.code)"
check "and nothing changed" "$M_M now" \
	"$(sk --json user get nong.van.hieu | jq -r '"\(.email) \(.notify)"')"
check "a member turns mail off" off \
	"$(call "$MEM" user.settings '{"notify":"off"}' | jq -r .result.notify)"
check "the chair chooses the daily digest" daily \
	"$(call "$CHAIR" user.settings '{"notify":"daily"}' | jq -r .result.notify)"

B=$(new_case "Số hóa sổ hộ tịch tại UBND xã Nam Mẫu")
mark_mail
sk --token "$AUTHOR" act "$B" submit --declare >/dev/null
sk --token "$SEC" act "$B" accept >/dev/null
# submit: the secretary (the chair is daily); accept: the author (the
# member is off, the chair daily).
expect_mails "with off and daily" 2
check "only the secretary and the author get mail now" "$A_M,$S_M" "$(rcpts)"
check "off still lists the notice in the application" review_started \
	"$(sk --token "$MEM" --json call notice.list '{"limit":1}' | jq -r '.items[0].kind')"
mark_mail
sk call server.clock "{\"advance_s\":$DAY}" >/dev/null
expect_mails "the daily digest" 1
check "the digest goes to the chair" "$C_M" "$(rcpts)"
# Dated as in Vietnam (UTC+7), with the number of notices in it.
NOW=$(sk --json call server.clock '{"advance_s":1}' | jq -r .now)
check "the digest's subject" "Tóm tắt thông báo ngày $(date -u -d "$NOW 7 hours" +%d/%m/%Y) (2)" \
	"$(subjects)"
check "the digest lists both of the day's notices" "2" \
	"$(new_mails | jq -r .body | grep -c "số $B: ")"

# --- The outbox, and a resend. ---------------------------------------------

OUT=$(sk --json call notice.outbox)
check "the outbox: nothing failed, nothing waiting" "0 0" \
	"$(jget "$OUT" '"\(.counts.failed // 0) \(.counts.queued // 0)"')"
SENT_ID=$(jget "$OUT" '[.items[] | select(.mail == "sent" and .user == "hoang.thi.nhung")][0].id')
OLD_MID=$(jget "$OUT" "[.items[] | select(.id == $SENT_ID)][0].message_id")
mark_mail
check "notice.resend queues it again" queued \
	"$(sk --json call notice.resend "{\"id\":$SENT_ID}" | jq -r .mail)"
expect_mails "resend" 1
check "the resent mail is a new message" "$A_M new" \
	"$(new_mails | jq -r --arg m "$OLD_MID" '"\(.to) \(if .message_id == $m then "same" else "new" end)"')"
check "sangkien notices --state sent lists it" 1 \
	"$(sk notices --state sent | grep -c "^$SENT_ID .*đã gửi")"
check "sangkien settings sets one's own address" "nhung@example.invalid" \
	"$(sk --token "$AUTHOR" --json settings --email nhung@example.invalid | jq -r .email)"
check "sangkien inbox shows one's notices" 1 \
	"$(sk --token "$AUTHOR" inbox | grep -c "bị trả lại để bổ sung")"
sk --token "$AUTHOR" settings --email "$A_M" >/dev/null
check "notice.resend is for admins" forbidden \
	"$(call "$SEC" notice.resend "{\"id\":$SENT_ID}" | jq -r .error.code)"

# --- kill -9 between the commit and the delivery. --------------------------

kill_server
stop_sink
DEAD=$(free_port) # nobody listens: every try fails, the mail waits
start_mailing "smtp://127.0.0.1:$DEAD"
C=$(new_case "Bản đồ số điểm du lịch cộng đồng hồ Ba Bể")
sk --token "$AUTHOR" act "$C" submit --declare >/dev/null
sk --token "$SEC" act "$C" return --note "Bổ sung bản đồ" >/dev/null
for _ in $(seq 1 100); do
	[ "$(sk --json call notice.outbox '{"state":"queued"}' |
		jq '[.items[] | select(.attempts >= 1)] | length')" -ge 1 ] && break
	sleep 0.1
done
RET_ID=$(sk --json call notice.outbox '{"state":"queued"}' |
	jq -r --argjson c "$C" '[.items[] | select(.case == $c and .kind == "returned")][0].id')
# The secretary's notice of the arrival waits too (the chair's is daily).
QUEUED=$(sk --json call notice.outbox '{"state":"queued"}' | jq -r '[.items[].id] | sort | join(",")')
check "the return's mail is queued after a failed try" "queued" \
	"$(sk --json call notice.outbox | jq -r --argjson i "$RET_ID" '.items[] | select(.id == $i) | .mail')"
kill_server
mark_mail
start_sink
start_mailing
expect_mails "after kill -9, the waiting mail" 2
check "each waiting notice is mailed once" "$QUEUED" "$(new_mails | jq -r .notice | sort -n | paste -sd, -)"
check "the return's is among them" 1 "$(new_mails | jq -r .notice | grep -cx "$RET_ID")"
# The sent mark was committed with the delivery: a crash now resends nothing.
kill_server
mark_mail
start_mailing
sleep 3
check "a restart after the delivery sends nothing again" 0 "$(new_mails | wc -l)"

# --- A mail server that never answers: mail waits, the API does not. -------

stop_server
STALL=$(free_port)
"$PY" "$SINK_PY" stall "$STALL" >"$T_DIR/stall.log" 2>&1 &
STALL_PID=$!
wait_for_text "$T_DIR/stall.log" ready 20
start_mailing "smtp://127.0.0.1:$STALL"
D=$(new_case "Phần mềm quản lý văn bản đến")
sk --token "$AUTHOR" act "$D" submit --declare >/dev/null
sleep 1 # the sender is now stuck waiting for a greeting
slowest=0
for i in $(seq 1 10); do
	t0=$(date +%s%N)
	new_case "Sáng kiến thử $i" >/dev/null
	sk status >/dev/null
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -gt "$slowest" ] && slowest=$ms
done
check "the API answers while the mail server hangs (slowest < 2 s)" yes \
	"$([ "$slowest" -lt 2000 ] && echo yes || echo "no: $slowest ms")"
check "the arrival's mail (the secretary's) waits in the outbox" 1 \
	"$(sk --json call notice.outbox '{"state":"queued"}' |
		jq --argjson c "$D" '[.items[] | select(.case == $c)] | length')"
t0=$(date +%s)
stop_server
check "SIGTERM does not wait for the hung mail server" yes \
	"$([ $(($(date +%s) - t0)) -lt 5 ] && echo yes || echo no)"
kill "$STALL_PID" 2>/dev/null || true
stop_sink

# --- A mail server that wants a login, and one without STARTTLS. -----------

# start_login_sink: a server that takes mail only from sangkien:mat-khau.
SMTP_PORT=$(free_port)
"$PY" "$SINK_PY" serve "$SMTP_PORT" "$MAIL" sangkien:mat-khau >"$T_DIR/sink.log" 2>&1 &
SINK_PID=$!
wait_for_text "$T_DIR/sink.log" ready 20
printf 'mat-khau\n' >"$T_DIR/password"
start_server --smtp "smtp://127.0.0.1:$SMTP_PORT" --smtp-user sangkien \
	--smtp-password-file "$T_DIR/password" --mail-from sangkien@example.invalid
mark_mail
E=$(new_case "Sổ theo dõi công văn điện tử")
sk --token "$AUTHOR" act "$E" submit --declare >/dev/null
expect_mails "with --smtp-user and the right password" 1
check "a bare --mail-from gets the system's name" "Hệ thống sáng kiến <sangkien@example.invalid>" \
	"$(new_mails | jq -r .from)"
stop_server
printf 'sai-mat-khau\n' >"$T_DIR/password"
start_server --smtp "smtp://127.0.0.1:$SMTP_PORT" --smtp-user sangkien \
	--smtp-password-file "$T_DIR/password" --mail-from sangkien@example.invalid
mark_mail
sk --token "$SEC" act "$E" return --note "Thử mật khẩu sai" >/dev/null
ERR=$(last_error "$E" 1)
check "a refused login is the failure the outbox shows" 1 \
	"$(printf '%s' "$ERR" | grep -ci 'login\|auth')"
check "and no mail went" 0 "$(new_mails | wc -l)"
stop_server
# The sink offers no STARTTLS: --smtp-require-tls sends nothing.
start_server --smtp "smtp://127.0.0.1:$SMTP_PORT" --smtp-require-tls \
	--mail-from sangkien@example.invalid
ERR=$(last_error "$E" 2)
check "--smtp-require-tls refuses a server without STARTTLS" 1 \
	"$(printf '%s' "$ERR" | grep -ci 'ssl\|tls')"
check "and no mail went" 0 "$(new_mails | wc -l)"
check "the flags are checked: --smtp-user needs --smtp" 2 \
	"$(status_of "$SKD" --data "$T_DIR/other" --smtp-user x 2>/dev/null)"
check "a bad --mail-from is refused" 2 \
	"$(status_of "$SKD" --data "$T_DIR/other" --smtp smtp://127.0.0.1:1 --mail-from "Tên <a b@x>" 2>/dev/null)"
check "a bad --smtp URL is refused" 2 \
	"$(status_of "$SKD" --data "$T_DIR/other" --smtp http://x 2>/dev/null)"
stop_server
stop_sink
finish
