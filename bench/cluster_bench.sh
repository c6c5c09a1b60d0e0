#!/usr/bin/env bash
# Cluster failure detection (issue 16): three `herald node` processes over
# mutual TLS with a throwaway PostgreSQL (n1 data+ops observes, n2 analysis
# is the victim, n3 content). Prints, per fault kind, the detection time from
# the fault (SIGKILL, or SIGSTOP = a frozen node) to n1 logging the loss
# ("node n2 lost"), as p50/p99/max over FAULTS faults each; then, for
# LOAD_SECONDS, counts false node-down alarms while every core is kept busy
# by CPU burners (2 per core) next to the nodes.
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
"$src/scripts/cluster-certs" "$work/certs" n1,n2,n3 >/dev/null
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
wait_line "$work/n1.log" "node n3 up" 1 60 >/dev/null

stats() { # values... -> "p50 p99 max" (ms)
  printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {
    p50=v[int((NR+1)/2)]; i=int(NR*0.99+0.999); if (i<1) i=1; if (i>NR) i=NR;
    printf "p50 %d ms, p99 %d ms, max %d ms (n=%d)", p50, v[i], v[NR], NR }'
}

losses=0
ups=$(grep -ac "node n2 up" "$work/n1.log" || true)
run_faults() { # KIND
  local kind=$1 times=()
  for ((k = 1; k <= faults; k++)); do
    local t0
    t0=$(ms_now)
    if [[ $kind == SIGKILL ]]; then kill -9 "${node_pid[n2]}"; else kill -STOP "${node_pid[n2]}"; fi
    losses=$((losses + 1))
    local line
    line=$(wait_line "$work/n1.log" "node n2 lost" "$losses" 30) || { echo "no loss detected within 30 s" >&2; exit 1; }
    times+=($(( $(ms_of_line "$line") - t0 )))
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
}
hb=$(awk '/^\[/{c=($0=="[cluster]")} c&&/^heartbeat-/{printf "%s ", $0}' "$src/config/caf-application.conf")
echo "cluster: 3 nodes over mutual TLS on 127.0.0.1, $(nproc) cores; [cluster] ${hb}"
run_faults SIGKILL
run_faults SIGSTOP
# (The frozen node itself sees every peer silent when it resumes: its own
# "lost" lines are expected and not counted.)
others=$( (grep -ac "node n[13] lost" "$work/n1.log" "$work/n3.log" || true) | awk -F: '{s+=$2} END {print s+0}')
echo "losses between the nodes that were not faulted, during the faults: $others"

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
