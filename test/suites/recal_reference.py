#!/usr/bin/env python3
"""Reference values for the recalibration suite, from independent Python
implementations: scikit-learn's IsotonicRegression(out_of_bounds='clip') and
unpenalised LogisticRegression (Platt), scipy's scalar minimiser on the
temperature likelihood, and a numpy/scipy transcription of relplot's smECE
algorithm (Blasiok & Nakkiran's reference implementation, relplot 1.0:
metrics.smECE with the ReflectedGaussianKernel).

Usage: recal_reference.py DATA.csv > REFERENCE.csv
DATA.csv: dataset,confidence,correct (correct as 0/1).
Output: dataset,quantity,value lines."""
import csv
import sys
from collections import defaultdict

import numpy as np
import scipy.optimize
import scipy.signal
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

EPS = 1e-12


def clipped_logit(p):
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


# ---- smECE, following relplot step by step -------------------------------
def to_grid(f, r, m):
    """Split each value r_i between the two points of linspace(0, 1, m)
    around f_i, in proportion to closeness."""
    out = np.zeros(m)
    b = np.clip((f * (m - 1)).astype(int), 0, m - 2)
    frac = f * (m - 1) - b
    np.add.at(out, b, (1 - frac) * r)
    np.add.at(out, b + 1, frac * r)
    return out


def reflected_gauss(values, m, sigma):
    t = np.linspace(0, 1, m)
    ker = np.exp(-(t - 0.5) * (t - 0.5) / (2 * sigma ** 2)) / (np.sqrt(2 * np.pi) * sigma)
    ext = np.concatenate([values[::-1][:-1], values, values[::-1][1:]])
    full = scipy.signal.convolve(ext, ker, "valid")
    return full[m // 2: m // 2 + m]


def interp(t, y):
    m = len(y)
    ind = np.clip((t * (m - 1)).astype(int), 0, m - 2)
    res = (t - ind * (1 / (m - 1))) / (1 / (m - 1))
    return y[ind] * (1 - res) + y[ind + 1] * res


def kernel_apply(f, vals, t, sigma):
    m = max(2000, round(20 / sigma)) // 2 + 1
    return interp(t, reflected_gauss(to_grid(f, vals, m), m, sigma))


def smece_sigma(f, y, sigma):
    ev = max(round(10 / sigma), 200)
    t = np.linspace(0, 1, ev)
    r = f - y
    num = kernel_apply(f, r, t, sigma)
    den = kernel_apply(f, np.ones_like(r), t, sigma) + 0.0001
    rs = num / den
    return np.sum(np.abs(rs) * den) / np.sum(den)


def smece(f, y, eps=0.001):
    def ok(a):
        return a < eps or a < smece_sigma(f, y, a)
    start = 1.0
    if not ok(start):
        end = 0.0
        for _ in range(10):
            mid = (start + end) / 2
            if ok(mid):
                end = mid
            else:
                start = mid
    return smece_sigma(f, y, start), start


# ---- fits ------------------------------------------------------------------
def temperature(c, y):
    z = clipped_logit(c)

    def nll(log_t):
        s = z / np.exp(log_t)
        return np.sum(np.logaddexp(0, s) - y * s)
    res = scipy.optimize.minimize_scalar(nll, bracket=(-3, 3), tol=1e-12)
    return float(np.exp(res.x))


def platt(c, y):
    z = clipped_logit(c).reshape(-1, 1)
    lr = LogisticRegression(penalty=None, solver="newton-cg", tol=1e-12, max_iter=10000)
    lr.fit(z, y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def main():
    data = defaultdict(lambda: ([], []))
    with open(sys.argv[1]) as fh:
        for ds, c, y in csv.reader(fh):
            data[ds][0].append(float(c))
            data[ds][1].append(int(y))
    out = csv.writer(sys.stdout, lineterminator="\n")
    probe = np.linspace(0, 1, 201)
    for ds, (c, y) in sorted(data.items()):
        c = np.array(c)
        y = np.array(y, dtype=float)
        sm, sigma = smece(c, y)
        out.writerow([ds, "smooth_ece", repr(sm)])
        out.writerow([ds, "smooth_ece_sigma", repr(sigma)])
        if ds.startswith("fit"):
            out.writerow([ds, "temperature", repr(temperature(c, y))])
            a, b = platt(c, y)
            out.writerow([ds, "platt_a", repr(a)])
            out.writerow([ds, "platt_b", repr(b)])
            iso = IsotonicRegression(out_of_bounds="clip").fit(c, y)
            for x, v in zip(probe, iso.predict(probe)):
                out.writerow([ds, "isotonic@%r" % float(x), repr(float(v))])


if __name__ == "__main__":
    main()
