#!/usr/bin/python3
"""Crash safety of checkpoints: rank 0 is killed (SIGKILL, via the fault-injection variable
TESSERA_FAULT_KILL_IN_CHECKPOINT) in the middle of writing the 3rd checkpoint. The previous
checkpoint must stay readable and restart to the same final state as an uninterrupted run.

usage: checkpoint_kill.py --source-dir SRC --tessera EXE --compare EXE --workdir DIR
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys

import h5py

ap = argparse.ArgumentParser()
ap.add_argument("--source-dir", required=True)
ap.add_argument("--tessera", required=True)
ap.add_argument("--compare", required=True)
ap.add_argument("--workdir", required=True)
args = ap.parse_args()
deck = os.path.join(args.source_dir, "inputs", "advection", "gaussian2d.toml")
common = ["--set", "mesh.cells=[64,64]", "--set", "mesh.block_cells=[16,16]",
          "--set", "time.t_end=0.5", "--set", "output.checkpoint_steps=40",
          "--set", "output.snapshot_dt=0.0"]
results = []


def check(ok, what):
    results.append(ok)
    print(("[PASS] " if ok else "[FAIL] ") + what)


def run(np_, out, extra=(), env=None):
    shutil.rmtree(out, ignore_errors=True) if not extra else None
    os.makedirs(out, exist_ok=True)
    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(np_), args.tessera, deck,
           *common, "--set", f'output.dir="{out}"', *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, **(env or {})))


full = os.path.join(args.workdir, "ckill-full")
p = run(2, full)
check(p.returncode == 0, f"uninterrupted run: exit {p.returncode}")

crash = os.path.join(args.workdir, "ckill-crash")
p = run(2, crash, env={"TESSERA_FAULT_KILL_IN_CHECKPOINT": "3"})
check(p.returncode != 0, f"run killed while writing its 3rd checkpoint: exit {p.returncode}")
chks = sorted(glob.glob(os.path.join(crash, "*.chk.*.h5")))
tmps = glob.glob(os.path.join(crash, "*.chk.*.h5.tmp"))
names = [os.path.basename(c) for c in chks]
check(names == ["gaussian2d.chk.00040.h5", "gaussian2d.chk.00080.h5"],
      f"completed checkpoints are the first two: {names}")
check(len(tmps) == 1 and tmps[0].endswith("chk.00120.h5.tmp"),
      f"the interrupted one never got its final name: {[os.path.basename(t) for t in tmps]}")
try:
    with h5py.File(chks[-1], "r") as f:
        ok = f.attrs["kind"] in (b"checkpoint", "checkpoint") and f["driver"].attrs["step"] == 80 \
            and f["fields/u"].shape == (16, 1, 16, 16)
    check(ok, "the previous checkpoint opens with h5py and holds step 80 and the field")
except Exception as e:  # a broken file is exactly what this test is for
    check(False, f"the previous checkpoint is unreadable: {e}")

p = run(3, crash, extra=["--restart", chks[-1]])
check(p.returncode == 0, f"restart from it on 3 ranks: exit {p.returncode} {p.stderr[-500:]}")
a = sorted(glob.glob(os.path.join(crash, "*.out.*.h5")))[-1]
b = sorted(glob.glob(os.path.join(full, "*.out.*.h5")))[-1]
q = subprocess.run([args.compare, a, b], capture_output=True, text=True)
print(q.stdout)
check(q.returncode == 0, "restarted final snapshot bitwise equal to the uninterrupted run's")

print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
