#!/usr/bin/env bash
# Hydro benchmark (issue 3): zone-cycles/s per rank for the 3D blast wave at 128^3 with 32^3
# blocks (PLM/MC, HLLC, SSP-RK2) on 1 and 2 ranks, and the 1 -> 2 rank speedup.
#   bench/hydro_blast3d/run.sh [TESSERA] [STEPS]
# TESSERA defaults to build/tessera; STEPS (default 20) overrides time.max_steps.
# Prints tessera's own end-of-run lines (wall time, zone-cycles/s, time split) per rank count.
# Rates include the two snapshot writes; the "compute" share of the time split is the kernel.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../zone_cycles.sh" hydro-blast3d "$here/blast3d_128.toml" "${1:-$here/../../build/tessera}" \
  "${2:-20}"
