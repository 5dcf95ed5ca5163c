package dev.asg.common.kmeans;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AssignKernel} on 512-bit vectors (16 float lanes), for CPUs whose preferred vector width is 512 bits
 * (AVX-512). Same contract and same bits as {@link VectorAssignKernel} and {@link ScalarAssignKernel}: lanes run
 * across centroids, so each centroid's chain (start at {@code -||c||^2 / 2}, one fma per dimension in order) is
 * the same whatever the lane count, and the lane reduction ({@link KernelScratch#finish}) is shared.
 *
 * <p>Register block: 4 rows x 2 vectors = one 32-centroid panel, 8 accumulators (of 32 registers), the same count
 * the 256-bit kernel found fastest; per dimension 2 centroid loads, 4 broadcasts, 8 fmas. Rows left over (n not a
 * multiple of 4) run the 1-row block with the same per-lane operations. Only {@link AssignKernels} may load this
 * class, after the module check.
 */
final class Vector512AssignKernel implements AssignKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
  private static final int L = 16;
  private static final int P = PreparedCodebook.PANEL;
  private static final int ROWS = 4;

  static final Vector512AssignKernel INSTANCE = new Vector512AssignKernel();

  private Vector512AssignKernel() {}

  /**
   * Whether the CPU runs 512-bit vectors natively (the JIT's preferred species is that wide; otherwise the species
   * would be emulated, far slower) with hardware fma, and a panel is two vectors.
   */
  static boolean supported() {
    return FloatVector.SPECIES_PREFERRED.length() == L && S.length() == L && P == 2 * L
        && VectorAssignKernel.hardwareFma();
  }

  @Override
  public void assign(float[] x, int xOff, int xStride, int n, PreparedCodebook cb,
      int[] idx, int idxOff, int idxStride, float[] score, int scoreOff, int scoreStride) {
    if (n < 0) {
      throw new IllegalArgumentException("n=" + n + " must be >= 0");
    }
    if (n > 0) {
      run(x, xOff, xStride, n, cb, new KernelScratch(cb, L, ROWS, null, idx, idxOff, idxStride, score, scoreOff,
          scoreStride, null));
    }
  }

  @Override
  public void assignRows(float[] x, int xOff, int xStride, int[] rows, int n, PreparedCodebook cb,
      int[] idx, float[] score, float[] second, int outOff, int outStride) {
    if (n < 0) {
      throw new IllegalArgumentException("n=" + n + " must be >= 0");
    }
    if (n > 0) {
      run(x, xOff, xStride, n, cb, new KernelScratch(cb, L, ROWS, rows, idx, outOff, outStride, score, outOff,
          outStride, second));
    }
  }

  @Override
  public String name() {
    return "vector-512-16";
  }

  private static void run(float[] x, int xOff, int xStride, int n, PreparedCodebook cb, KernelScratch s) {
    for (int r0 = 0; r0 < n; r0 += P) {
      int rows = Math.min(P, n - r0);
      s.load(x, xOff, xStride, r0, rows);
      int i = 0;
      if (s.secondScore != null) {
        for (; i + 2 <= rows; i += 2) {
          rows2Top2(i, cb, s);
          s.finish(x, xOff, xStride, r0 + i, 2, cb);
        }
      }
      for (; i + ROWS <= rows; i += ROWS) {
        rows4(i, cb, s);
        s.finish(x, xOff, xStride, r0 + i, ROWS, cb);
      }
      for (; i < rows; i++) {
        if (s.secondScore != null) {
          rows1Top2(i, cb, s);
        } else {
          rows1(i, cb, s);
        }
        s.finish(x, xOff, xStride, r0 + i, 1, cb);
      }
    }
  }

  private static void reset(KernelScratch s, int rows) {
    for (int r = 0; r < rows; r++) {
      FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).intoArray(s.bestScore, r * L);
      FloatVector.broadcast(S, -1f).intoArray(s.bestIdx, r * L);
      if (s.secondScore != null) {
        FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).intoArray(s.secondScore, r * L);
      }
    }
  }

  /** Tile rows i .. i + 3: the 4 x 2 register block, one panel per pass. */
  private static void rows4(int i, PreparedCodebook cb, KernelScratch s) {
    float[] t = cb.panels();
    float[] h = cb.negHalfNorms();
    float[] ids = cb.ids();
    int qEnd = cb.dsub() * P;
    int kPad = cb.kPad();
    float[] xt = s.tile;
    reset(s, ROWS);
    for (int j = 0, p = 0; j < kPad; j += P, p += P * cb.dsub()) {
      FloatVector a00 = FloatVector.fromArray(S, h, j);
      FloatVector a01 = FloatVector.fromArray(S, h, j + L);
      FloatVector a10 = a00;
      FloatVector a11 = a01;
      FloatVector a20 = a00;
      FloatVector a21 = a01;
      FloatVector a30 = a00;
      FloatVector a31 = a01;
      for (int q = 0; q < qEnd; q += P) {
        FloatVector c0 = FloatVector.fromArray(S, t, p + q);
        FloatVector c1 = FloatVector.fromArray(S, t, p + q + L);
        FloatVector x0 = FloatVector.broadcast(S, xt[q + i]);
        a00 = x0.fma(c0, a00);
        a01 = x0.fma(c1, a01);
        FloatVector x1 = FloatVector.broadcast(S, xt[q + i + 1]);
        a10 = x1.fma(c0, a10);
        a11 = x1.fma(c1, a11);
        FloatVector x2 = FloatVector.broadcast(S, xt[q + i + 2]);
        a20 = x2.fma(c0, a20);
        a21 = x2.fma(c1, a21);
        FloatVector x3 = FloatVector.broadcast(S, xt[q + i + 3]);
        a30 = x3.fma(c0, a30);
        a31 = x3.fma(c1, a31);
      }
      keep(s, 0, ids, j, a00, a01);
      keep(s, L, ids, j, a10, a11);
      keep(s, 2 * L, ids, j, a20, a21);
      keep(s, 3 * L, ids, j, a30, a31);
    }
  }

  /** Tile row i alone, with the per-lane operations of {@link #rows4}. */
  private static void rows1(int i, PreparedCodebook cb, KernelScratch s) {
    float[] t = cb.panels();
    float[] h = cb.negHalfNorms();
    float[] ids = cb.ids();
    int qEnd = cb.dsub() * P;
    int kPad = cb.kPad();
    float[] xt = s.tile;
    reset(s, 1);
    for (int j = 0, p = 0; j < kPad; j += P, p += P * cb.dsub()) {
      FloatVector a0 = FloatVector.fromArray(S, h, j);
      FloatVector a1 = FloatVector.fromArray(S, h, j + L);
      for (int q = 0; q < qEnd; q += P) {
        FloatVector x0 = FloatVector.broadcast(S, xt[q + i]);
        a0 = x0.fma(FloatVector.fromArray(S, t, p + q), a0);
        a1 = x0.fma(FloatVector.fromArray(S, t, p + q + L), a1);
      }
      keep(s, 0, ids, j, a0, a1);
    }
  }

  /**
   * Tile rows i and i + 1 keeping the runner-up too (2 x 2 block), for {@link #assignRows}. Separate methods, not
   * a flag, and 2 rows rather than 4: C2 inlines a vector fold only within its node budget per compiled method; a
   * fold it does not inline boxes the vectors and the kernel runs several times slower. The 4-row version
   * exceeded the budget.
   */
  private static void rows2Top2(int i, PreparedCodebook cb, KernelScratch s) {
    float[] t = cb.panels();
    float[] h = cb.negHalfNorms();
    float[] ids = cb.ids();
    int qEnd = cb.dsub() * P;
    int kPad = cb.kPad();
    float[] xt = s.tile;
    reset(s, 2);
    for (int j = 0, p = 0; j < kPad; j += P, p += P * cb.dsub()) {
      FloatVector a00 = FloatVector.fromArray(S, h, j);
      FloatVector a01 = FloatVector.fromArray(S, h, j + L);
      FloatVector a10 = a00;
      FloatVector a11 = a01;
      for (int q = 0; q < qEnd; q += P) {
        FloatVector c0 = FloatVector.fromArray(S, t, p + q);
        FloatVector c1 = FloatVector.fromArray(S, t, p + q + L);
        FloatVector x0 = FloatVector.broadcast(S, xt[q + i]);
        a00 = x0.fma(c0, a00);
        a01 = x0.fma(c1, a01);
        FloatVector x1 = FloatVector.broadcast(S, xt[q + i + 1]);
        a10 = x1.fma(c0, a10);
        a11 = x1.fma(c1, a11);
      }
      keepTop2(s, 0, ids, j, a00, a01);
      keepTop2(s, L, ids, j, a10, a11);
    }
  }

  /** {@link #rows1} keeping the runner-up too. */
  private static void rows1Top2(int i, PreparedCodebook cb, KernelScratch s) {
    float[] t = cb.panels();
    float[] h = cb.negHalfNorms();
    float[] ids = cb.ids();
    int qEnd = cb.dsub() * P;
    int kPad = cb.kPad();
    float[] xt = s.tile;
    reset(s, 1);
    for (int j = 0, p = 0; j < kPad; j += P, p += P * cb.dsub()) {
      FloatVector a0 = FloatVector.fromArray(S, h, j);
      FloatVector a1 = FloatVector.fromArray(S, h, j + L);
      for (int q = 0; q < qEnd; q += P) {
        FloatVector x0 = FloatVector.broadcast(S, xt[q + i]);
        a0 = x0.fma(FloatVector.fromArray(S, t, p + q), a0);
        a1 = x0.fma(FloatVector.fromArray(S, t, p + q + L), a1);
      }
      keepTop2(s, 0, ids, j, a0, a1);
    }
  }

  /**
   * Folds one row's chains for centroids j .. j + 31 into its per-lane best at {@code off}, in increasing j with a
   * strict {@code >}: first maximum per lane, NaN never wins.
   */
  private static void keep(KernelScratch s, int off, float[] ids, int j, FloatVector a0, FloatVector a1) {
    FloatVector best = FloatVector.fromArray(S, s.bestScore, off);
    FloatVector bestJ = FloatVector.fromArray(S, s.bestIdx, off);
    VectorMask<Float> m = a0.compare(VectorOperators.GT, best);
    best = best.blend(a0, m);
    bestJ = bestJ.blend(FloatVector.fromArray(S, ids, j), m);
    m = a1.compare(VectorOperators.GT, best);
    best = best.blend(a1, m);
    bestJ = bestJ.blend(FloatVector.fromArray(S, ids, j + L), m);
    best.intoArray(s.bestScore, off);
    bestJ.intoArray(s.bestIdx, off);
  }

  /** {@link #keep}, and the per-lane runner-up as the 256-bit kernel's keepBestAndSecond keeps it. */
  private static void keepTop2(KernelScratch s, int off, float[] ids, int j, FloatVector a0, FloatVector a1) {
    FloatVector best = FloatVector.fromArray(S, s.bestScore, off);
    FloatVector bestJ = FloatVector.fromArray(S, s.bestIdx, off);
    float[] b2 = s.secondScore;
    FloatVector sec = FloatVector.fromArray(S, b2, off);
    VectorMask<Float> m = a0.compare(VectorOperators.GT, best);
    FloatVector loser = a0.blend(best, m);
    sec = sec.blend(loser, loser.compare(VectorOperators.GT, sec));
    best = best.blend(a0, m);
    bestJ = bestJ.blend(FloatVector.fromArray(S, ids, j), m);
    m = a1.compare(VectorOperators.GT, best);
    loser = a1.blend(best, m);
    sec = sec.blend(loser, loser.compare(VectorOperators.GT, sec));
    best = best.blend(a1, m);
    bestJ = bestJ.blend(FloatVector.fromArray(S, ids, j + L), m);
    sec.intoArray(b2, off);
    best.intoArray(s.bestScore, off);
    bestJ.intoArray(s.bestIdx, off);
  }
}
