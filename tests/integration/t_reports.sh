#!/usr/bin/env bash
# t_reports.sh: the reports (report.*, `sangkien report`) over the demo's
# province, checked against case.list: the counts by state and unit, the
# recognized initiatives and their authors, answer times, as JSON, as a
# spreadsheet (unzipped, its sheet XML read) and as CSV.  The scorer
# report flags the member the demo makes harsh, and no one else.

source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

start_server
sk demo >/dev/null
cd "$T_DIR"
sk --json cases --all >all.json

# xlsx_rows FILE: the first sheet's rows as JSON arrays, one a line
# (shared strings resolved), read from the unzipped XML.
xlsx_rows() {
	python3 - "$1" <<'EOF'
import json, re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
import xml.etree.ElementTree as ET
strings = []
if "xl/sharedStrings.xml" in z.namelist():
    for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
        strings.append("".join(t.text or "" for t in si.iter("{%s}t" % ns["m"])))
sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
for row in sheet.find("m:sheetData", ns).findall("m:row", ns):
    out = {}
    for c in row.findall("m:c", ns):
        col = re.match(r"[A-Z]+", c.get("r")).group(0)
        idx = 0
        for ch in col:
            idx = idx * 26 + ord(ch) - 64
        v = c.find("m:v", ns)
        val = v.text if v is not None else ""
        if c.get("t") == "s":
            val = strings[int(val)]
        out[idx - 1] = val
    print(json.dumps([out.get(i, "") for i in range(max(out) + 1)] if out else [],
                     ensure_ascii=False, separators=(",", ":")))
pane = sheet.find("m:sheetViews/m:sheetView/m:pane", ns)
print("FROZEN", pane.get("ySplit") if pane is not None else "none", pane.get("state") if pane is not None else "")
EOF
}

# The states report against case.list, per state and per unit.
R=$(sk --json report states)
check "states: every case counted" "$(jq '.items | length' all.json)" \
	"$(jget "$R" .cases)"
check "states: totals by state are case.list's" \
	"$(jq -c '[.items | group_by(.state)[] | {(.[0].state): length}] | add' all.json)" \
	"$(jget "$R" '.totals' | jq -c 'to_entries | sort_by(.key) | from_entries')"
check "states: counts by unit are case.list's" \
	"$(jq -c '[.items | group_by(.unit)[] | {(.[0].unit): length}] | add' all.json)" \
	"$(jget "$R" '[.items[] | {(.unit): .total}] | add' | jq -c .)"
sk report states -o states.xlsx >/dev/null
jget "$R" '.items[0] | keys_unsorted | .[2:-1]' >states.order
xlsx_rows states.xlsx >states.rows
check "states.xlsx: Vietnamese headers" \
	'["Đơn vị","Nháp","Đã nộp","Trả lại","Cơ sở đang xét"' \
	"$(head -1 states.rows | jq -c '.[0:5]' | sed 's/]$//')"
check "states.xlsx: the header row is frozen" "FROZEN 1 frozen" \
	"$(tail -1 states.rows)"
check "states.xlsx: a row per unit" \
	"$(jq '[.items[].unit] | unique | length' all.json)" \
	"$(sed '1d;$d' states.rows | wc -l)"
check "states.xlsx: its figures are case.list's" \
	"$(jq -c '[.items | group_by(.state)[] | {(.[0].state): length}] | add' all.json)" \
	"$(python3 - states.rows <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("[")]
states = json.load(open("states.order"))
tot = {}
for r in rows[1:]:
    for i, s in enumerate(states):
        n = int(float(r[i + 1] or 0))
        if n:
            tot[s] = tot.get(s, 0) + n
print(json.dumps(dict(sorted(tot.items())), separators=(",", ":")))
EOF
)"
sk report states -o states.csv >/dev/null
check "states.csv: the same rows as the spreadsheet" \
	"$(sed '$d' states.rows | python3 -c 'import json,sys
for l in sys.stdin: print(",".join(str(int(float(c))) if c.replace(".","").isdigit() else c for c in json.loads(l)))')" \
	"$(sed '1s/^\xEF\xBB\xBF//' states.csv | tr -d '"\r')"

# Filters: a unit with and without the units below it; a state.
check "states --unit so-gddt: with the units below it" \
	"$(sk --json cases --all --unit so-gddt | jq '.items | length')" \
	"$(sk --json report states --unit so-gddt | jq .cases)"
check "states --unit so-gddt --only" \
	"$(sk --json cases --all --unit so-gddt --only | jq '.items | length')" \
	"$(sk --json report states --unit so-gddt --only | jq .cases)"
check "states --state draft" \
	"$(jq '[.items[] | select(.state == "draft")] | length' all.json)" \
	"$(sk --json report states --state draft | jq .cases)"
check "a year with no cases" 0 \
	"$(sk --json report states --year 1999 | jq .cases)"

# Recognized initiatives, with authors and shares.
REC_STATES='["unit_recognized","province_recommended","nominated","province_review","recognized","province_refused"]'
check "recognized: the cases recognized at some level" \
	"$(jq -c --argjson s "$REC_STATES" '[.items[] | select(.state as $x | $s | index($x)) | .id]' all.json)" \
	"$(sk --json report recognized | jq -c '[.items[].id]')"
sk report recognized -o rec.xlsx >/dev/null
xlsx_rows rec.xlsx >rec.rows
check "recognized.xlsx: ids as numbers, case.list's" \
	"$(jq -c --argjson s "$REC_STATES" '[.items[] | select(.state as $x | $s | index($x)) | .id | tostring]' all.json)" \
	"$(sed '1d;$d' rec.rows | jq -sc '[.[][0]]')"
check "recognized.xlsx: authors and shares, every diacritic" 1 \
	"$(grep -c 'Nguyễn Thị Lan (70%); Chu Thị Dung (30%)' rec.rows)"
check "recognized.xlsx: scope" '"Tỉnh"' \
	"$(sed -n 2p rec.rows | jq -c '.[4]')"
sk report recognized -o rec.csv >/dev/null
check "recognized.csv: the spreadsheet's rows" \
	"$(sed '1d;$d' rec.rows | jq -r '.[0]' | paste -sd,)" \
	"$(sed '1d' rec.csv | cut -d, -f1 | tr -d '"' | paste -sd,)"

# Authors with a recognized initiative this year (and none in another).
YEAR=$(date -u +%Y)
A=$(sk --json report authors --year "$YEAR")
check "authors: an author who is a user" 1 \
	"$(jget "$A" '[.items[] | select(.user == "nguyen.thi.lan")] | length')"
check "authors: a co-author who is no user" "[1]" \
	"$(jget "$A" '.items[] | select(.name == "Chu Thị Dung") | .cases' | jq -c .)"
check "authors: the count is the cases listed" \
	"$(jget "$A" '.items[] | select(.name == "Bế Thị Ngọc") | .cases | length')" \
	"$(jget "$A" '.items[] | select(.name == "Bế Thị Ngọc") | .count')"
check "authors: none recognized in 1999" 0 \
	"$(sk --json report authors --year 1999 | jq '.items | length')"

# Answer times against the three months: every case ever submitted, and
# answered once its unit decided.
for id in $(jq '.items[].id' all.json); do
	sk --json call case.get "{\"id\":$id}"
done | jq -s '.' >cases.json
T=$(sk --json report times)
check "times: every case ever submitted" \
	"$(jq -c '[.[] | select(.submitted_at != null) | .id]' cases.json)" \
	"$(jget "$T" '[.items[].id]' | jq -c .)"
check "times: answered once the unit decided" \
	"$(jq -c '[.[] | select([.decisions[]? | .stage] | index("unit")) | .id]' cases.json)" \
	"$(jget "$T" '[.items[] | select(.answered != null) | .id]' | jq -c .)"
check "times: the answer is due three months on" \
	"$(jq -r '.[0].submitted_at[0:10]' cases.json | xargs -I{} date -u -d '{} +3 months' +%F)" \
	"$(jget "$T" '.items[0].answer_due')"
check "times: nothing is late in the demo" 0 "$(jget "$T" .summary.late)"

# The scorers: the demo's harsh member, and no one else, with figures.
S=$(sk --json report scorers)
check "scorers: the harsh member alone is flagged" '["ha.thi.thanh"]' \
	"$(jget "$S" '[.items[] | select(.flagged) | .user]' | jq -c .)"
check "scorers: over at least five cases" true \
	"$(jget "$S" '.items[] | select(.user == "ha.thi.thanh") | .cases >= 5')"
check "scorers: well under the council's median" yes \
	"$(jget "$S" '.items[] | select(.user == "ha.thi.thanh") | .mean_deviation <= -10' |
		sed 's/true/yes/')"
check "scorers: two cases are too few to judge" '[]' \
	"$(jget "$S" '[.items[] | select(.cases < 5 and .flagged)]' | jq -c .)"
check "scorers: each item's fields" \
	'["cases","correlation","council","decisive","explain","flagged","mean_deviation","user"]' \
	"$(jget "$S" '.items[0] | keys' | jq -c .)"
sk report scorers -o scorers.xlsx >/dev/null
xlsx_rows scorers.xlsx >scorers.rows
check "scorers.xlsx: the flag" 1 "$(grep -c '"ha.thi.thanh".*"Có"' scorers.rows)"

# As a page (PDF): the same figures, and the README's picture of it
# (build/doc-images/, or SK_DOC_IMAGES; a copy in tests/docs/).
sk report scorers -o scorers.pdf >/dev/null
pdftotext -layout scorers.pdf - | tr -s ' ' >scorers.txt
check "scorers.pdf: its title" 1 "$(grep -c 'ĐỘ LỆCH ĐIỂM CỦA THÀNH VIÊN HỘI ĐỒNG' scorers.txt)"
check "scorers.pdf: the harsh member, flagged" 1 \
	"$(grep -c 'hd-gddt ha.thi.thanh [0-9]* -[0-9,]* [0-9,]* Có' scorers.txt)"
IMAGES=${SK_DOC_IMAGES:-$SK_BIN/doc-images}
mkdir -p "$IMAGES"
pdftoppm -png -r 60 -f 1 -l 1 -singlefile scorers.pdf "$IMAGES/report-scorers"

# Who may, and bad filters.
LAN=$(sk token nguyen.thi.lan 2>/dev/null)
check "an author may not read reports" forbidden \
	"$(jget "$(call "$LAN" report.states)" .error.code)"
check "an unknown state" bad_request \
	"$(jget "$(call "" report.states '{"state":"nope"}')" .error.code)"
check "an unknown argument" bad_request \
	"$(jget "$(call "" report.times '{"yaer":2026}')" .error.code)"
check "sangkien report: an unknown report" 2 "$(status_of sk report nope 2>/dev/null)"
check "sangkien report: a table for people" 1 \
	"$(sk report scorers | grep -c '^hd-gddt *ha.thi.thanh .*Có')"

finish
