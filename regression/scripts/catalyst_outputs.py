#!/usr/bin/python3
"""In-situ visualisation with ParaView Catalyst (issue 8): a 2D (advection, 64^2, 16 blocks)
and a 3D (hydro blast, 32^3, 8 blocks) deck on 2 ranks with the example v2 script (and, in 2D,
the v1 script too). Checks that the rendered PNG frames exist with the requested size and show
a picture (not a blank frame), and that the written extracts hold the expected number of cells
and exactly the field values of the run's own snapshot at the same step.

usage: catalyst_outputs.py --source-dir SRC --tessera BIN --workdir DIR
"""
import glob
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from catalyst_common import Xvfb, assemble, png_stats, read_vtm, run_tessera  # noqa: E402
from script_checks import check, finish, script_parser  # noqa: E402

ap = script_parser()
args = ap.parse_args()

# Bounds, each with its reason:
IMAGE = (480, 640)     # the example script's IMAGE_SIZE = [640, 480]
MIN_VARIANCE = 1e-3    # grey-level variance: 0 for a blank frame; these frames measure 0.07-0.15
MIN_NONBG = 0.10       # the domain covers 36% of the frame in 2D, the slice 16% in 3D
MIN_COLOURS = 32       # a pseudocolour gradient, not a flat fill (the frames here show hundreds)
# The extract values are the solver's float64 values, passed by pointer and written in
# binary: they must be bitwise equal; 1e-14 (relative) would only forgive a formatting step.
RTOL = 1e-14


def check_frames(out, steps, label):
    for s in steps:
        f = os.path.join(out, "frame_%06d.png" % s)
        if not os.path.exists(f):
            check(False, f"{label}: {os.path.basename(f)} exists")
            continue
        h, w, var, nonbg, ncol = png_stats(f)
        check((h, w) == IMAGE and var > MIN_VARIANCE and nonbg > MIN_NONBG and ncol >= MIN_COLOURS,
              f"{label}: frame at step {s}: {w}x{h} (want {IMAGE[1]}x{IMAGE[0]}), grey variance "
              f"{var:.4f} > {MIN_VARIANCE}, non-background {100 * nonbg:.1f}% > "
              f"{100 * MIN_NONBG:.0f}%, {ncol} colours >= {MIN_COLOURS}")
    extra = sorted(set(glob.glob(os.path.join(out, "frame_*.png"))) -
                   {os.path.join(out, "frame_%06d.png" % s) for s in steps})
    check(not extra, f"{label}: no frames at other steps ({len(extra)} extra)")


def close(a, b):
    return abs(a - b) <= RTOL * max(abs(a), abs(b), 1e-300)


def check_range(label, got, want):
    ok = close(got[0], want[0]) and close(got[1], want[1])
    check(ok, f"{label}: extract range [{got[0]:.17g}, {got[1]:.17g}] == snapshot "
              f"[{want[0]:.17g}, {want[1]:.17g}]")


with Xvfb() as x:
    print("X display", x.display, flush=True)

    # ---- 2D: advection, v2 (PNG + slice) and v1 (full data) scripts ----
    out = os.path.join(args.workdir, "catalyst_advection2d")
    shutil.rmtree(out, ignore_errors=True)
    deck = os.path.join(args.source_dir, "regression", "decks", "catalyst_advection2d.toml")
    rc, so, se, secs = run_tessera(args.tessera, deck, [f'output.dir="{out}"'],
                                   cwd=args.source_dir, display=x.display)
    print(so[-1500:], se[-3000:])
    check(rc == 0, f"2D run on 2 ranks: exit status {rc} ({secs:.1f} s)")
    check("catalyst: 3 calls" in so, "2D: Catalyst called at steps 0, 5, 10 (3 calls)")
    check_frames(out, [0, 5, 10], "2D")
    N = 64
    snap = os.path.join(out, "adv2d.out.00002.h5")  # snapshot_steps = 5: index 2 is step 10
    if os.path.exists(snap) and os.path.exists(os.path.join(out, "slice_000010.vtm")):
        u = assemble(snap, "u", [N, N], [16, 16], [0, 0], [1, 1])[0]  # [Ny, Nx]
        leaves = read_vtm(os.path.join(out, "slice_000010.vtm"))
        ncells = sum(l["ncells"] for l in leaves)
        vals = np.concatenate([l["u"] for l in leaves if l["ncells"]])
        check(ncells == N, f"2D slice x = 0.5 + dx/2 at step 10: {ncells} cells (want {N}: "
                           "one column, ghost cells removed)")
        # The plane x = 0.5 + dx/2 cuts the cell column i = N/2.
        check_range("2D slice 'u'", (vals.min(), vals.max()), (u[:, N // 2].min(), u[:, N // 2].max()))
    else:
        check(False, "2D: snapshot 00002 and slice_000010.vtm exist")
    full = os.path.join(out, "full_000010.vtm")
    if os.path.exists(full) and os.path.exists(snap):
        leaves = read_vtm(full)
        interior = [l["u"][l["vtkGhostType"] == 0] for l in leaves if l["ncells"]]
        ghosts = sum(int((l["vtkGhostType"] != 0).sum()) for l in leaves if l["ncells"])
        vals = np.concatenate(interior)
        check(len(leaves) == 16 and vals.size == N * N and ghosts == 16 * (20 * 20 - 16 * 16),
              f"2D v1 full-data extract: {len(leaves)} blocks, {vals.size} interior cells "
              f"(want {N * N}), {ghosts} ghost cells marked (want 16 x (20^2 - 16^2) = "
              f"{16 * (20 * 20 - 16 * 16)}: 2 ghost layers per block side)")
        check_range("2D v1 'u'", (vals.min(), vals.max()), (u.min(), u.max()))
        s_ext, s_snap = np.sort(vals), np.sort(u.ravel())
        check(s_ext.shape == s_snap.shape and np.array_equal(s_ext, s_snap),
              "2D v1: the interior cells hold exactly the snapshot's values (sorted, bitwise)")
    else:
        check(False, "2D: full_000010.vtm (v1 script) exists")

    # ---- 3D: hydro blast, density and momentum vector ----
    out = os.path.join(args.workdir, "catalyst_blast3d")
    shutil.rmtree(out, ignore_errors=True)
    deck = os.path.join(args.source_dir, "regression", "decks", "catalyst_blast3d.toml")
    rc, so, se, secs = run_tessera(args.tessera, deck, [f'output.dir="{out}"'],
                                   cwd=args.source_dir, display=x.display)
    print(so[-1500:], se[-3000:])
    check(rc == 0, f"3D run on 2 ranks: exit status {rc} ({secs:.1f} s)")
    check_frames(out, [0, 5], "3D")
    N = 32
    snap = os.path.join(out, "blast3d.out.00001.h5")  # step 5
    sl = os.path.join(out, "slice_000005.vtm")
    if os.path.exists(snap) and os.path.exists(sl):
        lo, hi = [-0.5] * 3, [0.5] * 3
        leaves = [l for l in read_vtm(sl) if l["ncells"]]
        ncells = sum(l["ncells"] for l in leaves)
        check(ncells == N * N, f"3D slice z = dz/2 at step 5: {ncells} cells (want {N * N})")
        # The plane z = 0 + dz/2 cuts the cell layer k = N/2.
        rho = assemble(snap, "rho", [N] * 3, [16] * 3, lo, hi)[N // 2]
        vals = np.concatenate([l["rho"] for l in leaves])
        check_range("3D slice 'rho'", (vals.min(), vals.max()), (rho.min(), rho.max()))
        mom = np.concatenate([l["mom"] for l in leaves])
        check(mom.ndim == 2 and mom.shape[1] == 3, f"3D: 'mom' is a 3-component vector: {mom.shape}")
        for c, name in enumerate(["mom_x", "mom_y", "mom_z"]):
            m = assemble(snap, name, [N] * 3, [16] * 3, lo, hi)[N // 2]
            check_range(f"3D slice 'mom' component {c} vs {name}", (mom[:, c].min(), mom[:, c].max()),
                        (m.min(), m.max()))
    else:
        check(False, "3D: snapshot 00001 and slice_000005.vtm exist")

finish()
