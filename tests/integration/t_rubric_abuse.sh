#!/usr/bin/env bash
# t_rubric_abuse.sh: what a council member could do with rubric.test's
# `source` before issue 19, and does no longer.  A province council member
# sends a rubric whose decide returns every ballot's member, total and
# comment as its reasons, during a review under way: it sees its own ballot
# only; the unit council's chair, not on the province council, sees none,
# nor the province stage's scorers in case.history.  Rubrics that used to
# hold the loop (10,000 and 100,000 criteria, a loop of pcall(error, 'x'),
# an endless loop) run apart from it while another client, a process of
# its own, keeps being answered within 100 ms.  A rubric error that is not
# UTF-8 comes back as UTF-8; caps are refused naming the cap.

source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

PORT=$(free_port)
start_server --listen "tcp://127.0.0.1:$PORT"
ERR="$T_DIR/err"

# --- A school, its council, and the province council. ---------------------

sk unit put so-khcn --name "Sở Khoa học và Công nghệ tỉnh Lai Châu" >/dev/null
sk unit put thpt-tam-duong --name "Trường THPT Tam Đường" --parent so-khcn >/dev/null
while IFS='|' read -r id name unit roles; do
	sk user put "$id" --name "$name" --unit "$unit" --roles "$roles" >/dev/null
done <<'USERS'
lo.thi.xuan|Lò Thị Xuân|thpt-tam-duong|author
tao.van.un|Tao Văn Ún|thpt-tam-duong|
giang.thi.mai|Giàng Thị Mai|thpt-tam-duong|
vang.a.sinh|Vàng A Sính|thpt-tam-duong|
lu.van.pao|Lù Văn Pao|so-khcn|
chang.thi.lan|Chang Thị Lan|so-khcn|
sung.a.cho|Sùng A Chớ|so-khcn|
USERS
sk council put hd-tam-duong --name "Hội đồng sáng kiến Trường THPT Tam Đường" \
	--scope unit --unit thpt-tam-duong --member tao.van.un:chair \
	--member giang.thi.mai:secretary --member vang.a.sinh:member >/dev/null
sk council put hd-tinh --name "Hội đồng sáng kiến cấp tỉnh Lai Châu" \
	--scope province --unit so-khcn --member lu.van.pao:chair \
	--member chang.thi.lan:secretary --member sung.a.cho:member >/dev/null
XUAN=$(sk token lo.thi.xuan 2>/dev/null)
U_CHAIR=$(sk token tao.van.un 2>/dev/null)
U_SEC=$(sk token giang.thi.mai 2>/dev/null)
U_MEM=$(sk token vang.a.sinh 2>/dev/null)
P_CHAIR=$(sk token lu.van.pao 2>/dev/null)
P_SEC=$(sk token chang.thi.lan 2>/dev/null)
P_MEM=$(sk token sung.a.cho 2>/dev/null)

jq -n --arg d "$(date -u -d '60 days ago' +%F)" '{
	title: "Sổ tay từ vựng tiếng Anh song ngữ Thái - Việt cho học sinh dân tộc",
	field: "Giáo dục và đào tạo", first_applied: $d,
	authors: [{name: "Lò Thị Xuân", user: "lo.thi.xuan", share: 100,
		birth_date: "1987-09-02", workplace: "Trường THPT Tam Đường",
		position: "Giáo viên", qualification: "Thạc sĩ"}],
	sections: {
	status_quo: "Học sinh người Thái học tiếng Anh qua tiếng Việt, ngôn ngữ thứ hai của các em, nên nhớ từ chậm.",
	solution: "Biên soạn sổ tay 1.200 từ vựng tiếng Anh có nghĩa tiếng Thái và tiếng Việt, kèm hình minh họa và mã QR phát âm.",
	novelty: "Lần đầu trong tỉnh có tài liệu học tiếng Anh qua tiếng mẹ đẻ của học sinh dân tộc Thái.",
	applicability: "Dùng được ở các trường THPT có học sinh dân tộc Thái, in với chi phí thấp.",
	benefits: "Điểm kiểm tra từ vựng trung bình tăng từ 4,8 lên 6,9 sau một học kỳ.",
	conditions: "Máy in, điện thoại để quét mã QR.",
	trial_users: "Học sinh khối 10 (126 học sinh)."}}' >"$T_DIR/case.json"
ID=$(sk --token "$XUAN" --json create "$T_DIR/case.json" | jq -r .id)
sk --token "$XUAN" act "$ID" submit --declare >/dev/null
sk --token "$U_SEC" act "$ID" accept >/dev/null
for t in "$U_CHAIR" "$U_SEC" "$U_MEM"; do
	sk --token "$t" score "$ID" novelty=25 applicability=25 benefit=30 \
		--comment "Nhận xét kín cấp trường" >/dev/null
done
sk --token "$U_CHAIR" decide "$ID" >/dev/null
recognize_as_head thpt-tam-duong "$ID"
sk --token "$U_SEC" act "$ID" nominate >/dev/null
sk --token "$P_SEC" act "$ID" accept >/dev/null
sk --token "$P_CHAIR" score "$ID" novelty=28 applicability=27 benefit=38 \
	--comment "BI-MAT-CUA-CHU-TICH" >/dev/null
sk --token "$P_SEC" score "$ID" novelty=10 applicability=12 benefit=15 \
	--comment "BI-MAT-CUA-THU-KY" >/dev/null
sk --token "$P_MEM" score "$ID" novelty=20 applicability=20 benefit=30 \
	--comment "PHIEU-CUA-THANH-VIEN" >/dev/null
check "the province review is under way" province_review \
	"$(sk --json show "$ID" | jq -r .state)"

# --- 1. The ballot dump. --------------------------------------------------

cat >"$T_DIR/dump.lua" <<'LUA'
-- Returns every ballot it is given, and the council's count, as reasons.
return {
	id = "dump", title = "Dump",
	criteria = {{id = "novelty", label = "x", max = 30}},
	check = function() return {} end,
	vote = function() return "fail" end,
	decide = function(ballots, council)
		local r = {}
		for _, b in ipairs(ballots) do
			r[#r + 1] = tostring(b.member) .. ":" .. tostring(b.total)
				.. ":" .. tostring(b.comment)
		end
		r[#r + 1] = "scored=" .. tostring(council.scored)
		return {verdict = "fail", score = 0, reasons = r}
	end,
}
LUA
# dump TOKEN: rubric.test with the dumping source, as JSON.
dump() {
	sk --token "$1" --json rubric test "$T_DIR/dump.lua" --case "$ID" 2>"$ERR"
}
r=$(dump "$P_MEM")
check "a province member's dump: their own ballot only" \
	'["sung.a.cho:70.0:PHIEU-CUA-THANH-VIEN","scored=1"]' \
	"$(jq -c .decide.reasons <<<"$r")"
check "... and ballots_seen says so" 1 "$(jq .ballots_seen <<<"$r")"
check "... no other member's comment anywhere in the reply" 0 \
	"$(grep -c 'BI-MAT' <<<"$r" || true)"
r=$(dump "$P_CHAIR")
check "the province chair's dump (a source): their own ballot only" \
	'["lu.van.pao:93.0:BI-MAT-CUA-CHU-TICH","scored=1"]' \
	"$(jq -c .decide.reasons <<<"$r")"
r=$(dump "$U_CHAIR")
check "the unit chair's dump of the province review: nothing" \
	'["scored=0"]' "$(jq -c .decide.reasons <<<"$r")"
r=$(dump "$XUAN" || true)
check "the author may not test rubrics on the case" 1 \
	"$(grep -c '(forbidden)' "$ERR")"
r=$(sk --json rubric test "$T_DIR/dump.lua" --case "$ID")
check "an admin's dump during the review: nothing either" '["scored=0"]' \
	"$(jq -c .decide.reasons <<<"$r")"
r=$(sk --token "$P_CHAIR" --json rubric test default --case "$ID")
check "the stored rubric, for the province chair: every ballot" \
	"3 pass" "$(jq -r '"\(.ballots_seen) \(.decide.verdict)"' <<<"$r")"
r=$(sk --token "$P_MEM" --json rubric test default --case "$ID")
check "the stored rubric, for a member: their own ballot" 1 \
	"$(jq .ballots_seen <<<"$r")"
r=$(dump "$U_MEM")
check "the decided unit stage is not the one tested now" '["scored=0"]' \
	"$(jq -c .decide.reasons <<<"$r")"

# case.history: who scored at the province stage, per caller.
scorers() {
	sk --token "$1" --json history "$ID" |
		jq -r --arg s "$2" '[.items[] | select(.type == "case.scored"
			and .stage == $s) | .actor // "?"] | join(",")'
}
check "the unit chair sees the unit stage's scorers" \
	"tao.van.un,giang.thi.mai,vang.a.sinh" "$(scorers "$U_CHAIR" unit)"
check "... but not the province stage's" "?,?,?" "$(scorers "$U_CHAIR" province)"
check "the province chair sees the province stage's scorers" \
	"lu.van.pao,chang.thi.lan,sung.a.cho" "$(scorers "$P_CHAIR" province)"
check "a province member does not" "?,?,?" "$(scorers "$P_MEM" province)"
check "the author sees no scorer" "?,?,?" "$(scorers "$XUAN" unit)"

# After the decision the province council sees every ballot (case.get).
sk --token "$P_CHAIR" decide "$ID" >/dev/null 2>&1 || true
r=$(dump "$P_MEM")
check "after the decision a member's dump sees the council's ballots" 3 \
	"$(jq .ballots_seen <<<"$r")"

# --- 2. Rubrics that held the loop, and the other client. -----------------

# hostile NAME LUA-BODY: a rubric whose top level runs LUA-BODY first,
# which may set crit (its criteria) and check.
hostile() {
	cat >"$T_DIR/$1.lua" <<LUA
local crit, check
$2
return {
	id = "h", title = "H",
	criteria = crit or {{id = "a", label = "A", max = 10}},
	check = check or function() return {} end,
	decide = function() return {verdict = "pending"} end,
}
LUA
}
hostile crit10k 'crit = {} for i = 1, 10000 do crit[i] = {id = "c" .. i, label = "L", max = 1} end'
hostile crit100k 'crit = {} local one = {id = "c", label = "L", max = 1} for i = 1, 100000 do crit[i] = one end'
hostile pcall 'check = function() while true do pcall(error, "x") end end'
hostile endless 'check = function() while true do end end'
hostile errors 'check = function() local t = {} while true do local ok, e = pcall(error, {("x"):rep(1000)}) t[#t + 1] = e end end'

# probe SECONDS-OR-0 CMD...: runs the other client while CMD runs (for
# SECONDS more if not 0); prints its count, slowest and 99th percentile.
probe() {
	local stop="$T_DIR/stop" lat secs=$1
	shift
	rm -f "$stop" "$stop.ready"
	python3 "$SK_SRC/tests/integration/latency.py" 127.0.0.1 "$PORT" "$stop" \
		>"$T_DIR/lat.out" &
	lat=$!
	for _ in $(seq 1 100); do
		[ -e "$stop.ready" ] && break
		sleep 0.1
	done
	"$@"
	sleep "$secs"
	touch "$stop"
	wait "$lat"
	cat "$T_DIR/lat.out"
}
# hostile_round: each hostile rubric sent twice, all at once, by a
# province member, from one process (hostile.py).
hostile_round() {
	local files=""
	rm -rf "$T_DIR/h"
	mkdir "$T_DIR/h"
	for h in crit10k crit100k pcall endless errors; do
		files="$files $T_DIR/$h.lua $T_DIR/$h.lua"
	done
	# shellcheck disable=SC2086
	python3 "$SK_SRC/tests/integration/hostile.py" 127.0.0.1 "$PORT" \
		"$P_MEM" "$ID" "$T_DIR/h" $files
}

# The bound is on the server, not on this machine.  A rubric run on the
# loop would delay the other client by its whole time limit, once per
# hostile request queued behind it (a second and more here; before issue
# 19, seconds to minutes).  But the machine is shared (other tests, other
# builds: loads of 20 on 2 cores are seen), and its own hiccups delay a
# request too.  So each attempt measures the other client while the
# hostile rubrics run, then alone for as long again (the machine's noise
# at that moment, over as many requests); it passes if the slowest
# request with the hostile rubrics was under 100 ms, or under 100 ms plus
# the slowest alone.  Three attempts at most; one must pass.
best=""
for attempt in 1 2 3; do
	t0=$(date +%s.%N)
	read -r n worst p99 <<<"$(probe 0 hostile_round)"
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	read -r qn quiet qp99 <<<"$(probe "$secs" true)"
	echo "# attempt $attempt: with hostile rubrics $n requests, slowest $worst ms (99th percentile $p99 ms); then alone for $secs s $qn requests, slowest $quiet ms (99th percentile $qp99 ms)"
	if [ "$n" -gt 10 ] && awk -v w="$worst" -v q="$quiet" \
		'BEGIN { exit !(w < 100 || w < 100 + q) }'; then
		best=$worst
		break
	fi
done
check "the other client is answered within 100 ms (plus the machine's noise) while hostile rubrics run" \
	yes "$([ -n "$best" ] && echo yes || echo "no (slowest $worst ms, alone $quiet ms)")"
check "10,000 criteria: refused naming the cap" 1 \
	"$(grep -c 'criteria has 10000 entries; at most 200' "$T_DIR/h/crit10k.1.out")"
check "100,000 criteria: refused naming the cap" 1 \
	"$(grep -c 'criteria has 100000 entries; at most 200' "$T_DIR/h/crit100k.1.out")"
check "a loop of pcall(error, 'x'): stopped by the instruction limit" 1 \
	"$(grep -c 'instruction limit of 20000000 exceeded' "$T_DIR/h/pcall.1.out")"
check "an endless loop: stopped" 1 \
	"$(grep -c 'instruction limit of 20000000 exceeded' "$T_DIR/h/endless.1.out")"
check "kept error objects: stopped by a limit" 1 \
	"$(grep -c 'limit' "$T_DIR/h/errors.1.out")"

# --- 3. Messages and caps. -------------------------------------------------

cat >"$T_DIR/bytes.lua" <<'LUA'
return {
	id = "bytes", title = "Bytes",
	criteria = {{id = "a", label = "A", max = 10}},
	check = function() error("bad \xff\xfe bytes " .. ("\xe1\xbb\x87"):rep(400)) end,
	decide = function() return {verdict = "pending"} end,
}
LUA
r=$(call "$P_MEM" rubric.test "$(jq -n --rawfile s "$T_DIR/bytes.lua" --argjson c "$ID" '{source: $s, case: $c}')")
check "an error that is not UTF-8: rubric_error" rubric_error "$(jget "$r" .error.code)"
check "... and the reply is valid UTF-8" ok \
	"$(printf '%s' "$r" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 && echo ok || echo bad)"
check "... with U+FFFD in place of the bad bytes" 1 \
	"$(jget "$r" .error.message | grep -c 'bad �� bytes')"

python3 -c 'print("return {id = \"big\", title = \"Big\", criteria = {" + "".join("{id = \"c%d\", label = \"L\", max = 1}," % i for i in range(201)) + "}, check = function() return {} end, decide = function() return {verdict = \"pending\"} end}")' >"$T_DIR/big.lua"
sk rubric put big "$T_DIR/big.lua" >/dev/null 2>"$ERR" || true
check "rubric put with 201 criteria: refused naming the cap" 1 \
	"$(grep -c '(rubric_error): .*criteria has 201 entries; at most 200' "$ERR")"
head -c 300000 /dev/zero | tr '\0' ' ' >"$T_DIR/huge.lua"
cat "$T_DIR/dump.lua" >>"$T_DIR/huge.lua"
sk rubric put dump "$T_DIR/huge.lua" >/dev/null 2>"$ERR" || true
check "rubric put of 300 KB: too_large" 1 "$(grep -c '(too_large)' "$ERR")"
check "rubric put of a good rubric still works" 0 \
	"$(status_of sk rubric put dump "$T_DIR/dump.lua")"
check "... and it is stored" dump "$(sk --json rubric show dump | jq -r .id)"
check "the server answers" 0 "$(status_of sk status)"
stop_server
finish
