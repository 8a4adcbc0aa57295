"""What the integration scripts share: their common command line and the pass/fail tally.

Every script runs as  python3 <script>.py --source-dir SRC --tessera BIN --workdir DIR [...],
prints one "[PASS]"/"[FAIL]" line per check, ends with "N passed, M failed" and exits 1 when a
check failed (regression/CMakeLists.txt runs them through ctest)."""
import argparse
import sys

results = []


def script_parser():
    """An argument parser with the three arguments every script takes; add your own."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--workdir", required=True)
    return ap


def check(ok, what):
    results.append(bool(ok))
    print(("[PASS] " if ok else "[FAIL] ") + what, flush=True)


def finish():
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    sys.exit(0 if all(results) else 1)
