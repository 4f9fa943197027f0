#!/usr/bin/env python3
"""Independent Agatston / volume / mass scores of the vendored pydicom CT files.

Reads the files with pydicom, sorts slices by ImagePositionPatient along the slice normal, applies
each slice's RescaleSlope/Intercept with numpy, labels lesions with scipy.ndimage.label (8- or
4-connectivity) and scores them as calcscore documents: voxels >= threshold HU; lesions smaller than
the minimum area (mm^2) dropped; weight by peak HU (1: <200, 2: <300, 3: <400, 4: >=400); volume =
pixels x pixel area x slice spacing (positions; SliceThickness for a single slice); mass (factor 1) =
sum HU x voxel volume / 1000.

Run from the repository root (pydicom 3.0.1, numpy, scipy; pylibjpeg and pylibjpeg-libjpeg for the JPEG
lossless file):
    python3 tests/reference/agatston.py > tests/reference/agatston/expected.json
"""
import glob
import json
import os

import numpy as np
import pydicom
import scipy
from scipy import ndimage

DATA = "tests/data/dicom"

CASES = [
    # name, path, threshold, connectivity, min_area
    ("ct_small_default", "pydicom/CT_small.dcm", 130.0, 8, 1.0),
    ("ct_small_4conn", "pydicom/CT_small.dcm", 130.0, 4, 1.0),
    ("ct_small_t300_min0", "pydicom/CT_small.dcm", 300.0, 8, 0.0),
    ("ct_small_t400_min5", "pydicom/CT_small.dcm", 400.0, 4, 5.0),
    ("ct5n_default", "pydicom/CT5N", 130.0, 8, 1.0),
    ("ct5n_t40_min0", "pydicom/CT5N", 40.0, 8, 0.0),
    ("ct5n_t40_4conn_min0_5", "pydicom/CT5N", 40.0, 4, 0.5),
    # JPEG lossless (decoded by pydicom through pylibjpeg + pylibjpeg-libjpeg)
    ("jpeg_lossless_default", "pydicom-data/bad_sequence.dcm", 130.0, 8, 1.0),
    ("jpeg_lossless_4conn", "pydicom-data/bad_sequence.dcm", 130.0, 4, 1.0),
    ("jpeg_lossless_t400_min0", "pydicom-data/bad_sequence.dcm", 400.0, 8, 0.0),
]


def weight(peak):
    return 1 + sum(peak >= b for b in (200.0, 300.0, 400.0))


def load(path):
    full = os.path.join(DATA, path)
    files = [full] if os.path.isfile(full) else sorted(glob.glob(os.path.join(full, "*")))
    ds = [pydicom.dcmread(f) for f in files]
    o = np.array(ds[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(o[:3], o[3:])
    ds.sort(key=lambda d: float(np.dot(np.array(d.ImagePositionPatient, dtype=float), normal)))
    depth = [float(np.dot(np.array(d.ImagePositionPatient, dtype=float), normal)) for d in ds]
    if len(ds) == 1:
        spacing = float(ds[0].SliceThickness)
    else:
        spacing = (depth[-1] - depth[0]) / (len(ds) - 1)
    return ds, spacing


def score(path, threshold, connectivity, min_area):
    ds, spacing = load(path)
    ps = [float(x) for x in ds[0].PixelSpacing]
    area = ps[0] * ps[1]
    structure = np.ones((3, 3)) if connectivity == 8 else ndimage.generate_binary_structure(2, 1)
    total = volume = mass = 0.0
    lesions = []
    for k, d in enumerate(ds):
        hu = d.pixel_array.astype(float) * float(d.RescaleSlope) + float(d.RescaleIntercept)
        labels, n = ndimage.label(hu >= threshold, structure=structure)
        for lab in range(1, n + 1):
            v = hu[labels == lab]
            a = v.size * area
            if a < min_area * (1 - 1e-9):
                continue
            w = weight(v.max())
            total += a * w
            volume += a * spacing
            mass += v.sum() * area * spacing / 1000.0
            lesions.append({"slice": k + 1, "n_pixels": int(v.size), "peak_hu": float(v.max()), "weight": int(w)})
    lesions.sort(key=lambda l: (l["slice"], -l["n_pixels"], -l["peak_hu"]))
    return {
        "agatston": total,
        "volume_mm3": volume,
        "mass_mg": mass,
        "n_lesions": len(lesions),
        "lesions": lesions,
        "slice_spacing_mm": spacing,
        "n_slices": len(ds),
    }


def main():
    import pylibjpeg

    out = {
        "generated_by": "tests/reference/agatston.py",
        "versions": {"pydicom": pydicom.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
                     "pylibjpeg": pylibjpeg.__version__},
        "cases": [],
    }
    for name, path, t, c, m in CASES:
        r = score(path, t, c, m)
        r.update({"name": name, "path": path, "threshold": t, "connectivity": c, "min_area": m})
        out["cases"].append(r)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
