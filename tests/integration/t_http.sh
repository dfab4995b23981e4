#!/usr/bin/env bash
# t_http.sh: --http and --web.  sangkiend serves a web directory's files
# with the headers a browser needs (CSP, nosniff, no referrer, a charset,
# an ETag answered by 304), nothing outside the directory, and on the same
# port the JSON protocol at /api (rep0 over WebSocket, as a browser frames
# it) and the events at /events; SIGHUP rereads the files.
source "$(dirname "$0")/lib.sh"

WEB="$T_DIR/web"
mkdir -p "$WEB/js" "$WEB/docs"
printf '<!doctype html><meta charset="utf-8"><title>Sáng kiến</title>\n' >"$WEB/index.html"
printf 'export const chao = "xin chào";\n' >"$WEB/js/app.js"
printf 'body { margin: 0 }\n' >"$WEB/site.css"
printf 'tài liệu\n' >"$WEB/docs/index.html"
printf 'secret\n' >"$WEB/.env"
printf 'outside\n' >"$T_DIR/outside.txt"
ln -s "$T_DIR/outside.txt" "$WEB/escape.txt"
ln -s js/app.js "$WEB/alias.js"

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
start_server --http "$BASE" --web "$WEB"
wait_for_text "$T_DIR/server.log" "Trang web: $BASE/" ||
	fail "the page's address is printed at start"

# hdr URL NAME [CURL ARGS]: one response header's value, as sent.
hdr() {
	curl -s -o /dev/null -D - "${@:3}" "$1" | tr -d '\r' |
		awk -v n="$(printf '%s' "$2" | tr A-Z a-z)" -F': ' \
			'tolower($1) == n { print $2 }'
}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# --- Static files and their headers ------------------------------------
check "/ serves index.html" "$(cat "$WEB/index.html")" "$(curl -s "$BASE/")"
check "a directory serves its index.html" "tài liệu" "$(curl -s "$BASE/docs/")"
check "html has its charset" "text/html; charset=utf-8" "$(hdr "$BASE/" Content-Type)"
check "js is text/javascript" "text/javascript; charset=utf-8" "$(hdr "$BASE/js/app.js" Content-Type)"
check "css is text/css" "text/css; charset=utf-8" "$(hdr "$BASE/site.css" Content-Type)"
csp=$(hdr "$BASE/" Content-Security-Policy)
case "$csp" in
"default-src 'self';"*) pass "CSP allows only the same origin" ;;
*) fail "CSP allows only the same origin: '$csp'" ;;
esac
check "nosniff" "nosniff" "$(hdr "$BASE/js/app.js" X-Content-Type-Options)"
check "no referrer" "no-referrer" "$(hdr "$BASE/" Referrer-Policy)"
check "the browser revalidates" "no-cache" "$(hdr "$BASE/" Cache-Control)"
etag=$(hdr "$BASE/js/app.js" ETag)
case "$etag" in
\"[0-9a-f]*\") pass "an ETag: $etag" ;;
*) fail "an ETag: '$etag'" ;;
esac
check "the ETag is the content's" "$etag" "$(hdr "$BASE/alias.js" ETag)"
check "If-None-Match with the ETag: 304" 304 \
	"$(code -H "If-None-Match: \"other\", $etag" "$BASE/js/app.js")"
check "a 304 has no body" "" \
	"$(curl -s -H "If-None-Match: $etag" "$BASE/js/app.js")"
check "a 304 keeps the headers" "nosniff" \
	"$(hdr "$BASE/js/app.js" X-Content-Type-Options -H "If-None-Match: $etag")"
check "a stale ETag: 200" 200 "$(code -H 'If-None-Match: "stale"' "$BASE/js/app.js")"
check "HEAD: the headers" "$etag" "$(hdr "$BASE/js/app.js" ETag -I)"

# --- Nothing else -------------------------------------------------------
check "unknown path: 404" 404 "$(code "$BASE/nothing.html")"
check "a 404 has the headers too" "nosniff" "$(hdr "$BASE/nothing.html" X-Content-Type-Options)"
check "hidden file: 404" 404 "$(code "$BASE/.env")"
check "a link leading outside: 404" 404 "$(code "$BASE/escape.txt")"
check "a link inside is served" "$(cat "$WEB/js/app.js")" "$(curl -s "$BASE/alias.js")"
check "..: 404" 404 "$(code --path-as-is "$BASE/js/../../outside.txt")"
check "encoded ..: 404" 404 "$(code --path-as-is "$BASE/js/%2e%2e/%2e%2e/outside.txt")"
check "encoded NUL: 404" 404 "$(code "$BASE/index.html%00.js")"
check "a query is not part of the path" 200 "$(code "$BASE/js/app.js?v=2")"
check "POST: not allowed" 405 "$(code -X POST -d x "$BASE/")"

# --- The API and events on the same port -------------------------------
call "" unit.put '{"id":"so-khcn","name":"Sở Khoa học và Công nghệ"}' >/dev/null
call "" user.put '{"id":"lan","name":"Lan","unit":"so-khcn","roles":["admin"]}' >/dev/null
TOKEN=$(jget "$(call "" user.token '{"id":"lan"}')" .result.token)
WSAPI="ws://127.0.0.1:$PORT/api"
r=$(nngcat --req --dial "$WSAPI" --raw --recv-timeout 10 \
	--data "{\"op\":\"auth.whoami\",\"token\":\"$TOKEN\"}")
check "the API over ws://HOST:PORT/api" "true lan" "$(jget "$r" .ok) $(jget "$r" .result.id)"
r=$(nngcat --req --dial "$WSAPI" --raw --recv-timeout 10 --data '{"op":"auth.whoami"}')
check "no local-admin over ws://" "unauthorized" "$(jget "$r" .error.code)"

if sees_event "ws://127.0.0.1:$PORT/events" user.changed user.put \
	'{"id":"lan","name":"Lan","unit":"so-khcn","roles":["admin"]}'; then
	pass "events over ws://HOST:PORT/events"
else
	fail "events over ws://HOST:PORT/events"
fi

# A browser's handshake: its Origin is not checked, the subprotocol is
# rep.sp.nanomsg.org (pub.sp.nanomsg.org for the events).
hs() {
	curl -s -o /dev/null -D - --max-time 2 --http1.1 \
		-H "Connection: Upgrade" -H "Upgrade: websocket" \
		-H "Sec-WebSocket-Version: 13" \
		-H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" \
		-H "Origin: $BASE" -H "Sec-WebSocket-Protocol: $2" \
		"http://127.0.0.1:$PORT$1" 2>/dev/null | tr -d '\r' | head -1 || true
}
check "a browser's handshake on /api" "HTTP/1.1 101 Switching Protocols" "$(hs /api rep.sp.nanomsg.org)"
check "a browser's handshake on /events" "HTTP/1.1 101 Switching Protocols" "$(hs /events pub.sp.nanomsg.org)"

# The framing PROTOCOL.md gives browsers, with node's WebSocket (undici,
# as browsers speak it) when node has one.
if node --experimental-websocket -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null; then
	r=$(timeout 20 node --experimental-websocket "$SK_SRC/tests/integration/ws_request.mjs" \
		"$WSAPI" "{\"op\":\"auth.whoami\",\"token\":\"$TOKEN\"}" 2>/dev/null)
	check "a browser-framed request: the id comes back" "80000007" "$(printf '%s' "$r" | head -1)"
	check "a browser-framed request: the reply" "lan" "$(jget "$(printf '%s' "$r" | tail -1)" .result.id)"
else
	echo "# node has no WebSocket: the browser framing is not tried"
fi

# --- SIGHUP rereads the directory ---------------------------------------
printf 'export const chao = "xin chào, lần hai";\n' >"$WEB/js/app.js"
printf 'mới\n' >"$WEB/new.txt"
kill -HUP "$SKD_PID"
for _ in $(seq 1 100); do
	[ "$(code "$BASE/new.txt")" = 200 ] && break
	sleep 0.05
done
check "SIGHUP: a new file is served" "mới" "$(curl -s "$BASE/new.txt")"
check "SIGHUP: the changed file's old ETag gets 200" 200 \
	"$(code -H "If-None-Match: $etag" "$BASE/js/app.js")"
stop_server

# --- Flags ----------------------------------------------------------------
check "--http without --web" 2 "$(status_of "$SKD" --data "$DATA" --http "$BASE" 2>/dev/null)"
rc=0
"$SKD" --data "$DATA" --http "$BASE" --web "$T_DIR/none" >"$T_DIR/none.log" 2>&1 || rc=$?
check "a missing web directory stops the start" "1" "$rc"
grep -q "cannot read the web directory $T_DIR/none" "$T_DIR/none.log" ||
	fail "the missing directory is named: $(cat "$T_DIR/none.log")"
rc=0
"$SKD" --data "$DATA" --http "https://127.0.0.1:$PORT" --web "$WEB" >"$T_DIR/tls.log" 2>&1 || rc=$?
check "https:// without a certificate stops the start" "1" "$rc"
grep -q "needs --tls-cert" "$T_DIR/tls.log" || fail "https:// names --tls-cert: $(cat "$T_DIR/tls.log")"
rc=0
"$SKD" --data "$DATA" --http "http://127.0.0.1:$PORT/app" --web "$WEB" >"$T_DIR/path.log" 2>&1 || rc=$?
check "a path in --http is refused" "1" "$rc"
finish
