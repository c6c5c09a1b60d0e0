#!/usr/bin/env bash
# Cluster failure detection and series reassignment (issue 16): four
# `herald node` processes over mutual TLS with a throwaway PostgreSQL (n1
# data+ops observes and holds the coordinator lease, n2 analysis is the
# victim, n3 content, n4 analysis takes n2's series). Prints, per fault kind
# (SIGKILL, or SIGSTOP = a frozen node), the detection time from the fault to
# n1 logging the loss ("node n2 lost") and the reassignment time from the
# fault to n1 writing the move of n2's series, as p50/p99/max over FAULTS
# faults each (series move back to n2 between faults: min-stay 0); then, for
# LOAD_SECONDS, counts false node-down alarms while every core is kept busy
# by CPU burners (2 per core) next to the nodes. Also prints the pipeline
# latency across nodes (hub on n1, pipeline where the `analysis` lease is,
# analyzers on n2 and n4) and the distributed backtest's throughput on two
# analysis nodes, one, and one process (real 5m candles of BTC and ETH).
# Usage: bench/cluster_bench.sh [BUILD_DIR] [FAULTS] [LOAD_SECONDS]
#   defaults: build 20 600
set -euo pipefail
build="${1:-build}"
faults="${2:-20}"
load_secs="${3:-600}"
bin="$(realpath "$build/herald")"
[[ -x "$bin" ]] || { echo "build $build/herald first" >&2; exit 2; }
src="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d /tmp/herald-cluster-bench.XXXXXX)
pids=()
burners=()
cleanup() {
  for p in "${burners[@]}" "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill -9 "$p" 2>/dev/null || true; done
  "$src/scripts/pg-throwaway" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"$src/scripts/pg-throwaway" start "$work/pg" >/dev/null
url=$(cat "$work/pg/url")
"$src/scripts/cluster-certs" "$work/certs" n1,n2,n3,n4 >/dev/null
printf 'HERALD_API_TOKENS=admin:admin:bench-token-0123456789\n' >"$work/secrets.env"

ms_now() { date +%s%3N; }
# ms since the epoch of a log line's timestamp ("2026-12-06 21:17:45.717 ...").
ms_of_line() { date -d "$(cut -c1-23 <<<"$1")" +%s%3N; }
wait_line() { # LOG PATTERN NTH TIMEOUT_S: the NTH line matching, or fail
  local deadline=$(( $(date +%s) + $4 ))
  while (( $(date +%s) < deadline )); do
    local line
    line=$(grep -a "$2" "$1" | sed -n "${3}p" || true)
    if [[ -n "$line" ]]; then echo "$line"; return 0; fi
    sleep 0.02
  done
  return 1
}
port_of() { wait_line "$1" "$2" 1 60 | grep -o "$2[0-9]*" | sed 's/.*://'; }

start_node() { # NAME ROLES PEERS -> pid in pids[NAME]
  local name=$1 roles=$2 peers=$3
  "$bin" node --config "$src/config/caf-application.conf" --name "$name" --roles "$roles" \
    --db.url="$url" --cluster.port="${ports[$name]:-0}" --cluster.peers="$peers" \
    --cluster.ca-file="$work/certs/ca.pem" --http.port=0 --inspector.enabled=false \
    --secrets.env-file="$work/secrets.env" --publish.articles.dir="$work/site-$name" \
    --content.chart-dir="$work/charts-$name" --http.token-file="$work/token-$name" \
    --cluster.min-stay=0s --cluster.rebalance-interval=250ms \
    >>"$work/$name.log" 2>&1 &
  node_pid[$name]=$!
  pids+=($!)
  disown $!
}
declare -A node_pid ports
start_node n1 data,ops "[]"
ports[n1]=$(port_of "$work/n1.log" ") listening on 127.0.0.1:")
start_node n2 analysis "[\"127.0.0.1:${ports[n1]}\"]"
ports[n2]=$(port_of "$work/n2.log" ") listening on 127.0.0.1:")
start_node n3 content "[\"127.0.0.1:${ports[n1]}\",\"127.0.0.1:${ports[n2]}\"]"
ports[n3]=$(port_of "$work/n3.log" ") listening on 127.0.0.1:")
start_node n4 analysis "[\"127.0.0.1:${ports[n1]}\",\"127.0.0.1:${ports[n2]}\",\"127.0.0.1:${ports[n3]}\"]"
wait_line "$work/n1.log" "node n3 up" 1 60 >/dev/null
wait_line "$work/n1.log" "node n4 up" 1 60 >/dev/null
# The coordinator's (n1's) moves of n2's series away, and to n2.
moves_from_n2() { grep -a 'cluster: assigned' "$work/n1.log" | grep -a '"from":"n2"' || true; }
moves_to_n2() { grep -a 'cluster: assigned' "$work/n1.log" | grep -ac '"to":"n2"' || true; }
owns_series() { # n2 owns a series again (n1's last move involving n2 was to it)
  local last
  last=$(grep -a 'cluster: assigned' "$work/n1.log" | grep -a '"n2"' | tail -n 1)
  [[ -n "$last" && "$last" == *'"to":"n2"'* ]]
}
wait_owning() {
  local deadline=$(( $(date +%s) + 120 ))
  until owns_series; do
    (( $(date +%s) < deadline )) || { echo "n2 got no series within 120 s" >&2; exit 1; }
    sleep 0.05
  done
}
wait_owning

stats() { # values... -> "p50 p99 max" (ms)
  printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {
    p50=v[int((NR+1)/2)]; i=int(NR*0.99+0.999); if (i<1) i=1; if (i>NR) i=NR;
    printf "p50 %d ms, p99 %d ms, max %d ms (n=%d)", p50, v[i], v[NR], NR }'
}

losses=0
ups=$(grep -ac "node n2 up" "$work/n1.log" || true)
run_faults() { # KIND
  local kind=$1 times=() moved=()
  for ((k = 1; k <= faults; k++)); do
    wait_owning
    local t0 before_moves
    before_moves=$(moves_from_n2 | wc -l)
    t0=$(ms_now)
    if [[ $kind == SIGKILL ]]; then kill -9 "${node_pid[n2]}"; else kill -STOP "${node_pid[n2]}"; fi
    losses=$((losses + 1))
    local line
    line=$(wait_line "$work/n1.log" "node n2 lost" "$losses" 30) || { echo "no loss detected within 30 s" >&2; exit 1; }
    times+=($(( $(ms_of_line "$line") - t0 )))
    local deadline=$(( $(date +%s) + 30 ))
    until (( $(moves_from_n2 | wc -l) > before_moves )); do
      (( $(date +%s) < deadline )) || { echo "n2's series were not reassigned within 30 s" >&2; exit 1; }
      sleep 0.01
    done
    moved+=($(( $(ms_of_line "$(moves_from_n2 | sed -n "$((before_moves + 1))p")") - t0 )))
    if [[ $kind == SIGKILL ]]; then
      while kill -0 "${node_pid[n2]}" 2>/dev/null; do sleep 0.01; done
      start_node n2 analysis "[\"127.0.0.1:${ports[n1]}\"]"
    else
      kill -CONT "${node_pid[n2]}"
    fi
    ups=$((ups + 1))
    wait_line "$work/n1.log" "node n2 up" "$ups" 60 >/dev/null || { echo "n2 did not come back" >&2; exit 1; }
  done
  echo "detection after $kind of a node: $(stats "${times[@]}")"
  echo "series reassigned after $kind (fault to the coordinator's write): $(stats "${moved[@]}")"
}
hb=$(awk '/^\[/{c=($0=="[cluster]")} c&&/^heartbeat-/{printf "%s ", $0}' "$src/config/caf-application.conf")
echo "cluster: 4 nodes over mutual TLS on 127.0.0.1, $(nproc) cores; [cluster] ${hb}"
run_faults SIGKILL
run_faults SIGSTOP
# (The frozen node itself sees every peer silent when it resumes: its own
# "lost" lines are expected and not counted.)
others=$( (grep -ac "node n[134] lost" "$work/n1.log" "$work/n3.log" "$work/n4.log" || true) | awk -F: '{s+=$2} END {print s+0}')
echo "losses between the nodes that were not faulted, during the faults: $others"

# Pipeline latency with the hub, the pipeline and the analyzers spread over
# nodes: herald_pipeline_latency_seconds of the node holding `analysis`
# (a candle batch reaching the pipeline -> its signals released to the risk
# manager: the job's round trips to the analyzers' nodes included).
http_of() { # the newest incarnation's HTTP port
  grep -ao 'http: listening on http://127.0.0.1:[0-9]*' "$work/$1.log" | tail -n 1 | sed 's/.*://'
}
lead=$(curl -s -H "Authorization: Bearer bench-token-0123456789" "http://127.0.0.1:$(http_of n1)/api/v1/cluster" \
  | python3 -c 'import json,sys; print(next(l["holder"] for l in json.load(sys.stdin)["leases"] if l["name"]=="analysis"))')
{ curl -s -H "Authorization: Bearer bench-token-0123456789" "http://127.0.0.1:$(http_of "$lead")/metrics" || true; } \
  | python3 -c '
import sys
b = [(float(l.split("le=\"")[1].split("\"")[0].replace("+Inf", "inf")), float(l.split()[-1]))
     for l in sys.stdin if l.startswith("herald_pipeline_latency_seconds_bucket")]
n = b[-1][1] if b else 0
def q(p):
    for le, c in b:
        if c >= p * n: return le
if n: print("pipeline latency across nodes (lead %s, analyzers on n2 and n4): p50 <= %g ms, p99 <= %g ms (bucket bounds, %d jobs)" % (sys.argv[1], q(0.5) * 1e3, q(0.99) * 1e3, n))
else: print("pipeline latency across nodes: no samples")' "$lead"

# False alarms under full CPU load.
before=$(cat "$work"/n?.log | grep -ac " lost (" || true)
for ((i = 0; i < 2 * $(nproc); i++)); do
  (while :; do :; done) &
  burners+=($!)
  disown $!
done
sleep "$load_secs"
for b in "${burners[@]}"; do kill -9 "$b" 2>/dev/null || true; done
burners=()
after=$(cat "$work"/n?.log | grep -ac " lost (" || true)
echo "false node-down alarms during ${load_secs} s of full CPU load ($((2 * $(nproc))) burners): $((after - before))"

# Distributed backtest throughput: two analysis nodes (n2, n4), then one
# (n4 stopped), then one process; the same candles each time.
data="$src/../shared/data/market/binance_spot_5m"
if [[ -f "$data/BTCUSDT_5m.csv" && -f "$data/ETHUSDT_5m.csv" ]]; then
  for sym in BTCUSDT ETHUSDT; do
    "$bin" ingest --config "$src/config/caf-application.conf" --db "$url" --symbol "$sym" \
      "$data/${sym}_5m.csv" >/dev/null 2>&1
  done
  bt() { # LABEL ARGS...: prints candles/s
    local label=$1; shift
    local t0 t1 n
    t0=$(ms_now)
    out=$("$bin" backtest --log.level=warn "$@" --symbol BTCUSDT,ETHUSDT --interval 5m 2>/dev/null)
    t1=$(ms_now)
    n=$(grep -o '([0-9]* candles accepted' <<<"$out" | grep -o '[0-9]*')
    echo "backtest, $label: $n candles in $((t1 - t0)) ms = $(( n * 1000 / (t1 - t0 + 1) )) candles/s ($(grep -o 'analysed on:.*' <<<"$out" || echo 'one process'))"
  }
  api="http://127.0.0.1:$(http_of n1)"
  bt "2 analysis nodes" --cluster "$api" --token bench-token-0123456789
  bt "2 analysis nodes" --cluster "$api" --token bench-token-0123456789
  kill "${node_pid[n4]}"
  wait_line "$work/n1.log" "node n4 lost" 1 60 >/dev/null || true
  bt "1 analysis node" --cluster "$api" --token bench-token-0123456789
  bt "1 analysis node" --cluster "$api" --token bench-token-0123456789
  bt "one process" --config "$src/config/caf-application.conf" --db "$url"
else
  echo "backtest throughput: SKIPPED (no $data/BTCUSDT_5m.csv)"
fi
