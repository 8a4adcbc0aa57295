#!/usr/bin/python3
"""Kolmogorov-flow instability growth rates (issue 5): runs inputs/spectral/kolmogorov_growth.toml
(F = 1, n = 4, nu = 0.05, perturbation at x-wavenumbers 1, 2, 3) at 64^2 and 128^2, fits the
exponential growth of the history columns energy_kx<m> (energy ~ exp(2 sigma t)) on t in
[14, 20], and checks
  * every sigma_m > 0 (Re = 6.25 is above critical for these wavenumber ratios),
  * 64^2 and 128^2 agree to 1e-3 relative (the issue's convergence requirement),
  * sigma_m agrees with an independent linear-stability computation: the Fourier-Galerkin
    matrix of the linearised vorticity equation about U sin(n y),
      dw_l/dt = -(nu K_l + lambda) w_l + (U a / 2) [(n^2/K_{l-n} - 1) w_{l-n} - (n^2/K_{l+n} - 1) w_{l+n}],
    K_l = a^2 + l^2, l = q + j n (Floquet sector q), whose largest real eigenvalue over q is sigma.

usage: kolmogorov_growth.py --source-dir SRC --tessera EXE --workdir DIR [--keep-going]
Prints one line per check and "N passed, M failed"; exit status 1 when a check failed.
"""
import argparse
import os
import shutil
import subprocess
import sys

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--source-dir", required=True)
ap.add_argument("--tessera", required=True)
ap.add_argument("--workdir", required=True)
args = ap.parse_args()
deck = os.path.join(args.source_dir, "inputs", "spectral", "kolmogorov_growth.toml")
F, NU, N, LAM = 1.0, 0.05, 4, 0.0
MODES = (1, 2, 3)
T_FIT = 14.0
results = []


def check(ok, what):
    results.append(bool(ok))
    print(("[PASS] " if ok else "[FAIL] ") + what, flush=True)


def linear_rate(alpha, j_max=40):
    """Largest growth rate of x-wavenumber alpha over the Floquet sectors q = 0..n-1."""
    u0 = F / (NU * N * N + LAM)
    best = -np.inf
    for q in range(N):
        ls = [q + j * N for j in range(-j_max, j_max + 1)]
        k = lambda l: alpha * alpha + l * l
        a = np.zeros((len(ls), len(ls)))
        for i, l in enumerate(ls):
            a[i, i] = -(NU * k(l) + LAM)
            if i > 0:
                a[i, i - 1] = 0.5 * u0 * alpha * (N * N / k(l - N) - 1.0)
            if i + 1 < len(ls):
                a[i, i + 1] = -0.5 * u0 * alpha * (N * N / k(l + N) - 1.0)
        best = max(best, np.linalg.eigvals(a).real.max())
    return best


def run(cells):
    out = os.path.join(args.workdir, f"kolmogorov_growth_{cells}")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    cmd = [args.tessera, deck, "--set", f"mesh.cells=[{cells},{cells}]",
           "--set", f"mesh.block_cells=[{cells},{cells // 4}]", "--set", f'output.dir="{out}"']
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=out)
    if p.returncode != 0:
        print("\n".join((p.stdout + p.stderr).splitlines()[-40:]))
        return None
    hst = os.path.join(out, "kolmogorov_growth.hst")
    names = open(hst).readline().split()[1:]
    d = np.loadtxt(hst)
    t = d[:, names.index("time")]
    sel = t >= T_FIT - 1e-9
    rates = {}
    for m in MODES:
        e = d[:, names.index(f"energy_kx{m}")]
        rates[m] = 0.5 * np.polyfit(t[sel], np.log(e[sel]), 1)[0]
    return rates


r64, r128 = run(64), run(128)
check(r64 is not None and r128 is not None, "both runs (64^2 and 128^2) finished")
if r64 and r128:
    for m in MODES:
        lin = linear_rate(float(m))
        print(f"  kx = {m}: sigma(64^2) = {r64[m]:.9f}, sigma(128^2) = {r128[m]:.9f}, "
              f"linear theory {lin:.9f}")
        check(r128[m] > 0.0, f"kx = {m}: the perturbation grows (sigma = {r128[m]:.6f})")
        rel = abs(r64[m] - r128[m]) / abs(r128[m])
        check(rel <= 1e-3, f"kx = {m}: 64^2 vs 128^2 relative difference {rel:.2e} <= 1e-3 "
              "(issue 5 convergence requirement)")
        rel = abs(r128[m] - lin) / abs(lin)
        # The fit window starts at t = 14; the slowest-decaying subdominant eigenmode (kx = 3,
        # sectors q = 1, 3: growth 0.203 vs 0.533) biases the slope by ~1e-5 there.
        check(rel <= 1e-4, f"kx = {m}: 128^2 vs linear stability {rel:.2e} <= 1e-4 "
              "(fit-window bias from subdominant eigenmodes, measured <= 1e-5)")
print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
