#!/usr/bin/env bash
# Benchmark: pseudo-spectral Navier-Stokes time step (integrating-factor RK4, 2/3 dealiasing)
# for 2D 1024^2 (Kolmogorov turbulence, vorticity form: 21 transforms per step) and 3D 128^3
# (decaying turbulence, velocity form with vorticity output: 36 transforms per step), on 1 and 2
# ranks, FFTW_MEASURE plans with wisdom cached between the runs. Prints the time per step, the
# fraction of the step inside fftw_execute, the time of one r2c + c2r pair, and the parallel
# efficiency 1 -> 2 ranks of the step and of the transforms alone, with the load average before
# and after each timed run (the machine may be shared: quote it with the figures). Not a CI test.
#   bench/spectral.sh [BUILD_DIR] [STEPS_2D] [STEPS_3D]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
steps2=${2:-20}
steps3=${3:-10}
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_case() {  # name deck steps np overrides...
  local name=$1 deck=$2 steps=$3 np=$4
  shift 4
  local out="$work/$name-np$np"
  # Twice: the first run measures the plans and stores the wisdom, the second is timed.
  for rep in 1 2; do
    rm -rf "$out"
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    mpirun --oversubscribe -np "$np" "$build/tessera" "$root/$deck" "$@" \
      --set physics.spectral_ns.timing_history=true \
      --set "physics.spectral_ns.fftw_wisdom=\"$work/wisdom-$name-np$np\"" \
      --set time.max_steps="$steps" --set time.t_end=1000.0 --set output.snapshot_dt=0.0 \
      --set output.history_dt=1000.0 --set output.checkpoint_at_end=false \
      --set output.checkpoint_steps=0 --set output.progress_steps=100000 \
      --set "output.dir=\"$out\"" > "$out.log" 2>&1 || { tail -20 "$out.log"; exit 1; }
  done
  /usr/bin/python3 - "$out" "$name" "$np" "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import glob, sys
out, name, np_, l0, l1 = sys.argv[1:]
hst = glob.glob(out + "/*.hst")[0]
names = open(hst).readline().split()[1:]
last = open(hst).read().strip().splitlines()[-1].split()
v = {n: float(x) for n, x in zip(names, last)}
steps = v["step"]
step = v["step_seconds"] / steps
fft = v["step_fft_seconds"] / steps
pair = 2 * v["step_fft_seconds"] / v["step_fft_count"]
print(f"{name:10s} np={np_}  {step*1e3:9.2f} ms/step  FFTW {100*fft/step:5.1f}% of the step  "
      f"r2c+c2r pair {pair*1e3:8.2f} ms  ({int(v['step_fft_count']/steps)} transforms/step)  "
      f"load {l0} -> {l1}")
open(out + ".txt", "w").write(f"{step} {pair}\n")
PY
}

for np in 1 2; do
  run_case 2d-1024 inputs/spectral/kolmogorov_neural_pde_warmup.toml "$steps2" $np \
    --set "mesh.cells=[1024,1024]" --set "mesh.block_cells=[1024,128]"
done
for np in 1 2; do
  run_case 3d-128 inputs/spectral/decaying_turbulence3d.toml "$steps3" $np
done
for name in 2d-1024 3d-128; do
  read -r s1 p1 < "$work/$name-np1.txt"
  read -r s2 p2 < "$work/$name-np2.txt"
  /usr/bin/python3 -c "print('$name parallel efficiency 1 -> 2 ranks: step %.1f%%, transforms alone %.1f%%' % (100*$s1/(2*$s2), 100*$p1/(2*$p2)))"
done
