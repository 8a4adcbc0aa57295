#!/usr/bin/python3
"""Brio-Wu shock tube at 800 cells against a committed high-resolution reference (issue 3).

The reference regression/reference/mhd_brio_wu_12800.h5 is our own solution of the same deck
(PLM/MC + HLLD + CT, SSP-RK2, CFL 0.4) at 12800 cells, downsampled to 800 cells by averaging
each 16 fine cells (conservative variables and the cell-centred field; an exact Riemann solver
for MHD is not available in the code). Check: L1 difference (mean absolute, per cell) of rho,
mom_x, by and E at t = 0.1 within a bound per variable; the bound is the measured value +25%,
which is dominated by the 800-cell solution's own smearing of the shocks, contact and compound
wave (first order at discontinuities): a regression in HLLD, the limiter or the CT update
moves it by much more. The difference is first order in the cell size, as it must be with
discontinuities (1600 cells, averaged pairwise: L1(rho) 7.94e-4 = 0.53 x the 800-cell value),
so the 12800-cell reference carries about 1/16 of the 800-cell error.

usage: mhd_brio_wu.py --source-dir SRC --tessera EXE --workdir DIR
       mhd_brio_wu.py --make-reference FINE_SNAPSHOT.h5 --source-dir SRC   (regenerate)
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

REF = "regression/reference/mhd_brio_wu_12800.h5"
VARS = ["rho", "mom_x", "by", "E"]
# Measured L1 differences at 800 cells (PLM/MC, HLLD, CFL 0.4) vs the 12800-cell reference,
# +25% (see the docstring).
MEASURED = {"rho": 1.4891e-3, "mom_x": 1.2510e-3, "by": 1.8281e-3, "E": 3.2349e-3}
BOUND = {k: (1.25 * v if v else None) for k, v in MEASURED.items()}

ap = argparse.ArgumentParser()
ap.add_argument("--source-dir", required=True)
ap.add_argument("--tessera")
ap.add_argument("--workdir")
ap.add_argument("--make-reference")
args = ap.parse_args()
args.source_dir = os.path.abspath(args.source_dir)
ref_path = os.path.join(args.source_dir, REF)

if args.make_reference:
    with h5py.File(args.make_reference, "r") as f:
        n = int(f.attrs["global_cells"][0])
        factor = n // 800
        assert n == 800 * factor, "the fine run must have a multiple of 800 cells"
        with h5py.File(ref_path, "w") as out:
            out.attrs["description"] = (f"Brio-Wu t = {f.attrs['time']} from {n} cells "
                                        f"(inputs/mhd/brio_wu.toml), averaged over {factor} cells")
            out.attrs["time"] = f.attrs["time"]
            for v in VARS:
                fine = np.asarray(f["fields/" + v]).reshape(-1)
                out.create_dataset(v, data=fine.reshape(800, factor).mean(axis=1))
    print(f"wrote {ref_path}")
    sys.exit(0)

run = os.path.join(args.workdir, "mhd_brio_wu")
shutil.rmtree(run, ignore_errors=True)
os.makedirs(run)
deck = os.path.join(args.source_dir, "inputs/mhd/brio_wu.toml")
cmd = [args.tessera, deck, "--set", f'output.dir="{run}"', "--set", 'output.layout="uniform"']
res = subprocess.run(cmd, cwd=run, capture_output=True, text=True)
if res.returncode != 0:
    print(res.stdout[-3000:], res.stderr[-3000:])
    print("0 passed, 1 failed")
    sys.exit(1)
snap = sorted(glob.glob(os.path.join(run, "*.out.*.h5")))[-1]
passed = failed = 0
with h5py.File(snap, "r") as f, h5py.File(ref_path, "r") as r:
    if abs(f.attrs["time"] - r.attrs["time"]) > 1e-12:
        print(f"[FAIL] time {f.attrs['time']} vs reference {r.attrs['time']}")
        failed += 1
    for v in VARS:
        a = np.asarray(f["fields/" + v]).reshape(-1)
        b = np.asarray(r[v])
        l1 = float(np.mean(np.abs(a - b)))
        bound = BOUND[v]
        ok = bound is not None and l1 <= bound
        passed, failed = passed + ok, failed + (not ok)
        print(f"[{'PASS' if ok else 'FAIL'}] L1({v}) 800 cells vs 12800-cell reference = "
              f"{l1:.4e} vs bound {bound if bound is None else f'{bound:.4e}'}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
