#!/usr/bin/env bash
# MHD benchmark (issue 3): zone-cycles/s per rank for the 2D Orszag-Tang vortex at 512^2 with 64^2
# blocks (PLM/MC, HLLD + CT, SSP-RK2) on 1 and 2 ranks, and the 1 -> 2 rank speedup.
#   bench/mhd_orszag_tang/run.sh [TESSERA] [STEPS]
# TESSERA defaults to build/tessera; STEPS (default 20) overrides time.max_steps.
# Prints tessera's own end-of-run lines (wall time, zone-cycles/s, time split) per rank count.
# Rates include the two snapshot writes; the "compute" share of the time split is the kernel.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exe="${1:-$here/../../build/tessera}"
steps="${2:-20}"
echo "load: $(uptime)"
work="${TMPDIR:-/tmp}/tessera-bench-hydro-blast3d"
declare -A rate
for np in 1 2; do
  rm -rf "$work/np$np"
  mkdir -p "$work/np$np"
  mpirun --allow-run-as-root --oversubscribe -np "$np" "$exe" "$here/ot512.toml" \
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
