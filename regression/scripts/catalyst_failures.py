#!/usr/bin/python3
"""Failure behaviour of the Catalyst sink (issue 8), on 2 ranks, each run with a time limit so
that a hang fails the test instead of blocking it:
  - a script with a syntax error: start-up error (before the first step) naming the script and
    the Python error, exit status 2 on all ranks;
  - a script whose module-level code fails (misspelt filter): error at the first call (the
    initial state), before the first step, naming the script;
  - a missing script: deck error at start-up, exit status 2;
  - a script raising during a step: the run stops at that step with the script's name and the
    exception in the message, exit status 3 (on_error = "stop", the default);
  - the same with on_error = "continue": the run completes, each failed call reported.
No rendering is involved, so no X server is needed.

usage: catalyst_failures.py --source-dir SRC --tessera BIN --workdir DIR
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from catalyst_common import run_tessera  # noqa: E402
from script_checks import check, finish, script_parser  # noqa: E402

ap = script_parser()
args = ap.parse_args()

def hst_steps(out):
    path = os.path.join(out, "fail.hst")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [int(l.split()[1]) for l in f if l.strip() and not l.startswith("#")]


deck = os.path.join(args.source_dir, "regression", "decks", "catalyst_advection2d.toml")
cat = os.path.join(args.source_dir, "regression", "catalyst")
TIMEOUT = 180  # s: a normal failing run ends in < 30 s even on the loaded CI machine


def run(name, script, extra=()):
    out = os.path.join(args.workdir, "catalyst_fail_" + name)
    shutil.rmtree(out, ignore_errors=True)
    sets = [f'output.dir="{out}"', 'output.basename="fail"', "mesh.cells=[32,32]",
            f'catalyst.scripts=["{script}"]', "catalyst.every_steps=1", "time.max_steps=6",
            "output.snapshot_steps=0"] + list(extra)
    rc, so, se, secs = run_tessera(args.tessera, deck, sets, timeout=TIMEOUT)
    print(f"--- {name}: exit {rc} after {secs:.1f} s\n{so[-1200:]}\n{se[-2500:]}", flush=True)
    return rc, so + se, out


# Syntax error: found while loading, before the time loop.
script = os.path.join(cat, "syntax_error_v2.py")
rc, text, out = run("syntax", script)
check(rc == 2, f"syntax error: exit status {rc} (want 2, ConfigError) and no hang")
check("syntax_error_v2.py" in text and "SyntaxError" in text,
      "syntax error: the message names the script and Python's SyntaxError")
check(hst_steps(out) == [0], f"syntax error: stopped before the first step (history steps "
                             f"{hst_steps(out)})")

# Module-level error (a misspelt filter): the script is imported at the first call, the
# initial state, so the run still stops before its first step.
rc, text, out = run("import", os.path.join(cat, "bad_filter_v2.py"))
check(rc is not None and rc != 0, f"module-level error: exit status {rc} (non-zero, no hang)")
check("bad_filter_v2.py" in text and "NameError" in text and "Slicee" in text,
      "module-level error: the message names the script and the Python error")
check(hst_steps(out) == [0], f"module-level error: stopped before the first step (history "
                             f"steps {hst_steps(out)})")

# Missing script: a deck error.
rc, text, out = run("missing", os.path.join(cat, "no_such_script.py"))
check(rc == 2 and "no_such_script.py" in text and "cannot read" in text,
      f"missing script: exit status {rc} (want 2) with the path in the message")

# Exception during a step: the run stops there.
script = os.path.join(cat, "raises_v2.py")
rc, text, out = run("raises", script)
check(rc == 3, f"exception in a step: exit status {rc} (want 3, IoError) and no hang")
check("raises_v2.py" in text and "tessera-test deliberate failure at step 3" in text and
      "The run stops" in text,
      "exception in a step: the message names the script and carries the exception text")
check(hst_steps(out) == [0, 1, 2, 3], f"exception in a step: the run stopped at step 3 "
                                      f"(history steps {hst_steps(out)})")

# Same, on_error = "continue": the run completes; 7 calls (steps 0-6), 4 of them failed (3-6).
rc, text, out = run("continue", script, ['catalyst.on_error="continue"'])
check(rc == 0, f"on_error = continue: exit status {rc} (want 0)")
check("catalyst: 7 calls" in text and "4 failed calls" in text and
      text.count("tessera-test deliberate failure") >= 4,
      "on_error = continue: 7 calls, the 4 failures (steps 3-6) each reported")
check(hst_steps(out)[-1:] == [6], f"on_error = continue: reached step 6 (history steps "
                                  f"{hst_steps(out)})")

finish()
