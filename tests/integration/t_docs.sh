#!/usr/bin/env bash
# t_docs.sh: a case's documents as PDF (doc.get, `sangkien doc`), made by
# the real server from the demo's cases.  Each document's text, read back
# with pdftotext, has its title, the authors' names with every diacritic,
# the numbers and dates of the record; the font is embedded; the QR code
# decodes (zbarimg) to the page that verifies the document, and doc.verify
# accepts its hash until the case changes, then calls it superseded.  Who
# may have which document is checked with the demo users' own tokens.
# The first pages of a certificate and a decision are kept as images for
# the README (build/doc-images/, or SK_DOC_IMAGES; copies in tests/docs/).

source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

PORT=$(free_port)
WEB="http://127.0.0.1:$PORT"
start_server --http "$WEB" --web "$SK_SRC/ipc/web"
sk demo >/dev/null
cd "$T_DIR"

# text KIND ID [--user U]: the document's text (layout kept).
text() {
	sk doc "$@" -o "$T_DIR/doc.pdf" >/dev/null && pdftotext -layout \
		"$T_DIR/doc.pdf" - | tr -s ' '
}
has() { # has NAME TEXT-FILE WORDS
	if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1: no '$3'"; fi
}

CASE1=$(sk --json call case.get '{"id":1}')

# The receipt.
text receipt 1 >receipt.txt
has "receipt: title" receipt.txt "GIẤY BIÊN NHẬN"
has "receipt: Quốc hiệu" receipt.txt "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
has "receipt: tiêu ngữ" receipt.txt "Độc lập - Tự do - Hạnh phúc"
has "receipt: the unit" receipt.txt "TRƯỜNG THPT VIỆT BẮC"
# dd/mm/yyyy of a record's date.
vn() { printf '%s' "$1" | awk -F- '{print substr($3,1,2)"/"$2"/"$1}'; }
RECEIPT_NO=$(jget "$CASE1" '.receipt.no // "1"')
RECEIVED=$(jget "$CASE1" '.receipt.date // .submitted_at')
has "receipt: its number" receipt.txt "Số: $RECEIPT_NO"
has "receipt: the receipt's number" receipt.txt "Số biên nhận $RECEIPT_NO"
has "receipt: the date received" receipt.txt "Ngày nhận hồ sơ $(vn "$RECEIVED")"
has "receipt: the answer due" receipt.txt \
	"Hạn trả lời $(vn "$(jget "$CASE1" '.receipt.answer_due')")"
has "receipt: the first author" receipt.txt "Nguyễn Thị Lan"
has "receipt: the second author" receipt.txt "Chu Thị Dung"
has "receipt: the title's diacritics" receipt.txt "dạy học hình học"
check "the font is embedded Noto Serif" yes \
	"$(pdffonts doc.pdf | grep -q 'NotoSerif-Regular.*yes yes yes' &&
		echo yes || echo no)"

# A member's score sheet: criteria, marks, total.
BALLOT=$(jget "$CASE1" '.ballots[] | select(.stage == "unit" and
	.member == "chu.van.hai")')
text sheet 1 --user chu.van.hai >sheet.txt
has "sheet: title" sheet.txt "PHIẾU CHẤM ĐIỂM SÁNG KIẾN"
has "sheet: the member" sheet.txt "Chu Văn Hải"
has "sheet: a criterion" sheet.txt "Tính mới, tính sáng tạo"
has "sheet: the total" sheet.txt \
	"Tổng cộng 100 $(jget "$BALLOT" '.total | floor')"

# The minutes: who was there, the result, no one's own marks.
text minutes 1 >minutes.txt
has "minutes: title" minutes.txt "BIÊN BẢN HỌP HỘI ĐỒNG"
has "minutes: a member present" minutes.txt "Nguyễn Văn Khánh"
has "minutes: ballots" minutes.txt "Số phiếu chấm / số thành viên 4/4"
has "minutes: the mean score" minutes.txt \
	"Điểm trung bình $(jget "$CASE1" '.decision.score' | tr . ,)"
has "minutes: the recommendation" minutes.txt \
	"Hội đồng đề nghị công nhận sáng kiến."
check "minutes: no member's own total" 0 \
	"$(grep -cE 'Tổng cộng|Điểm chấm' minutes.txt || true)"

# The decision, and the written refusal with its reasons.
text decision 1 >decision.txt
has "decision: title" decision.txt "QUYẾT ĐỊNH"
has "decision: what" decision.txt "Về việc công nhận sáng kiến"
has "decision: author and share" decision.txt "Nguyễn Thị Lan (70%)"
has "decision: second author" decision.txt "Dung (30%)"
has "decision: scope" decision.txt "cấp tỉnh"
has "decision: an author's birth date" decision.txt \
	"$(vn "$(jget "$CASE1" '.authors[0].birth_date')")"
text decision 6 >refusal.txt
has "refusal: title" refusal.txt "THÔNG BÁO"
has "refusal: what" refusal.txt "Về việc từ chối công nhận sáng kiến"
has "refusal: the author" refusal.txt "Nông Văn Bình"
has "refusal: a reason" refusal.txt "0/4 phiếu đạt"

# The certificate, its QR code and doc.verify.
CERT=$(sk --json doc certificate 1 -o cert.pdf)
HASH=$(jget "$CERT" .hash)
pdftotext -layout cert.pdf - | tr -s ' ' >cert.txt
has "certificate: title" cert.txt "GIẤY CHỨNG NHẬN SÁNG KIẾN"
has "certificate: authors" cert.txt \
	"Nguyễn Thị Lan (70%), Chu Thị Dung (30%)"
has "certificate: owner" cert.txt "Trường THPT Việt Bắc"
has "certificate: first applied" cert.txt "12/04/2026"
has "certificate: the case id and hash" cert.txt "Mã kiểm tra (hash): $HASH"
check "the hash is the case's latest event's" \
	"$(sk --json call case.history '{"id":1}' | jq -r '.items[-1].seq')" \
	"$(sk --json doc verify 1 "$HASH" | jq -r .seq)"
pdftoppm -png -r 150 -f 1 -l 1 cert.pdf cert
QR=$(zbarimg -q --raw cert-1.png 2>/dev/null)
check "the QR code is the page that verifies it" \
	"$WEB/#/verify/1/$HASH" "$QR"
R=$(call "" doc.verify "{\"case\":1,\"hash\":\"$HASH\"}")
check "doc.verify: genuine and current" "true true false" \
	"$(jget "$R" '"\(.result.valid) \(.result.current) \(.result.superseded)"')"
check "doc.verify needs no token" true \
	"$(jget "$(req "{\"op\":\"doc.verify\",\"args\":{\"case\":1,\"hash\":\"$HASH\"}}")" .ok)"
check "sangkien doc verify: current, exit 0" 0 \
	"$(status_of sk doc verify 1 "$HASH")"
FAKE=$(printf '%s' "$HASH" | tr '0-9a-f' '1-9a-f0')
check "a made-up hash is not the case's" "false false" \
	"$(sk --json doc verify 1 "$FAKE" | jq -r '"\(.valid) \(.current)"')"
# The README's pictures (tests/docs/ holds copies): the first pages of
# the certificate and of the decision.
IMAGES=${SK_DOC_IMAGES:-$SK_BIN/doc-images}
mkdir -p "$IMAGES"
pdftoppm -png -r 60 -f 1 -l 1 -singlefile cert.pdf "$IMAGES/certificate"
sk doc decision 1 -o dec.pdf >/dev/null
pdftoppm -png -r 60 -f 1 -l 1 -singlefile dec.pdf "$IMAGES/decision"
check "the README's pictures were made" 2 \
	"$(ls "$IMAGES"/certificate.png "$IMAGES"/decision.png | wc -l)"

# A changed record: case 4's certificate is superseded once it moves on.
OLD=$(sk --json doc certificate 4 -o old.pdf | jq -r .hash)
sk act 4 nominate >/dev/null
check "after a change the old hash is no longer current" \
	"true false true" \
	"$(sk --json doc verify 4 "$OLD" | jq -r '"\(.valid) \(.current) \(.superseded)"')"
check "sangkien doc verify: superseded, exit 1" 1 \
	"$(status_of sk doc verify 4 "$OLD")"
check "a new certificate has a new hash" yes \
	"$([ "$(sk --json doc certificate 4 -o new.pdf | jq -r .hash)" != "$OLD" ] &&
		echo yes || echo no)"

# Who may have which document.
LAN=$(sk token nguyen.thi.lan 2>/dev/null)
HAI=$(sk token chu.van.hai 2>/dev/null)
MAI=$(sk token nong.thi.mai 2>/dev/null)
BINH=$(sk token nong.van.binh 2>/dev/null)
code() { # code TOKEN ARGS: ok, or the error code of doc.get
	local r; r=$(call "$1" doc.get "$2")
	if [ "$(jget "$r" .ok)" = true ]; then echo ok; else jget "$r" .error.code; fi
}
check "an author gets the certificate" ok "$(code "$LAN" '{"case":1,"kind":"certificate"}')"
check "an author gets the receipt" ok "$(code "$LAN" '{"case":1,"kind":"receipt"}')"
check "an author gets no minutes" forbidden "$(code "$LAN" '{"case":1,"kind":"minutes"}')"
check "an author gets no score sheet" forbidden \
	"$(code "$LAN" '{"case":1,"kind":"sheet","user":"chu.van.hai"}')"
check "a member gets their own sheet" ok \
	"$(code "$HAI" '{"case":1,"kind":"sheet","user":"chu.van.hai"}')"
check "a member gets no other member's sheet" forbidden \
	"$(code "$HAI" '{"case":1,"kind":"sheet","user":"ha.thi.thanh"}')"
check "the secretary gets a member's sheet once decided" ok \
	"$(code "$MAI" '{"case":6,"kind":"sheet","user":"ha.thi.thanh"}')"
check "a unit member gets the unit's minutes" ok \
	"$(code "$HAI" '{"case":6,"kind":"minutes"}')"
check "an author of another unit does not see a case in review" not_found \
	"$(code "$LAN" '{"case":7,"kind":"receipt"}')"
check "a recognized case is public, but its receipt is not" forbidden \
	"$(code "$BINH" '{"case":1,"kind":"receipt"}')"
check "a draft has no receipt" invalid_transition "$(code "" '{"case":8,"kind":"receipt"}')"
check "a submitted case has no certificate" invalid_transition \
	"$(code "" '{"case":7,"kind":"certificate"}')"
check "a refused case has no certificate" invalid_transition \
	"$(code "" '{"case":6,"kind":"certificate"}')"
check "a sheet needs its user" bad_request "$(code "" '{"case":1,"kind":"sheet"}')"
check "an unknown kind" bad_request "$(code "" '{"case":1,"kind":"poster"}')"
check "no such case" not_found "$(code "" '{"case":999,"kind":"receipt"}')"
check "a member who did not score has no sheet" not_found \
	"$(code "" '{"case":1,"kind":"sheet","user":"nguyen.thi.lan"}')"

# Typesetting runs off the loop: other requests are answered meanwhile.
pids=""
for i in 1 2 3 4; do
	sk doc decision 1 -o "par$i.pdf" >/dev/null &
	pids="$pids $!"
done
check "status answers while documents are made" 0 "$(status_of sk status)"
for p in $pids; do wait_pid "$p" 60 || fail "doc.get $p did not end"; done
check "four documents made side by side" 4 \
	"$(for i in 1 2 3 4; do pdftotext "par$i.pdf" - | grep -c 'Về việc công nhận sáng kiến' ; done | paste -sd+ | bc)"

finish
