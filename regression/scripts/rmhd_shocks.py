#!/usr/bin/python3
"""Steady radiative MHD shocks (issue 7, ladder item 8): fast, slow and switch-off.

Each deck (inputs/rmhd/shock_{fast,slow,switchoff}.toml, 1D, 150-300 cells, one rank) starts from
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
3. Fully dispersed (no embedded sub-shock, which a shock-capturing scheme puts into 2-3
   cells): the largest cell-to-cell density change is below 10% of the density jump.
4. Steady: the density changed by less than 5e-3 of max rho over the last time unit.
5. Shape: the radiation temperature (E/a)^(1/4) and the density of every cell against the
   semi-analytic steady profile (steady_profile below: the invariants pointwise plus
   F = -(c/(3 kappa_R rho)) dE/dx give an ODE for T(x), integrated by RK4), aligned at the
   mid-point of the T jump: max error <= 1% of the jumps (switch-off 3%).

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
# The profiles relax exponentially (the precursor tail; transients leaving through the
# inflow face of the sub-fast slow/switch-off upstreams): measured 8e-5, 4e-5, 7e-4 over the
# last time unit; 5e-3 catches a profile that has not settled (1e-2 to 2e-1 in the first units).
STEADY_TOL = 5e-3
# Profile vs the semi-analytic ODE solution, max error relative to the jump in T and in rho:
# measured 1.2e-3 / 2.3e-3 (fast), 2.2e-4 / 1.0e-3 (slow), 3.7e-3 / 1.6e-2 (switch-off, whose ODE
# profile has a corner where B_t reaches 0 and whose run keeps a 1e-3 residual oscillation).
SHAPE_TOL = {"fast": 1e-2, "slow": 1e-2, "switch_off": 3e-2}


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


def steady_profile(up, dn, fl, g, rgas, a, c, chi, typ, steps=4000):
    """Semi-analytic steady profile (x, T, rho) of a fully dispersed radiative shock in the
    equilibrium diffusion limit (T_gas = T_rad, F = -(c/(3 chi)) dE/dx, chi = kappa_R rho
    constant): every flux invariant fl (tessera-rh's far-field values) holds pointwise, so for a
    given T the mass, tangential and normal momentum invariants give rho (and B_t, v_t), the
    energy invariant gives F, and dT/dx = -3 chi F / (4 a c T^3). RK4 in x from T0 + 1e-6 (T1 -
    T0) with steps of at most (T1 - T0)/steps and 5% of the distance to either end state.
    Switch-off: B_t (v_x - B_x^2/m) = 0, so first B_t falls at rho = rho0 (normal momentum gives
    B_t^2), then, with B_t = 0, rho rises."""
    m, pi_x, c1, fe = fl[0], fl[1], fl[2], fl[4]
    bx, by0, vx0 = up["b"][0], up["b"][1], up["v"][0]
    k0 = vx0 - bx * bx / m

    def state(temp, r, mode):
        """(rho, B_y, mode) at temperature temp on the branch through r."""
        if mode == "decay":
            by2 = 2.0 * (pi_x - m * vx0 - up["rho"] * rgas * temp - a * temp**4 / 3.0) + bx * bx
            if by2 > 0.0:
                return up["rho"], np.sqrt(by2) * np.sign(by0), mode
            mode = "compress"

        def by_of(rr):
            return 0.0 if typ == "switch_off" else by0 * k0 / (m / rr - bx * bx / m)

        def f(rr):
            return (m * m / rr + rr * rgas * temp + 0.5 * (by_of(rr)**2 - bx * bx)
                    + a * temp**4 / 3.0 - pi_x)
        for _ in range(100):
            h = 1e-7 * r
            d = (f(r + h) - f(r)) / h
            dr = f(r) / d
            r -= dr
            if abs(dr) < 1e-14 * r:
                break
        return r, by_of(r), mode

    def slope(temp, r, by):
        vx = m / r
        vy = (c1 + bx * by) / m
        gflux = (vx * (0.5 * r * (vx * vx + vy * vy) + g / (g - 1.0) * r * rgas * temp
                       + bx * bx + by * by) - bx * (vx * bx + vy * by)
                 + 4.0 / 3.0 * a * temp**4 * vx)
        return -3.0 * chi * (fe - gflux) / (4.0 * a * c * temp**3)

    t0, t1 = up["T"], dn["T"]
    mode = "decay" if typ == "switch_off" else "general"
    temp = t0 + 1e-6 * (t1 - t0)
    r, by, mode = state(temp, up["rho"], mode)
    x, xs, ts, rs = 0.0, [0.0], [temp], [r]
    while temp < t1 - 1e-6 * (t1 - t0) and len(xs) < 100000:
        def k(tt):
            rr, bb, _ = state(tt, r, mode)
            return slope(tt, rr, bb)
        k1 = slope(temp, r, by)
        dx = min((t1 - t0) / steps, 0.05 * (temp - t0), 0.05 * (t1 - temp)) / abs(k1)
        k2 = k(temp + 0.5 * dx * k1)
        k3 = k(temp + 0.5 * dx * k2)
        k4 = k(temp + dx * k3)
        temp += dx * (k1 + 2 * k2 + 2 * k3 + k4) / 6.0
        r, by, mode = state(temp, r, mode)
        x += dx
        xs.append(x)
        ts.append(temp)
        rs.append(r)
    return np.array(xs), np.array(ts), np.array(rs)


def crossing(x, y, level):
    """First x where the increasing profile y reaches level (linear interpolation)."""
    i = int(np.argmax(y >= level))
    return x[i - 1] + (x[i] - x[i - 1]) * (level - y[i - 1]) / (y[i] - y[i - 1])


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
    jump = np.abs(np.diff(rho)) / (dn["rho"] - up["rho"])
    check(jump.max() < 0.1, f"{name}: fully dispersed profile (no captured sub-shock, which puts "
          f">= 1/3 of its jump into one cell): largest cell-to-cell density change "
          f"{jump.max():.3f} of the density jump < 0.1")
    devs = {}
    for k, (arr, fi) in inv.items():
        ref = rh["fluxes"][fi]
        devs[k] = float(np.max(np.abs(arr - ref)) / abs(ref))
    check(max(devs.values()) <= INV_TOL,
          f"{name}: flux invariants constant over all {n} cells to " +
          ", ".join(f"{k} {d:.2e}" for k, d in devs.items()) + f" (max <= {INV_TOL:g})")
    # 3. Shape: the radiation temperature (E/a)^(1/4) and the density against the
    # semi-analytic steady profile, aligned where T is half-way between the end states.
    xo, to, ro = steady_profile(up, dn, rh["fluxes"], g, rgas, a, c,
                                float(chi[0]), typ)
    trad = (er / a) ** 0.25
    xc = lo + dx * (0.5 + np.arange(n))
    tmid = 0.5 * (up["T"] + dn["T"])
    shift = crossing(xo, to, tmid) - crossing(xc, trad, tmid)
    t_ode = np.interp(xc + shift, xo, to, left=up["T"], right=dn["T"])
    r_ode = np.interp(xc + shift, xo, ro, left=up["rho"], right=dn["rho"])
    et = float(np.max(np.abs(trad - t_ode)) / (dn["T"] - up["T"]))
    er_ = float(np.max(np.abs(rho - r_ode)) / (dn["rho"] - up["rho"]))
    check(max(et, er_) <= SHAPE_TOL[typ],
          f"{name}: profile vs the semi-analytic steady solution (ODE): max |T - T_ode| = "
          f"{et:.2e}, max |rho - rho_ode| = {er_:.2e} of the jumps (<= {SHAPE_TOL[typ]:g}); the "
          f"ODE's T reaches 1e-3 of the jump {crossing(xo, to, up['T'] + 1e-3 * (dn['T'] - up['T'])) - crossing(xo, to, tmid):.3f} "
          f"from the mid-point, the domain's inflow face is {lo - crossing(xc, trad, tmid):.3f} from it")
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
