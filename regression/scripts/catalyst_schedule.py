#!/usr/bin/python3
"""The [catalyst] section without ParaView (runs in every build), on 2 ranks:
  - adaptor = "null", every_dt = 0.03: the driver lands exactly on t = 0.03, 0.06, ... (the
    sink's next_time()), and the sink is called at t = 0 and at each of them;
  - every_steps = 4: called at steps 0, 4, 8, ...;
  - a build without the Catalyst adaptor refuses adaptor = "catalyst" with a clear deck error
    (exit status 2); a build with it accepts the deck (--check);
  - restart: the next call time is restored from the checkpoint.

usage: catalyst_schedule.py --source-dir SRC --tessera BIN --workdir DIR --have-catalyst ON|OFF
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from catalyst_common import run_tessera  # noqa: E402
from script_checks import check, finish, script_parser  # noqa: E402

ap = script_parser()
ap.add_argument("--have-catalyst", required=True)
args = ap.parse_args()
have = args.have_catalyst.upper() in ("ON", "1", "TRUE", "YES")

deck = os.path.join(args.source_dir, "regression", "decks", "catalyst_advection2d.toml")
script = os.path.join(args.source_dir, "inputs", "catalyst", "nothing_v2.py")
base = ["mesh.cells=[32,32]", f'catalyst.scripts=["{script}"]', 'catalyst.adaptor="null"',
        "output.snapshot_steps=0", "time.max_steps=-1"]

# every_dt: t_end = 0.2, every 0.03 -> t = 0, 0.03, ..., 0.18 (7 calls), each a step end.
out = os.path.join(args.workdir, "catalyst_schedule_dt")
shutil.rmtree(out, ignore_errors=True)
rc, so, se, _ = run_tessera(args.tessera, deck, base + [
    f'output.dir="{out}"', "time.t_end=0.2", "catalyst.every_steps=0", "catalyst.every_dt=0.03"],
    timeout=120)
print(so[-800:], se[-800:])
check(rc == 0, f"null adaptor, every_dt = 0.03: exit status {rc}")
check("catalyst: 7 calls" in so, "called 7 times: t = 0, 0.03, ..., 0.18")
times = []
with open(os.path.join(out, "adv2d.hst")) as f:
    times = [float(l.split()[0]) for l in f if l.strip() and not l.startswith("#")]
# The driver clips the step to land on the sink's time; 1e-12 is the driver's own landing
# tolerance (t_eps), relative to t_end = 0.2 < 1.
landed = all(any(abs(t - 0.03 * k) <= 1e-12 for t in times) for k in range(1, 7))
check(landed, "the history has a step ending at each t = 0.03 k, k = 1..6 (within 1e-12)")

# every_steps = 4 with 10 steps: steps 0, 4, 8.
out = os.path.join(args.workdir, "catalyst_schedule_steps")
shutil.rmtree(out, ignore_errors=True)
rc, so, se, _ = run_tessera(args.tessera, deck, base + [
    f'output.dir="{out}"', "time.t_end=10", "time.max_steps=10", "catalyst.every_steps=4"],
    timeout=120)
check(rc == 0 and "catalyst: 3 calls" in so, f"every_steps = 4, 10 steps: 3 calls (exit {rc})")

# Restart: the next call time is checkpointed. 5 steps (calls at t = 0, 0.02), checkpoint at
# t = 0.0367, restart on 1 rank to step 12 (t = 0.08): calls at 0.04, 0.06, 0.08 only.
out = os.path.join(args.workdir, "catalyst_schedule_restart")
shutil.rmtree(out, ignore_errors=True)
common = base + [f'output.dir="{out}"', "time.t_end=10", "catalyst.every_steps=0",
                 "catalyst.every_dt=0.02", "output.checkpoint_at_end=true"]
rc1, so1, se1, _ = run_tessera(args.tessera, deck, common + ["time.max_steps=5"], timeout=120)
rc2, so2, se2, _ = run_tessera(args.tessera, deck, common + ["time.max_steps=12"], np_=1,
                               timeout=120, extra=["--restart", os.path.join(out, "adv2d.chk.00005.h5")])
print(so2[-600:], se2[-600:])
check(rc1 == 0 and "catalyst: 2 calls" in so1 and rc2 == 0 and "catalyst: 3 calls" in so2,
      f"restart: 2 calls before the checkpoint, 3 after (t = 0.04, 0.06, 0.08) (exit {rc1}, {rc2})")

# adaptor = "catalyst" (the default): accepted only by a build that has it.
p = subprocess.run([args.tessera, "--check", deck, "--set", f'catalyst.scripts=["{script}"]'],
                   capture_output=True, text=True, timeout=120)
if have:
    check(p.returncode == 0 and "deck OK" in p.stdout, f"Catalyst build: --check accepts "
                                                       f"adaptor = \"catalyst\" (exit {p.returncode})")
else:
    check(p.returncode == 2 and "built without ParaView Catalyst" in p.stderr,
          f"build without Catalyst: a clear deck error for adaptor = \"catalyst\" "
          f"(exit {p.returncode}): {p.stderr.strip()[:200]}")

finish()
