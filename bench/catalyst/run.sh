#!/usr/bin/env bash
# Benchmark: cost of the Catalyst adaptor on 2D advection at 512^2 (64^2 blocks), 1 and 2 ranks:
#   none     no [catalyst] section (baseline)
#   null     [catalyst] with adaptor = "null" (the sink's scheduling alone)
#   nothing  a v2 script that does nothing, called every step (hand-off + Catalyst bookkeeping)
#   render   inputs/catalyst/render_slice_v2.py (PNG 640x480 + slice extract), every 10 steps
# Prints wall time, the overhead per step relative to the baseline, and the sink's own timing
# (initialize, first call, mean of later calls). Not a CI test. Needs an X server for "render"
# (a private Xvfb is started when DISPLAY is unset).
#   bench/catalyst/run.sh [BUILD_DIR] [STEPS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
steps=${2:-100}
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
work=$(mktemp -d)
xvfb_pid=
trap 'rm -rf "$work"; [ -n "$xvfb_pid" ] && kill $xvfb_pid 2>/dev/null || true' EXIT
if [ -z "${DISPLAY:-}" ]; then
  for n in $(seq 90 199); do
    [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ] || break
  done
  Xvfb :$n -noreset -nolisten tcp -screen 0 1280x1024x24 >/dev/null 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 100); do [ -e /tmp/.X11-unix/X$n ] && break; sleep 0.1; done
  export DISPLAY=:$n
fi
echo "load: $(uptime)"
printf "%-3s %-8s %9s %14s  %s\n" np variant wall_s overhead_ms/step "sink timing"
for np in 1 2; do
  base=
  for variant in none null nothing render; do
    sets=()
    case $variant in
      null) sets=(--set "catalyst.scripts=[\"$root/inputs/catalyst/nothing_v2.py\"]"
                  --set 'catalyst.adaptor="null"' --set catalyst.every_steps=1) ;;
      nothing) sets=(--set "catalyst.scripts=[\"$root/inputs/catalyst/nothing_v2.py\"]"
                     --set catalyst.every_steps=1) ;;
      render) sets=(--set "catalyst.scripts=[\"$root/inputs/catalyst/render_slice_v2.py\"]"
                    --set catalyst.every_steps=10) ;;
    esac
    log=$work/$variant.$np.log
    mpirun -np $np -x DISPLAY "$build/tessera" "$root/inputs/advection/gaussian2d.toml" \
      --set "mesh.cells=[512,512]" --set "mesh.block_cells=[64,64]" --set time.t_end=100.0 \
      --set time.max_steps=$steps --set output.snapshot_dt=0.0 --set output.history_dt=1000.0 \
      --set output.checkpoint_at_end=false --set output.progress_steps=100000 \
      --set "output.dir=\"$work/$variant$np\"" ${sets[@]+"${sets[@]}"} >"$log" 2>&1
    wall=$(grep -o 'wall time [0-9.]*' "$log" | awk '{print $3}')
    [ -z "$base" ] && base=$wall
    over=$(/usr/bin/python3 -c "print('%.1f' % (1000 * ($wall - $base) / $steps))")
    sink=$(grep -o 'catalyst: .*' "$log" | sed 's/^catalyst: //' || true)
    printf "%-3s %-8s %9.2f %14s  %s\n" $np $variant "$wall" "$over" "$sink"
  done
done
echo "load: $(uptime)"
