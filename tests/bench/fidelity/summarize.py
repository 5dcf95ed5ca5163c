"""Collects the fidelity sweep's artifacts (manifest.json 'evaluation' of each m*-k* directory) into results.csv and
report.md: one row per (m, k) with compression (paper App. B/C), table quality and model-output fidelity."""
import argparse
import csv
import datetime
import json
import os
import platform
import re

FIELDS = ["m", "k", "param_ratio", "storage_ratio", "compression_x", "relative_mse", "table_mean_cosine",
          "table_knn_recall10", "model_mean_cosine", "model_p5_cosine", "model_retrieval_recall10", "texts",
          "quantize_s", "fidelity_s"]


def row(d):
    man = json.load(open(os.path.join(d, "manifest.json")))
    ev = man["evaluation"]
    m, k = int(man["params"]["m"]), int(man["params"]["k"])
    v, dim = man["source"]["shape"]
    comp = ev["compression"]
    # App. C: what is stored instead of the fp32 table: the fp32 codebooks plus the V x m ConceptIDs.
    storage = (comp["embedding_params_after"] * 4 + comp["mapping_bytes"]) / (v * dim * 4)
    mo = ev["model_output"]
    t = mo["timings_s"]
    return {
        "m": m, "k": k,
        "param_ratio": comp["param_ratio"],
        "storage_ratio": storage,
        "compression_x": 1 / storage,
        "relative_mse": ev["relative_mse"],
        "table_mean_cosine": ev["mean_cosine"],
        "table_knn_recall10": ev["knn"]["recall"],
        "model_mean_cosine": mo["mean_cosine"],
        "model_p5_cosine": mo["p5_cosine"],
        "model_retrieval_recall10": mo["retrieval_agreement"]["recall"],
        "texts": mo["texts"],
        "quantize_s": sum(man.get("timings_s", {}).values()),
        "fidelity_s": t["tokenize"] + t["original_model"] + t["asg_model"],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sweep-dir", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--command", default="")
    a = ap.parse_args()
    dirs = [os.path.join(a.sweep_dir, n) for n in os.listdir(a.sweep_dir) if re.fullmatch(r"m\d+-k\d+", n)]
    rows = sorted((row(d) for d in dirs if os.path.exists(os.path.join(d, "manifest.json"))),
                  key=lambda r: (r["m"], r["k"]))
    with open(os.path.join(a.out_dir, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow(r)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    out = [
        "# Model-output fidelity sweep: all-MiniLM-L6-v2 (30522 x 384)",
        "",
        f"Generated {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `{a.command}` "
        f"on {os.cpu_count()} cores ({cpu}), Python {platform.python_version()} for this summary. The `quantize s` and "
        f"`fidelity s` columns are wall seconds (manifest timings) on a machine shared with other jobs (1-minute load "
        f"average {os.getloadavg()[0]:.1f} when this summary was written): indicative only; the quality columns do not "
        "depend on load.",
        "",
        "Each row: `asg quantize` (separate codebooks, seed 1234) of the model's `embeddings.word_embeddings.weight`, "
        "then `asg evaluate --model --texts` on the first 1000 sentences of `spark-job/bin/fortune-sentences` "
        "(Debian fortunes-min). Table columns: relative MSE over all tokens, mean cosine(x, x̂), kNN recall@10 of "
        "2000 seeded query tokens. Model columns: the model run with ONNX Runtime as it is and with the ASG table, "
        "sentence vectors mean-pooled over tokens; cosine between each text's two vectors (mean and nearest-rank 5th "
        "percentile); retrieval agreement = recall@10 of each text's ASG-model neighbours among its original-model "
        "neighbours over all texts. Compression (paper App. B/C): `params` = embedding parameters after / before "
        "(k·D / V·D); `storage` = (fp32 codebooks + V·m ConceptIDs at the smallest integer width) / fp32 table; "
        "`x` = 1 / storage.",
        "",
        "| m | k | params | storage | x | rel. MSE | table cos | table kNN@10 | model cos | model p5 cos "
        "| retrieval@10 | quantize s | fidelity s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(f"| {r['m']} | {r['k']} | {r['param_ratio']:.5f} | {r['storage_ratio']:.4f} | "
                   f"{r['compression_x']:.1f} | {r['relative_mse']:.4f} | {r['table_mean_cosine']:.4f} | "
                   f"{r['table_knn_recall10']:.4f} | {r['model_mean_cosine']:.4f} | {r['model_p5_cosine']:.4f} | "
                   f"{r['model_retrieval_recall10']:.4f} | {r['quantize_s']:.0f} | {r['fidelity_s']:.1f} |")
    out.append("")
    out.append("Plot: `notebooks/04_fidelity_sweep.ipynb` (reads `results.csv`).")
    out.append("")
    with open(os.path.join(a.out_dir, "report.md"), "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
