#!/usr/bin/env bash
# Dataset write throughput: 16 members of 2D 256^2 Kolmogorov flow (inputs/datasets/kolmogorov2d.toml,
# no warm-up, t = 0..1 every 0.025: 41 frames of vorticity + velocity, float32, 32 MB per member),
# 2 ranks = 2 groups of 1 rank, against the raw sequential write speed of the same disk (dd).
#   bench/datasets/run.sh [BUILD_DIR] [WORK_DIR]
# Prints: uptime; dd with and without fdatasync; per-member writer throughput (field bytes /
# time in the sink's frame writes, from each file's provenance); the ensemble's wall time.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$src/build}"
work="${2:-/tmp/tessera-bench-datasets}"
rm -rf "$work"
mkdir -p "$work"
echo "== uptime: $(uptime)"
echo "== dd: 1 GiB sequential write to $work"
dd if=/dev/zero of="$work/dd.bin" bs=1M count=1024 conv=fdatasync 2>&1 | tail -1 | sed 's/^/   with fdatasync (disk): /'
rm -f "$work/dd.bin"
dd if=/dev/zero of="$work/dd.bin" bs=1M count=1024 2>&1 | tail -1 | sed 's/^/   without fsync (page cache, like HDF5 without flush): /'
rm -f "$work/dd.bin"
t0=$(date +%s.%N)
mpirun --allow-run-as-root --oversubscribe -np 2 "$build/tessera" "$src/inputs/datasets/kolmogorov2d.toml" \
  --set ensemble.members=16 --set dataset.t_start=0.0 --set time.t_end=1.0 --set dataset.dt=0.025 \
  --set "output.dir=\"$work/ens\"" > "$work/ensemble.out" 2>&1
t1=$(date +%s.%N)
echo "== ensemble: 16 members, 2 groups of 1 rank, wall $(echo "$t1 - $t0" | bc) s"
/usr/bin/python3 - "$work/ens" <<'PY'
import glob, sys, h5py, numpy as np
rates, b, s = [], 0, 0.0
for p in sorted(glob.glob(sys.argv[1] + "/data/*/*.h5")):
    with h5py.File(p, "r") as f:
        a = f["provenance"].attrs
        rates.append(a["write_field_bytes"] / a["write_seconds"] / 1e6)
        b += int(a["write_field_bytes"]); s += float(a["write_seconds"])
r = np.array(rates)
print(f"   {len(r)} files, {b / 1e6:.0f} MB of fields written in {s:.2f} s of frame writes "
      f"(summed over members)")
print(f"   writer throughput per member: median {np.median(r):.0f} MB/s, "
      f"min {r.min():.0f}, max {r.max():.0f} MB/s")
print(f"   two writers side by side: {2 * b / s / 1e6:.0f} MB/s aggregate")
PY
