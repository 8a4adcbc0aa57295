"""Prints the benchmark table of bench/rmhd_magnetoconvection/run.sh from each run's log
(tessera's end-of-run wall time and time split) and history (rad_fld's cumulative FLD timers and
iteration counts, last row). Arguments: TAG:RANKS:DIR ..."""
import glob
import re
import sys

print(f"{'case':6s} {'ranks':>5s} {'steps':>5s} {'ms/step':>9s} {'MHD expl':>9s} {'halo':>7s} "
      f"{'FLD asm':>8s} {'FLD solve':>9s} {'FLD setup':>9s} {'other':>7s} {'Picard/step':>11s} {'lin/step':>8s} "
      f"{'lin/Picard':>10s}")
for spec in sys.argv[1:]:
    tag, np_, d = spec.split(":", 2)
    log = open(d + ".log").read()
    wall = float(re.search(r"wall time ([0-9.e+-]+) s", log).group(1))
    split = re.search(r"compute ([0-9.]+)%, halo exchange ([0-9.]+)%", log)
    steps = int(re.search(r"after (\d+) steps", log).group(1))
    hst = glob.glob(d + "/*.hst")[0]
    names = open(hst).readline().split()[1:]
    last = [float(x) for x in open(hst).read().split("\n")[-2].split()]
    row = dict(zip(names, last))
    ms = 1e3 / steps
    step = wall * ms
    expl = wall * float(split.group(1)) / 100 * ms
    halo = wall * float(split.group(2)) / 100 * ms
    asm = row["fld_time_assembly"] * ms
    solve = row["fld_time_solve"] * ms
    setup = row.get("fld_time_setup", 0.0) * ms
    stages = max(row["rad_implicit_stages"], 1.0)
    pic = row["rad_picard_total"] / stages
    lin = row["fld_iterations_total"] / stages
    print(f"{tag:6s} {np_:>5s} {steps:5d} {step:9.1f} {expl:9.1f} {halo:7.1f} {asm:8.1f} "
          f"{solve:9.1f} {setup:9.1f} {step - expl - halo - asm - solve - setup:7.1f} {pic:11.2f} {lin:8.1f} "
          f"{lin / max(pic, 1e-30):10.2f}")
print("times in ms per step (wall clock, max over ranks); MHD expl = the explicit RK stages "
      "(fluxes, CT, sources incl. rad_fld's explicit terms), halo = halo exchange, FLD asm = the "
      "implicit stage minus its linear solves (face D, matrix, right-hand side, gas update, halo "
      "fills), FLD solve = KSPSolve (CG + BoomerAMG incl. its setup), FLD setup = the one-off "
      "creation of the linear system (first step, spread over the steps); iterations per step")
