#!/usr/bin/env bash
# Benchmark (not CI): 3D Taylor-Green vortex at Re = 1600 (inputs/spectral/taylor_green3d.toml)
# at one resolution, run to t = 10.5 with the energy and the dissipation in the history every
# 0.05. Prints the peak of eps = 2 nu Z (and of -dE/dt from centred differences of the energy),
# located by a parabola through the largest sample and its neighbours, against the 512^3 DNS
# reference 0.0128575 at t = 8.97 (REFERENCES.md), and the run's wall time and load.
#   bench/spectral_tg3d.sh BUILD_DIR N [NP] [CFL] [OUTDIR]
# N must be a multiple of 8 (8 slabs along z: 1, 2, 4 or 8 ranks). Cost: ~0.3 s per step per
# 128^3 on an idle core pair, ~670 steps at 128^3 with CFL 0.5 (steps scale with N).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?build dir}
n=${2:?resolution}
np=${3:-2}
cfl=${4:-0.5}
out=${5:-$(mktemp -d)/tg3d-$n}
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$(dirname "$out")"
rm -rf "$out"
start=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
mpirun --oversubscribe -np "$np" "$build/tessera" "$root/inputs/spectral/taylor_green3d.toml" \
  --set "mesh.cells=[$n,$n,$n]" --set "mesh.block_cells=[$n,$n,$((n / 8))]" \
  --set time.t_end=10.5 --set time.cfl="$cfl" --set output.snapshot_dt=0.0 \
  --set output.history_dt=0.05 --set output.checkpoint_steps=0 \
  --set output.checkpoint_at_end=false --set output.progress_steps=100000 \
  --set "physics.spectral_ns.fftw_wisdom=\"$out.wisdom\"" \
  --set "output.dir=\"$out\"" > "$out.log" 2>&1 || { tail -20 "$out.log"; exit 1; }
wall=$(($(date +%s) - start))
/usr/bin/python3 - "$out" "$n" "$np" "$cfl" "$wall" "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import glob, sys
import numpy as np
out, n, np_, cfl, wall, l0, l1 = sys.argv[1:]
hst = glob.glob(out + "/*.hst")[0]
names = open(hst).readline().split()[1:]
d = np.loadtxt(hst)
col = {c: d[:, i] for i, c in enumerate(names)}
t, e, eps = col["time"], col["energy"], col["dissipation"]

def peak(t, y):
    i = int(np.argmax(y))
    a, b, c = np.polyfit(t[i - 1:i + 2], y[i - 1:i + 2], 2)
    tp = -b / (2 * a)
    return tp, np.polyval([a, b, c], tp)

tp, ep = peak(t, eps)
dedt = -(e[2:] - e[:-2]) / (t[2:] - t[:-2])
tq, eq = peak(t[1:-1], dedt)
ref = 0.0128575
steps = int(col["step"][-1]) if "step" in col else -1
print(f"TG3D Re=1600 N={n}^3 np={np_} cfl={cfl}: eps = 2 nu Z peaks at {ep:.6f} at t = {tp:.3f} "
      f"({100 * (ep / ref - 1):+.2f}% vs 512^3 DNS 0.0128575 at t = 8.97); -dE/dt peaks at "
      f"{eq:.6f} at t = {tq:.3f}; E(0) = {e[0]:.6f}, eps(0) = {eps[0]:.6e}; {steps} steps, "
      f"{wall} s wall, load {l0} -> {l1}")
PY
