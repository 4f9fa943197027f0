"""Anchor for `calcscore fit --family binomial`: statsmodels GLM(Binomial) with its summary, whole process.

Usage: python3 bench/py_glm.py FILE.csv|FILE.parquet [cluster]
CSV is read with pandas' pyarrow engine, Parquet with pandas.read_parquet; with `cluster`, the covariance is
statsmodels' cluster-robust one (cov_type="cluster", its default small-sample correction = CR1).
"""
import sys

import pandas as pd
import statsmodels.api as sm

path = sys.argv[1]
d = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path, engine="pyarrow")
X = sm.add_constant(d[[f"x{k}" for k in range(1, 11)]])
model = sm.GLM(d["y"], X, family=sm.families.Binomial())
if len(sys.argv) > 2 and sys.argv[2] == "cluster":
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": d["cluster"]})
else:
    fit = model.fit()
fit.summary()
print(f"deviance {fit.deviance:.10f} se(x1) {fit.bse['x1']:.12g}")
