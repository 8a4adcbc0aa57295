#!/usr/bin/python3
"""Chromatography column (inputs/convdiff/chromatography.toml) run until the outlet has broken
through; checks on the detector signal outlet_c in the history (the chromatogram):

1. mean arrival time of the step response, int_0^T (1 - c_out/c0) dt, equals
   T0 (1 + alpha k_a / k_d) with T0 = L/u within 1% (the issue's requirement);
2. the outlet step response matches the closed form (series below, written independently of
   the C++ one) within a stated bound in the time-L1 norm and pointwise away from the front.

usage: chromatography_arrival.py --tessera PATH --source-dir DIR --workdir DIR [--mpirun CMD]
Prints one line per check and "N passed, M failed"; exit 1 on failure.
"""
import argparse
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

L, U, KA, KD, ALPHA, C0 = 1.0, 1.0, 5.0, 5.0, 1.0, 1.0


def step_response(x, t):
    """c(x, t)/c0 for the step inlet: e^-a [1 + sum_{n>=1} a^n/n! P(n, k_d tau)]."""
    tau = t - x / U
    if tau < 0:
        return 0.0
    a, y = ALPHA * KA * x / U, KD * tau
    w, p, cum, c = math.exp(-a), math.exp(-y), 0.0, math.exp(-a)
    for n in range(int(a + 12 * math.sqrt(a) + 40)):
        if n >= 1:
            c += w * (1.0 - cum)
        cum += p
        p *= y / (n + 1)
        w *= a / (n + 1)
    return C0 * c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--mpirun", default="mpirun --allow-run-as-root --oversubscribe")
    args = ap.parse_args()
    run_dir = Path(args.workdir) / "convdiff_chromatography_arrival"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    deck = Path(args.source_dir) / "inputs/convdiff/chromatography.toml"
    cmd = args.mpirun.split() + ["-np", "2", args.tessera, str(deck), "--set", "time.t_end=8.0",
                                 "--set", "output.history_dt=0.005",
                                 "--set", f'output.dir="{run_dir}"']
    r = subprocess.run(cmd, cwd=run_dir, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        print(r.stdout[-3000:], r.stderr[-3000:])
        print("0 passed, 2 failed")
        return 1
    hst = next(run_dir.glob("*.hst"))
    names = hst.read_text().splitlines()[0].split()[1:]
    h = np.loadtxt(hst)
    t, c = h[:, names.index("time")], h[:, names.index("outlet_c")]
    passed = failed = 0

    # 1. Mean arrival time. The detector reads the outflow face state (zero-gradient ghosts and a
    # limited slope give face = last cell), so it is the signal at x = L.
    expected = L / U * (1.0 + ALPHA * KA / KD)
    mean = np.trapz(C0 - c, t) / C0
    rel = abs(mean / expected - 1.0)
    ok = rel <= 0.01 and c[-1] > 1.0 - 1e-6
    print(f"[{'PASS' if ok else 'FAIL'}] mean arrival {mean:.6f} vs T0(1 + alpha k_a/k_d) = "
          f"{expected:.6f}: relative {rel:.2e} (bound 1e-2; c_out(T) = {c[-1]:.8f}) — the issue's 1% "
          f"requirement; the conservative flux form makes it exact up to the history sampling")
    passed, failed = passed + ok, failed + (not ok)

    # 2. Step response vs closed form: L1 in time, and the maximum away from the front.
    exact = np.array([step_response(L, ti) for ti in t])
    l1 = np.trapz(np.abs(c - exact), t)
    away = np.abs(t - L / U) > 0.1
    linf_away = np.max(np.abs(c - exact)[away])
    ok = l1 <= 2.1e-4 and linf_away <= 1.2e-4
    print(f"[{'PASS' if ok else 'FAIL'}] outlet step response vs closed form: int|c-c_exact| dt = "
          f"{l1:.3e} (bound 2.1e-4), max |c-c_exact| for |t-T0| > 0.1 = {linf_away:.3e} (bound 1.2e-4)"
          f" — measured 1.72e-4 and 9.6e-5 at 256 cells, +20%; the jump e^-a c0 = 6.7e-3 at t = T0 is smeared over a few cells")
    passed, failed = passed + ok, failed + (not ok)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
