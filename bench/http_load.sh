#!/usr/bin/env bash
# Load on the HTTP API while a backtest-speed replay runs in the same process:
# starts `herald run` with the simulated market at full speed (scanner.speed=0,
# bounded at CANDLES per series, three series), waits until it serves, then
# drives a mix of GET routes with wrk (Debian's wrk: closed loop, so it reports
# the throughput the node sustains and the latency at that load) for SECONDS.
# The per-token rate limit is off for the run (http.rate-limit=0).
# Usage: bench/http_load.sh [BUILD_DIR] [SECONDS] [CONNECTIONS] [CANDLES]
set -euo pipefail
build="${1:-build}"
secs="${2:-20}"
conns="${3:-8}"
candles="${4:-5000000}"
here="$(cd "$(dirname "$0")" && pwd)"
command -v wrk >/dev/null || { echo "apt-get install wrk" >&2; exit 2; }
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
token="bench-admin-token-0123456789"
echo "HERALD_API_TOKENS=bench:admin:$token" > "$dir/secrets.env"
"$build/herald" run --config "$here/../config/caf-application.conf" --candles "$candles" \
  --scanner.speed=0 --http.port=0 --inspector.port=0 --http.rate-limit=0 \
  --secrets.env-file="$dir/secrets.env" --db.url="sqlite://$dir/h.db" \
  --publish.articles.dir="$dir/site" --content.chart-dir="$dir/charts" \
  > "$dir/out.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  port=$(grep -oE "listening on http://127.0.0.1:[0-9]+" "$dir/out.log" | grep -oE "[0-9]+$" || true)
  [[ -n "$port" ]] && break
  sleep 0.1
done
[[ -n "${port:-}" ]] || { cat "$dir/out.log"; echo "herald did not start" >&2; exit 1; }
accepted() {
  curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/series" |
    { grep -oE '"accepted":[0-9]+' || true; } | { grep -oE '[0-9]+' || echo 0; } | paste -sd+ | bc
}
# Wait until the replay is under way (the inspector polls the hub every second).
for _ in $(seq 1 100); do
  before=$(accepted)
  [[ "$before" -gt 0 ]] && break
  sleep 0.1
done
echo "wrk: $conns connections, 2 threads, $secs s, mixed GETs (bench/http_load.lua), replay running"
HERALD_BENCH_TOKEN=$token wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$here/http_load.lua" \
  "http://127.0.0.1:$port" | { grep -E "requests .* req/s|Latency Distribution|^ +(50|75|90|99)%|status" || true; }
after=$(accepted)
if kill -0 $pid 2>/dev/null; then
  echo "replay during the load: $((after - before)) candles in ~${secs}s = $(( (after - before) / secs )) candles/s (3 series)"
else
  echo "note: the replay finished before the load ended (raise CANDLES)"
fi
