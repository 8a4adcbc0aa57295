#!/usr/bin/python3
"""Projection Navier-Stokes benchmark (issue 6): time per step, pressure iterations per step and
the share of the step spent in the pressure solve, for the lid-driven cavity at 128^2 and 512^2
and the 3D cavity at 64^3, on 1 and 2 ranks.

Each run starts from rest, takes WARMUP steps (the first solves build the AMG preconditioner and
the flow is not yet developed) and then STEPS more; the figures are over the last STEPS only,
from the module's timing history columns (step_seconds, pressure_seconds: wall time, rank 0 —
the solves are collective, so every rank waits the same). The machine is shared: the script
prints `uptime` before and after; quote the load with the figures.

usage: bench/incompressible/run.py --tessera BUILD/tessera [--steps 20] [--ranks 1 2] [--quick]
"""
import argparse
import glob
import os
import shutil
import subprocess

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--tessera", required=True)
ap.add_argument("--workdir", default="/tmp/tessera-bench-incomp")
ap.add_argument("--steps", type=int, default=20)
ap.add_argument("--warmup", type=int, default=5)
ap.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
ap.add_argument("--quick", action="store_true", help="only 128^2 (a smoke test of the script)")
ap.add_argument("--cases", nargs="+", default=None, help="subset of 128 512 64^3 (default all)")
ap.add_argument("--yield-when-idle", action="store_true",
                help="OpenMPI mpi_yield_when_idle: waiting ranks give up the core (a loaded, "
                     "oversubscribed machine; otherwise busy polling starves the other rank)")
args = ap.parse_args()
src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = [
    ("cavity 128^2", "cavity_re100.toml", ["mesh.cells=[128,128]", "mesh.block_cells=[64,64]"]),
    ("cavity 512^2", "cavity_re100.toml", ["mesh.cells=[512,512]", "mesh.block_cells=[256,256]"]),
    ("cavity 64^3", "cavity3d.toml", ["mesh.cells=[64,64,64]", "mesh.block_cells=[32,32,32]"]),
]
if args.quick:
    CASES = CASES[:1]
if args.cases:
    CASES = [c for c in CASES if c[0].split()[1].replace("^2", "") in args.cases]
print("uptime before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
rows = []
for name, deck, sets in CASES:
    for np_ in args.ranks:
        tag = sets[0].split('=')[1].strip('[]').replace(',', 'x')
        out = os.path.join(args.workdir, f"{deck[:-5]}-{tag}-np{np_}")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        n = args.warmup + args.steps
        mca = ["--mca", "mpi_yield_when_idle", "1"] if args.yield_when_idle else []
        cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", *mca, "-np", str(np_), args.tessera,
               os.path.join(src, "inputs", "incompressible", deck), "--set", f"output.dir={out}",
               "--set", f"time.max_steps={n}", "--set", "output.snapshot_dt=0",
               "--set", "output.history_dt=0", "--set", "output.checkpoint_at_end=false",
               "--set", "physics.incompressible.timing_history=true"]
        for s in sets:
            cmd += ["--set", s]
        r = subprocess.run(cmd, cwd=out, capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stdout[-2000:], r.stderr[-2000:])
            raise SystemExit(f"{name} np{np_} failed")
        hst = glob.glob(os.path.join(out, "*.hst"))[0]
        cols = open(hst).readline().split()[1:]
        d = np.loadtxt(hst)
        a, b = d[args.warmup], d[-1]  # rows after the warmup and at the end
        ss = cols.index("step_seconds")
        ps = cols.index("pressure_seconds")
        step = (b[ss] - a[ss]) / args.steps
        frac = (b[ps] - a[ps]) / (b[ss] - a[ss])
        its = d[args.warmup + 1:, cols.index("pressure_iterations")].mean()
        row = f"| {name} | {np_} | {1e3 * step:.1f} | {its:.1f} | {100 * frac:.0f}% |"
        print(row, flush=True)
        rows.append(row)
print("uptime after:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
print("\n| case | ranks | ms / step | pressure iterations / step | pressure solve share |")
print("|---|---|---|---|---|")
print("\n".join(rows))
