#!/usr/bin/env bash
# Cost of the per-actor statistics (ops.actor-stats) on the analysis pipeline
# benchmark: runs it alternately with statistics on and off, ROUNDS times each
# (alternating evens out a noisy machine), and prints throughput and latency
# per run and the median of each.
# Usage: bench/stats_overhead.sh [BUILD_DIR] [CANDLES] [ROUNDS]
set -euo pipefail
build="${1:-build}"
n="${2:-300000}"
rounds="${3:-3}"
bench="$build/bench/herald_bench_pipeline"
[[ -x "$bench" ]] || { echo "build $bench first (cmake --build $build --target herald_bench_pipeline)" >&2; exit 2; }
declare -A tput p50
for ((i = 1; i <= rounds; i++)); do
  for mode in on off; do
    out=$(HERALD_BENCH_STATS=$mode "$bench" "$n")
    t=$(grep -o "backtest replay: .* = [0-9]* candles/s" <<<"$out" | grep -o "= [0-9]*" | tr -d '= ')
    l=$(grep -m1 -oE "p50 +[0-9.]+ us" <<<"$out" | grep -oE "[0-9.]+" || echo "?")
    echo "round $i stats=$mode: $t candles/s, 1-symbol p50 $l us"
    tput[$mode]+="$t "
    p50[$mode]+="$l "
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
on=$(median <<<"${tput[on]}"); off=$(median <<<"${tput[off]}")
echo "median throughput: stats on $on candles/s, off $off candles/s"
awk -v on="$on" -v off="$off" 'BEGIN { printf "overhead of actor statistics: %.1f%% (target < 5%%)\n", (off - on) / off * 100 }'
echo "median 1-symbol p50: stats on $(median <<<"${p50[on]}") us, off $(median <<<"${p50[off]}") us"
