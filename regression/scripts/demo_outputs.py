#!/usr/bin/python3
"""The demo leaves files that users' tools open: h5py reads the snapshots (fields, geometry,
metadata, the effective deck) and ParaView's pvpython opens the XDMF time series with every
snapshot, the right cell count and the field's range.

usage: demo_outputs.py --source-dir SRC --build-dir BUILD --workdir DIR
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--source-dir", required=True)
ap.add_argument("--build-dir", required=True)
ap.add_argument("--workdir", required=True)
args = ap.parse_args()

results = []


def check(ok, what):
    results.append(ok)
    print(("[PASS] " if ok else "[FAIL] ") + what)


out = os.path.join(args.workdir, "demo")
shutil.rmtree(out, ignore_errors=True)
env = dict(os.environ, TESSERA_BUILD_DIR=args.build_dir)
p = subprocess.run([os.path.join(args.source_dir, "tools", "run-demo"), "--no-build", "--out", out],
                   env=env, capture_output=True, text=True, timeout=600)
print(p.stdout[-2000:], p.stderr[-2000:])
check(p.returncode == 0, f"tools/run-demo exit status {p.returncode}")
check("final.png" in p.stdout and os.path.getsize(os.path.join(out, "final.png")) > 10000,
      "run-demo prints where the PNG went and the PNG is a real picture (> 10 kB)")

snaps = sorted(glob.glob(os.path.join(out, "demo.out.*.h5")))
check(len(snaps) == 5, f"5 snapshots (t = 0, 0.25, ..., 1): found {len(snaps)}")
with h5py.File(snaps[-1], "r") as f:
    u = f["fields/u"][...]
    check(u.shape == (16, 1, 32, 32), f"blocks layout [nb, nz, ny, nx] = (16, 1, 32, 32): {u.shape}")
    check(abs(f.attrs["time"] - 1.0) < 1e-12, f"final time 1.0: {f.attrs['time']}")
    check(f["fields/u"].attrs["units"] in (b"1", "1"), "units attribute on the field")
    deck = f["deck"][()]
    deck = deck.decode() if isinstance(deck, bytes) else deck
    check("gaussian_pulse" in deck and "output" in deck, "effective deck stored in the snapshot")
    lower = f["blocks/lower"][...]
    check(lower.shape == (16, 3) and np.all(lower[:, :2] >= 0) and np.all(lower[:, :2] < 1),
          "block geometry present")
    # Total mass of the Gaussian (2 pi sigma^2 with sigma = 0.1) is conserved by the scheme.
    mass = u.sum() / (128 * 128)
    check(abs(mass - 2 * np.pi * 0.01) < 1e-10, f"integral of u = {mass:.15f} (2 pi sigma^2 = {2*np.pi*0.01:.15f})")

pv = shutil.which("pvpython")
if pv is None:
    check(False, "pvpython not found: tools/install-deps installs paraview")
else:
    script = os.path.join(args.workdir, "open_xdmf.py")
    with open(script, "w") as s:
        s.write(
            "import sys\n"
            "from paraview.simple import OpenDataFile\n"
            "r = OpenDataFile(sys.argv[1])\n"
            "print('reader', type(r).__name__)\n"
            "print('times', ' '.join(repr(t) for t in r.TimestepValues))\n"
            "for t in r.TimestepValues:\n"
            "    r.UpdatePipeline(t)\n"
            "    a = r.GetCellDataInformation().GetArray('u')\n"
            "    lo, hi = a.GetRange() if a else (float('nan'), float('nan'))\n"
            "    print('step', t, r.GetDataInformation().GetNumberOfCells(), lo, hi)\n")
    q = subprocess.run([pv, script, os.path.join(out, "demo.xdmf2")], capture_output=True,
                       text=True, timeout=300)
    lines = [l for l in q.stdout.splitlines() if l.startswith(("reader", "times", "step"))]
    print("\n".join(lines))
    steps = [l.split() for l in lines if l.startswith("step")]
    check(q.returncode == 0 and len(steps) == 5, f"pvpython opens the time series: {len(steps)} time steps")
    ok = len(steps) == 5 and all(int(s[2]) == 128 * 128 and 0.9 < float(s[4]) <= 1.0 and float(s[3]) >= 0 for s in steps)
    check(ok, "every time step has 16384 cells and u in [0, 1] with its peak above 0.9")

print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
