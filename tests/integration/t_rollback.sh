#!/usr/bin/env bash
# t_rollback.sh: a request that fails after it has written leaves nothing
# behind, and the requests batched with it are committed all the same; nor
# does failing upkeep (the duplicate index's) stop the writes.
#
# The server runs a batch's requests straight in its one transaction and
# lets a failed request go only if it wrote nothing (store->changes); one
# that failed after writing makes it replay the batch with a nested
# transaction per request.  server.clock's then_fail (--test-clock only)
# is such a request: it stores the new clock offset, then fails.
source "$(dirname "$0")/lib.sh"

# The count of writes is only true if every write goes through the store.
check "only core/store/ calls LMDB's put and del" "" \
	"$(grep -rnE --include='*.c' 'mdb_(put|del|cursor_put|cursor_del|drop)\(' \
		"$SK_SRC"/core "$SK_SRC"/plugins "$SK_SRC"/ipc |
		grep -v '/core/store/' || true)"

start_server --test-clock --log-level info

call "" unit.put '{"id":"thpt-trang-dinh","name":"Trường THPT Tràng Định"}' >/dev/null
now_after_1s() { jget "$(call "" server.clock '{"advance_s":1}')" .result.now; }
# Seconds from $1 to $2 (the test clock is the real clock plus an offset).
secs() { echo $(($(date -u -d "$2" +%s) - $(date -u -d "$1" +%s))); }
T0=$(now_after_1s)

# 24 writes and the failing request, all in flight at once: the failing
# one most likely shares its batch with some of them (whichever it shares
# it with, each must succeed).
pids=()
put_user() {
	call "" user.put "{\"id\":\"gv-$1\",\"name\":\"Giáo viên $1\",\"unit\":\"thpt-trang-dinh\",\"roles\":[\"author\"]}" >"$T_DIR/put-$1" &
	pids+=($!)
}
for i in $(seq 1 12); do put_user "$i"; done
call "" server.clock '{"advance_s":86400,"then_fail":true}' >"$T_DIR/fail" &
pids+=($!)
for i in $(seq 13 24); do put_user "$i"; done
wait "${pids[@]}" # not the server

check "the failing request is answered with its error" "false internal" \
	"$(jget "$(cat "$T_DIR/fail")" '(.ok|tostring)+" "+.error.code')"
ok=0
for i in $(seq 1 24); do
	[ "$(jget "$(cat "$T_DIR/put-$i")" .ok)" = true ] && ok=$((ok + 1))
done
check "every request batched with it succeeded" 24 "$ok"
found=0
for i in $(seq 1 24); do
	[ "$(jget "$(call "" user.get "{\"id\":\"gv-$i\"}")" .result.name)" = "Giáo viên $i" ] &&
		found=$((found + 1))
done
check "and is there to read" 24 "$found"

# The failed request's own write is gone: the clock moved 1 s, not a day.
T1=$(now_after_1s)
d=$(secs "$T0" "$T1")
check "the failed request's write was rolled back (clock moved ${d} s)" \
	true "$([ "$d" -lt 3600 ] && echo true || echo false)"

# After a restart, too (the rollback was not only in memory).
stop_server
grep -q "server.clock failed (internal) after writing" "$T_DIR/server.log" &&
	pass "the server says it replayed the batch" ||
	fail "the server did not log the replay"
start_server --test-clock
d=$(secs "$T1" "$(now_after_1s)")
check "a restart finds the clock where it was (moved ${d} s)" \
	true "$([ "$d" -lt 3600 ] && echo true || echo false)"
check "and the 24 users" 24 \
	"$(jget "$(call "" user.list)" '[.result.items[] | select(.id | startswith("gv-"))] | length')"
check "server.verify is clean" true "$(jget "$(call "" server.verify)" .result.ok)"
stop_server

# Upkeep that fails does not take the writes down with it: a damaged
# record of the duplicate index's pending work (written behind the
# server's back with lmdb-utils) stops that work, not the batch.
printf 'VERSION=3\nformat=print\ntype=btree\nHEADER=END\n \\01\\00\\00\\00\\07\n bad\nDATA=END\n' |
	mdb_load -s dedup_pending "$DATA"
start_server
r=$(call "" user.put '{"id":"gv-25","name":"Giáo viên 25","unit":"thpt-trang-dinh","roles":["author"]}')
check "a write is committed all the same" true "$(jget "$r" .ok)"
check "and there to read" "Giáo viên 25" \
	"$(jget "$(call "" user.get '{"id":"gv-25"}')" .result.name)"
grep -q "cannot bring the duplicate or search index up to date" "$T_DIR/server.log" &&
	pass "the server says what it stopped doing" ||
	fail "the server did not log the stalled upkeep"
check "server.verify reports the damage" false \
	"$(jget "$(call "" server.verify)" '.ok and .result.ok')"
stop_server
finish
