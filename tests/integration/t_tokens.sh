#!/usr/bin/env bash
# t_tokens.sh: each token's entry in the tokens db carries its user's id,
# roles and unit, so that a request never reads the user document; this
# test checks, through the real server, that the copy never lags the user.
# A change of roles or unit by user.put is seen by the very next request, a
# replaced token stops at once, and server.verify agrees.  Then it rewrites
# the tokens values as servers before this one wrote them (the bare user
# id, with mdb_load from lmdb-utils) and checks that such a data directory
# still works, that user.put brings the value up to date, and that
# server.verify is content with both forms.
source "$(dirname "$0")/lib.sh"

# is_err NAME CODE REPLY
is_err() {
	check "$1" "false $2" "$(jget "$3" .ok) $(jget "$3" .error.code)"
}

put_user() { # id unit roles-json
	call "" user.put "{\"id\":\"$1\",\"name\":\"Nguyễn Thị Lan\",\"unit\":\"$2\",\"roles\":$3}"
}

token() { jget "$(call "" user.token "{\"id\":\"$1\"}")" .result.token; }

# whoami TOKEN: "id unit roles..." as the server sees the token's user.
whoami() {
	jget "$(call "$1" auth.whoami)" \
		'if .ok then "\(.result.id) \(.result.unit) \(.result.roles|join(","))" else .error.code end'
}

# hash_hex TOKEN: the token's key in tokens (BLAKE2b-256 of its text).
hash_hex() { printf '%s' "$1" | b2sum -l 256 | cut -d' ' -f1; }

# stored_value TOKEN: the token's tokens value, in hex.
stored_value() {
	mdb_dump -s tokens "$DATA" | awk -v k=" $(hash_hex "$1")" \
		'found { print substr($0, 2); exit } $0 == k { found = 1 }'
}

verify_problems() {
	jget "$(call "" server.verify)" '.result.problems | join("; ")'
}

start_server
call "" unit.put '{"id":"thpt-viet-bac","name":"Trường THPT Việt Bắc"}' >/dev/null
call "" unit.put '{"id":"so-gddt","name":"Sở Giáo dục và Đào tạo"}' >/dev/null
put_user lan thpt-viet-bac '["author"]' >/dev/null
T=$(token lan)
check "the token's user" "lan thpt-viet-bac author" "$(whoami "$T")"
is_err "an author cannot list users" forbidden "$(call "$T" user.list)"
check "the token holds a record, not the user id" 01 "$(stored_value "$T" | cut -c1-2)"

put_user lan so-gddt '["viewer","admin"]' >/dev/null
check "new roles and unit, at the next request" "lan so-gddt admin,viewer" \
	"$(whoami "$T")"
check "... and they count" true "$(jget "$(call "$T" user.list)" .ok)"
put_user lan thpt-viet-bac '["author"]' >/dev/null
is_err "roles taken away count at once" forbidden "$(call "$T" user.list)"

T2=$(token lan)
is_err "a replaced token stops working" unauthorized "$(call "$T" auth.whoami)"
check "the new token is the same user" "lan thpt-viet-bac author" \
	"$(whoami "$T2")"
put_user lan so-gddt '["viewer"]' >/dev/null
is_err "user.put does not bring a replaced token back" unauthorized \
	"$(call "$T" auth.whoami)"
check "user.put changes the current token" "lan so-gddt viewer" \
	"$(whoami "$T2")"
check "server.verify: tokens agree with users" "" "$(verify_problems)"
stop_server

# As an older server left it: the token's value is the bare user id, and
# (older servers being older still) no record carries a checksum.
"$SK_BIN/tests/nosums" "$DATA"
{
	mdb_dump -s tokens "$DATA" | sed -e '/^db_pagesize=/d' -e '/^HEADER=END$/q'
	echo " $(hash_hex "$T2")"
	echo " $(printf '%s' lan | od -An -tx1 | tr -d ' \n')"
	echo "DATA=END"
} | mdb_load -s tokens "$DATA"
check "the value is the user id" 6c616e "$(stored_value "$T2")"

start_server
check "an older token value still resolves" "lan so-gddt viewer" \
	"$(whoami "$T2")"
check "server.verify accepts the older form" "" "$(verify_problems)"
put_user lan thpt-viet-bac '["author","viewer"]' >/dev/null
check "user.put changes it" "lan thpt-viet-bac author,viewer" "$(whoami "$T2")"
check "... and stores a record" 01 "$(stored_value "$T2" | cut -c1-2)"
check "server.verify: tokens agree with users, again" "" "$(verify_problems)"
stop_server
finish
