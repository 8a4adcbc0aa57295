#!/usr/bin/python3
"""Lid-driven cavity, Re = 100, 64^2 (issue 6): runs inputs/incompressible/cavity_re100.toml to
steady state and compares u on the vertical centre line x = 0.5 and v on the horizontal centre
line y = 0.5 with Ghia, Ghia & Shin, J. Comput. Phys. 48 (1982), Tables I and II (REFERENCES.md):
max abs difference <= 0.015 at all 17 points of each table.

Interpolation: on the MAC grid x = 0.5 is a column of u-faces (u at the cell-centre heights
y_j = (j + 1/2) h) and y = 0.5 a row of v-faces, so no interpolation across the line is needed;
along it, the face values plus the wall values (u = 0 at y = 0, u = 1 on the lid; v = 0 at
x = 0, 1) are interpolated to Ghia's points by the cubic Lagrange polynomial through the four
nearest samples (error O(h^4), far below the tolerance).

usage: incomp_cavity_ghia.py --source-dir SRC --tessera EXE --workdir DIR [--np N]
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
ap.add_argument("--set", action="append", default=[])
args = ap.parse_args()

GHIA_U = [(1.0000, 1.00000), (0.9766, 0.84123), (0.9688, 0.78871), (0.9609, 0.73722),
          (0.9531, 0.68717), (0.8516, 0.23151), (0.7344, 0.00332), (0.6172, -0.13641),
          (0.5000, -0.20581), (0.4531, -0.21090), (0.2813, -0.15662), (0.1719, -0.10150),
          (0.1016, -0.06434), (0.0703, -0.04775), (0.0625, -0.04192), (0.0547, -0.03717),
          (0.0000, 0.00000)]
GHIA_V = [(1.0000, 0.00000), (0.9688, -0.05906), (0.9609, -0.07391), (0.9531, -0.08864),
          (0.9453, -0.10313), (0.9063, -0.16914), (0.8594, -0.22445), (0.8047, -0.24533),
          (0.5000, 0.05454), (0.2344, 0.17527), (0.2266, 0.17507), (0.1563, 0.16077),
          (0.0938, 0.12317), (0.0781, 0.10890), (0.0703, 0.10091), (0.0625, 0.09233),
          (0.0000, 0.00000)]
TOL = 0.015  # issue 6; Ghia's own table carries ~0.009 error in v near x = 0.86 (REFERENCES.md)
def lagrange4(xs, ys, x):
    """Cubic through the four samples nearest to x (xs sorted)."""
    i = int(np.clip(np.searchsorted(xs, x) - 2, 0, len(xs) - 4))
    px, py = xs[i:i + 4], ys[i:i + 4]
    s = 0.0
    for a in range(4):
        w = 1.0
        for b in range(4):
            if b != a:
                w *= (x - px[b]) / (px[a] - px[b])
        s += w * py[a]
    return s


out = os.path.join(args.workdir, "incomp_cavity_ghia")
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
deck = os.path.join(args.source_dir, "inputs", "incompressible", "cavity_re100.toml")
cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(args.np), args.tessera, deck,
       "--set", f"output.dir={out}", "--set", "output.snapshot_dt=0", "--set", "time.t_end=8.0"]
for s in args.set:
    cmd += ["--set", s]
r = subprocess.run(cmd, cwd=out, capture_output=True, text=True)
if r.returncode != 0:
    print(r.stdout[-3000:], r.stderr[-3000:])
    check(False, "cavity run failed")
    sys.exit(1)
snap = sorted(glob.glob(os.path.join(out, "*.out.*.h5")))[-1]
with h5py.File(snap, "r") as f:
    uf = f["fields/uf"][0]  # [ny, nx], uniform layout
    vf = f["fields/vf"][0]
    t = f.attrs["time"]
ny, nx = uf.shape
assert nx % 2 == 0 and ny % 2 == 0, "the centre lines must be face lines (even cell counts)"
h = 1.0 / nx
yc = (np.arange(ny) + 0.5) / ny
xc = (np.arange(nx) + 0.5) / nx
u_line = np.concatenate([[0.0], uf[:, nx // 2], [1.0]])
y_line = np.concatenate([[0.0], yc, [1.0]])
v_line = np.concatenate([[0.0], vf[ny // 2, :], [0.0]])
x_line = np.concatenate([[0.0], xc, [1.0]])
du = [abs(lagrange4(y_line, u_line, y) - u) for y, u in GHIA_U]
dv = [abs(lagrange4(x_line, v_line, x) - v) for x, v in GHIA_V]
iu, iv = int(np.argmax(du)), int(np.argmax(dv))
check(max(du) <= TOL, f"u(x=0.5, y) vs Ghia at 17 points, t = {t:g}: max |diff| = {max(du):.4f} at "
      f"y = {GHIA_U[iu][0]} (tol {TOL}: issue 6, second-order 64^2 vs Ghia's 129^2 table)")
check(max(dv) <= TOL, f"v(x, y=0.5) vs Ghia at 17 points: max |diff| = {max(dv):.4f} at "
      f"x = {GHIA_V[iv][0]} (tol {TOL}: Ghia's own v carries ~0.009 error near x = 0.86)")
# Near steady state: t = 8 lid times. The slow final approach (kinetic energy +0.4% over the last
# 10% of the run) moves the centre lines by < 0.005 between t = 8 and t = 12 (measured 0.0043 in
# u, 0.0028 in v), well inside the tolerance; the check guards against an unsteady solution.
hst = glob.glob(os.path.join(out, "*.hst"))[0]
names = open(hst).readline().split()[1:]
d = np.loadtxt(hst)
ke = d[:, names.index("kinetic_energy")]
tt = d[:, names.index("time")]
k0 = ke[np.searchsorted(tt, 0.9 * tt[-1])]
check(abs(ke[-1] - k0) <= 1e-2 * ke[-1],
      f"steady: kinetic energy drift over the last 10% = {abs(ke[-1] - k0) / ke[-1]:.2e} relative "
      f"(<= 1e-2: near steady, see the comment above)")
divmax = d[:, names.index("div_max")].max()
check(divmax <= 10 * 1e-9, f"max |div u| after projection over all steps = {divmax:.2e} <= 10 x "
      f"div_tol 1e-9 (the pressure solve's absolute tolerance bounds ||div u||_2)")
finish()
