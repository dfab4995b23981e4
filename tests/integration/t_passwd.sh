#!/usr/bin/env bash
# t_passwd.sh: passwords from the CLI (issue 15), against the real server:
# `sangkien passwd USER` sets one, read from a file or from standard input
# and never from the command line; `sangkien login USER` prints a session
# token that acts as the user; the demo gives its users passwords and
# prints who is who.

source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

start_server
ERR="$T_DIR/err"

sk unit put so-thu --name "Sở Thử nghiệm" >/dev/null
sk user put tran.van.an --name "Trần Văn An" --unit so-thu \
	--roles author >/dev/null
sk user put ly.thi.ba --name "Lý Thị Ba" --unit so-thu --roles author \
	>/dev/null

# --- passwd: an admin sets a password. -----------------------------------

check "passwd from standard input exits 0" 0 \
	"$(printf 'mat-khau-dau-tien\n' | status_of sk passwd tran.van.an)"
check "... and says so" "đã đặt mật khẩu mới cho tran.van.an" \
	"$(printf 'mat-khau-dau-tien\n' | sk passwd tran.van.an)"
check "a password on the command line is refused, nothing sent" 2 \
	"$(status_of sk passwd tran.van.an --password abcdefghij 2>"$ERR")"
check "a short password is the server's bad_request" 1 \
	"$(printf 'ngan\n' | status_of sk passwd tran.van.an 2>"$ERR")"
check "... saying why" 1 "$(grep -c '^lỗi: .*(bad_request): .*8' "$ERR")"
AN=$(sk token tran.van.an 2>/dev/null)
printf 'mat-khau-cua-ba\n' >"$T_DIR/pw-ba"
check "an author may not set another's password" 1 \
	"$(status_of sk --token "$AN" passwd ly.thi.ba \
		--password-file "$T_DIR/pw-ba" 2>"$ERR")"
check "... forbidden" 1 "$(grep -c '^lỗi: .*(forbidden): ' "$ERR")"

# --- login: a session token for a password. ------------------------------

printf 'mat-khau-dau-tien\n' >"$T_DIR/pw"
T=$(sk login tran.van.an --password-file "$T_DIR/pw" 2>"$ERR")
check "login prints the token alone" 1 "$(printf '%s\n' "$T" | wc -l)"
check "... and when the session ends, on stderr" 1 \
	"$(grep -c '^Phiên đăng nhập của tran.van.an; hết hạn lúc ' "$ERR")"
check "the session acts as the user" tran.van.an \
	"$(sk --token "$T" --json whoami | jq -r .id)"
check "login reads standard input too" tran.van.an \
	"$(sk --token "$(printf 'mat-khau-dau-tien\n' | sk login tran.van.an \
		2>/dev/null)" --json whoami | jq -r .id)"
printf 'sai-mat-khau\n' >"$T_DIR/wrong"
check "a wrong password exits 1" 1 \
	"$(status_of sk login tran.van.an --password-file "$T_DIR/wrong" \
		2>"$ERR")"
check "... unauthorized, and no token" "1 0" \
	"$(grep -c '^lỗi: chưa xác thực (unauthorized): ' "$ERR") $(sk login \
		tran.van.an --password-file "$T_DIR/wrong" 2>/dev/null | wc -l)"

# --- passwd --old: a user changes their own. -----------------------------

check "a user changes their own password with --old" 0 \
	"$(printf 'mat-khau-dau-tien\nmat-khau-thu-hai\n' |
		status_of sk --token "$T" passwd tran.van.an --old)"
printf 'mat-khau-thu-hai\n' >"$T_DIR/pw2"
check "... and logs in with the new one" tran.van.an \
	"$(sk --token "$(sk login tran.van.an --password-file "$T_DIR/pw2" \
		2>/dev/null)" --json whoami | jq -r .id)"
check "a wrong current password changes nothing" 1 \
	"$(printf 'khong-dung-dau\nmat-khau-thu-ba\n' |
		status_of sk --token "$AN" passwd tran.van.an --old 2>"$ERR")"
printf 'mat-khau-thu-ba\n' >"$T_DIR/pw3"
check "... the password stays the one before" "0 1" \
	"$(status_of sk login tran.van.an --password-file "$T_DIR/pw2" \
		2>/dev/null) $(status_of sk login tran.van.an \
		--password-file "$T_DIR/pw3" 2>/dev/null)"

# --- The demo: passwords, and who is who. ---------------------------------

sk demo >"$T_DIR/demo"
check "the demo prints who is who: an author" 1 \
	"$(grep -c '^nguyen.thi.lan  *Nguyễn Thị Lan  *tác giả  *lan-langson$' \
		"$T_DIR/demo")"
check "... the unit council's chair" 1 \
	"$(grep -c '^luong.van.minh  *Lương Văn Minh  *chủ tịch hd-gddt  *minh-langson$' \
		"$T_DIR/demo")"
check "... the admin" 1 \
	"$(grep -c '^hoang.thi.thu  *Hoàng Thị Thu  *quản trị  *thu-langson$' \
		"$T_DIR/demo")"
# 22 people, and the heads of the province and of the education
# department who sign recognitions (issue 16).
check "... every user" 24 "$(sk --json demo | jq '.logins | length')"
printf 'lan-langson\n' >"$T_DIR/lan"
check "a demo user logs in with the password shown" nguyen.thi.lan \
	"$(sk --token "$(sk login nguyen.thi.lan --password-file "$T_DIR/lan" \
		2>/dev/null)" --json whoami | jq -r .id)"

stop_server
finish
