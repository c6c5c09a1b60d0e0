#!/usr/bin/env bash
# Back-pressure under load: `herald run` with SYMBOLS simulated symbols at
# full speed (scanner.speed=0), persistence (SQLite), analysis and content on,
# for SECONDS; then SIGINT. Prints the resident memory every 10 s, the peak,
# the time the stop took, the exit code, and what reached the database:
# 1m candles, signals, analysis results, candles without a signal, and the
# throughput (1m candles stored and analysed per second).
# Usage: bench/load_bench.sh [BUILD_DIR] [SECONDS] [SYMBOLS] [extra herald options...]
set -euo pipefail
build="${1:-build}"
secs="${2:-180}"
nsym="${3:-20}"
shift $(( $# < 3 ? $# : 3 ))
bin="$build/herald"
[[ -x "$bin" ]] || { echo "build $bin first (cmake --build $build --target herald)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 command line tool" >&2; exit 2; }
src="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d /tmp/herald-load.XXXXXX)
trap 'rm -rf "$work"' EXIT
syms="["
for ((i = 1; i <= nsym; i++)); do syms+="$( ((i > 1)) && echo ', ')\"B$(printf %02d "$i")USDT\""; done
syms+="]"
"$bin" run --config "$src/config/caf-application.conf" --http.port=0 --inspector.port=0 \
  --db.url="sqlite://$work/h.db" --db.spill-file="$work/spill" \
  --publish.articles.dir="$work/site" --content.chart-dir="$work/charts" \
  --scanner.speed=0 --scanner.start-time=1577836800000 --scanner.symbols="$syms" \
  --herald.shutdown-grace=20s "$@" >"$work/out.log" 2>&1 &
pid=$!
peak=0
for ((t = 1; t <= secs; t++)); do
  sleep 1 # sampling cadence of the measurement
  kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  ((kib > peak)) && peak=$kib
  ((t % 10 == 0)) && echo "t=${t}s rss=$((kib / 1024)) MiB"
done
t0=$(date +%s.%N)
kill -INT "$pid"
set +e; wait "$pid"; code=$?; set -e
stop=$(echo "$(date +%s.%N) - $t0" | bc)
q() { sqlite3 "$work/h.db" "$1"; }
candles=$(q "SELECT COUNT(*) FROM market_data WHERE interval='1m'")
echo "symbols $nsym, ${secs} s at full speed; exit code $code; stop took ${stop} s"
echo "peak RSS $((peak / 1024)) MiB"
echo "1m candles $candles, all candles $(q "SELECT COUNT(*) FROM market_data"), signals $(q "SELECT COUNT(*) FROM signals"), analysis results $(q "SELECT COUNT(*) FROM analysis_results"), insights $(q "SELECT COUNT(*) FROM insights")"
echo "1m candles without a signal: $(q "SELECT COUNT(*) FROM market_data m WHERE interval='1m' AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.symbol=m.symbol AND s.interval=m.interval AND s.open_time=m.open_time)")"
echo "throughput: $(echo "$candles / $secs" | bc) 1m candles/s stored and analysed ($(echo "$candles * 8 / $secs" | bc) analyzer results/s)"
grep -E "source stopped for the shutdown|stopping before|did not finish within" "$work/out.log" | sed 's/^/log: /' || true
