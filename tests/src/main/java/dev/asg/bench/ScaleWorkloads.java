package dev.asg.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 13's scale workloads (the paper's configurations) and the LLM-sized table, all run with our defaults.
 * Iteration counts come from the brute-force FLOPs of one iteration ({@link Workload#flopsPerIteration}) to keep
 * the mode to an estimated 20-30 minutes on 2 idle cores (the LLM table alone ~10; tests/bench/README.md), with
 * seeding at its 5% target: 25 where one iteration is under ~0.5 TFLOP, fewer above, the rest extrapolated from
 * the last iterations (the report says so in the row).
 */
final class ScaleWorkloads {
  static final int MT5_ROWS = 250112;
  static final int BERT_ROWS = 30522;
  static final int XLMR_ROWS = 250002;
  static final int LLM_ROWS = 128256;
  static final int LLM_DIM = 8192;
  static final int LLM_SHARDS = 4;
  static final String LLM_TENSOR = "model.embed_tokens.weight";
  /** Heap for the LLM table: 2.1 GB of BF16 read into ~4.2 GB of float32 blocks, plus sample and codebooks. */
  static final String LLM_DRIVER_MEMORY = "16g";

  /** One workload and the bin/asg options it needs (before the command). */
  record Item(Workload workload, List<String> launcherOptions, String note) {}

  private final List<Item> items = new ArrayList<>();

  /**
   * @param only run the workloads whose name starts with this (all when empty)
   * @param iterationsOverride 0, or the iterations every workload runs
   */
  ScaleWorkloads(Bench.Synth synth, String only, int iterationsOverride) throws Exception {
    // name, rows, dim, m, k, codebook, iterations (of 25), table
    add(synth, only, iterationsOverride, "mt5-m32-k1024", MT5_ROWS, 512, 32, 1024, "separate", 25, "mt5");
    add(synth, only, iterationsOverride, "mt5-m32-k8192", MT5_ROWS, 512, 32, 8192, "separate", 10, "mt5");
    add(synth, only, iterationsOverride, "mt5-m64-k1024", MT5_ROWS, 512, 64, 1024, "separate", 25, "mt5");
    add(synth, only, iterationsOverride, "mt5-shared-m32-k16384", MT5_ROWS, 512, 32, 16384, "shared", 8, "mt5");
    add(synth, only, iterationsOverride, "mt5-shared-m32-k32768", MT5_ROWS, 512, 32, 32768, "shared", 4, "mt5");
    add(synth, only, iterationsOverride, "xlmr-m48-k1024", XLMR_ROWS, 768, 48, 1024, "separate", 25, "xlmr");
    add(synth, only, iterationsOverride, "bert-m48-k128", BERT_ROWS, 768, 48, 128, "separate", 25, "bert");
    add(synth, only, iterationsOverride, "bert-m48-k512", BERT_ROWS, 768, 48, 512, "separate", 25, "bert");
    if ("llm-128256x8192-bf16".startsWith(only)) {
      int iters = iterationsOverride > 0 ? iterationsOverride : 5;
      Path index = synth.sharded("llm", LLM_ROWS, LLM_DIM, 512, 256, LLM_SHARDS, LLM_TENSOR);
      Workload w = new Workload("llm-128256x8192-bf16", index, LLM_TENSOR, LLM_ROWS, LLM_DIM, 512, 256,
          "separate", iters, 0, 0, "synthetic BF16, " + LLM_SHARDS + " safetensors shards");
      items.add(new Item(w, List.of("--driver-memory", LLM_DRIVER_MEMORY), "--driver-memory " + LLM_DRIVER_MEMORY
          + "; " + LLM_SHARDS + " shards, BF16"));
    }
  }

  private void add(Bench.Synth synth, String only, int override, String name, int rows, int dim, int m, int k,
      String codebook, int iterations, String table) throws Exception {
    if (!name.startsWith(only)) {
      return;
    }
    // Tables are planted with the workload's m and k of the first user; all use noise 0.05 like the main ones.
    Path in = synth.table(table, rows, dim, table.equals("mt5") ? 32 : 48, table.equals("bert") ? 512 : 1024);
    int iters = override > 0 ? override : iterations;
    Workload w = new Workload(name, in, Tables.TENSOR, rows, dim, m, k, codebook, iters, 0, 0, "synthetic");
    items.add(new Item(w, List.of(), "synthetic " + rows + " x " + dim));
  }

  List<Item> items() {
    return items;
  }
}
