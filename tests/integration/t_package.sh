#!/usr/bin/env bash
# t_package.sh: the Debian package (make deb; core/server/dist/).  It builds
# the package with CPack from this build, then checks what a province's IT
# staff rely on: its contents and conffile, its Depends (computed by
# dpkg-shlibdeps), lintian's verdict (no error), `systemd-analyze verify`
# of its units, and that the server starts from the unpacked package with
# the shipped configuration (paths moved to a throwaway directory), under
# the unit's SystemCallFilter (seccomp.py), as an unprivileged user when
# run as root; that it answers, serves the page, rereads rubrics on SIGHUP
# and stops cleanly; and that the backup job keeps the last backup-keep
# verified backups.
source "$(dirname "$0")/lib.sh"

for tool in cpack dpkg-deb dpkg-shlibdeps lintian systemd-analyze python3 cpp; do
	command -v "$tool" >/dev/null || { echo "missing $tool (make deps)"; exit 1; }
done
VERSION=$(sed -n 's/^project(sangkien VERSION \([0-9.]*\).*/\1/p' "$SK_SRC/CMakeLists.txt")
DEB="$T_DIR/pkg/sangkien_${VERSION}_amd64.deb"
(cd "$SK_BIN" && cpack -G DEB -B "$T_DIR/pkg" >"$T_DIR/cpack.log" 2>&1) ||
	{ cat "$T_DIR/cpack.log"; fail "cpack"; finish; }
[ -f "$DEB" ] && pass "make deb builds sangkien_${VERSION}_amd64.deb" ||
	{ ls "$T_DIR/pkg"; fail "no $DEB"; finish; }

# Contents.
dpkg-deb -c "$DEB" | awk '{print $1, $2, $6}' >"$T_DIR/contents"
has() {
	grep -q "^$1 root/root \./$2\$" "$T_DIR/contents" && pass "ships $2" ||
		fail "ships $2 ($1, root)"
}
has -rwxr-xr-x usr/bin/sangkiend
has -rwxr-xr-x usr/bin/sangkien
has -rwxr-xr-x usr/libexec/sangkien/sangkien-backup
has -rw-r--r-- etc/sangkien/sangkiend.conf
has -rw-r--r-- lib/systemd/system/sangkiend.service
has -rw-r--r-- lib/systemd/system/sangkien-backup.service
has -rw-r--r-- lib/systemd/system/sangkien-backup.timer
has -rw-r--r-- usr/share/man/man8/sangkiend.8.gz
has -rw-r--r-- usr/share/man/man1/sangkien.1.gz
has -rw-r--r-- usr/share/doc/sangkien/copyright
has -rw-r--r-- usr/share/sangkien/rubrics/default.lua
has -rw-r--r-- usr/share/sangkien/web/index.html
check "every shipped rubric" "$(cd "$SK_SRC/rubrics" && ls *.lua | sort)" \
	"$(grep -o 'usr/share/sangkien/rubrics/[^/]*\.lua$' "$T_DIR/contents" |
		xargs -n1 basename | sort)"
check "the configuration is a conffile" "/etc/sangkien/sangkiend.conf" \
	"$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles)"
check "the version is the project's" "$VERSION" "$(dpkg-deb -f "$DEB" Version)"

# Depends: computed from the linked libraries, not typed by hand.
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
for lib in libc6 libuv1 liblmdb0 libnng1 liblua5.4-0 libjson-c5 \
	libsodium23 libutf8proc2 libxxhash0 libjemalloc2 libsystemd0 \
	libpangocairo-1.0-0 libqrencode4 adduser fonts-noto-core; do
	case ", $DEPENDS," in
	*", $lib "* | *", $lib,"*) pass "Depends: $lib" ;;
	*) fail "Depends lacks $lib: $DEPENDS" ;;
	esac
done

# lintian: no error; the warnings are shown.
lintian --tag-display-limit 0 "$DEB" >"$T_DIR/lintian.out" 2>/dev/null || true
grep '^W: ' "$T_DIR/lintian.out" || true
check "lintian reports no error" "" "$(grep '^E: ' "$T_DIR/lintian.out" || true)"

# Unpack: the installed layout, in a throwaway root.
ROOT="$T_DIR/root"
dpkg -x "$DEB" "$ROOT"
for page in "$ROOT"/usr/share/man/man*/*.gz; do
	check "$(basename "$page"): gzip, no warning from man" "" \
		"$(gzip -t "$page" 2>&1; LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)"
done

# The units, with the package's paths moved into ROOT (systemd-analyze
# checks that ExecStart's program exists and is executable).
mkdir "$T_DIR/units"
for u in sangkiend.service sangkien-backup.service sangkien-backup.timer; do
	sed "s|/usr/|$ROOT/usr/|g" "$ROOT/lib/systemd/system/$u" >"$T_DIR/units/$u"
done
check "systemd-analyze verify: the units" "" \
	"$(cd "$T_DIR/units" && systemd-analyze verify --man=no \
		sangkiend.service sangkien-backup.service sangkien-backup.timer 2>&1)"
grep -q '^Type=notify$' "$ROOT/lib/systemd/system/sangkiend.service" &&
	pass "Type=notify" || fail "Type=notify"

# The shipped configuration, its paths moved into T_DIR.
PORT=$(free_port)
VAR="$T_DIR/var"
RUN="$T_DIR/run"
CONF="$T_DIR/sangkiend.conf"
sed -e "s|/var/lib/sangkien|$VAR|g" -e "s|/run/sangkien|$RUN|g" \
	-e "s|/usr/share/sangkien|$ROOT/usr/share/sangkien|g" \
	-e "s|^http = http://127.0.0.1:8080|http = http://127.0.0.1:$PORT|" \
	-e "s|^backup-keep = .*|backup-keep = 2|" \
	"$ROOT/etc/sangkien/sangkiend.conf" >"$CONF"
getent group sangkien >/dev/null || sed -i '/^admin-group = /d' "$CONF"
check "the shipped configuration listens on 127.0.0.1:8080 only" \
	"http = http://127.0.0.1:8080" \
	"$(grep -E '^(http|listen) = (http|ws|tcp|tls)' "$ROOT/etc/sangkien/sangkiend.conf")"
mkdir -p "$VAR/backups" "$RUN"
chmod 0755 "$T_DIR"
# As the unit does: an unprivileged user (nobody here, when root runs the
# tests), umask 0007, the unit's system-call filter.
AS=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chown -R 65534:65534 "$VAR" "$RUN"
	AS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
fi
SECCOMP="$SK_SRC/tests/integration/seccomp.py"
# Debian's python3, which the unprivileged user can run (not a shim in
# root's home).
PY=$(command -v /usr/bin/python3 || command -v python3)
(umask 0007; exec "${AS[@]}" "$PY" "$SECCOMP" "$ROOT/lib/systemd/system/sangkiend.service" -- \
	"$ROOT/usr/bin/sangkiend" --config "$CONF") >"$T_DIR/server.log" 2>&1 &
SKD_PID=$!
export SANGKIEN_CONF="$CONF"
PKG_CLI="$ROOT/usr/bin/sangkien"
cli() { (cd "$T_DIR" && env -u SANGKIEN_SERVER "$PKG_CLI" "$@"); }
for _ in $(seq 1 400); do
	cli status >/dev/null 2>&1 && break
	kill -0 "$SKD_PID" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$SKD_PID" 2>/dev/null || cat "$T_DIR/server.log"
r=$(cli --json status 2>&1) || true
check "the installed server answers server.status (CLI without flags)" \
	"$VERSION" "$(jget "$r" .version 2>/dev/null || echo "$r")"
[ -S "$RUN/api.ipc" ] && pass "the API socket is in the runtime directory" ||
	fail "no $RUN/api.ipc"
check "the web page on the configured address" 200 \
	"$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")"
check "a write is committed" 0 \
	"$(status_of cli unit put so-kh --name 'Sở Khoa học và Công nghệ')"
# A PDF document (pango, cairo, fontconfig) under the filter too.
cli demo >/dev/null 2>&1 || fail "sangkien demo"
cli doc certificate 4 -o "$T_DIR/cert.pdf" >/dev/null 2>&1 || true
check "a PDF document is made" "%PDF-" "$(head -c 5 "$T_DIR/cert.pdf" 2>&1)"

# The daily backup job, three times with backup-keep = 2, under its unit's
# filter: two verified backups stay.
for i in 1 2 3; do
	(exec "${AS[@]}" env SANGKIEN="$PKG_CLI" SANGKIEND="$ROOT/usr/bin/sangkiend" \
		"$PY" "$SECCOMP" "$ROOT/lib/systemd/system/sangkien-backup.service" -- \
		"$ROOT/usr/libexec/sangkien/sangkien-backup") >"$T_DIR/backup.$i.log" 2>&1 ||
		{ cat "$T_DIR/backup.$i.log"; fail "backup $i"; }
	sleep 1 # backups are named by the second
done
check "the backup job keeps the last 2" 2 \
	"$(ls "$VAR/backups" | grep -cE '^[0-9]{8}T[0-9]{6}Z$')"
check "each one verified" 3 "$(cat "$T_DIR"/backup.*.log | grep -c 'written and verified')"
check "no scratch copy left" "" "$(ls -A "$VAR/backups" | grep '^\.' || true)"
last=$(ls "$VAR/backups" | sort | tail -n 1)
n=$(mdb_dump -a -p "$VAR/backups/$last" 2>/dev/null | grep -c 'so-kh' || true)
[ "${n:-0}" -gt 0 ] && pass "a kept backup holds the write" ||
	fail "the backup lacks the write"

kill -HUP "$SKD_PID"
wait_for_text "$T_DIR/server.log" "SIGHUP: rereading rubrics from $ROOT/usr/share/sangkien/rubrics" ||
	fail "SIGHUP rereads the rubrics"
check "still serving after SIGHUP" 0 "$(status_of cli status)"
stop_server
check "no system call outside the filter (no SIGSYS)" "" \
	"$(grep -i 'bad system call' "$T_DIR/server.log" || true)"
finish
