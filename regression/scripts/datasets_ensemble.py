#!/usr/bin/python3
"""Ensembles and The Well-schema training datasets (issue 9), CI-sized (about a minute):

A. 2 ranks, 8 members of the Kolmogorov deck (32^2, 4 blocks per member, groups of 1 rank):
   run 1 is killed (SIGKILL) inside member 5's dataset write, with member 2 failing on purpose;
   run 2 finishes exactly the members without a done marker and leaves the finished files
   untouched (mtimes); manifest, checksums, splits, stats.yaml, metadata, README; well-check
   passes on all 8 files; an independent h5py read checks shapes, HDF5 types, attributes,
   coordinates and that frame k equals the float64 snapshot at the same time to float32
   rounding; corrupted / truncated / incomplete copies are caught by well-check.
B. 2 ranks in ONE group (each member written by 2 ranks collectively), hydro KH with deflate:
   a failing member is reported (exit 7) and the others finish; frames equal the snapshots.
C. Sink restart: a single run stopped at step 30 and continued with --restart writes the same
   file as an uninterrupted run (frames bitwise).

usage: datasets_ensemble.py --source-dir SRC --tessera EXE --workdir DIR
"""
import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--source-dir", required=True)
ap.add_argument("--tessera", required=True)
ap.add_argument("--workdir", required=True)
args = ap.parse_args()
SRC = args.source_dir
TOOLS = os.path.join(SRC, "tools")
results = []


def check(ok, what):
    results.append(bool(ok))
    print(("[PASS] " if ok else "[FAIL] ") + what, flush=True)
    return ok


def mpirun(np_, deck, sets, env=None, extra=()):
    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(np_), args.tessera,
           deck, *extra]
    for s in sets:
        cmd += ["--set", s]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, **(env or {})))


def tool(*a):
    return subprocess.run(["/usr/bin/python3", *a], capture_output=True, text=True, timeout=300)


def snapshot_field(path, comp):
    """A blocks-layout snapshot component assembled as [x, y] (float64)."""
    with h5py.File(path, "r") as g:
        bc = g.attrs["block_cells"]
        nx, ny = g.attrs["global_cells"][:2]
        loc = g["blocks/logical_location"][:]
        out = np.zeros((nx, ny))
        data = g[f"fields/{comp}"][:]
        for b in range(data.shape[0]):
            x0, y0 = loc[b, 0] * bc[0], loc[b, 1] * bc[1]
            out[x0:x0 + bc[0], y0:y0 + bc[1]] = data[b, 0].T
        return float(g.attrs["time"]), out, g[f"fields/{comp}"].dtype


def frames_vs_snapshots(h5file, member_dir, pairs):
    """Max |frame - snapshot| / |snapshot| over matching times (and the count of matches)."""
    worst, exact, n = 0.0, True, 0
    with h5py.File(h5file, "r") as f:
        times = f["provenance/time_float64"][:]
        for snap in sorted(glob.glob(os.path.join(member_dir, "*.out.*.h5"))):
            for dset, comp, c in pairs:
                ts, ref, dt = snapshot_field(snap, comp)
                k = np.nonzero(times == ts)[0]
                if len(k) == 0:
                    continue
                fr = f[dset][0, k[0]]
                fr = fr[..., c] if c is not None else fr
                n += 1
                exact &= np.array_equal(fr, ref.astype(np.float32))
                worst = max(worst, float(np.max(np.abs(fr - ref) / np.maximum(np.abs(ref), 1e-300))))
                check(dt == np.float64, f"snapshot {os.path.basename(snap)} is float64") if n == 1 else None
    return n, worst, exact


# ---------------------------------------------------------------------------------------------
# A. Kolmogorov ensemble, 2 ranks, 8 members, groups of 1 rank; kill + resume
# ---------------------------------------------------------------------------------------------
deck = os.path.join(SRC, "inputs", "datasets", "kolmogorov2d.toml")
A = os.path.join(args.workdir, "ds-kolmogorov")
shutil.rmtree(A, ignore_errors=True)
common = ["mesh.cells=[32,32]", "mesh.block_cells=[32,8]", "time.t_end=1.0", "dataset.t_start=0.2",
          "ensemble.members=8", f'output.dir="{A}"', "output.snapshot_dt=0.1",
          'output.precision="float64"']
p = mpirun(2, deck, common, env={"TESSERA_FAULT_KILL_MEMBER": "5", "TESSERA_FAULT_FAIL_MEMBER": "2"})
check(p.returncode != 0, f"run 1 (member 5 killed in its 3rd frame, member 2 failing): exit {p.returncode}")
check("member 2 of 8 (group 0): failed" in p.stdout and "fault injection: member 2 fails" in p.stdout,
      "run 1 reports the failure of member 2 and goes on")
mdirs = {m: os.path.join(A, "members", f"m{m:04d}") for m in range(8)}
done1 = [m for m in range(8) if os.path.exists(os.path.join(mdirs[m], "DONE.json"))]
check(2 not in done1 and os.path.exists(os.path.join(mdirs[2], "FAILED.json")),
      f"member 2 has a failure record, not a done marker (done after run 1: {done1})")
partials = glob.glob(os.path.join(A, "data", "*", "*_m0005.h5.partial"))
check(len(partials) == 1 and 5 not in done1, "member 5 left only a .partial file, no done marker")
check(1 in done1 and len(done1) >= 2 and 7 not in done1,
      "member 1 (before 5 in its group) and at least one other finished before the kill, 7 did not")
partial_copy = os.path.join(args.workdir, "ds-incomplete_m0005.h5.partial")
if partials:
    shutil.copy(partials[0], partial_copy)
man = {m: json.load(open(os.path.join(mdirs[m], "DONE.json"))) for m in done1}
mtimes = {m: os.path.getmtime(os.path.join(A, man[m]["file"])) for m in done1}

p = mpirun(2, deck, common)
check(p.returncode == 0, f"run 2 (resume): exit {p.returncode} {p.stderr[-300:]}")
missing = sorted(set(range(8)) - set(done1))
ran = sorted(int(line.split()[2]) for line in p.stdout.splitlines()
             if line.startswith("ensemble: member ") and ": done," in line)
check(f"{len(done1)} already done (skipped), {len(missing)} to run" in p.stdout and ran == missing,
      f"run 2 runs exactly the missing members {missing} (ran {ran})")
check(all(os.path.getmtime(os.path.join(A, man[m]["file"])) == mtimes[m] for m in done1),
      "files finished in run 1 are untouched (mtimes unchanged)")
manifest = json.load(open(os.path.join(A, "manifest.json")))
ent = manifest["entries"]
files = [os.path.join(A, e["file"]) for e in ent]
check(len(ent) == 8 and all(e["status"] == "done" for e in ent) and all(map(os.path.exists, files)),
      "manifest lists 8 members, all done, 8 files")
check(all(hashlib.sha256(open(f, "rb").read()).hexdigest() == e["checksum_sha256"]
          for f, e in zip(files, ent)), "manifest SHA-256 checksums match hashlib")
check(sorted(e["seed"] for e in ent) == list(range(1000, 1008)), "seeds 1000..1007 (seed_base + i)")
q = tool(os.path.join(TOOLS, "well-check"), *files)
check(q.returncode == 0 and q.stdout.count(": OK (0 errors") == 8, "well-check passes on all 8 files")
q = tool(os.path.join(TOOLS, "well-dataset"), "finalize", A)
print(q.stdout)
check(q.returncode == 0 and "6 train, 1 valid, 1 test" in q.stdout,
      "well-dataset finalize: splits 6/1/1 agree with the C++ assignment, checksums verify")
for n in ("stats.yaml", "kolmogorov2d.yaml", "README.md"):
    check(os.path.exists(os.path.join(A, n)), f"{n} written")

# Independent read of one member (h5py, no Tessera code).
f0 = os.path.join(A, ent[1]["file"])
with h5py.File(f0, "r") as f:
    w, v = f["t0_fields/vorticity"], f["t1_fields/velocity"]
    check(w.shape == (1, 9, 32, 32) and v.shape == (1, 9, 32, 32, 2),
          f"shapes [n_traj, n_steps, nx, ny(, D)]: {w.shape}, {v.shape}")
    check(w.dtype == np.float32 and v.dtype == np.float32 and f["dimensions/x"].dtype == np.float32,
          "fields and coordinates are float32")
    typ = f.attrs.get_id("dataset_name").get_type()
    check(isinstance(typ, h5py.h5t.TypeStringID) and typ.is_variable_str() and
          typ.get_cset() == h5py.h5t.CSET_UTF8, "string attributes are variable-length UTF-8")
    bt = w.attrs.get_id("sample_varying").get_type()
    check(isinstance(bt, h5py.h5t.TypeEnumID) and bt.get_nmembers() == 2 and
          bt.get_member_name(0) == b"FALSE" and bt.get_member_name(1) == b"TRUE" and
          bt.get_size() == 1, "booleans are h5py's enum (int8: FALSE = 0, TRUE = 1)")
    sl = f["dimensions"].attrs.get_id("spatial_dims")
    check(sl.get_space().get_simple_extent_dims() == (2,) and sl.get_type().is_variable_str(),
          "string lists are 1-D variable-length string arrays")
    check(f.attrs["grid_type"] == "cartesian" and f.attrs["n_spatial_dims"] == 2 and
          f.attrs["n_trajectories"] == 1 and list(f.attrs["simulation_parameters"]) ==
          ["nu", "drag", "forcing_wavenumber"] and f.attrs["nu"] == 1e-3 and f.attrs["drag"] == 0.1,
          "root attributes (grid_type, n_spatial_dims, n_trajectories, parameters nu = 1e-3, drag = 0.1)")
    check(all(isinstance(w.attrs[a], np.bool_) for a in ("sample_varying", "time_varying")) and
          list(w.attrs["dim_varying"]) == [True, True] and w.attrs["units"] == "1/time" and
          v.attrs["units"] == "length/time", "field attributes: flags, dim_varying, units")
    x = f["dimensions/x"][:].astype(np.float64)
    # reason: float32 coordinates, half an ulp of 2 pi
    check(np.max(np.abs(x - (np.arange(32) + 0.5) * 2 * np.pi / 32)) <= 2.4e-7,
          "x = cell centres (i + 1/2) 2 pi / 32 to float32 rounding")
    t = f["provenance/time_float64"][:]
    check(np.allclose(t, 0.2 + 0.1 * np.arange(9), rtol=0, atol=1e-12) and
          f["provenance"].attrs["warmup_discarded"] == 0.2,
          f"frames at t = 0.2, 0.3, ..., 1.0 (warm-up 0.2 discarded): {np.round(t, 3)}")
    bc = f["boundary_conditions/x_periodic"]
    check(bc.attrs["bc_type"] == "PERIODIC" and list(bc["mask"][[0, 1, -1]]) == [True, False, True],
          "x_periodic: bc_type PERIODIC, mask True at both ends")
    check(f["provenance"].attrs["complete"] and "[ensemble]" in f["provenance/deck"].asstr()[()],
          "provenance: complete, effective deck stored")
n, worst, exact = frames_vs_snapshots(
    f0, os.path.join(A, "members", f"m{ent[1]['member']:04d}"),
    [("t0_fields/vorticity", "omega", None), ("t1_fields/velocity", "vel_x", 0),
     ("t1_fields/velocity", "vel_y", 1)])
# reason: float32 storage of the same double: at most half an ulp (2^-24 relative)
check(n == 27 and exact and worst <= 2.0 ** -24,
      f"frame k == float32(snapshot at the same time) for {n} field-frames (max rel diff {worst:.3g})")

# stats.yaml against a direct NumPy computation over the train files.
try:
    import yaml
    stats = yaml.safe_load(open(os.path.join(A, "stats.yaml")))
    train = sorted(glob.glob(os.path.join(A, "data", "train", "*.h5")))
    ok, worst = True, 0.0
    for name, path in (("vorticity", "t0_fields/vorticity"), ("velocity", "t1_fields/velocity")):
        arrs = [h5py.File(p, "r")[path][0].astype(np.float64) for p in train]
        ncomp = arrs[0].shape[-1] if name == "velocity" else 1
        a = np.concatenate([x.reshape(-1, ncomp) for x in arrs])
        d = np.concatenate([np.diff(x, axis=0).reshape(-1, ncomp) for x in arrs])
        ref = {"mean": a.mean(0), "std": a.std(0), "rms": np.sqrt((a * a).mean(0)),
               "mean_delta": d.mean(0), "std_delta": d.std(0), "rms_delta": np.sqrt((d * d).mean(0))}
        for key, r in ref.items():
            got = np.atleast_1d(np.asarray(stats[key][name], dtype=np.float64))
            scale = ref["rms" if "delta" not in key else "rms_delta"]
            # reason: 1e-6 relative (the brief); an absolute floor of 1e-12 x rms for means that
            # are zero up to round-off (velocity and its increments average to ~1e-17)
            err = np.abs(got - r) / (np.abs(r) + 1e-6 * scale)
            worst = max(worst, float(err.max()))
            ok &= bool(np.all(np.abs(got - r) <= 1e-6 * np.abs(r) + 1e-12 * scale))
    check(ok, f"stats.yaml = NumPy over {len(train)} train files (mean/std/rms and deltas; worst "
              f"relative difference {worst:.2g})")
except ImportError:
    check(False, "python3-yaml is needed to read stats.yaml")

# Corruption is caught.
bad = os.path.join(args.workdir, "ds-bad")
shutil.rmtree(bad, ignore_errors=True)
os.makedirs(bad)


def broken(name, fn):
    p = os.path.join(bad, name)
    shutil.copy(files[0], p)
    fn(p)
    return tool(os.path.join(TOOLS, "well-check"), p)


q = broken("truncated.h5", lambda p: os.truncate(p, os.path.getsize(p) * 6 // 10))
check(q.returncode == 1 and "truncated or corrupt" in q.stdout, "truncated file: " + q.stdout.splitlines()[0][-110:])


def drop_attr(p):
    with h5py.File(p, "r+") as f:
        del f.attrs["grid_type"]
        del f["t1_fields/velocity"].attrs["dim_varying"]


q = broken("noattr.h5", drop_attr)
check(q.returncode == 1 and "attribute 'grid_type' is missing" in q.stdout and
      "velocity: attribute 'dim_varying' is missing" in q.stdout,
      "missing attributes named: grid_type (root), dim_varying (t1_fields/velocity)")


def nan_and_const(p):
    with h5py.File(p, "r+") as f:
        f["t0_fields/vorticity"][0, 3, 5, 7] = np.nan
        f["t1_fields/velocity"][0, 4, :, :, 1] = 0.5


q = broken("nan.h5", nan_and_const)
check(q.returncode == 1 and "NaN/Inf in trajectory 0, frame 3, cell (5, 7)" in q.stdout and
      "frame 4 (trajectory 0) component 1 is constant" in q.stdout,
      "NaN (error, with its cell) and a constant frame (warning) are flagged")


def spike(p):
    with h5py.File(p, "r+") as f:
        f["t0_fields/vorticity"][0, 6, 1, 2] = 1e4


q = broken("spike.h5", spike)
check("beyond 5 sigma" in q.stdout and "frame 6, cell (1, 2)" in q.stdout, "a 5-sigma outlier is located")
if os.path.exists(partial_copy):
    q = tool(os.path.join(TOOLS, "well-check"), partial_copy)
    check(q.returncode == 1 and "complete = False" in q.stdout,
          "the killed member's .partial file is reported incomplete")

# ---------------------------------------------------------------------------------------------
# B. One group of 2 ranks (collective writes by 2 ranks), deflate, a failing member
# ---------------------------------------------------------------------------------------------
B = os.path.join(args.workdir, "ds-kh")
shutil.rmtree(B, ignore_errors=True)
p = mpirun(2, os.path.join(SRC, "inputs", "datasets", "kelvin_helmholtz2d.toml"),
           ["mesh.cells=[32,32]", "mesh.block_cells=[16,16]", "time.t_end=0.1", "ensemble.members=3",
            "ensemble.group_size=2", f'output.dir="{B}"', "dataset.deflate=1",
            "output.snapshot_dt=0.02", 'output.precision="float64"'],
           env={"TESSERA_FAULT_FAIL_MEMBER": "1"})
man = json.load(open(os.path.join(B, "manifest.json")))
st = [e["status"] for e in man["entries"]]
check(p.returncode == 7 and st == ["done", "failed", "done"] and
      "fault injection" in man["entries"][1]["error"],
      f"2-rank group: member 1 fails (exit {p.returncode}, statuses {st}), 0 and 2 finish")
kh = [os.path.join(B, e["file"]) for e in man["entries"] if e["status"] == "done"]
q = tool(os.path.join(TOOLS, "well-check"), *kh)
check(q.returncode == 0, "well-check passes on the 2-rank, deflated files")
with h5py.File(kh[0], "r") as f:
    m = f["t1_fields/mom"]
    check(m.shape == (1, 6, 32, 32, 2) and m.compression == "gzip" and m.shuffle and
          list(f["provenance"].attrs["dropped_components"]) == ["mom_z"] and
          f["provenance"].attrs["ranks"] == 2,
          "KH: mom is t1 [1, 6, 32, 32, 2], deflate + shuffle, mom_z dropped, written by 2 ranks")
n, worst, exact = frames_vs_snapshots(kh[0], os.path.join(B, "members", "m0000"),
                                      [("t0_fields/rho", "rho", None), ("t1_fields/mom", "mom_y", 1)])
check(n == 12 and exact, f"2-rank frames == float32(snapshots) for {n} field-frames")

# ---------------------------------------------------------------------------------------------
# C. Restart of the dataset sink (a plain run, no ensemble)
# ---------------------------------------------------------------------------------------------
C = os.path.join(args.workdir, "ds-restart")
shutil.rmtree(C, ignore_errors=True)
os.makedirs(C)
text = open(deck).read().split("[ensemble]")[0]
single = os.path.join(C, "kolmogorov_single.toml")
open(single, "w").write(text)
base = ["mesh.cells=[32,32]", "mesh.block_cells=[32,8]", "time.t_end=1.0", "dataset.t_start=0.2"]
p1 = mpirun(2, single, base + [f'output.dir="{C}/full"'])
p2 = mpirun(2, single, base + [f'output.dir="{C}/part"', "time.max_steps=30",
                               "output.checkpoint_at_end=true"])
chk = sorted(glob.glob(os.path.join(C, "part", "*.chk.*.h5")))
p3 = mpirun(2, single, base + [f'output.dir="{C}/part"'], extra=["--restart", chk[-1]] if chk else [])
ok = p1.returncode == 0 and p2.returncode == 0 and p3.returncode == 0
if ok:
    a = h5py.File(os.path.join(C, "full", "kolmogorov2d.h5"), "r")
    b = h5py.File(os.path.join(C, "part", "kolmogorov2d.h5"), "r")
    ok = (a["t0_fields/vorticity"].shape == b["t0_fields/vorticity"].shape == (1, 9, 32, 32) and
          np.array_equal(a["t0_fields/vorticity"][:], b["t0_fields/vorticity"][:]) and
          np.array_equal(a["dimensions/time"][:], b["dimensions/time"][:]) and
          bool(b["provenance"].attrs["complete"]))
check(ok, "stopped at step 30 + --restart: same 9 frames as the uninterrupted run (bitwise)")

print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
