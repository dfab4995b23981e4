#!/usr/bin/env bash
# t_tls.sh: --http https:// with --tls-cert and --tls-key (or one PEM file
# with both) serves the web files over HTTPS and the API and events over
# WSS on the same port; tls+tcp:// takes the same certificate.  The
# certificate is a throwaway, self-signed one made here with openssl.
source "$(dirname "$0")/lib.sh"

CERT="$T_DIR/cert.pem"
KEY="$T_DIR/key.pem"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$KEY" -out "$CERT" \
	-days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
	2>/dev/null
cat "$CERT" "$KEY" >"$T_DIR/both.pem"
WEB="$T_DIR/web"
mkdir -p "$WEB"
printf '<!doctype html><meta charset="utf-8"><title>Sáng kiến</title>\n' >"$WEB/index.html"

PORT=$(free_port)
TPORT=$(free_port)
BASE="https://127.0.0.1:$PORT"
start_server --http "$BASE" --web "$WEB" --tls-cert "$CERT" --tls-key "$KEY" \
	--listen "tls+tcp://127.0.0.1:$TPORT"
wait_for_text "$T_DIR/server.log" "Trang web: $BASE/" ||
	fail "the https:// address is printed"

check "HTTPS, the certificate verified" "$(cat "$WEB/index.html")" \
	"$(curl -s --cacert "$CERT" "$BASE/")"
check "HTTPS: the headers" "nosniff" \
	"$(curl -s -o /dev/null -D - --cacert "$CERT" "$BASE/" | tr -d '\r' |
		awk -F': ' 'tolower($1) == "x-content-type-options" { print $2 }')"
check "plain HTTP on that port gets nothing" "000" \
	"$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$PORT/" || true)"

# nngcat's TLS (mbedtls) cannot match an IP address to the certificate:
# -k; node (below) verifies it.
r=$(nngcat --req --dial "wss://127.0.0.1:$PORT/api" -k --raw --recv-timeout 10 \
	--data '{"op":"server.status"}')
check "the API over wss://HOST:PORT/api" "true" "$(jget "$r" .ok)"
r=$(nngcat --req --dial "tls+tcp://127.0.0.1:$TPORT" -k --raw --recv-timeout 10 \
	--data '{"op":"server.status"}')
check "the API over tls+tcp:// with the same certificate" "true" "$(jget "$r" .ok)"
if node --experimental-websocket -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null; then
	r=$(NODE_EXTRA_CA_CERTS="$CERT" timeout 20 node --experimental-websocket \
		"$SK_SRC/tests/integration/ws_request.mjs" "wss://127.0.0.1:$PORT/api" \
		'{"op":"server.status"}' 2>/dev/null | tail -1)
	check "a browser-framed request over wss://, the certificate verified" "true" "$(jget "$r" .ok)"
fi

if sees_event "wss://127.0.0.1:$PORT/events" unit.changed unit.put \
	'{"id":"so-khcn","name":"Sở Khoa học và Công nghệ"}' -k; then
	pass "events over wss://HOST:PORT/events"
else
	fail "events over wss://HOST:PORT/events"
fi
stop_server

# One PEM file with the certificate and the key.
start_server --http "$BASE" --web "$WEB" --tls-cert "$T_DIR/both.pem"
check "one PEM file with both" "$(cat "$WEB/index.html")" \
	"$(curl -s --cacert "$CERT" "$BASE/")"
stop_server

# What cannot work is refused at start, naming it.
check "--tls-key without --tls-cert" 2 \
	"$(status_of "$SKD" --data "$DATA" --tls-key "$KEY" 2>/dev/null)"
rc=0
"$SKD" --data "$DATA" --http "$BASE" --web "$WEB" --tls-cert "$CERT" \
	--tls-key "$T_DIR/none.pem" >"$T_DIR/bad.log" 2>&1 || rc=$?
check "a missing key file stops the start" 1 "$rc"
grep -q "cannot read $T_DIR/none.pem" "$T_DIR/bad.log" ||
	fail "the missing key file is named: $(cat "$T_DIR/bad.log")"
rc=0
"$SKD" --data "$DATA" --http "$BASE" --web "$WEB" --tls-cert "$CERT" \
	--tls-key "$CERT" >"$T_DIR/bad.log" 2>&1 || rc=$?
check "a certificate given as the key stops the start" 1 "$rc"
grep -q "cannot use the certificate" "$T_DIR/bad.log" ||
	fail "the bad key is named: $(cat "$T_DIR/bad.log")"
finish
