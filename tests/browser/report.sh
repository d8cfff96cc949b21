#!/usr/bin/env bash
# tests/browser/report.sh HARNESS SRCDIR - open the smoke run's report.html
# in headless Chromium (Debian's chromium) and check, from the page as the
# browser laid it out, that every figure of RUN/figures/ is in it and drawn
# at a real size, on a desktop-wide window and on a narrow one (500 px,
# the narrowest headless Chromium lays a page out at: no figure wider than
# the window, no sideways scrolling of the page).
#
# The report has no script; the test adds one to a copy of it, which
# writes what the browser measured into the DOM that --dump-dom prints.
# Without chromium the test is skipped (exit 77), unless
# HX_REQUIRE_CHROMIUM=1 (make -f Makefile.runs test sets it): then it fails.
set -uo pipefail
harness=$(realpath "$1")
src=$(realpath "$2")
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
	if [ "${HX_REQUIRE_CHROMIUM:-}" = 1 ]; then
		echo "browser/report: chromium is not installed (make -f Makefile.runs deps-test)" >&2
		exit 1
	fi
	echo "browser/report: chromium is not installed: skipped" >&2
	exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
cp -r "$src/experiments" "$src/golden" .
"$harness" run experiments/smoke.yaml --workers 2 --no-archive >run.log 2>&1 || {
	cat run.log >&2; echo "browser/report: the smoke run failed" >&2; exit 1; }
run=$(ls -d runs/smoke-*/ | head -1)
nfig=$(ls "$run/figures" | wc -l)
[ "$nfig" -ge 3 ] || { echo "browser/report: $nfig figures in $run/figures" >&2; exit 1; }

# the copy with the measuring script, just before </body>
sed 's#</body>#<script>\
var out = [];\
document.querySelectorAll("figure").forEach(function (f) {\
  var s = f.querySelector("svg"), r = s ? s.getBoundingClientRect() : {width: 0, height: 0};\
  var n = s ? s.querySelectorAll("polyline, path, text").length : 0;\
  out.push(f.id + " " + Math.round(r.width) + "x" + Math.round(r.height) + " marks=" + n);\
});\
out.push("viewport " + window.innerWidth + " scroll " + document.documentElement.scrollWidth);\
var pre = document.createElement("pre"); pre.id = "measured";\
pre.textContent = out.join("\\n"); document.body.appendChild(pre);\
</script></body>#' "$run/report.html" >"$run/measure.html"

status=0
for size in 1280,900 500,900; do
	"$chromium" --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
		--no-first-run --user-data-dir="$work/profile" --window-size="$size" \
		--virtual-time-budget=5000 --dump-dom "file://$work/${run}measure.html" \
		>dom.html 2>chromium.log
	sed -n '/<pre id="measured">/,/<\/pre>/p' dom.html | sed 's/<[^>]*>//g' >measured.txt
	if ! grep -q '^viewport' measured.txt; then
		echo "browser/report: window $size: no measurement in the page" >&2
		tail -5 chromium.log >&2
		status=1
		continue
	fi
	n=$(grep -c '^fig-' measured.txt)
	echo "window $size: $n figures in the page, $nfig in figures/; $(grep '^fig-' measured.txt | tr '\n' ';')"
	[ "$n" -eq "$nfig" ] || { echo "browser/report: window $size: $n figures, expected $nfig" >&2; status=1; }
	read -r _ vw _ sw < <(grep '^viewport' measured.txt)
	while read -r id dims marks; do
		fw=${dims%x*} fh=${dims#*x} m=${marks#marks=}
		if [ "$fw" -lt 200 ] || [ "$fh" -lt 100 ] || [ "$fw" -gt "$vw" ] || [ "$m" -lt 10 ]; then
			echo "browser/report: window $size: $id drawn ${dims} with $m marks" >&2
			status=1
		fi
	done < <(grep '^fig-' measured.txt)
	[ "$sw" -le "$vw" ] || { echo "browser/report: window $size: the page scrolls sideways ($sw > $vw)" >&2; status=1; }
	# each SVG figure is also on file for other documents
	for f in "$run"/figures/*.svg; do
		name=$(basename "$f" .svg)
		grep -q "^fig-$name " measured.txt || { echo "browser/report: $name.svg is not in the page" >&2; status=1; }
	done
done
[ $status -eq 0 ] && echo "browser/report: every figure is in the page and sized, on both windows"
exit $status
