#!/usr/bin/env python3
"""A second implementation of calib's probability-vector metrics, in numpy.

Writes three CSV files into the directory given as the only argument:
  data.csv    dataset, id, probs ('{...}', every float printed so it reads
              back to the same double), label
  logits.csv  dataset, id, logits, label (for the temperature fit)
  ref.csv     dataset, quantity, value

The generated vectors have ties (uniform rows, duplicated maxima), entries
on exact bin edges (multiples of 0.05 and 0.1), one-hot rows, K = 2, 4, 10,
50, and truncated top-k rows of a 200-token distribution whose Full-ECE is
computed on the full distribution.  The definitions follow docs/multiclass.md
and are written from the formulas, not from calib's C code:

  bin(c)        smallest k with c <= (k+1)/B, the edges computed as k/B
  ECE           sum_b n_b/n |mean conf_b - accuracy_b|
  top-label     ECE of (max p, argmax p == label), ties to the lowest index
  classwise     mean over k of the ECE of (p_k, label == k)
  Full-ECE      (1/N) sum_b |sum over (i, k) in bin b of (1[label_i = k] - p_ik)|
  Brier         mean of sum_k (p_k - 1[k = label])^2
  NLL           mean of -log(clip(p_label, 2^-52, 1 - 2^-52))
  AUROC         of max p against correctness (scikit-learn)
  temperature   the T > 0 minimising the mean NLL of softmax(z / T): root of
                the derivative in 1/T by scipy's brentq to 1e-15
"""
import csv
import os
import sys

import numpy as np
from scipy.optimize import brentq
from sklearn.metrics import roc_auc_score

EPS = np.finfo(float).eps
out_dir = sys.argv[1]
rng = np.random.default_rng(20261202)


def bin_index(c, bins):
    edges = np.arange(1, bins + 1) / bins          # (k+1)/B as doubles, k = 0..B-1
    return np.minimum(np.searchsorted(edges, c, side="left"), bins - 1)


def binned_ece(conf, correct, bins):
    b = bin_index(conf, bins)
    n = len(conf)
    ece = 0.0
    mce = 0.0
    for k in range(bins):
        m = b == k
        if m.any():
            gap = abs(conf[m].mean() - correct[m].mean())
            ece += m.sum() / n * gap
            mce = max(mce, gap)
    return ece, mce


def full_ece(P, labels, bins):
    """P: rows x K (a whole distribution), labels 1-based."""
    n, K = P.shape
    b = bin_index(P.ravel(), bins)
    hit = np.zeros_like(P)
    hit[np.arange(n), labels - 1] = 1.0
    total = 0.0
    for k in range(bins):
        m = b == k
        total += abs(hit.ravel()[m].sum() - P.ravel()[m].sum())
    return total / n


def metrics(name, P, labels, rows_ref, bins_list=(10, 15)):
    n, K = P.shape
    top = P.argmax(axis=1)                 # lowest index on ties
    conf = P.max(axis=1)
    correct = (top == labels - 1).astype(float)
    for bins in bins_list:
        e, m = binned_ece(conf, correct, bins)
        rows_ref.append((name, f"ece@{bins}", e))
        rows_ref.append((name, f"mce@{bins}", m))
        cw = np.mean([binned_ece(P[:, k], (labels - 1 == k).astype(float), bins)[0] for k in range(K)])
        rows_ref.append((name, f"classwise@{bins}", cw))
        rows_ref.append((name, f"full@{bins}", full_ece(P, labels, bins)))
    onehot = np.zeros_like(P)
    onehot[np.arange(n), labels - 1] = 1.0
    rows_ref.append((name, "brier", ((P - onehot) ** 2).sum(axis=1).mean()))
    pl = np.clip(P[np.arange(n), labels - 1], EPS, 1 - EPS)
    rows_ref.append((name, "nll", (-np.log(pl)).mean()))
    if 0 < correct.sum() < n:
        rows_ref.append((name, "auroc", roc_auc_score(correct, conf)))


def fmt(v):
    return repr(float(v))


def arr(v):
    return "{" + ",".join(fmt(x) for x in v) + "}"


data_rows = []
ref_rows = []


def add(name, P, labels, **kw):
    for i, (p, l) in enumerate(zip(P, labels)):
        data_rows.append((name, i, arr(p), int(l)))
    metrics(name, P, labels, ref_rows, **kw)


def sample_labels(P, sharpen=1.0):
    Q = P ** sharpen
    Q /= Q.sum(axis=1, keepdims=True)
    u = rng.random(len(P))[:, None]
    return (Q.cumsum(axis=1) < u).sum(axis=1).clip(0, P.shape[1] - 1) + 1


# K = 2: continuous, on edges (multiples of 0.1), ties (0.5, 0.5)
p1 = rng.random(3000)
p1[:900] = np.round(p1[:900] * 10) / 10
p1[900:1000] = 0.5
P = np.stack([p1, 1 - p1], axis=1)
add("k2", P, sample_labels(P, 1.5))

# K = 4: Dirichlet; multiples of 0.05 (counts of 20 units); one-hot; uniform
P = rng.dirichlet(np.ones(4), 5000)
P[:1000] = rng.multinomial(20, [0.4, 0.3, 0.2, 0.1], 1000) / 20
P[1000:1300] = np.eye(4)[rng.integers(0, 4, 300)]
P[1300:1500] = 0.25
add("k4", P, sample_labels(P, 1.3))

# K = 10: sparse Dirichlet, uniform rows (0.1 each, on an edge), ties of two maxima
P = rng.dirichlet(np.full(10, 0.3), 3000)
P[:200] = 0.1
P[200:400] = 0.0
P[200:400, 2] = P[200:400, 7] = 0.5
add("k10", P, sample_labels(P, 0.8))

# K = 50
P = rng.dirichlet(np.full(50, 0.1), 1000)
add("k50", P, sample_labels(P, 1.0))

# one row only, and a group where every answer is right (AUROC undefined)
add("single", np.array([[0.6, 0.3, 0.1]]), np.array([1]))

# truncated: a 200-token distribution, its top 20 and top 5 with label 0
# when the sampled token is outside; Full-ECE of the full distribution
V = 200
P = rng.dirichlet(np.full(V, 0.02), 2000)
labels = sample_labels(P, 1.0)
for k, bins in ((20, 10), (20, 15), (5, 10)):
    order = np.argsort(-P, axis=1, kind="stable")[:, :k]
    T = np.take_along_axis(P, order, axis=1)
    ok = T[:, -1] <= 1.0 / bins             # the smallest given in the first bin
    name = f"top{k}_b{bins}"
    for i in np.nonzero(ok)[0]:
        hit = np.nonzero(order[i] == labels[i] - 1)[0]
        data_rows.append((name, int(i), arr(T[i]), int(hit[0] + 1) if len(hit) else 0))
    ref_rows.append((name, f"full@{bins}", full_ece(P[ok], labels[ok], bins)))
    ref_rows.append((name, "rows", float(ok.sum())))
# the full vectors themselves (K = 200)
for i in range(len(P)):
    data_rows.append(("full200", i, arr(P[i]), int(labels[i])))
ref_rows.append(("full200", "full@10", full_ece(P, labels, 10)))
ref_rows.append(("full200", "full@15", full_ece(P, labels, 15)))

with open(os.path.join(out_dir, "data.csv"), "w", newline="") as f:
    csv.writer(f).writerows(data_rows)


# temperature scaling on logits
def fit_temperature(Z, labels):
    d = Z - Z.max(axis=1, keepdims=True)
    dy = d[np.arange(len(Z)), labels - 1]

    def grad(beta):
        e = np.exp(beta * d)
        s = e / e.sum(axis=1, keepdims=True)
        return ((s * d).sum(axis=1) - dy).sum()

    lo, hi = 1e-6, 1.0
    while grad(hi) < 0:
        hi *= 2
    beta = brentq(grad, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    return 1.0 / beta


logit_rows = []
for name, K, n, t_true in (("t4", 4, 4000, 1.7), ("t10", 10, 3000, 0.6), ("t2", 2, 2000, 2.5)):
    Z = rng.normal(0, 2, (n, K))
    Z[: n // 10] = np.round(Z[: n // 10])    # ties among logits
    Q = np.exp((Z - Z.max(axis=1, keepdims=True)) / t_true)
    Q /= Q.sum(axis=1, keepdims=True)
    labels = sample_labels(Q, 1.0)
    for i in range(n):
        logit_rows.append((name, i, arr(Z[i]), int(labels[i])))
    ref_rows.append((name, "temperature", fit_temperature(Z, labels)))
    # softmax of the first rows at T = 1 and at the fitted T
    for i in range(3):
        z = Z[i] - Z[i].max()
        for T in (1.0, 2.5):
            s = np.exp(z / T)
            s /= s.sum()
            for j, v in enumerate(s):
                ref_rows.append((name, f"softmax:{i}:{T:g}:{j + 1}", v))

with open(os.path.join(out_dir, "logits.csv"), "w", newline="") as f:
    csv.writer(f).writerows(logit_rows)
with open(os.path.join(out_dir, "ref.csv"), "w", newline="") as f:
    csv.writer(f).writerows((d, q, fmt(v)) for d, q, v in ref_rows)
