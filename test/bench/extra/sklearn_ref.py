"""scikit-learn on the benchmark table, for test/bench/extra/sklearn.sh.

    /usr/bin/python3 sklearn_ref.py FILE RUNS

FILE holds `confidence correct` per line (COPY ... (FORMAT text,
DELIMITER ' ') with correct as 0/1).  Prints one tab-separated line per
metric: name, median milliseconds of RUNS timed runs (after one warm-up),
value; and first `load`, the median time to parse FILE into numpy arrays.
Each metric is what a user would write with scikit-learn, not a tuned kernel.
"""
import statistics
import sys
import time

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score


def load(path):
    flat = np.fromfile(path, sep=" ")
    return flat[1::2].astype(bool), flat[0::2]


def ece(y, p, n_bins=10):
    # calibration_curve drops empty bins and does not return counts, so the
    # weights come from the same binning (searchsorted on the inner edges).
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], p), minlength=n_bins)
    weights = counts[counts > 0] / len(p)
    return float(np.sum(weights * np.abs(prob_true - prob_pred)))


METRICS = {
    "ece": ece,
    "brier": lambda y, p: float(brier_score_loss(y, p)),
    "nll": lambda y, p: float(log_loss(y, p)),
    "auroc": lambda y, p: float(roc_auc_score(y, p)),
}


def median_ms(fn, runs):
    fn()                                        # warm-up, not counted
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times), out


def main():
    path, runs = sys.argv[1], int(sys.argv[2])
    load_ms, (y, p) = median_ms(lambda: load(path), max(1, min(runs, 3)))
    print(f"load\t{load_ms:.3f}\t{len(p)}")
    for name, fn in METRICS.items():
        ms, value = median_ms(lambda: fn(y, p), runs)
        print(f"{name}\t{ms:.3f}\t{value!r}")


if __name__ == "__main__":
    main()
