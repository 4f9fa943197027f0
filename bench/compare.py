"""calcscore against R and statsmodels on the same generated files: whole processes, alternating runs.

Usage: python3 bench/compare.py BIN DATA_DIR [RUNS=3] [--json OUT.json]

Each task's commands run in turn, RUNS rounds (calcscore, R, Python, calcscore, R, Python, ...), so a busy
spell on the machine hits every tool alike. Wall time is measured around the process; peak memory is the
maximum resident set size from `/usr/bin/time -v`. Printed per command: median and range of the wall times,
peak memory (median), the anchor's median divided by calcscore's (the speed-up), and the numbers each tool
computed (deviance and SE of x1, or AUC and DeLong CI) so that the runs are seen to agree.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

FORMULA = "y ~ " + " + ".join(f"x{k}" for k in range(1, 11))


def tasks(bin_, d):
    """(task title, [(tool label, argv, digest function)]); the first command of each task is calcscore."""
    glm, cl, roc = (f"{d}/glm_1e6", f"{d}/glm_cl_1e6", f"{d}/roc_1e6")
    fit = [bin_, "fit", "--formula", FORMULA, "--family", "binomial", "--json", "--data"]
    roc_cmd = [bin_, "roc", "--marker", "marker", "--outcome", "outcome", "--json", "--data"]
    return [
        (
            "fit binomial, 10 predictors, 10^6 rows, CSV",
            [
                ("calcscore", fit + [f"{glm}.csv"], fit_digest),
                ("R fread + glm + summary", ["Rscript", "bench/r_glm.R", f"{glm}.csv"], text_digest),
                ("statsmodels GLM (pandas pyarrow CSV)", ["python3", "bench/py_glm.py", f"{glm}.csv"], text_digest),
            ],
        ),
        (
            "fit binomial, 10 predictors, 10^6 rows, Parquet",
            [
                ("calcscore", fit + [f"{glm}.parquet"], fit_digest),
                ("statsmodels GLM (pandas read_parquet)", ["python3", "bench/py_glm.py", f"{glm}.parquet"], text_digest),
            ],
        ),
        (
            "fit binomial --cluster (CR1), 50 000 clusters, 10^6 rows, CSV",
            [
                ("calcscore", fit + [f"{cl}.csv", "--cluster", "cluster"], fit_digest),
                ("R fread + glm + sandwich::vcovCL HC1", ["Rscript", "bench/r_glm.R", f"{cl}.csv", "cluster"], text_digest),
                ("statsmodels GLM cov_type=cluster", ["python3", "bench/py_glm.py", f"{cl}.csv", "cluster"], text_digest),
            ],
        ),
        (
            "roc with DeLong CI, 10^6 rows, CSV",
            [
                ("calcscore", roc_cmd + [f"{roc}.csv"], roc_digest),
                ("R fread + pROC roc(ci = TRUE)", ["Rscript", "bench/r_roc.R", f"{roc}.csv"], text_digest),
            ],
        ),
    ]


def fit_digest(out):
    v = json.loads(out)
    se = next(r["std_error"] for r in v["coefficients"] if r["term"] == "x1")
    return f"deviance {v['model']['deviance']:.10f} se(x1) {se:.12g}"


def roc_digest(out):
    v = json.loads(out)
    auc = v["rows"][0]
    return f"auc {auc['estimate']:.15f} ci {auc['conf_low']:.15f} {auc['conf_high']:.15f}"


def text_digest(out):
    lines = out.strip().splitlines()
    return lines[-1] if lines else ""


def run_once(argv):
    """(wall seconds, peak RSS MiB, stdout) of one whole process."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name] + argv, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            raise SystemExit(f"failed ({p.returncode}): {' '.join(argv)}\n{p.stderr[-2000:]}")
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tf.read())
    return wall, int(m.group(1)) / 1024 if m else float("nan"), p.stdout


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--json")]
    out_json = next((sys.argv[k + 1] for k, a in enumerate(sys.argv) if a == "--json"), None)
    if out_json in args:
        args.remove(out_json)
    bin_, d = args[0], args[1]
    runs = int(args[2]) if len(args) > 2 else 3
    results = []
    for title, cmds in tasks(bin_, d):
        times = {label: [] for label, _, _ in cmds}
        mem = {label: [] for label, _, _ in cmds}
        digest = {}
        for _ in range(runs):
            for label, argv, dig in cmds:
                wall, rss, out = run_once(argv)
                times[label].append(wall)
                mem[label].append(rss)
                digest[label] = dig(out)
        ours = statistics.median(times[cmds[0][0]])
        print(f"\n{title} (medians of {runs} alternating runs)")
        print(f"  {'tool':40s} {'wall s':>8s} {'range':>13s} {'peak MiB':>9s} {'speed-up':>9s}  result")
        for label, _, _ in cmds:
            med = statistics.median(times[label])
            ratio = med / ours
            rng = f"{min(times[label]):.2f}-{max(times[label]):.2f}"
            print(
                f"  {label:40s} {med:8.3f} {rng:>13s} {statistics.median(mem[label]):9.0f} "
                f"{ratio:8.1f}x  {digest[label]}"
            )
            results.append(
                {
                    "task": title,
                    "tool": label,
                    "wall_s": times[label],
                    "median_s": med,
                    "peak_mib": statistics.median(mem[label]),
                    "anchor_over_calcscore": ratio,
                    "result": digest[label],
                }
            )
    if out_json:
        with open(out_json, "w") as f:
            json.dump({"runs": runs, "nproc": os.cpu_count(), "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
