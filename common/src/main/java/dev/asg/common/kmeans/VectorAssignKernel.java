package dev.asg.common.kmeans;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AssignKernel} on the incubating Vector API. Only {@link AssignKernels} may touch this class, and only after
 * checking that {@code jdk.incubator.vector} is in the boot layer: loading it without the module fails.
 *
 * <p>Shape of the computation (L = lanes, 8 on AVX2; a panel is {@link PreparedCodebook#PANEL} = 32 centroids):
 * <ul>
 *   <li>Rows are copied 32 at a time into a tile, row i at {@code tile[d * 32 + i]}: the codebook panel's stride,
 *       so in the dimension loop one induction variable q = d * 32 indexes both the panel ({@code p + q}) and the
 *       tile ({@code q + i}), C2 removes every bounds check, and the strided gather of a row is paid once.</li>
 *   <li>Register block: 2 rows x 4 vectors of centroids = 8 accumulators, each starting at the centroids'
 *       {@code -||c||^2 / 2} (the contract's chain start). Per dimension it loads 4 centroid vectors, broadcasts
 *       x[r][d] of each row and issues 8 lane-wise fmas. 2 x 4 was the fastest block measured on the 2-core AVX2
 *       EPYC this was tuned on; blocks with 12 or more accumulators (3x4, 4x3), and unrolling the dimension loop,
 *       made C2 spill accumulators to the stack inside the loop and ran 30-40% slower.</li>
 *   <li>After the loop {@link #keepBest} folds each accumulator into the row's running per-lane best: one strict
 *       {@code >} compare and two blends (value, and the centroid index carried as a float, exact up to
 *       {@link PreparedCodebook#MAX_K}). Because the norm is already inside the chain there is no score arithmetic
 *       left: this epilogue costs 3 vector operations per 8 centroids, against the 5 operations, 3 loads and a
 *       store per 8 of the earlier zero-start version (which ran at 44% of the FMA peak; this one at ~60%).</li>
 *   <li>Each lane sees the centroids j = lane (mod L) in increasing order and keeps the first strict maximum, so
 *       after the last panel each lane holds its lowest-index maximum; {@link KernelScratch#finish} then picks the
 *       maximum over lanes, lowest index on ties. That is the scalar kernel's answer, bit for bit.</li>
 *   <li>Rows left over (n odd) run the 1-row block, whose per-lane operations are the same, so a row's result
 *       never depends on its position.</li>
 *   <li>A row none of whose chains is above -Infinity (possible only with non-finite or overflowing input) is
 *       handed to {@link ScalarAssignKernel#assignRow}, which defines that case.</li>
 * </ul>
 */
final class VectorAssignKernel implements AssignKernel {

  /**
   * At most 256 bits: the block below is tuned for 16 registers of 8 floats; with 512-bit vectors a 4-vector row
   * block would span two panels ({@link Vector512AssignKernel} handles that width). With 128-bit vectors each
   * panel is processed in two halves.
   */
  private static final VectorSpecies<Float> S =
      FloatVector.SPECIES_PREFERRED.length() > 8 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final int P = PreparedCodebook.PANEL;
  /** Centroids one register block covers: 4 vectors. */
  private static final int BLOCK = 4 * L;

  static final VectorAssignKernel INSTANCE = new VectorAssignKernel();

  private VectorAssignKernel() {}

  /**
   * Whether this kernel is worth using here: the vector shape fits the panel layout (4 or 8 float lanes) and the
   * JIT emits fused multiply-add instructions. Without hardware FMA (x86 before Haswell / Piledriver, or
   * {@code -XX:-UseFMA}) every lane-wise fma falls back to a Java loop and the kernel runs over 100x slower than
   * the scalar one.
   */
  static boolean supported() {
    return (L == 4 || L == 8) && P % BLOCK == 0 && hardwareFma();
  }

  /** HotSpot's UseFMA flag; true where it cannot be read (another VM, or jdk.management not resolved). */
  static boolean hardwareFma() {
    try {
      HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      return hs == null || Boolean.parseBoolean(hs.getVMOption("UseFMA").getValue());
    } catch (RuntimeException | LinkageError e) {
      return true;
    }
  }

  @Override
  public void assign(float[] x, int xOff, int xStride, int n, PreparedCodebook cb,
      int[] idx, int idxOff, int idxStride, float[] score, int scoreOff, int scoreStride) {
    if (n < 0) {
      throw new IllegalArgumentException("n=" + n + " must be >= 0");
    }
    if (n == 0) {
      return;
    }
    run(x, xOff, xStride, n, cb, new KernelScratch(cb, L, 2, 0, null, idx, idxOff, idxStride, score, scoreOff,
        scoreStride, null));
  }

  @Override
  public void assignRows(float[] x, int xOff, int xStride, int[] rows, int n, PreparedCodebook cb,
      int[] idx, float[] score, float[] second, int outOff, int outStride) {
    if (n < 0) {
      throw new IllegalArgumentException("n=" + n + " must be >= 0");
    }
    if (n == 0) {
      return;
    }
    run(x, xOff, xStride, n, cb, new KernelScratch(cb, L, 2, 0, rows, idx, outOff, outStride, score, outOff,
        outStride, second));
  }

  private static void run(float[] x, int xOff, int xStride, int n, PreparedCodebook cb, KernelScratch s) {
    for (int r0 = 0; r0 < n; r0 += P) {
      int rows = Math.min(P, n - r0);
      s.load(x, xOff, xStride, r0, rows);
      int i = 0;
      if (s.secondScore != null) {
        for (; i < rows; i++) {
          rows1Top2(i, cb, s);
          s.finish(x, xOff, xStride, r0 + i, 1, cb);
        }
      }
      for (; i + 2 <= rows; i += 2) {
        rows2(i, cb, s);
        s.finish(x, xOff, xStride, r0 + i, 2, cb);
      }
      if (i < rows) {
        rows1(i, cb, s);
        s.finish(x, xOff, xStride, r0 + i, 1, cb);
      }
    }
  }

  @Override
  public String name() {
    return "vector-" + S.vectorBitSize() + "-" + L;
  }

  /** Tile rows i and i + 1: the 2 x 4 register block. */
  private static void rows2(int i, PreparedCodebook cb, KernelScratch s) {
    float[] t = cb.panels();
    float[] h = cb.negHalfNorms();
    float[] ids = cb.ids();
    int dsub = cb.dsub();
    int kPad = cb.kPad();
    int qEnd = dsub * P;
    float[] xt = s.tile;
    float[] bs = s.bestScore;
    float[] bi = s.bestIdx;
    FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).intoArray(bs, 0);
    FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).intoArray(bs, L);
    FloatVector.broadcast(S, -1f).intoArray(bi, 0);
    FloatVector.broadcast(S, -1f).intoArray(bi, L);
    for (int j = 0, panel = 0; j < kPad; j += P, panel += P * dsub) {
      for (int hh = 0; hh < P; hh += BLOCK) {
        int p = panel + hh;
        int jb = j + hh;
        FloatVector a00 = FloatVector.fromArray(S, h, jb);
        FloatVector a01 = FloatVector.fromArray(S, h, jb + L);
        FloatVector a02 = FloatVector.fromArray(S, h, jb + 2 * L);
        FloatVector a03 = FloatVector.fromArray(S, h, jb + 3 * L);
        FloatVector a10 = a00;
        FloatVector a11 = a01;
        FloatVector a12 = a02;
        FloatVector a13 = a03;
        for (int q = 0; q < qEnd; q += P) {
          FloatVector c0 = FloatVector.fromArray(S, t, p + q);
          FloatVector c1 = FloatVector.fromArray(S, t, p + q + L);
          FloatVector c2 = FloatVector.fromArray(S, t, p + q + 2 * L);
          FloatVector c3 = FloatVector.fromArray(S, t, p + q + 3 * L);
          FloatVector x0 = FloatVector.broadcast(S, xt[q + i]);
          a00 = x0.fma(c0, a00);
          a01 = x0.fma(c1, a01);
          a02 = x0.fma(c2, a02);
          a03 = x0.fma(c3, a03);
          FloatVector x1 = FloatVector.broadcast(S, xt[q + i + 1]);
          a10 = x1.fma(c0, a10);
          a11 = x1.fma(c1, a11);
          a12 = x1.fma(c2, a12);
          a13 = x1.fma(c3, a13);
        }
        keepBest(bs, bi, 0, ids, jb, a00, a01, a02, a03);
        keepBest(bs, bi, L, ids, jb, a10, a11, a12, a13);
      }
    }
  }

  /** Tile row i alone: the same per-lane operations as {@link #rows2}, for the last row when n is odd. */
  private static void rows1(int i, PreparedCodebook cb, KernelScratch s) {
    float[] t = cb.panels();
    float[] h = cb.negHalfNorms();
    float[] ids = cb.ids();
    int dsub = cb.dsub();
    int kPad = cb.kPad();
    int qEnd = dsub * P;
    float[] xt = s.tile;
    float[] bs = s.bestScore;
    float[] bi = s.bestIdx;
    FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).intoArray(bs, 0);
    FloatVector.broadcast(S, -1f).intoArray(bi, 0);
    for (int j = 0, panel = 0; j < kPad; j += P, panel += P * dsub) {
      for (int hh = 0; hh < P; hh += BLOCK) {
        int p = panel + hh;
        int jb = j + hh;
        FloatVector a00 = FloatVector.fromArray(S, h, jb);
        FloatVector a01 = FloatVector.fromArray(S, h, jb + L);
        FloatVector a02 = FloatVector.fromArray(S, h, jb + 2 * L);
        FloatVector a03 = FloatVector.fromArray(S, h, jb + 3 * L);
        for (int q = 0; q < qEnd; q += P) {
          FloatVector x0 = FloatVector.broadcast(S, xt[q + i]);
          a00 = x0.fma(FloatVector.fromArray(S, t, p + q), a00);
          a01 = x0.fma(FloatVector.fromArray(S, t, p + q + L), a01);
          a02 = x0.fma(FloatVector.fromArray(S, t, p + q + 2 * L), a02);
          a03 = x0.fma(FloatVector.fromArray(S, t, p + q + 3 * L), a03);
        }
        keepBest(bs, bi, 0, ids, jb, a00, a01, a02, a03);
      }
    }
  }

  /**
   * {@link #rows1} keeping the runner-up too, used for every row of {@link #assignRows}. Separate methods, not a
   * flag, and one row rather than two: C2 inlines a vector fold only below its size limits (325 bytecodes per
   * callee, and a node budget per compiled method); a fold it does not inline boxes the vectors and the kernel
   * runs 10x slower. The 2-row version of this block exceeded the budget.
   */
  private static void rows1Top2(int i, PreparedCodebook cb, KernelScratch s) {
    float[] t = cb.panels();
    float[] h = cb.negHalfNorms();
    float[] ids = cb.ids();
    int dsub = cb.dsub();
    int kPad = cb.kPad();
    int qEnd = dsub * P;
    float[] xt = s.tile;
    float[] bs = s.bestScore;
    float[] bi = s.bestIdx;
    float[] b2 = s.secondScore;
    FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).intoArray(bs, 0);
    FloatVector.broadcast(S, -1f).intoArray(bi, 0);
    FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).intoArray(b2, 0);
    for (int j = 0, panel = 0; j < kPad; j += P, panel += P * dsub) {
      for (int hh = 0; hh < P; hh += BLOCK) {
        int p = panel + hh;
        int jb = j + hh;
        FloatVector a00 = FloatVector.fromArray(S, h, jb);
        FloatVector a01 = FloatVector.fromArray(S, h, jb + L);
        FloatVector a02 = FloatVector.fromArray(S, h, jb + 2 * L);
        FloatVector a03 = FloatVector.fromArray(S, h, jb + 3 * L);
        for (int q = 0; q < qEnd; q += P) {
          FloatVector x0 = FloatVector.broadcast(S, xt[q + i]);
          a00 = x0.fma(FloatVector.fromArray(S, t, p + q), a00);
          a01 = x0.fma(FloatVector.fromArray(S, t, p + q + L), a01);
          a02 = x0.fma(FloatVector.fromArray(S, t, p + q + 2 * L), a02);
          a03 = x0.fma(FloatVector.fromArray(S, t, p + q + 3 * L), a03);
        }
        keepBestAndSecond(bs, bi, b2, 0, ids, jb, a00, a01, a02, a03);
      }
    }
  }

  /**
   * Folds one row's chains for centroids jb .. jb + 4L - 1 into its running per-lane best at {@code bs[off..]}
   * and {@code bi[off..]}: a strict {@code >} per vector, in increasing j, so each lane keeps its first maximum
   * and NaN never wins. Three vector operations per 8 centroids (compare, two blends): the norm already sits in
   * the chain, so no score arithmetic is left here.
   */
  private static void keepBest(float[] bs, float[] bi, int off, float[] ids, int jb, FloatVector a0,
      FloatVector a1, FloatVector a2, FloatVector a3) {
    FloatVector best = FloatVector.fromArray(S, bs, off);
    FloatVector bestJ = FloatVector.fromArray(S, bi, off);
    VectorMask<Float> m = a0.compare(VectorOperators.GT, best);
    best = best.blend(a0, m);
    bestJ = bestJ.blend(FloatVector.fromArray(S, ids, jb), m);
    m = a1.compare(VectorOperators.GT, best);
    best = best.blend(a1, m);
    bestJ = bestJ.blend(FloatVector.fromArray(S, ids, jb + L), m);
    m = a2.compare(VectorOperators.GT, best);
    best = best.blend(a2, m);
    bestJ = bestJ.blend(FloatVector.fromArray(S, ids, jb + 2 * L), m);
    m = a3.compare(VectorOperators.GT, best);
    best = best.blend(a3, m);
    bestJ = bestJ.blend(FloatVector.fromArray(S, ids, jb + 3 * L), m);
    best.intoArray(bs, off);
    bestJ.intoArray(bi, off);
  }

  /**
   * {@link #keepBest}, and the per-lane runner-up at {@code b2[off..]}: each chain's loser against the running
   * best (the old best if the chain beats it, else the chain itself) replaces the runner-up on a strict {@code >},
   * so NaN never counts. Per lane that leaves the largest chain other than the lane's winner; {@link
   * KernelScratch#finish} combines the lanes. The scalar kernel runs the same fold per chain. Two more operations per
   * vector than keepBest, paid only by {@link #assignRows}.
   */
  private static void keepBestAndSecond(float[] bs, float[] bi, float[] b2, int off, float[] ids, int jb,
      FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
    // Two halves: one method for all four would exceed C2's inlining limit for hot methods (325 bytecodes), and
    // an accumulator passed to a method that is not inlined gets boxed.
    keepBestAndSecond(bs, bi, b2, off, ids, jb, a0, a1);
    keepBestAndSecond(bs, bi, b2, off, ids, jb + 2 * L, a2, a3);
  }

  /** {@link #keepBestAndSecond} for two vectors of centroids, jb .. jb + 2L - 1. */
  private static void keepBestAndSecond(float[] bs, float[] bi, float[] b2, int off, float[] ids, int jb,
      FloatVector a0, FloatVector a1) {
    FloatVector best = FloatVector.fromArray(S, bs, off);
    FloatVector bestJ = FloatVector.fromArray(S, bi, off);
    FloatVector sec = FloatVector.fromArray(S, b2, off);
    VectorMask<Float> m = a0.compare(VectorOperators.GT, best);
    FloatVector loser = a0.blend(best, m);
    sec = sec.blend(loser, loser.compare(VectorOperators.GT, sec));
    best = best.blend(a0, m);
    bestJ = bestJ.blend(FloatVector.fromArray(S, ids, jb), m);
    m = a1.compare(VectorOperators.GT, best);
    loser = a1.blend(best, m);
    sec = sec.blend(loser, loser.compare(VectorOperators.GT, sec));
    best = best.blend(a1, m);
    bestJ = bestJ.blend(FloatVector.fromArray(S, ids, jb + L), m);
    best.intoArray(bs, off);
    bestJ.intoArray(bi, off);
    sec.intoArray(b2, off);
  }

}
