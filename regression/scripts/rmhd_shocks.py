#!/usr/bin/python3
"""Steady radiative MHD shocks (issue 7, ladder item 8): fast, slow and switch-off.

Each deck (inputs/rmhd/shock_{fast,slow,switchoff}.toml, 1D, 200 cells, one rank) starts from
the Rankine-Hugoniot step in the shock's rest frame (problem rmhd_shock) and runs until the
radiation precursor and the shock profile are steady. On the final snapshot:

1. End states: the first and last cells within 0.5% of the radiative Rankine-Hugoniot upstream
   and downstream states printed by tessera-rh (rho, T, v_x, v_y; B_y relative to the upstream
   |B|, since the switch-off shock has B_y = 0 behind it).
2. Flux invariants at every cell centre, against the far-field values of tessera-rh:
     mass        rho v_x
     x-momentum  rho v_x^2 + p + (B_t^2 - B_x^2)/2 + E/3
     y-momentum  rho v_x v_y - B_x B_y
     energy      v_x (rho v^2/2 + gamma p/(gamma-1) + B^2) - B_x v.B + (4/3) E v_x + F
     induction   v_x B_y - B_x v_y
   with the radiative diffusion flux F = -(c lambda / (kappa_R rho)) dE/dx, lambda = 1/3 (the
   decks' diffusion limiter), dE/dx by centred differences (one-sided in the two end cells).
   Bound: max |I - I_RH| / |I_RH| <= 1e-3 over the whole profile, every cell.
3. Fast and slow: fully dispersed (no embedded sub-shock): the largest cell-to-cell density
   change is below 1% of max rho. (The switch-off profile, where B_t decays at constant density
   in the precursor before the compression, has a steeper compression: ~1.4% per cell.)
4. Steady: the density changed by less than 5e-3 of max rho over the last time unit.

usage: rmhd_shocks.py --source-dir SRC --tessera EXE --workdir DIR --rh TESSERA_RH [--only TYPE...]
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tomllib

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from script_checks import check, finish, script_parser  # noqa: E402

ap = script_parser()
ap.add_argument("--rh", required=True, help="the tessera-rh executable")
ap.add_argument("--only", nargs="*", default=None, help="fast, slow and/or switch_off")
args = ap.parse_args()
src = os.path.abspath(args.source_dir)

DECKS = {"fast": "shock_fast", "slow": "shock_slow", "switch_off": "shock_switchoff"}
END_TOL = 5e-3       # ladder item 8: end states within 0.5% of the RH states
INV_TOL = 1e-3       # ladder item 8: flux invariants constant to 1e-3
# The profiles relax slowly (the last cells of the precursor, transients leaving through the
# inflow face of the sub-fast slow/switch-off upstreams): measured 1.2e-3, 8.5e-4, 2.3e-3 over the
# last time unit; 5e-3 catches a profile that has not settled (1e-2 to 2e-1 in the first units).
STEADY_TOL = 5e-3


def rh_states(deck, typ):
    """Upstream/downstream states and far-field fluxes from tessera-rh for the deck."""
    rad, mhd, prob = deck["physics"]["rad_fld"], deck["physics"]["mhd"], deck["problem"]
    v, b = prob["velocity"], prob["field"]
    cmd = [args.rh, "--type", typ, "--gamma", repr(mhd["gamma"]),
           "--rgas", repr(rad["gas_constant"] / rad["mu"]), "--a-rad", repr(rad["a_rad"]),
           "--rho", repr(prob["rho0"]), "--temp", repr(prob["t0"]), "--vy", repr(v[1]),
           "--vz", repr(v[2]), "--bx", repr(b[0]), "--by", repr(b[1]), "--bz", repr(b[2])]
    if typ != "switch_off":
        cmd += ["--vx", repr(v[0])]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    st = {}
    for line in out.splitlines():
        m = re.match(r"(upstream|downstream) +rho (\S+) +v (\S+) (\S+) (\S+) +B (\S+) (\S+) (\S+) +p "
                     r"(\S+) +T (\S+) +E (\S+)", line)
        if m:
            x = [float(t) for t in m.groups()[1:]]
            st[m.group(1)] = dict(rho=x[0], v=x[1:4], b=x[4:7], p=x[7], T=x[8], E=x[9])
        if line.startswith("fluxes"):
            st["fluxes"] = [float(t) for t in line.split()[1:] if not t.isalpha()]
    return st


def profile(snap):
    with h5py.File(snap, "r") as f:
        deck = tomllib.loads(f["deck"][()].decode() if isinstance(f["deck"][()], bytes)
                             else f["deck"][()])
        fld = {k: np.asarray(f["fields/" + k]).reshape(-1)
               for k in ["rho", "mom_x", "mom_y", "mom_z", "E", "bx", "by", "bz", "erad"]}
        lo, hi = f.attrs["domain_lower"][0], f.attrs["domain_upper"][0]
        t = float(f.attrs["time"])
    return deck, fld, lo, hi, t


for typ, name in DECKS.items():
    if args.only and typ not in args.only:
        continue
    run = os.path.join(args.workdir, "rmhd_" + name)
    shutil.rmtree(run, ignore_errors=True)
    os.makedirs(run)
    deck_path = os.path.join(src, "inputs/rmhd", name + ".toml")
    res = subprocess.run([args.tessera, deck_path, "--set", f'output.dir="{run}"',
                          "--set", 'output.layout="uniform"'], cwd=run, capture_output=True,
                         text=True)
    check(res.returncode == 0, f"{name}: run finished" +
          ("" if res.returncode == 0 else "\n" + res.stdout[-2000:] + res.stderr[-2000:]))
    if res.returncode != 0:
        continue
    snap = sorted(glob.glob(os.path.join(run, "*.out.*.h5")))[-1]
    deck, q, lo, hi, t = profile(snap)
    g = deck["physics"]["mhd"]["gamma"]
    rad = deck["physics"]["rad_fld"]
    rgas, c, a = rad["gas_constant"] / rad["mu"], rad["c_light"], rad["a_rad"]
    assert rad["limiter"] == "diffusion" and rad.get("rosseland_opacity") == "power_law"
    rho = q["rho"]
    v = np.array([q["mom_x"], q["mom_y"], q["mom_z"]]) / rho
    bb = np.array([q["bx"], q["by"], q["bz"]])
    er = q["erad"]
    p = (g - 1.0) * (q["E"] - 0.5 * rho * (v**2).sum(0) - 0.5 * (bb**2).sum(0))
    temp = p / (rho * rgas)
    n = rho.size
    dx = (hi - lo) / n
    chi = rad["rosseland_kappa"] * rho ** (1.0 + rad.get("rosseland_rho_exp", 0.0))
    frad = -c / (3.0 * chi) * np.gradient(er, dx)  # lambda = 1/3, centred differences
    mflux = rho * v[0]
    bx = bb[0]
    inv = {
        "mass": (mflux, 0),
        "x-momentum": (mflux * v[0] + p + 0.5 * (bb[1]**2 + bb[2]**2 - bx**2) + er / 3.0, 1),
        "y-momentum": (mflux * v[1] - bx * bb[1], 2),
        "energy": (v[0] * (0.5 * rho * (v**2).sum(0) + g / (g - 1.0) * p + (bb**2).sum(0))
                   - bx * (v * bb).sum(0) + 4.0 / 3.0 * er * v[0] + frad, 4),
        "induction": (v[0] * bb[1] - bx * v[1], 5),
    }
    rh = rh_states(deck, typ)
    up, dn = rh["upstream"], rh["downstream"]
    bscale = float(np.sqrt(np.sum(np.square(up["b"]))))
    # 1. End states.
    worst = 0.0
    for cell, s in ((0, up), (n - 1, dn)):
        errs = [abs(rho[cell] / s["rho"] - 1), abs(temp[cell] / s["T"] - 1),
                abs(v[0][cell] / s["v"][0] - 1),
                abs(v[1][cell] - s["v"][1]) / max(abs(s["v"][0]), 1e-300),
                abs(bb[1][cell] - s["b"][1]) / bscale]
        worst = max(worst, max(errs))
    check(worst <= END_TOL,
          f"{name} (t = {t:g}): end states vs Rankine-Hugoniot (rho, T, v_x, v_y/v_x, B_y/|B|): "
          f"max rel. error {worst:.2e} <= {END_TOL:g}; downstream rho {rho[-1]:.6f} vs "
          f"{dn['rho']:.6f}, T {temp[-1]:.6f} vs {dn['T']:.6f}, B_y {bb[1][-1]:.6f} vs "
          f"{dn['b'][1]:.6f}")
    # 2. Flux invariants.
    jump = np.abs(np.diff(rho)) / rho.max()
    if typ != "switch_off":
        check(jump.max() < 0.01, f"{name}: fully dispersed profile, largest cell-to-cell "
              f"density change {jump.max():.2e} of max rho < 1e-2")
    devs = {}
    for k, (arr, fi) in inv.items():
        ref = rh["fluxes"][fi]
        devs[k] = float(np.max(np.abs(arr - ref)) / abs(ref))
    check(max(devs.values()) <= INV_TOL,
          f"{name}: flux invariants constant over all {n} cells to " +
          ", ".join(f"{k} {d:.2e}" for k, d in devs.items()) + f" (max <= {INV_TOL:g})")
    # Steadiness: the density change over the last snapshot interval (1 time unit).
    snaps = sorted(glob.glob(os.path.join(run, "*.out.*.h5")))
    if len(snaps) >= 2:
        _, q0, _, _, t0 = profile(snaps[-2])
        drift = float(np.max(np.abs(rho - q0["rho"])) / rho.max())
        check(drift <= STEADY_TOL, f"{name}: steady: max |rho(t) - rho(t - {t - t0:g})| / max rho "
              f"= {drift:.2e} <= {STEADY_TOL:g}")
    print(f"  {name}: precursor: T rises by 1e-3 at x = "
          f"{lo + dx * (0.5 + np.argmax(temp > up['T'] * 1.001)):.3f}, P_rad/p upstream "
          f"{up['E'] / (3 * up['p']):.3f}, downstream {dn['E'] / (3 * dn['p']):.3f}")

finish()
