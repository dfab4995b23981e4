#!/usr/bin/env bash
# t_strict.sh: strict JSON at the door and names people can read (issue 19,
# finding 6).  A \u0000 in a string, a key given twice, a lone surrogate or
# a bad escape is bad_request naming the problem and changes nothing; above
# all {"token":"<valid>","token":null} over ipc:// is refused, never taken
# for a request without a token (local-admin).  Names and titles may not be
# empty or white space only.
source "$(dirname "$0")/lib.sh"

start_server
call "" unit.put '{"id":"so-khcn","name":"Sở Khoa học và Công nghệ"}' >/dev/null
call "" user.put '{"id":"lan","name":"Lan","unit":"so-khcn","roles":["author"]}' >/dev/null
TOKEN=$(jget "$(call "" user.token '{"id":"lan"}')" .result.token)

# refused NAME NEEDLE JSON: bad_request whose message contains NEEDLE.
refused() {
	local r; r=$(req "$3")
	if [ "$(jget "$r" .error.code)" = bad_request ] &&
		case "$(jget "$r" .error.message)" in *"$2"*) true ;; *) false ;; esac; then
		pass "$1"
	else
		fail "$1: $r"
	fi
}

# An author's token followed by a null one: local-admin would create a unit.
refused "a valid token then token:null is refused" '"token" twice' \
	"{\"op\":\"unit.put\",\"args\":{\"id\":\"evil\",\"name\":\"x\"},\"token\":\"$TOKEN\",\"token\":null}"
refused "a token cut by \\u0000 is refused" 'NUL' \
	"{\"op\":\"auth.whoami\",\"token\":\"${TOKEN}\\u0000junk\"}"
refused "an op cut by \\u0000 is refused" 'NUL' \
	'{"op":"unit.put\u0000","args":{"id":"evil","name":"x"}}'
refused "a request_id cut by \\u0000 is refused" 'NUL' \
	'{"op":"unit.put","args":{"id":"evil","name":"x"},"request_id":"a\u0000b"}'
refused "an argument key cut by \\u0000 is refused" 'NUL' \
	'{"op":"unit.put","args":{"id":"evil","name\u0000":"x"}}'
refused "an argument given twice is refused" '"id" twice' \
	'{"op":"unit.put","args":{"id":"evil","id":"evil2","name":"x"}}'
refused "a lone surrogate is refused" 'surrogate' \
	'{"op":"unit.put","args":{"id":"evil","name":"\ud800"}}'
refused "an invalid escape is refused" 'not JSON' \
	'{"op":"unit.put","args":{"id":"evil","name":"\q"}}'
r=$(call "" unit.get '{"id":"evil"}')
check "none of them changed anything" "not_found" "$(jget "$r" .error.code)"

# Names people read: empty or white space only (non-breaking and
# ideographic spaces too) is refused, naming the field.
refused "council.put with an empty name is refused" '"name" is empty' \
	'{"op":"council.put","args":{"id":"hd","name":"","scope":"unit","unit":"so-khcn","members":[]}}'
refused "unit.put with a name of spaces is refused" '"name" is only white space' \
	'{"op":"unit.put","args":{"id":"u2","name":" \t\u00a0\u3000"}}'
refused "user.put with an empty name is refused" '"name" is empty' \
	'{"op":"user.put","args":{"id":"u3","name":"","unit":"so-khcn","roles":[]}}'
refused "case.create with a blank title is refused" '"title" is only white space' \
	"{\"op\":\"case.create\",\"token\":\"$TOKEN\",\"args\":{\"title\":\"   \",\"field\":\"giáo dục\",\"sections\":{},\"authors\":[{\"name\":\"Lan\",\"user\":\"lan\",\"share\":100}],\"first_applied\":\"2026-01-01\"}}"
refused "an author with a blank name is refused" '"authors[0].name" is only white space' \
	"{\"op\":\"case.create\",\"token\":\"$TOKEN\",\"args\":{\"title\":\"Sổ tay\",\"field\":\"giáo dục\",\"sections\":{},\"authors\":[{\"name\":\" \",\"share\":100}],\"first_applied\":\"2026-01-01\"}}"
r=$(call "" council.list)
check "no council was made" "0" "$(jget "$r" '.result.items | length')"

# The ordinary forms still work.
r=$(req "{\"op\":\"auth.whoami\",\"token\":\"$TOKEN\"}")
check "a clean request with the token is answered" "lan" "$(jget "$r" .result.id)"
r=$(call "" unit.put '{"id":"u4","name":"Trường \ud83d\ude00 A"}')
check "an escaped surrogate pair is a character" "true" "$(jget "$r" .ok)"

stop_server
finish
