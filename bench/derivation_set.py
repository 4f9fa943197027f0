#!/usr/bin/env python3
"""A large synthetic derivation set for timing `derive --validate-bootstrap` (not data about patients).

Usage: bench/derivation_set.py LESIONS OUT.csv [SEED]
Patients with 1-3 lesions; the four IVUS calcium-score columns of Zhang 2021 drawn with roughly the published
prevalences; stent expansion = 85 - 6*each item + a shared patient effect + noise (so items and clustering matter).
Standard library only; the same seed gives the same file.
"""
import csv
import random
import sys


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["patient_id", "calcium_270_length_mm", "calcium_360", "calcified_nodule",
                    "vessel_diameter_mm", "stent_expansion_pct"])
        i, p = 0, 0
        while i < n:
            p += 1
            u = rng.gauss(0, 6)
            for _ in range(min(rng.choice([1, 1, 1, 2, 2, 3]), n - i)):
                i += 1
                length = round(max(0.0, rng.gauss(4, 3)), 1)
                c360 = int(rng.random() < 0.35)
                nodule = int(rng.random() < 0.15)
                diam = round(rng.gauss(3.4, 0.4), 2)
                y = 85 - 6 * (length > 5) - 6 * c360 - 6 * nodule - 6 * (diam < 3.5) + u + rng.gauss(0, 10)
                w.writerow([f"P{p:07d}", length, c360, nodule, diam, round(y, 1)])


if __name__ == "__main__":
    main()
