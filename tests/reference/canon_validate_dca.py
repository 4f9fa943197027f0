"""Net benefit of the stored birthwt score's risk model and of "score >= cutoff" with Python dcurves.

Run from the repository root after canon_validate.R:  python3 tests/reference/canon_validate_dca.py
Reads tests/reference/canon_validate/val_risks.csv (risk of the stored [model], 0/1 strategy column), writes
tests/reference/canon_validate/dca.json with dcurves' (1.1.7) net benefit and net interventions avoided (nper = 1)
at thresholds 0.01, 0.02, ..., 0.99 (a 0/1 column is a model to dcurves).
"""
import json

import pandas as pd
from dcurves import dca

OUT = "tests/reference/canon_validate"
data = pd.read_csv(f"{OUT}/val_risks.csv")
thresholds = [i / 100 for i in range(1, 100)]
df = dca(data=data, outcome="low", modelnames=["p", "score_ge_cutoff"], thresholds=thresholds)
result = {"thresholds": thresholds}
for model, key in [("p", "model"), ("score_ge_cutoff", "cutoff"), ("all", "all")]:
    rows = df[df["model"] == model].sort_values("threshold")
    assert [float(t) for t in rows["threshold"]] == thresholds
    result[key] = {
        "net_benefit": [float(v) for v in rows["net_benefit"]],
        "net_intervention_avoided": [float(v) for v in rows["net_intervention_avoided"]],
    }
with open(f"{OUT}/dca.json", "w") as f:
    json.dump(result, f, indent=1)
print("wrote", f"{OUT}/dca.json")
