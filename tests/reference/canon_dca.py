"""Decision-curve fixtures from Python dcurves (pip install dcurves; 1.1.7 made the committed file).

Run from the repository root after canon.R:  python3 tests/reference/canon_dca.py
Reads tests/reference/canon/pima_validation.csv, writes tests/reference/canon/dca_full.json with
dcurves' net benefit and net interventions avoided (nper = 1) for the model, treat-all and treat-none
at thresholds 0.01, 0.02, ..., 0.99, and the standardised net benefit NB / prevalence; and the net
benefit of the fixed strategies "glu >= 120" and "glu >= 150" (a 0/1 column is a model to dcurves).
"""
import json

import pandas as pd
from dcurves import dca

OUT = "tests/reference/canon"
data = pd.read_csv(f"{OUT}/pima_validation.csv")
thresholds = [i / 100 for i in range(1, 100)]
CUTOFFS = [120, 150]
for c in CUTOFFS:
    data[f"glu_ge_{c}"] = (data["glu"] >= c).astype(int)
strategies = [f"glu_ge_{c}" for c in CUTOFFS]
df = dca(data=data, outcome="y", modelnames=["p_full"] + strategies, thresholds=thresholds)
result = {"thresholds": thresholds, "prevalence": float(df["prevalence"].iloc[0])}
for model, key in [("p_full", "model"), ("all", "all"), ("none", "none")] + [(s, s) for s in strategies]:
    rows = df[df["model"] == model].sort_values("threshold")
    assert [float(t) for t in rows["threshold"]] == thresholds
    result[key] = {
        "net_benefit": [float(v) for v in rows["net_benefit"]],
        "net_intervention_avoided": [float(v) for v in rows["net_intervention_avoided"]],
        "tp_rate": [float(v) for v in rows["tp_rate"]],
        "fp_rate": [float(v) for v in rows["fp_rate"]],
        "standardized_net_benefit": [float(v) / result["prevalence"] for v in rows["net_benefit"]],
    }
with open(f"{OUT}/dca_full.json", "w") as f:
    json.dump(result, f, indent=1)
print("wrote", f"{OUT}/dca_full.json")
