#!/usr/bin/python3
"""faiss runner for tests/bench: product-quantizes one safetensors table exactly like `asg quantize` is asked
to (same m, k, iterations, seed, max points per centroid) and prints ONE JSON line with the timings and the
relative MSE computed as asg computes it (sum over all tokens of ||x - x_hat||^2 / sum of ||x||^2, float64).

Separate codebooks: faiss.ProductQuantizer (one k-means per segment, random init). Shared: faiss.Kmeans on all
sub-vectors pooled. Threading comes from the environment (OMP_NUM_THREADS must be set before faiss loads).
Only json + numpy parse the file, so no safetensors package is needed.

`faiss_pq.py --version` prints the faiss version and the BLAS library it loaded: Debian's default libblas3 is
the unoptimised reference BLAS (faiss trained 2-4x slower on it here than on OpenBLAS), so the report names
the one in use.
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np

DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": "bf16"}
# Rows per compute_codes call: its distance table is rows x m x k floats (4096 x 48 x 1024 x 4 B = 805 MB).
ENCODE_ROWS = 4096


def loaded_blas():
    """The shared libraries mapped into this process whose file name names a BLAS (after `import faiss`)."""
    libs = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                name = os.path.basename(path)
                if path.startswith("/") and ("blas" in name or "mkl" in name) and ".so" in name:
                    libs.add(os.path.realpath(path))
    except OSError:
        return "unknown (no /proc/self/maps)"
    return ", ".join(sorted(libs)) or "none found"


def load(path, tensor):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        header.pop("__metadata__", None)
        if tensor is None:
            two_d = [k for k, v in header.items() if len(v["shape"]) == 2]
            if len(two_d) != 1:
                sys.exit(f"faiss_pq: {path} has 2-D tensors {two_d}; pass --tensor NAME")
            tensor = two_d[0]
        meta = header[tensor]
        start, end = meta["data_offsets"]
        f.seek(8 + n + start)
        raw = f.read(end - start)
    rows, dim = meta["shape"]
    dt = DTYPES.get(meta["dtype"])
    if dt is None:
        sys.exit(f"faiss_pq: dtype {meta['dtype']} of {tensor} is not supported; use F32, F16 or BF16")
    if dt == "bf16":
        x = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    else:
        x = np.frombuffer(raw, dtype=dt).astype(np.float32)
    return np.ascontiguousarray(x.reshape(rows, dim))


def main():
    if sys.argv[1:] == ["--version"]:
        import faiss
        print(f"faiss {faiss.__version__} with BLAS {loaded_blas()}")
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--tensor")
    ap.add_argument("--m", type=int, required=True)
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--iterations", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--codebook", choices=["separate", "shared"], default="separate")
    ap.add_argument("--max-points-per-centroid", type=int, default=256)
    a = ap.parse_args()

    import faiss  # after argparse: OMP_NUM_THREADS is read when faiss loads

    t_load = time.perf_counter()
    x = load(a.input, a.tensor)
    load_s = time.perf_counter() - t_load
    v, d = x.shape
    dsub = d // a.m
    t0 = time.perf_counter()
    if a.codebook == "separate":
        nbits = a.k.bit_length() - 1
        if 1 << nbits != a.k:
            sys.exit(f"faiss_pq: --k {a.k} must be a power of two for faiss.ProductQuantizer")
        pq = faiss.ProductQuantizer(d, a.m, nbits)
        pq.cp.niter = a.iterations
        pq.cp.seed = a.seed
        pq.cp.max_points_per_centroid = a.max_points_per_centroid
        pq.train(x)
        train_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        # In row chunks: faiss 1.7.3's compute_codes builds an n x m x k float distance table for the whole call
        # (11.9 GB for the mBERT shape; std::bad_alloc for XLM-R's 250k x 48 x 1024 on a 24 GiB machine).
        codes = np.concatenate([pq.compute_codes(np.ascontiguousarray(x[r:r + ENCODE_ROWS]))
                                for r in range(0, v, ENCODE_ROWS)])
        encode_s = time.perf_counter() - t1
        xhat = pq.decode(codes)
    else:
        sub = np.ascontiguousarray(x.reshape(v * a.m, dsub))
        km = faiss.Kmeans(dsub, a.k, niter=a.iterations, seed=a.seed,
                          max_points_per_centroid=a.max_points_per_centroid)
        km.train(sub)
        train_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        _, ids = km.index.search(sub, 1)
        encode_s = time.perf_counter() - t1
        xhat = km.centroids[ids[:, 0]].reshape(v, d)
    # In row chunks so the float64 copies do not inflate the peak RSS we report for faiss.
    err = norm = 0.0
    for r in range(0, v, 8192):
        xc = x[r:r + 8192].astype(np.float64)
        dc = xc - xhat[r:r + 8192].astype(np.float64)
        err += float((dc * dc).sum())
        norm += float((xc * xc).sum())
    rel_mse = err / norm
    print(json.dumps({
        "engine": "faiss", "faiss_version": faiss.__version__, "blas": loaded_blas(), "rows": v, "dim": d,
        "omp_threads": os.environ.get("OMP_NUM_THREADS", "default"), "omp_max_threads": faiss.omp_get_max_threads(),
        "load_s": round(load_s, 3), "train_s": round(train_s, 3), "encode_s": round(encode_s, 3),
        "total_s": round(train_s + encode_s, 3), "relative_mse": rel_mse,
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == "__main__":
    main()
