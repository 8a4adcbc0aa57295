#!/usr/bin/env bash
# Runs a benchmark deck for a fixed number of steps on 1 and 2 ranks and prints tessera's own
# end-of-run lines (wall time, zone-cycles/s, time split), the per-rank rates and the 1 -> 2
# rank speedup, after the load average (the machine may be shared).
#   bench/zone_cycles.sh NAME DECK TESSERA STEPS
# Shared by the hydro and MHD benchmark scripts (bench/*/run.sh).
set -euo pipefail
name="$1"
deck="$2"
exe="$3"
steps="$4"
work="${TMPDIR:-/tmp}/tessera-bench-$name"
echo "load: $(uptime)"
declare -A rate
for np in 1 2; do
  rm -rf "$work/np$np"
  mkdir -p "$work/np$np"
  mpirun --allow-run-as-root --oversubscribe -np "$np" "$exe" "$deck" \
    --set time.max_steps="$steps" --set output.dir="\"$work/np$np\"" > "$work/np$np.log" 2>&1
  echo "== $np rank(s), $steps steps"
  grep -E "wall time|time split" "$work/np$np.log"
  rate[$np]=$(grep -oE "[0-9.e+]+ zone-cycles/s in total" "$work/np$np.log" | awk '{print $1}')
done
python3 - "${rate[1]}" "${rate[2]}" <<'PY'
import sys
r1, r2 = float(sys.argv[1]), float(sys.argv[2])
print(f"zone-cycles/s per rank: 1 rank {r1:.4g}, 2 ranks {r2 / 2:.4g}; speedup 1 -> 2 ranks {r2 / r1:.3f}")
PY
