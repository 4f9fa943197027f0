#!/usr/bin/env python3
"""Percentile of each published Zhang 2021 number among the values simulated over seeds 1..N.

Usage: bench/seed_percentiles.py DIR N OUT, where DIR holds q<seed>.json (results.json) and c<seed>.json
(`check --json`) for seeds 1..N, as bench/seed_percentiles.sh writes them. Run from the repository root.
"""
import json
import sys
import tomllib

d, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
published = tomllib.load(open("datasets/published/zhang2021.toml", "rb"))["quantity"]
seeds = range(1, n + 1)
runs = {s: {q["name"]: q for q in json.load(open(f"{d}/q{s}.json"))["quantities"]} for s in seeds}
checks = {s: {r["name"]: r["status"] for r in json.load(open(f"{d}/c{s}.json"))} for s in seeds}
passing = [s for s in seeds if all(v not in ("fail", "missing") for v in checks[s].values())]
rows, fixed = [], []
for p in published:
    if p["rule"] == "not_checked" or p.get("published") is None:
        continue
    name, v = p["name"], p["published"]
    if p["rule"] == "p_below":
        pick = lambda q: q["p_value"] if q.get("p_value") is not None else q["estimate"]
    else:
        pick = lambda q: q["estimate"]
    sims = sorted(pick(runs[s][name]) for s in seeds if name in runs[s] and pick(runs[s][name]) is not None)
    if not sims:
        continue
    if sims[0] == sims[-1]:
        fixed.append(name)  # the same in every simulated registry: set by the model's construction
        continue
    below = sum(x < v for x in sims)
    equal = sum(x == v for x in sims)
    passed = sum(checks[s].get(name) == "pass" for s in seeds)
    rows.append({"name": name, "published": v, "rule": p["rule"], "n_seeds": len(sims),
                 "percentile": round(100 * (below + 0.5 * equal) / len(sims), 1),
                 "simulated_median": sims[len(sims) // 2], "simulated_min": sims[0], "simulated_max": sims[-1],
                 "pass_rate": round(passed / n, 3)})
with open(out, "w") as f:
    json.dump({"seeds": f"1-{n}", "n_seeds": n, "shipped_seed": 4, "seeds_passing_every_check": passing,
               "fixed_by_construction": fixed, "quantities": rows}, f, indent=1)
    f.write("\n")
print(f"seeds 1..{n}: {len(passing)} pass every check: {passing}; wrote {out}")
