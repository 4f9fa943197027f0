#!/usr/bin/env bash
# Browser test of calculator.html: for several patients, open the page in headless Chromium with the inputs
# pre-filled from the URL hash, read the points, risk, interval and advice the page shows (--dump-dom), and
# compare them with `calcscore card --values ... --json` (the CLI's numbers, themselves checked against R in
# tests/cli_card.rs). Skips with a message, exit 0, when no Chromium is installed (Debian: apt-get install -y chromium).
# Usage: tests/browser/calculator.sh [path/to/calcscore]   (default: target/debug/calcscore, built if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "SKIP calculator browser test: no chromium found (Debian: apt-get install -y chromium)"
    exit 0
fi
bin=${1:-${CARGO_TARGET_DIR:-target}/debug/calcscore}
[ -x "$bin" ] || cargo build --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check() { # score, values (column=value,...)
    local score=$1 values=$2 dir
    dir="$work/$(echo "$score" | tr -c 'a-z0-9' '_')"
    [ -d "$dir" ] || "$bin" card --score "$score" --out "$dir" > /dev/null
    "$bin" card --score "$score" --values "$values" --json > "$work/cli.json"
    local hash
    hash=$(printf '%s' "$values" | tr ',' '&')
    "$browser" --headless --disable-gpu --no-sandbox --user-data-dir="$work/profile" \
        --dump-dom "file://$dir/calculator.html#$hash" 2> /dev/null > "$work/dom.html"
    python3 - "$work/cli.json" "$work/dom.html" "$score" "$values" <<'PY'
import html, json, re, sys
cli = json.load(open(sys.argv[1]))
dom = open(sys.argv[2]).read()
def attr(id_, name):
    m = re.search(r'<[^>]*id="%s"[^>]*>' % id_, dom)
    if not m:
        sys.exit("no #%s in the page" % id_)
    a = re.search(r'%s="([^"]*)"' % name, m.group(0))
    return a.group(1) if a else ""
def text(id_):
    m = re.search(r'id="%s"[^>]*>([^<]*)<' % id_, dom)
    return html.unescape(m.group(1)) if m else ""
label = "%s %s" % (sys.argv[3].split("/")[-1], sys.argv[4])
shown = {"points": int(attr("points", "data-value")), "advice": text("advice")}
assert shown["points"] == cli["points"], (label, shown, cli)
assert shown["advice"] == cli["advice"], (label, shown["advice"], cli["advice"])
for key, (id_, name) in {"risk": ("risk", "data-value"), "low": ("interval", "data-low"),
                         "high": ("interval", "data-high")}.items():
    page = attr(id_, name)
    if cli[key] is None:
        assert page == "", (label, key, page)
    else:
        assert abs(float(page) - cli[key]) < 1e-12, (label, key, page, cli[key])
print("ok  %-22s %-70s points %d  risk %s" % (sys.argv[3].split("/")[-1], sys.argv[4], cli["points"],
      "none" if cli["risk"] is None else "%.4f [%.4f, %.4f]" % (cli["risk"], cli["low"], cli["high"])))
PY
}

# A form with a measurement left empty: the points so far are shown, but no advice and no risk (a missing
# measurement may still add points), and the empty item is named.
incomplete() { # score, values, expected points so far, label of the empty item
    local score=$1 values=$2 dir
    dir="$work/$(echo "$score" | tr -c 'a-z0-9' '_')"
    [ -d "$dir" ] || "$bin" card --score "$score" --out "$dir" > /dev/null
    "$browser" --headless --disable-gpu --no-sandbox --user-data-dir="$work/profile" \
        --dump-dom "file://$dir/calculator.html#$(printf '%s' "$values" | tr ',' '&')" 2> /dev/null > "$work/dom.html"
    python3 - "$work/dom.html" "$3" "$4" "$score $values" <<'PY'
import html, re, sys
dom = open(sys.argv[1]).read()
def tag(id_):
    m = re.search(r'<[^>]*id="%s"[^>]*>([^<]*)<' % id_, dom)
    if not m:
        sys.exit("no #%s in the page" % id_)
    return m.group(0), html.unescape(m.group(1))
points, _ = tag("points")
assert 'data-value="%s"' % sys.argv[2] in points, (sys.argv[4], points)
risk, shown = tag("risk")
assert 'data-value=""' in risk and shown == "", (sys.argv[4], risk)
_, advice = tag("advice")
assert advice.startswith("Enter every measurement"), (sys.argv[4], advice)
_, missing = tag("missing")
assert sys.argv[3] in missing, (sys.argv[4], missing)
print("ok  incomplete %-60s points so far %s, no advice, no risk; names '%s'" % (sys.argv[4], sys.argv[2], sys.argv[3]))
PY
}

bw=tests/reference/card/birthwt_score.toml
check "$bw" "smoke=0,ht=0,lwt=150,ui=0"
check "$bw" "smoke=1,ht=0,lwt=150,ui=0"
check "$bw" "smoke=1,ht=1,lwt=100,ui=0"
check "$bw" "smoke=1,ht=1,lwt=100,ui=1"
check "$bw" "smoke=0,ht=0,lwt=109.5,ui=1"
check ivus-zhang2021 "calcium_270_length_mm=6,calcium_360=1,calcified_nodule=0,vessel_diameter_mm=3.8"
check ivus-zhang2021 "calcium_270_length_mm=5,calcium_360=0,calcified_nodule=1,vessel_diameter_mm=3.5"
check ivus-zhang2021 "calcium_270_length_mm=7.2,calcium_360=1,calcified_nodule=1,vessel_diameter_mm=2.9"
check oct-fujino2018 "max_calcium_angle_deg=200,calcium_thickness_mm=0.6,calcium_length_mm=6"
check oct-fujino2018 "max_calcium_angle_deg=180,calcium_thickness_mm=0.5,calcium_length_mm=5"
incomplete "$bw" "smoke=1,ht=1,ui=0" 3 "Weight at last period"
incomplete ivus-zhang2021 "calcium_360=1,calcified_nodule=1,vessel_diameter_mm=3.2" 3 "Length of calcium"
echo "calculator browser test: all pages agree with the CLI"
