#!/usr/bin/python3
"""Rayleigh-Benard onset between rigid plates (issue 6): runs inputs/incompressible/rb_onset.toml
(box width 2 pi / 3.117, one critical wavelength; conduction state + a small temperature
perturbation) at Ra = 0.97 Ra_c and 1.03 Ra_c, Ra_c = 1707.76 (REFERENCES.md), and fits the
exponential rate of the kinetic energy (history column kinetic_energy ~ exp(2 sigma t)) after
the transients (t in [T_FIT, t_end]). Checks: sigma < 0 below Ra_c, sigma > 0 above, and both
fits exponential (log-linear residual small). Also prints the discrete critical Rayleigh number
from the linear interpolation of sigma(Ra) between the two runs.

usage: incomp_rb_onset.py --source-dir SRC --tessera EXE --workdir DIR [--np N]
Prints one line per check and "N passed, M failed"; exit status 1 when a check failed.
"""
import glob
import os
import shutil
import subprocess
import sys

import numpy as np
from script_checks import check, finish, script_parser  # noqa: E402

ap = script_parser()
ap.add_argument("--np", type=int, default=1)
args = ap.parse_args()
RA_C = 1707.76
T_FIT = 1.0  # the faster modes of the initial perturbation decay like exp(-10 t) or faster
def rate(factor):
    out = os.path.join(args.workdir, f"incomp_rb_onset_{factor}")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    deck = os.path.join(args.source_dir, "inputs", "incompressible", "rb_onset.toml")
    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(args.np), args.tessera,
           deck, "--set", f"output.dir={out}", "--set",
           f"physics.incompressible.rayleigh={factor * RA_C!r}"]
    r = subprocess.run(cmd, cwd=out, capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stdout[-3000:], r.stderr[-3000:])
        return None
    hst = glob.glob(os.path.join(out, "*.hst"))[0]
    names = open(hst).readline().split()[1:]
    d = np.loadtxt(hst)
    t = d[:, names.index("time")]
    ke = d[:, names.index("kinetic_energy")]
    m = t >= T_FIT
    p = np.polyfit(t[m], np.log(ke[m]), 1)
    resid = np.abs(np.log(ke[m]) - np.polyval(p, t[m])).max()
    return 0.5 * p[0], resid


res = {}
for factor in (0.97, 1.03):
    r = rate(factor)
    if r is None:
        check(False, f"Ra = {factor} Ra_c: run failed")
        continue
    res[factor] = r
    sigma, resid = r
    want = "decays" if factor < 1 else "grows"
    ok = sigma < 0 if factor < 1 else sigma > 0
    check(ok, f"Ra = {factor} Ra_c: perturbation {want}: sigma = {sigma:+.4f} per diffusion time "
          f"(fit of log KE on t >= {T_FIT})")
    check(resid < 0.05, f"Ra = {factor} Ra_c: exponential after the transient (max log residual "
          f"{resid:.1e} < 0.05: a single mode remains)")
if len(res) == 2:
    s1, s2 = res[0.97][0], res[1.03][0]
    ra_disc = RA_C * (0.97 + (1.03 - 0.97) * (-s1) / (s2 - s1))
    print(f"discrete critical Rayleigh number (linear in sigma): {ra_disc:.1f} "
          f"({100 * (ra_disc / RA_C - 1):+.2f}% from 1707.76)")
finish()
