#!/usr/bin/env bash
# Radiative magnetoconvection benchmark (issue 7): time per step split into the MHD explicit
# part, the FLD assembly and the FLD linear solves, with the FLD Picard and linear iterations
# per step, for the 2D deck (256 x 128) and the 3D deck (64^3), on 1 and 2 ranks.
#   bench/rmhd_magnetoconvection/run.sh [TESSERA] [STEPS_2D] [STEPS_3D]
# TESSERA defaults to build/tessera; STEPS (defaults 40 and 10) override time.max_steps. No
# snapshots or checkpoints are written (the initial snapshot excepted). Prints `uptime` before and
# after: the machine may be shared, so give the load with the figures.
# DECK_2D / DECK_3D (environment) replace the decks, e.g. with a hydro + rad_fld variant.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exe="${1:-$here/../../build/tessera}"
steps2="${2:-40}"
steps3="${3:-10}"
deck2="${DECK_2D:-$here/../../inputs/rmhd/magnetoconvection_256x128.toml}"
deck3="${DECK_3D:-$here/../../inputs/rmhd/magnetoconvection3d_64.toml}"
work="${TMPDIR:-/tmp}/tessera-bench-rmhd"
echo "load before: $(uptime)"
runs=()
for spec in "2d:$deck2:$steps2" "3d:$deck3:$steps3"; do
  IFS=: read -r tag deck steps <<< "$spec"
  for np in 1 2; do
    dir="$work/$tag-np$np"
    rm -rf "$dir"
    mkdir -p "$dir"
    OMP_NUM_THREADS=1 mpirun --allow-run-as-root --oversubscribe -np "$np" "$exe" "$deck" \
      --set time.max_steps="$steps" --set output.dir="\"$dir\"" --set output.history_dt=0.0 \
      --set output.snapshot_dt=1e30 --set output.checkpoint_at_end=false > "$dir.log" 2>&1
    runs+=("$tag:$np:$dir")
  done
done
echo "load after:  $(uptime)"
python3 "$here/table.py" "${runs[@]}"
