#!/usr/bin/python3
"""Radiation-damped linear MHD waves (issue 7, ladder item 9): damping rate within 5% and phase
speed within 1% of the roots of the linear dispersion relation of the 8-wave radiation-MHD
system, computed by tools/rmhd-dispersion.

1. The tool's self-test (ideal MHD exactly at a_rad = 0, undamped Alfven waves, the two
   adiabatic limits, the Newtonian-cooling limit): it must pass.
2. For the fast+, slow+ and Alfven+ modes of inputs/rmhd/damped_wave1d.toml (c = 10,
   P_rad/P_gas = 1, optical depth 10 per wavelength; see the deck): tessera runs the deck
   initialised with the tool's eigenvector; every snapshot is projected on the mode: the
   Fourier coefficient X(t) = 2 <x exp(-i k.x)> of the 8 variables (rho, v_n, v_t1, v_t2, B_t1,
   B_t2, p, E) contracted with the tool's left eigenvector, alpha(t) = l.X(t), which filters
   out every other mode. A least-squares line through ln|alpha| and the unwrapped arg(alpha)
   gives the measured damping rate -d ln|alpha|/dt and frequency -d arg(alpha)/dt.
   Checks: damping within 5% and phase speed within 1% of the tool's omega (the issue's
   tolerances); the Alfven wave's damping below 0.5% of its frequency (the tool's is 0; the
   scheme's own at 128 cells is ~1e-4 of it). The slow wave again with TR-BDF2 (damping within
   0.2%: backward Euler's ~1% is its first-order time error). The fast and slow waves again in
   a uniform flow u0 = 1 along k (Doppler shift k u0; exercises the upwind E advection and the
   work term, which are second order at u0 = 0). The fast wave again on 2 ranks (one block
   each): damping and frequency within 1e-6 of the 1-rank run.
3. The fast and slow waves in 2D (damped_wave2d.toml, 64 x 32, oblique to the grid), same
   checks, and div B at round-off (<= 1e-12) over the runs.
4. The fast and slow waves with radiation off (a_rad = 1e-8: P_rad/P_gas = 7e-10, ideal MHD):
   the scheme's own damping relative to the radiative damping must be below 0.5% in 1D and 2%
   in 2D (measured 2e-4 and 1.4%), the phase speed within 0.1% (1D) / 0.6% (2D) of ideal MHD.

usage: rmhd_damped_waves.py --source-dir SRC --tessera EXE --workdir DIR [--study]
"""
import glob
import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import tomllib

import h5py
import numpy as np

from script_checks import check, finish, script_parser

DECK1 = "inputs/rmhd/damped_wave1d.toml"
DECK2 = "inputs/rmhd/damped_wave2d.toml"
GAMMA = 5.0 / 3.0
# Run length per mode (about 2-3 periods, the wave decays by 5-20x) and snapshot count.
PERIODS = {"fast+": 2.5, "slow+": 1.5, "alfven+": 2.0}
NSNAP = 15
OFF = (["--a-rad", "1e-8"], ["physics.rad_fld.a_rad=1e-8"])
TRBDF2 = ['physics.rad_fld.time_scheme="trbdf2"']
# Uniform flow u0 = 1 along k: Doppler shift k u0; tests the comoving-frame terms (advection of
# E, the work -lambda v.grad E), which are second order at u0 = 0.
FLOW = (["--velocity", "1"], ["problem.velocity=1.0"])
# name, deck, mode, tool overrides, deck overrides, kind of check
CASES = [
    ("1d_fast", DECK1, "fast+", [], [], "rad"),
    ("1d_slow", DECK1, "slow+", [], [], "rad"),
    ("1d_alfven", DECK1, "alfven+", [], [], "alfven"),
    ("1d_slow_trbdf2", DECK1, "slow+", [], TRBDF2, "trbdf2"),
    ("1d_fast_np2", DECK1, "fast+", [], [], "ranks"),
    ("1d_fast_flow", DECK1, "fast+", FLOW[0], FLOW[1], "rad"),
    ("1d_slow_flow", DECK1, "slow+", FLOW[0], FLOW[1], "rad"),
    ("1d_fast_off", DECK1, "fast+", OFF[0], OFF[1], "off"),
    ("1d_slow_off", DECK1, "slow+", OFF[0], OFF[1], "off"),
    ("2d_fast", DECK2, "fast+", [], [], "rad"),
    ("2d_slow", DECK2, "slow+", [], [], "rad"),
    ("2d_fast_off", DECK2, "fast+", OFF[0], OFF[1], "off"),
    ("2d_slow_off", DECK2, "slow+", OFF[0], OFF[1], "off"),
]
# Bounds on the scheme's own damping (radiation off) relative to the radiative damping: 1D at
# 128 cells measured 2.3e-4 (fast) and 1.3e-4 (slow); 2D at 64 x 32 (about 29 cells per
# wavelength along x) 1.25% and 1.5% -- the 2D case is a geometry check at a coarse
# resolution, its radiative damping carries that much numerical damping (at 128 x 64 the
# damping errors drop to 0.13% / 1.2%, the latter backward Euler's time error).
OFF_BOUND = {"1d": 5e-3, "2d": 2e-2}
OFF_PHASE = {"1d": 1e-3, "2d": 6e-3}


def load_tool(source_dir):
    """tools/rmhd-dispersion as a module (one numpy import instead of one per mode)."""
    path = os.path.join(source_dir, "tools/rmhd-dispersion")
    loader = importlib.machinery.SourceFileLoader("rmhd_dispersion", path)
    spec = importlib.util.spec_from_loader("rmhd_dispersion", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def mode_of(args, deck, mode, overrides=()):
    d = args.tool.json_result(["--deck", deck, "--mode", mode] + list(overrides))
    m = d["modes"][0]
    right = np.array(m["right_re"]) + 1j * np.array(m["right_im"])
    left = np.array(m["left_re"]) + 1j * np.array(m["left_im"])
    return d["params"], complex(*m["omega"]), right, left


def wave_frame(deck):
    """k, n, t1, t2 and the box's lower corner as in include/tessera/problems/plane_wave.hpp."""
    with open(deck, "rb") as f:
        mesh = tomllib.load(f)["mesh"]
    lo, up = mesh["lower"], mesh["upper"]
    nd = len(lo)
    k = np.zeros(3)
    for a in range(nd):
        k[a] = 2.0 * np.pi / (up[a] - lo[a])
    n = k / np.linalg.norm(k)
    if nd == 1:
        t1 = np.array([0.0, 1.0, 0.0])
    else:
        h = np.hypot(n[0], n[1])
        t1 = np.array([-n[1] / h, n[0] / h, 0.0])
    return {"k": k, "n": n, "t1": t1, "t2": np.cross(n, t1), "lower": np.array(lo + [0.0] * (3 - nd)),
            "upper": np.array(up + [1.0] * (3 - nd)), "ndim": nd}


def fmt_list(v):
    return "[" + ", ".join(f"{x:.17g}" for x in v) + "]"


def run_mode(args, deck, name, mode, omega, right, sets=(), doppler=0.0, ranks=1):
    """Runs the deck with the eigenvector; returns the snapshot files."""
    run = os.path.join(args.workdir, "rmhd_damped_waves", name)
    shutil.rmtree(run, ignore_errors=True)
    os.makedirs(run)
    t_end = PERIODS[mode] * 2.0 * np.pi / abs(omega.real - doppler)  # periods in the flow frame
    mpi = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(ranks)] if ranks > 1 else []
    cmd = mpi + [args.tessera, deck, "--set", f'output.dir="{run}"',
           "--set", f"problem.eigenvector_re={fmt_list(right.real)}",
           "--set", f"problem.eigenvector_im={fmt_list(right.imag)}",
           "--set", f"time.t_end={t_end:.17g}",
           "--set", f"output.snapshot_dt={t_end / NSNAP:.17g}"]
    for s in sets:
        cmd += ["--set", s]
    res = subprocess.run(cmd, cwd=run, capture_output=True, text=True)
    if res.returncode != 0:
        print(res.stdout[-3000:], res.stderr[-3000:])
        return None
    return sorted(glob.glob(os.path.join(run, "*.out.*.h5")))


def measure(snaps, left, fr):
    """Damping rate and frequency of the mode from the snapshots (least squares)."""
    times, alpha = [], []
    for path in snaps:
        with h5py.File(path, "r") as f:
            g = {n: np.asarray(f["fields/" + n]) for n in
                 ("rho", "mom_x", "mom_y", "mom_z", "bx", "by", "bz", "E", "erad")}
            t = float(f.attrs["time"])
        shape = g["rho"].shape  # [Nz, Ny, Nx]
        axes = []
        for a, nc in enumerate(reversed(shape)):
            lo, up = fr["lower"][a], fr["upper"][a]
            axes.append(lo + (np.arange(nc) + 0.5) * (up - lo) / nc)
        z, y, x = np.meshgrid(axes[2], axes[1], axes[0], indexing="ij")
        phase = sum(fr["k"][a] * (c - fr["lower"][a]) for a, c in enumerate((x, y, z)))
        rho = g["rho"]
        v = np.array([g["mom_x"], g["mom_y"], g["mom_z"]]) / rho
        b = np.array([g["bx"], g["by"], g["bz"]])
        p = (GAMMA - 1.0) * (g["E"] - 0.5 * rho * (v * v).sum(axis=0) - 0.5 * (b * b).sum(axis=0))
        proj = lambda w, e: sum(e[a] * w[a] for a in range(3))
        fields = [rho, proj(v, fr["n"]), proj(v, fr["t1"]), proj(v, fr["t2"]),
                  proj(b, fr["t1"]), proj(b, fr["t2"]), p, g["erad"]]
        ph = np.exp(-1j * phase)
        xhat = np.array([2.0 * np.mean(q * ph) for q in fields])
        times.append(t)
        alpha.append(left @ xhat)
    times, alpha = np.array(times), np.array(alpha)
    slope_a, _ = np.polyfit(times, np.log(np.abs(alpha)), 1)
    slope_p, _ = np.polyfit(times, np.unwrap(np.angle(alpha)), 1)
    return -slope_a, -slope_p, times.size


def study(args):
    """By hand (--study, a few minutes): the damping and frequency errors against time step,
    resolution and time scheme, printed as a table (the README's convergence figures)."""
    runs = [(DECK1, c, cfl, x) for c, cfl, x in
            (([128], 0.4, []), ([128], 0.2, []), ([128], 0.1, []), ([256], 0.4, []),
             ([128], 0.4, TRBDF2), ([128], 0.2, TRBDF2))]
    runs += [(DECK2, c, 0.4, x) for c, x in (([128, 64], []), ([128, 64], TRBDF2))]
    print(f"{'deck':18s} {'cells':10s} {'cfl':>4s} {'scheme':7s} {'mode':6s} "
          f"{'damping err':>12s} {'freq err':>10s}")
    for deck_rel, cells, cfl, extra in runs:
        deck = os.path.join(args.source_dir, deck_rel)
        for mode in ("fast+", "slow+"):
            params, omega, right, left = mode_of(args, deck, mode)
            blocks = [max(c // 2, 1) if a == 0 else c for a, c in enumerate(cells)]
            sets = [f"mesh.cells={fmt_list(cells)}", f"mesh.block_cells={fmt_list(blocks)}",
                    f"time.cfl={cfl}"] + extra
            tag = f"study_{os.path.basename(deck_rel)[:-5]}_{cells[0]}_{cfl}_{len(extra)}_{mode[:-1]}"
            snaps = run_mode(args, deck, tag, mode, omega, right, sets)
            gam, w, _ = measure(snaps, left, wave_frame(deck))
            print(f"{os.path.basename(deck_rel):18s} {'x'.join(map(str, cells)):10s} {cfl:4.1f} "
                  f"{'trbdf2' if extra else 'be':7s} {mode:6s} "
                  f"{(gam + omega.imag) / -omega.imag:+12.2e} "
                  f"{(w - omega.real) / omega.real:+10.2e}", flush=True)


def main():
    ap = script_parser()
    ap.add_argument("--study", action="store_true", help="convergence table instead of checks")
    args = ap.parse_args()
    args.source_dir = os.path.abspath(args.source_dir)
    args.workdir = os.path.abspath(args.workdir)
    args.tool = load_tool(args.source_dir)
    if args.study:
        study(args)
        return
    check(args.tool.selftest(), "tools/rmhd-dispersion --selftest passes")

    measured = {}
    for name, deck_rel, mode, over, sets, kind in CASES:
        deck = os.path.join(args.source_dir, deck_rel)
        params, omega, right, left = mode_of(args, deck, mode, over)
        k = params["k"]
        snaps = run_mode(args, deck, name, mode, omega, right, sets, k * params["velocity"],
                         2 if kind == "ranks" else 1)
        if not snaps:
            check(False, f"{name}: run failed")
            continue
        gam, w, n = measure(snaps, left, wave_frame(deck))
        if name.startswith("2d") and kind == "rad":
            # The eigenvector's dB comes from a vector potential and CT keeps it: face-based
            # div B at round-off (normalised as the mhd_divb column, by dx and max |B|).
            hst = glob.glob(os.path.join(os.path.dirname(snaps[0]), "*.hst"))[0]
            with open(hst) as f:
                cols = f.readline().split()[1:]
            divb = np.loadtxt(hst, ndmin=2)[:, cols.index("mhd_divb")].max()
            check(divb <= 1e-12, f"{name}: max div B (mhd_divb) over the run {divb:.1e} <= 1e-12")
        measured[name] = gam
        measured[name + "_omega"] = w
        d_err = abs(gam + omega.imag) / max(-omega.imag, 1e-300)
        c_err = abs(w - omega.real) / omega.real
        print(f"       {name}: tool omega = {omega.real:.6f} {omega.imag:+.6f}i; measured ({n} "
              f"snapshots) omega = {w:.6f}, damping = {gam:.6f}")
        if kind == "rad":
            check(d_err <= 0.05, f"{name}: damping {gam:.6f} vs tool {-omega.imag:.6f}, rel. "
                                 f"error {d_err:.2e} <= 5% (issue tolerance)")
            check(c_err <= 0.01, f"{name}: phase speed {w / k:.6f} vs tool {omega.real / k:.6f}, "
                                 f"rel. error {c_err:.2e} <= 1% (issue tolerance)")
        elif kind == "trbdf2":
            # Backward Euler's radiation stage is first order in time: the slow wave's damping
            # error (~1% at CFL 0.4) halves with dt; TR-BDF2 removes it (measured 1.9e-4).
            check(d_err <= 2e-3, f"{name}: damping {gam:.6f} vs tool {-omega.imag:.6f}, rel. "
                                 f"error {d_err:.2e} <= 0.2% (second order in time)")
        elif kind == "ranks":
            # 1 and 2 ranks differ only through the fld_ solve (rtol 1e-13 of E0: ~1e-8 of the
            # 1e-5 perturbation) and the order of reductions.
            base = name.replace("_np2", "")
            dg = abs(gam - measured[base]) / measured[base]
            dw = abs(w - measured[base + "_omega"]) / measured[base + "_omega"]
            check(max(dg, dw) <= 1e-6, f"{name}: 2 ranks vs 1 rank: damping differs by {dg:.1e}, "
                                       f"frequency by {dw:.1e} (<= 1e-6)")
        elif kind == "alfven":
            check(abs(gam) <= 5e-3 * omega.real,
                  f"{name}: damping {gam:.2e} <= 0.5% of omega = {omega.real:.4f} (tool: 0, "
                  f"radiation does not couple)")
            check(c_err <= 0.01, f"{name}: phase speed {w / k:.6f} vs tool {omega.real / k:.6f}, "
                                 f"rel. error {c_err:.2e} <= 1%")
        else:
            g_rad = measured[name.replace("_off", "")]
            bound, pbound = OFF_BOUND[name[:2]], OFF_PHASE[name[:2]]
            check(abs(gam) <= bound * g_rad,
                  f"{name}: radiation off, numerical damping {gam:.2e} = "
                  f"{abs(gam) / g_rad:.2e} of the radiative damping {g_rad:.4f} <= {bound:g}")
            check(c_err <= pbound, f"{name}: radiation off, phase speed {w / k:.6f} vs ideal MHD "
                                   f"{omega.real / k:.6f}, rel. error {c_err:.2e} <= {pbound:g}")
    finish()


if __name__ == "__main__":
    main()
