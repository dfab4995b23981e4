#!/usr/bin/env bash
# t_mapgrow.sh: a database map that cannot grow (issue 19, finding 3).
# LMDB unmaps its map before it maps the doubled one; when that mmap fails
# (here: the address space limited with `ulimit -v`) the environment used
# to be left with no map, and the next read crashed the server (SIGSEGV in
# store_read_begin).  Now a failed grow opens the map again at its old
# size: writes that need room are refused with `unavailable` naming the
# cause, reads go on, and a restart without the limit grows it.
#
# The limit is found from the server itself: started once without it on
# the filled database, its VmSize is read; then it is started under
# VmSize + 8 MiB, which lets it run but not double a 16 MiB map.
source "$(dirname "$0")/lib.sh"

# AddressSanitizer maps terabytes of shadow memory: under an address-space
# limit it cannot grow at all, so the test means nothing there.
if [ "${SK_SANITIZED:-0}" = 1 ]; then
	echo "ok - skipped under the sanitizers (ulimit -v and ASan's shadow memory)"
	exit 0
fi

FIRST=$(date -u -d '-2 months' +%F)
# A case of four 60 KB sections: 16 MiB fill up in about 60 of them.
jq -nc --arg f "$FIRST" --arg s "$(head -c 60000 /dev/zero | tr '\0' x)" \
	'{op: "case.create", args: {unit: "u1", title: "lớn", field: "y tế",
	  first_applied: $f, authors: [{name: "Hoàng Văn Lộc", share: 100}],
	  sections: {status_quo: $s, solution: $s, novelty: $s,
	  applicability: $s}}}' >"$T_DIR/big.json"
big() { nngcat --req --dial "$API" --raw --recv-timeout 10 --file "$T_DIR/big.json"; }

start_server --map-size 16
call "" unit.put '{"id":"u1","name":"Đơn vị một"}' >/dev/null
# Filled to about 10 MiB: the next writes cross three quarters of the map.
for _ in $(seq 1 40); do big >/dev/null; done
FIRST_ID=$(call "" case.list '{}' | jq '.result.items[0].id')
stop_server

start_server --map-size 16
VM=$(awk '/^VmSize/ { print $2 }' "/proc/$SKD_PID/status")
stop_server
LIMIT=$((VM + 8192))
echo "# VmSize at start ${VM} kB; limit ${LIMIT} kB"

(
	ulimit -v "$LIMIT"
	exec "$SKD" --data "$DATA" --rubrics "$SK_SRC/rubrics" --map-size 16 \
		--log-level info >>"$T_DIR/server.log" 2>&1
) &
SKD_PID=$!
for _ in $(seq 1 200); do
	[ -S "$DATA/api.ipc" ] && sk status >/dev/null 2>&1 && break
	sleep 0.05
done

refused=""
for i in $(seq 1 40); do
	r=$(big 2>/dev/null || true)
	if [ "$(jget "$r" .error.code 2>/dev/null)" = unavailable ]; then
		refused=$r
		break
	fi
	kill -0 "$SKD_PID" 2>/dev/null || break
done
echo "# refused after $i writes: $(jget "$refused" .error.message 2>/dev/null)"
check "a write that needs a bigger map is refused with unavailable" \
	unavailable "$(jget "$refused" .error.code 2>/dev/null)"
check "the refusal names the cause" true \
	"$(jget "$refused" '.error.message | startswith("database map cannot grow: ")' 2>/dev/null)"
check "the server is alive after the failed grow" 0 \
	"$(status_of kill -0 "$SKD_PID")"
r=$(call "" case.get "{\"id\":$FIRST_ID}")
check "case.get is still answered" "true lớn" \
	"$(jget "$r" .ok) $(jget "$r" .result.title)"
r=$(big)
check "a second write is refused the same way" unavailable \
	"$(jget "$r" .error.code)"
r=$(call "" unit.put '{"id":"u2","name":"Đơn vị hai"}')
check "a small write that fits in the map still goes through" true \
	"$(jget "$r" .ok)"
check "the server is still alive" 0 "$(status_of kill -0 "$SKD_PID")"
grep -q "database map cannot grow" "$T_DIR/server.log" &&
	pass "the failed grow is logged" || fail "the failed grow is not logged"
stop_server

# Without the limit the next start grows the map as it should.
start_server --map-size 16
r=$(big)
check "after a restart without the limit writes go through again" true \
	"$(jget "$r" .ok)"
r=$(sk --json verify)
check "verify is clean afterwards" true "$(jget "$r" .ok)"
stop_server
finish
