#!/usr/bin/env python3
"""Second implementation of calib's semantic aggregates (docs/semantic.md).

  gen DIR     writes DIR/emb.csv (prompt, ord, kind, threshold, embedding)
              and DIR/ids.csv (prompt, ord, cluster_id, seq_logprob)
  ref DIR     writes DIR/ref.csv (prompt, quantity, value) from them:
              connected components with scipy.sparse.csgraph, semantic
              entropy with scipy.special.logsumexp.

Embeddings are integer vectors (times a power of two for the double
precision groups), so every cosine dot/sqrt(|a|^2 |b|^2) is computed from
exact integers with one rounded square root and one rounded division, the
same operations calib performs: the edge decisions, including pairs exactly
at the threshold, are bit-identical and compared exactly.
"""
import csv
import math
import random
import sys

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.special import logsumexp


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    na = sum(x * x for x in a)
    nb = sum(x * x for x in b)
    return float(dot) / math.sqrt(float(na * nb))


def gen(d):
    rng = random.Random(15)
    rows = []
    prompt = 0
    for kind in ['planted'] * 120 + ['duplicates'] * 40 + ['at_threshold'] * 80 + \
                ['single'] * 10 + ['pair'] * 20 + ['huge'] * 15 + ['tiny'] * 15 + ['wide'] * 10:
        prompt += 1
        dim = rng.choice([2, 3, 5, 8, 17, 64]) if kind != 'wide' else rng.choice([300, 384])
        n = {'single': 1, 'pair': 2}.get(kind, rng.randint(3, 15))
        vecs = []
        if kind in ('planted', 'huge', 'tiny', 'wide', 'pair', 'single'):
            k = rng.randint(1, 4)
            centers = []
            for _ in range(k):
                c = [rng.randint(-9, 9) for _ in range(dim)]
                if not any(c):
                    c[0] = 1
                centers.append(c)
            for _ in range(n):
                c = rng.choice(centers)
                v = [x + (rng.choice([-1, 0, 0, 0, 1]) if rng.random() < 0.5 else 0) for x in c]
                if not any(v):
                    v[0] = 1
                vecs.append(v)
        elif kind == 'duplicates':
            base = [[rng.randint(-3, 3) or 1 for _ in range(dim)] for _ in range(rng.randint(1, 3))]
            vecs = [list(rng.choice(base)) for _ in range(n)]
        else:  # at_threshold: the threshold is one pair's cosine exactly
            for _ in range(n):
                v = [rng.randint(-4, 4) for _ in range(dim)]
                if not any(v):
                    v[0] = 1
                vecs.append(v)
        if kind == 'at_threshold':
            i, j = rng.sample(range(n), 2)
            thr = cosine(vecs[i], vecs[j])
        elif kind == 'duplicates':
            thr = 1.0
        else:
            thr = rng.choice([0.5, 0.8, 0.9, 0.95, 0.99, -0.2, -1.0, 1.0])
        scale = {'huge': 2.0 ** 600, 'tiny': 2.0 ** -600}.get(kind, 1.0)
        for o, v in enumerate(vecs):
            rows.append((prompt, o + 1, kind, repr(thr),
                         '{' + ','.join(repr(float(x) * scale) for x in v) + '}'))
    with open(d + '/emb.csv', 'w', newline='') as f:
        csv.writer(f).writerows(rows)
    ids = []
    for prompt in range(1, 301):
        n = rng.randint(1, 20)
        k = rng.randint(1, 6)
        for o in range(n):
            lp = -rng.expovariate(0.2) if rng.random() > 0.05 else -745.0 - rng.random()
            ids.append((prompt, o + 1, rng.randint(1, k) * 1000003 - 5, repr(lp)))
    with open(d + '/ids.csv', 'w', newline='') as f:
        csv.writer(f).writerows(ids)


def ref(d):
    groups = {}
    with open(d + '/emb.csv') as f:
        for prompt, o, kind, thr, emb in csv.reader(f):
            g = groups.setdefault(int(prompt), {'thr': float(thr), 'rows': []})
            vals = [float(x) for x in emb.strip('{}').split(',')]
            g['rows'].append((int(o), vals))
    out = []
    for prompt, g in sorted(groups.items()):
        rows = [v for _, v in sorted(g['rows'])]
        # back to exact integers (the scale is a power of two)
        m = max(abs(x) for v in rows for x in v)
        e = math.frexp(m)[1]
        ints = [[int(round(math.ldexp(x, 10 - e))) for x in v] for v in rows]
        assert all(math.ldexp(i, e - 10) == x for v, iv in zip(rows, ints) for x, i in zip(v, iv))
        n = len(ints)
        adj = np.zeros((n, n), dtype=np.int8)
        edges = 0
        for i in range(n):
            for j in range(i + 1, n):
                if cosine(ints[i], ints[j]) >= g['thr']:
                    adj[i, j] = adj[j, i] = 1
                    edges += 1
        k, lab = connected_components(csr_matrix(adj), directed=False)
        first = {}
        labels = []
        for x in lab:
            first.setdefault(x, len(first) + 1)
            labels.append(first[x])
        sizes = sorted(np.bincount(lab).tolist())
        shares = [s / n for s in sizes]
        out.append((prompt, 'n', n))
        out.append((prompt, 'clusters', k))
        out.append((prompt, 'largest_share', repr(max(shares))))
        out.append((prompt, 'entropy', repr(-sum(p * math.log(p) for p in shares))))
        out.append((prompt, 'agreement', repr(edges / (n * (n - 1) / 2)) if n >= 2 else ''))
        out.append((prompt, 'labels', '{' + ','.join(map(str, labels)) + '}'))
    ids = {}
    with open(d + '/ids.csv') as f:
        for prompt, o, cid, lp in csv.reader(f):
            ids.setdefault(int(prompt), []).append((int(cid), float(lp)))
    for prompt, rows in sorted(ids.items()):
        cl = sorted(set(c for c, _ in rows))
        counts = np.array([sum(1 for c, _ in rows if c == x) for x in cl], dtype=float)
        p = counts / counts.sum()
        out.append((prompt, 'se_counts', repr(float(-(p * np.log(p)).sum()))))
        lps = np.array([lp for _, lp in rows])
        total = logsumexp(lps)
        lpc = np.array([logsumexp([lp for c, lp in rows if c == x]) for x in cl])
        pc = np.exp(lpc - total)
        out.append((prompt, 'se_weighted', repr(float(-(pc * (lpc - total)).sum()))))
    with open(d + '/ref.csv', 'w', newline='') as f:
        csv.writer(f).writerows(out)


if __name__ == '__main__':
    {'gen': gen, 'ref': ref}[sys.argv[1]](sys.argv[2])
