#!/usr/bin/env bash
# MHD benchmark (issue 3): zone-cycles/s per rank for the 2D Orszag-Tang vortex at 512^2 with 64^2
# blocks (PLM/MC, HLLD + CT, SSP-RK2) on 1 and 2 ranks, and the 1 -> 2 rank speedup.
#   bench/mhd_orszag_tang/run.sh [TESSERA] [STEPS]
# TESSERA defaults to build/tessera; STEPS (default 20) overrides time.max_steps.
# Prints tessera's own end-of-run lines (wall time, zone-cycles/s, time split) per rank count.
# Rates include the two snapshot writes; the "compute" share of the time split is the kernel.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../zone_cycles.sh" mhd-orszag-tang "$here/ot512.toml" "${1:-$here/../../build/tessera}" \
  "${2:-20}"
