#!/usr/bin/python3
"""Differentially heated square cavity (de Vahl Davis, Int. J. Numer. Meth. Fluids 3, 1983),
Pr = 0.71, 64^2, Ra = 1e3 and 1e4 (issue 6): runs inputs/incompressible/dvd_ra1e3.toml and
dvd_ra1e4.toml to steady state and checks against the benchmark (REFERENCES.md):
  * mean Nusselt number at the hot and at the cold wall within 2%,
  * u_max on the vertical mid-line x = 0.5 and v_max on the horizontal mid-line y = 0.5 within
    1%, their locations within one cell.
The mid-lines are lines of MAC faces (u-faces at x = 0.5, v-faces at y = 0.5), so the samples are
the solver's own values; the maximum and its location come from the parabola through the
largest sample and its two neighbours (the usual way benchmark maxima are read off a grid).

usage: incomp_dvd.py --source-dir SRC --tessera EXE --workdir DIR [--np N] [--ra 1e3 1e4]
Prints one line per check and "N passed, M failed"; exit status 1 when a check failed.
"""
import glob
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
from script_checks import check, finish, script_parser  # noqa: E402

ap = script_parser()
ap.add_argument("--np", type=int, default=1)
ap.add_argument("--ra", nargs="+", default=["1e3", "1e4"])
ap.add_argument("--set", action="append", default=[])
args = ap.parse_args()

# de Vahl Davis (1983) benchmark values (REFERENCES.md): Nu, u_max (y), v_max (x).
BENCH = {"1e3": (1.118, 3.649, 0.813, 3.697, 0.178), "1e4": (2.243, 16.178, 0.823, 19.617, 0.119),
         "1e5": (4.519, 34.73, 0.855, 68.59, 0.066), "1e6": (8.800, 64.63, 0.850, 219.36, 0.0379)}
def peak(xs, ys):
    """Maximum of the parabola through the largest sample and its neighbours: (x*, y*)."""
    i = int(np.clip(np.argmax(ys), 1, len(ys) - 2))
    y0, y1, y2 = ys[i - 1], ys[i], ys[i + 1]
    h = xs[i + 1] - xs[i]
    den = y0 - 2 * y1 + y2
    s = 0.5 * (y0 - y2) / den if den != 0 else 0.0
    return xs[i] + s * h, y1 - 0.25 * (y0 - y2) * s


for ra in args.ra:
    nu_ref, umax_ref, uy_ref, vmax_ref, vx_ref = BENCH[ra]
    out = os.path.join(args.workdir, f"incomp_dvd_ra{ra}")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    deck = os.path.join(args.source_dir, "inputs", "incompressible", f"dvd_ra{ra}.toml")
    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(args.np), args.tessera,
           deck, "--set", f"output.dir={out}"]
    for s in args.set:
        cmd += ["--set", s]
    r = subprocess.run(cmd, cwd=out, capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stdout[-3000:], r.stderr[-3000:])
        check(False, f"Ra = {ra}: run failed")
        continue
    snap = sorted(glob.glob(os.path.join(out, "*.out.*.h5")))[-1]
    with h5py.File(snap, "r") as f:
        uf = f["fields/uf"][0]
        vf = f["fields/vf"][0]
    ny, nx = uf.shape
    h = 1.0 / nx
    yc = (np.arange(ny) + 0.5) / ny
    xc = (np.arange(nx) + 0.5) / nx
    uy, umax = peak(yc, uf[:, nx // 2])
    vx, vmax = peak(xc, vf[ny // 2, :])
    hst = glob.glob(os.path.join(out, "*.hst"))[0]
    names = open(hst).readline().split()[1:]
    d = np.loadtxt(hst)
    nuh = d[-1, names.index("nusselt_hot")]
    nuc = d[-1, names.index("nusselt_cold")]
    t = d[:, names.index("time")]
    i9 = np.searchsorted(t, 0.9 * t[-1])
    drift = abs(d[-1, names.index("nusselt_hot")] - d[i9, names.index("nusselt_hot")]) / nuh
    check(drift <= 1e-3, f"Ra = {ra}: steady, Nu_hot changed by {drift:.1e} relative over the last "
          f"10% of the run (<= 1e-3, 20x below the Nu tolerance)")
    for name, v in (("hot", nuh), ("cold", nuc)):
        e = abs(v - nu_ref) / nu_ref
        check(e <= 0.02, f"Ra = {ra}: Nu_{name} = {v:.4f} vs {nu_ref} ({100 * e:.2f}%, tol 2%: "
              f"issue 6; the benchmark itself is good to ~0.1-1%)")
    e = abs(umax - umax_ref) / umax_ref
    check(e <= 0.01, f"Ra = {ra}: u_max(x=0.5) = {umax:.4f} vs {umax_ref} ({100 * e:.2f}%, tol 1%)")
    check(abs(uy - uy_ref) <= h, f"Ra = {ra}: at y = {uy:.4f} vs {uy_ref} (|diff| "
          f"{abs(uy - uy_ref):.4f} <= one cell {h:.4f})")
    e = abs(vmax - vmax_ref) / vmax_ref
    check(e <= 0.01, f"Ra = {ra}: v_max(y=0.5) = {vmax:.4f} vs {vmax_ref} ({100 * e:.2f}%, tol 1%)")
    check(abs(vx - vx_ref) <= h, f"Ra = {ra}: at x = {vx:.4f} vs {vx_ref} (|diff| "
          f"{abs(vx - vx_ref):.4f} <= one cell {h:.4f})")
    divmax = d[1:, names.index("div_max")].max()
    check(divmax <= 10 * 1e-8, f"Ra = {ra}: max |div u| after projection over all steps = "
          f"{divmax:.2e} <= 10 x div_tol 1e-8 (the solve's absolute tolerance bounds ||div u||_2)")
finish()
