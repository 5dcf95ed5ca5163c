#!/usr/bin/python3
"""ASGOutputHead (factored and materialized) against a dense nn.Linear(D, V): forward + backward time and peak memory.

    /usr/bin/python3 tests/bench/output_head_bench.py                 # XLM-R and mBERT shapes, batches 1/32/512
    /usr/bin/python3 tests/bench/output_head_bench.py --shapes mbert --batches 32 --threads 2

One step = logits for B hidden vectors, cross-entropy against random targets, backward into the layer's parameters
(E' for ASG, the V x D weight for dense). Every (shape, layer, batch) runs in its own child process so its peak
memory is its own: "peak MB" is the child's peak RSS (getrusage) minus its RSS after building the layer, i.e. what
one step adds on top of the parameters (activations, logits, gradients). The codebook and mapping are random (a
uniform mapping, like a balanced k-means): layer speed does not depend on the values. Time is the median of
--reps steps after one warm-up step. CPU only; prints a Markdown table.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

SHAPES = {"xlmr": (250002, 768, 48, 1024), "mbert": (119547, 768, 48, 512)}


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(shape, layer, batch, reps, threads):
    import torch
    import torch.nn.functional as F
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "notebooks"))
    import asg_torch as A

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    V, D, m, k = SHAPES[shape]
    if layer == "dense":
        mod = torch.nn.Linear(D, V, bias=False)
    else:
        codebook = torch.randn(m * k, D // m) * 0.05
        ids = torch.randint(0, k, (V, m)) + torch.arange(m) * k
        mod = A.ASGOutputHead(codebook, ids, m, k, "separate", materialize=(layer == "materialized"))
    h = torch.randn(batch, D)
    target = torch.randint(0, V, (batch,))
    params = sum(p.numel() for p in mod.parameters())
    base = rss_mb()

    def step():
        mod.zero_grad(set_to_none=True)
        loss = F.cross_entropy(mod(h), target)
        loss.backward()

    step()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times.sort()
    print(json.dumps({"ms": 1000 * times[len(times) // 2], "peak_mb": peak - base, "params": params}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shapes", default="xlmr,mbert")
    ap.add_argument("--batches", default="1,32,512")
    ap.add_argument("--layers", default="dense,factored,materialized")
    ap.add_argument("--reps", type=int, default=3, help="timed steps per cell (1 for batch >= 512)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child[0], a.child[1], int(a.child[2]), int(a.child[3]), a.threads)
        return
    print(f"# ASGOutputHead vs nn.Linear, CPU, {a.threads} threads, nproc {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f} at start\n")
    print("| shape (V, D, m, k) | batch | layer | params | fwd+bwd ms | peak MB above params |")
    print("|---|---|---|---|---|---|")
    for shape in a.shapes.split(","):
        for batch in (int(b) for b in a.batches.split(",")):
            for layer in a.layers.split(","):
                reps = a.reps if batch < 512 else 1
                out = subprocess.run([sys.executable, __file__, "--threads", str(a.threads), "--child", shape, layer,
                                      str(batch), str(reps)], capture_output=True, text=True)
                if out.returncode != 0:
                    print(f"| {shape} | {batch} | {layer} | failed: {out.stderr.strip().splitlines()[-1]} | | |")
                    continue
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"| {shape} {SHAPES[shape]} | {batch} | {layer} | {r['params']:,} | {r['ms']:.1f} | "
                      f"{r['peak_mb']:.0f} |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
