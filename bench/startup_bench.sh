#!/usr/bin/env bash
# Start-up: how long `herald run` (shipped config, offline defaults, a fresh
# SQLite database) takes from exec to the first 200 from /ready, RUNS times,
# with analysis on and with --analysis.enabled=false. Prints each run, the
# median and the worst. Goal (issue 20): /ready <= 1 s.
# Usage: bench/startup_bench.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build="${1:-build}"
runs="${2:-10}"
bin="$build/herald"
[[ -x "$bin" ]] || { echo "build $bin first (cmake --build $build --target herald)" >&2; exit 2; }
command -v curl >/dev/null || { echo "needs curl" >&2; exit 2; }
src="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d /tmp/herald-startup.XXXXXX)
trap 'rm -rf "$work"' EXIT
now_ms() { date +%s%3N; }
one() { # extra options...; prints ms to /ready, or "never" after 30 s
  local port=$((20000 + RANDOM % 20000)) dir="$work/$RANDOM"
  mkdir -p "$dir"
  local t0; t0=$(now_ms)
  "$bin" run --config "$src/config/caf-application.conf" --http.port="$port" \
    --inspector.port=0 --db.url="sqlite://$dir/h.db" --db.spill-file="$dir/spill" \
    --publish.articles.dir="$dir/site" --content.chart-dir="$dir/charts" "$@" \
    >"$dir/out.log" 2>&1 &
  local pid=$! took=never
  while (( $(now_ms) - t0 < 30000 )); do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready")" == 200 ]]; then
      took=$(( $(now_ms) - t0 ))
      break
    fi
    sleep 0.01
  done
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$took"
}
report() { # label, values...
  local label=$1; shift
  local sorted; sorted=$(printf '%s\n' "$@" | sort -n)
  local n=$# med worst
  med=$(echo "$sorted" | sed -n "$(( (n + 1) / 2 ))p")
  worst=$(echo "$sorted" | tail -1)
  printf '%-28s runs %s: %s | median %s ms, worst %s ms (goal <= 1000 ms)\n' \
    "$label" "$n" "$(echo $* )" "$med" "$worst"
}
on=(); off=()
for ((i = 0; i < runs; i++)); do
  on+=("$(one)")
  off+=("$(one --analysis.enabled=false)")
done
report "herald run -> /ready" "${on[@]}"
report "analysis disabled -> /ready" "${off[@]}"
