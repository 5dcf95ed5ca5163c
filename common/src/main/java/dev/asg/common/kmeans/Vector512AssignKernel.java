package dev.asg.common.kmeans;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AssignKernel} on 512-bit vectors (16 float lanes), for CPUs whose preferred vector width is 512 bits
 * (AVX-512). Over the ~400-line guide on purpose: the register blocks are unrolled by hand (C2 neither unrolls
 * nor keeps Vector API values in registers across calls), and splitting them over classes would cost inlining. Same contract and same bits as {@link VectorAssignKernel} and {@link ScalarAssignKernel}: lanes run
 * across centroids, so each centroid's chain (start at {@code -||c||^2 / 2}, one fma per dimension in order) is
 * the same whatever the lane count, and the lane reduction ({@link KernelScratch#finish}) is shared.
 *
 * <p>Register block: 4 rows x 4 vectors = two 32-centroid panels, 16 independent accumulators (of 32 registers);
 * per dimension 4 centroid loads, 4 broadcasts, 16 fmas. A core that runs two 512-bit fmas per cycle with a
 * 4-cycle latency needs at least 8 chains in flight and at most one load per fma; the earlier 4 x 2 block (8
 * chains, 6 loads per 8 fmas) ran at 26-36% of that peak, this one at 42-47% (one core, loaded machine). The
 * block only computes chains and stores them to {@link KernelScratch#chains}; a separate fold ({@link #fold} or
 * {@link #foldTop2}) reads them back. So one hot loop serves both {@link #assign} and {@link #assignRows}, and no
 * vector ever crosses a call (C2 boxes a vector passed to a method it did not inline, and it stops inlining a
 * large block's fold once its node budget is spent).
 * Rows left over (n not a multiple of 4) and a last odd panel run smaller blocks with the same per-lane
 * operations. Only {@link AssignKernels} may load this class, after the module check.
 */
final class Vector512AssignKernel implements AssignKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
  /** {@link #key} of -Infinity and +Infinity. */
  private static final int NEG_INF_KEY = keyOf(Float.NEGATIVE_INFINITY);
  private static final int POS_INF_KEY = keyOf(Float.POSITIVE_INFINITY);
  private static final int L = 16;
  private static final int P = PreparedCodebook.PANEL;
  private static final int ROWS = 4;
  /** Centroids of one register block: two panels, four vectors. */
  private static final int BLOCK = 2 * P;
  /** 0, 1, ..., 15: a vector's lane numbers, the offsets of its centroids from the first. */
  private static final int[] LANE = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

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
      run(x, xOff, xStride, n, cb, new KernelScratch(cb, L, ROWS, BLOCK, null, idx, idxOff, idxStride, score,
          scoreOff, scoreStride, null));
    }
  }

  @Override
  public void assignRows(float[] x, int xOff, int xStride, int[] rows, int n, PreparedCodebook cb,
      int[] idx, float[] score, float[] second, int outOff, int outStride) {
    if (n < 0) {
      throw new IllegalArgumentException("n=" + n + " must be >= 0");
    }
    if (n > 0) {
      run(x, xOff, xStride, n, cb, new KernelScratch(cb, L, ROWS, BLOCK, rows, idx, outOff, outStride, score,
          outOff, outStride, second));
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
      for (; i + ROWS <= rows; i += ROWS) {
        block(i, ROWS, cb, s);
        finish(x, xOff, xStride, r0 + i, ROWS, cb, s);
      }
      for (; i < rows; i++) {
        block(i, 1, cb, s);
        finish(x, xOff, xStride, r0 + i, 1, cb, s);
      }
    }
  }

  /**
   * Reduces each row's lanes as {@link KernelScratch#finish} does, on the order keys: the largest key, and the
   * lowest index among the lanes holding it. A row whose winner or runner-up is a zero (the key merges -0 and +0,
   * whose sign the order of the chains decides), whose winner is -Infinity (no chain above it) or whose key is
   * above +Infinity's (a positive NaN chain won a lane) is recomputed by {@link ScalarAssignKernel#assignRow},
   * the reference: rare, and the bits are the same.
   */
  private static void finish(float[] x, int xOff, int xStride, int r0, int nr, PreparedCodebook cb,
      KernelScratch s) {
    for (int r = 0; r < nr; r++) {
      IntVector b = IntVector.fromArray(I, s.bestKey, r * L);
      int w = b.reduceLanes(VectorOperators.MAX);
      if (w == 0 || w <= NEG_INF_KEY || w > POS_INF_KEY) {
        scalarRow(x, xOff, xStride, r0 + r, cb, s);
        continue;
      }
      IntVector bj = IntVector.fromArray(I, s.bestIndex, r * L);
      int j = bj.blend(Integer.MAX_VALUE, b.compare(VectorOperators.NE, w)).reduceLanes(VectorOperators.MIN);
      float runnerUp = Float.NaN;
      if (s.secondKey != null) {
        IntVector sec = IntVector.fromArray(I, s.secondKey, r * L);
        int w2 = b.max(sec).blend(sec, bj.compare(VectorOperators.EQ, j))
            .reduceLanes(VectorOperators.MAX);
        if (w2 == 0) {
          scalarRow(x, xOff, xStride, r0 + r, cb, s);
          continue;
        }
        runnerUp = fromKey(w2);
      }
      s.put(r0 + r, j, fromKey(w), runnerUp);
    }
  }

  /** The reference kernel on call position i, for the rows {@link #finish} does not settle. */
  private static void scalarRow(float[] x, int xOff, int xStride, int i, PreparedCodebook cb, KernelScratch s) {
    if (s.scalarAcc == null) {
      s.scalarAcc = new float[cb.k()];
    }
    int row = s.row(i);
    int ip = s.idxOff + row * s.idxStride;
    int sp = s.scoreOff + row * s.scoreStride;
    ScalarAssignKernel.assignRow(x, xOff + row * xStride, cb, s.scalarAcc, s.idx, ip, s.score, sp, s.second, sp);
  }

  /**
   * The order key of each lane's chain: an int whose signed order is the float order of non-NaN values, with -0
   * and +0 both 0 (they are equal under {@code >}). Negative floats map to {@code (bits ^ 0x7FFFFFFF) + 1}; a
   * negative NaN falls below -Infinity's key, so it never wins, and a positive NaN above +Infinity's, which
   * {@link #finish} detects. With keys the running maximum is an integer max (1 cycle) instead of a compare and
   * blend through a mask (about 15 cycles on the JDK 17 AVX-512 code, on the fold's critical path).
   */
  private static IntVector key(FloatVector a) {
    IntVector bits = a.reinterpretAsInts();
    IntVector t = bits.lanewise(VectorOperators.XOR, bits.lanewise(VectorOperators.ASHR, 31)
        .lanewise(VectorOperators.LSHR, 1));
    return t.add(t.lanewise(VectorOperators.LSHR, 31));
  }

  /** The float whose {@link #key} is k, for k other than 0. */
  static float fromKey(int k) {
    return Float.intBitsToFloat(k < 0 ? (k - 1) ^ 0x7FFFFFFF : k);
  }

  /** {@link #key} of one float, for the constants and tests. */
  static int keyOf(float a) {
    int bits = Float.floatToRawIntBits(a);
    int t = bits ^ ((bits >> 31) >>> 1);
    return t + (t >>> 31);
  }

  /** Tile rows i .. i + nr - 1 (nr = 4 or 1) against every centroid, in increasing j. */
  private static void block(int i, int nr, PreparedCodebook cb, KernelScratch s) {
    reset(s, nr);
    int kPad = cb.kPad();
    int span = P * cb.dsub();
    boolean top2 = s.secondScore != null;
    int j = 0;
    int p = 0;
    for (; j + BLOCK <= kPad; j += BLOCK, p += 2 * span) {
      if (nr == ROWS) {
        chains4x4(i, p, j, cb, s);
      } else {
        chains1x4(i, p, j, cb, s);
      }
      if (top2) {
        foldTop2(s, nr, 4, j);
      } else {
        fold(s, nr, 4, j);
      }
    }
    if (j < kPad) { // one panel left: kPad is an odd number of panels
      if (nr == ROWS) {
        chains4x2(i, p, j, cb, s);
      } else {
        chains1x2(i, p, j, cb, s);
      }
      if (top2) {
        foldTop2(s, nr, 2, j);
      } else {
        fold(s, nr, 2, j);
      }
    }
  }

  private static void reset(KernelScratch s, int rows) {
    for (int r = 0; r < rows; r++) {
      IntVector.broadcast(I, NEG_INF_KEY).intoArray(s.bestKey, r * L);
      IntVector.broadcast(I, -1).intoArray(s.bestIndex, r * L);
      if (s.secondKey != null) {
        IntVector.broadcast(I, NEG_INF_KEY).intoArray(s.secondKey, r * L);
      }
    }
  }

  /**
   * The chains of tile rows i .. i + 3 for centroids j .. j + 63 (panels at p and p + 32 * dsub) into {@code
   * s.chains[r * 64 + v * 16 + lane]}: the 4 x 4 register block.
   */
  private static void chains4x4(int i, int p, int j, PreparedCodebook cb, KernelScratch s) {
    float[] t = cb.panels();
    float[] h = cb.negHalfNorms();
    int qEnd = cb.dsub() * P;
    int p2 = p + qEnd;
    float[] xt = s.tile;
    FloatVector a00 = FloatVector.fromArray(S, h, j);
    FloatVector a01 = FloatVector.fromArray(S, h, j + L);
    FloatVector a02 = FloatVector.fromArray(S, h, j + 2 * L);
    FloatVector a03 = FloatVector.fromArray(S, h, j + 3 * L);
    FloatVector a10 = a00;
    FloatVector a11 = a01;
    FloatVector a12 = a02;
    FloatVector a13 = a03;
    FloatVector a20 = a00;
    FloatVector a21 = a01;
    FloatVector a22 = a02;
    FloatVector a23 = a03;
    FloatVector a30 = a00;
    FloatVector a31 = a01;
    FloatVector a32 = a02;
    FloatVector a33 = a03;
    for (int q = 0; q < qEnd; q += P) {
      FloatVector c0 = FloatVector.fromArray(S, t, p + q);
      FloatVector c1 = FloatVector.fromArray(S, t, p + q + L);
      FloatVector c2 = FloatVector.fromArray(S, t, p2 + q);
      FloatVector c3 = FloatVector.fromArray(S, t, p2 + q + L);
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
      FloatVector x2 = FloatVector.broadcast(S, xt[q + i + 2]);
      a20 = x2.fma(c0, a20);
      a21 = x2.fma(c1, a21);
      a22 = x2.fma(c2, a22);
      a23 = x2.fma(c3, a23);
      FloatVector x3 = FloatVector.broadcast(S, xt[q + i + 3]);
      a30 = x3.fma(c0, a30);
      a31 = x3.fma(c1, a31);
      a32 = x3.fma(c2, a32);
      a33 = x3.fma(c3, a33);
    }
    float[] o = s.chains;
    a00.intoArray(o, 0);
    a01.intoArray(o, L);
    a02.intoArray(o, 2 * L);
    a03.intoArray(o, 3 * L);
    a10.intoArray(o, BLOCK);
    a11.intoArray(o, BLOCK + L);
    a12.intoArray(o, BLOCK + 2 * L);
    a13.intoArray(o, BLOCK + 3 * L);
    a20.intoArray(o, 2 * BLOCK);
    a21.intoArray(o, 2 * BLOCK + L);
    a22.intoArray(o, 2 * BLOCK + 2 * L);
    a23.intoArray(o, 2 * BLOCK + 3 * L);
    a30.intoArray(o, 3 * BLOCK);
    a31.intoArray(o, 3 * BLOCK + L);
    a32.intoArray(o, 3 * BLOCK + 2 * L);
    a33.intoArray(o, 3 * BLOCK + 3 * L);
  }

  /** {@link #chains4x4} for tile row i alone. */
  private static void chains1x4(int i, int p, int j, PreparedCodebook cb, KernelScratch s) {
    float[] t = cb.panels();
    float[] h = cb.negHalfNorms();
    int qEnd = cb.dsub() * P;
    int p2 = p + qEnd;
    float[] xt = s.tile;
    FloatVector a0 = FloatVector.fromArray(S, h, j);
    FloatVector a1 = FloatVector.fromArray(S, h, j + L);
    FloatVector a2 = FloatVector.fromArray(S, h, j + 2 * L);
    FloatVector a3 = FloatVector.fromArray(S, h, j + 3 * L);
    for (int q = 0; q < qEnd; q += P) {
      FloatVector x0 = FloatVector.broadcast(S, xt[q + i]);
      a0 = x0.fma(FloatVector.fromArray(S, t, p + q), a0);
      a1 = x0.fma(FloatVector.fromArray(S, t, p + q + L), a1);
      a2 = x0.fma(FloatVector.fromArray(S, t, p2 + q), a2);
      a3 = x0.fma(FloatVector.fromArray(S, t, p2 + q + L), a3);
    }
    float[] o = s.chains;
    a0.intoArray(o, 0);
    a1.intoArray(o, L);
    a2.intoArray(o, 2 * L);
    a3.intoArray(o, 3 * L);
  }

  /** {@link #chains4x4} for the single panel at p (centroids j .. j + 31). */
  private static void chains4x2(int i, int p, int j, PreparedCodebook cb, KernelScratch s) {
    float[] t = cb.panels();
    float[] h = cb.negHalfNorms();
    int qEnd = cb.dsub() * P;
    float[] xt = s.tile;
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
    float[] o = s.chains;
    a00.intoArray(o, 0);
    a01.intoArray(o, L);
    a10.intoArray(o, BLOCK);
    a11.intoArray(o, BLOCK + L);
    a20.intoArray(o, 2 * BLOCK);
    a21.intoArray(o, 2 * BLOCK + L);
    a30.intoArray(o, 3 * BLOCK);
    a31.intoArray(o, 3 * BLOCK + L);
  }

  /** {@link #chains4x2} for tile row i alone. */
  private static void chains1x2(int i, int p, int j, PreparedCodebook cb, KernelScratch s) {
    float[] t = cb.panels();
    float[] h = cb.negHalfNorms();
    int qEnd = cb.dsub() * P;
    float[] xt = s.tile;
    FloatVector a0 = FloatVector.fromArray(S, h, j);
    FloatVector a1 = FloatVector.fromArray(S, h, j + L);
    for (int q = 0; q < qEnd; q += P) {
      FloatVector x0 = FloatVector.broadcast(S, xt[q + i]);
      a0 = x0.fma(FloatVector.fromArray(S, t, p + q), a0);
      a1 = x0.fma(FloatVector.fromArray(S, t, p + q + L), a1);
    }
    float[] o = s.chains;
    a0.intoArray(o, 0);
    a1.intoArray(o, L);
  }

  /**
   * Folds the chains of rows 0 .. nr - 1 for centroids j .. j + nv * 16 - 1 into each row's per-lane best, vector
   * by vector in increasing j, keeping a lane's key only on a strictly larger one: its first maximum, as a strict
   * {@code >} on the floats would.
   */
  private static void fold(KernelScratch s, int nr, int nv, int j) {
    IntVector lane = IntVector.fromArray(I, LANE, 0);
    float[] ch = s.chains;
    for (int r = 0; r < nr; r++) {
      int off = r * L;
      IntVector best = IntVector.fromArray(I, s.bestKey, off);
      IntVector bestJ = IntVector.fromArray(I, s.bestIndex, off);
      for (int v = 0; v < nv; v++) {
        IntVector a = key(FloatVector.fromArray(S, ch, r * BLOCK + v * L));
        VectorMask<Integer> m = a.compare(VectorOperators.GT, best);
        best = best.max(a);
        bestJ = bestJ.blend(lane.add(j + v * L), m);
      }
      best.intoArray(s.bestKey, off);
      bestJ.intoArray(s.bestIndex, off);
    }
  }

  /**
   * {@link #fold}, and the per-lane runner-up: each chain's loser against the running best (the smaller key of
   * the two) raises the runner-up, as the 256-bit kernel's keepBestAndSecond and the scalar kernel do.
   */
  private static void foldTop2(KernelScratch s, int nr, int nv, int j) {
    IntVector lane = IntVector.fromArray(I, LANE, 0);
    float[] ch = s.chains;
    for (int r = 0; r < nr; r++) {
      int off = r * L;
      IntVector best = IntVector.fromArray(I, s.bestKey, off);
      IntVector bestJ = IntVector.fromArray(I, s.bestIndex, off);
      IntVector sec = IntVector.fromArray(I, s.secondKey, off);
      for (int v = 0; v < nv; v++) {
        IntVector a = key(FloatVector.fromArray(S, ch, r * BLOCK + v * L));
        VectorMask<Integer> m = a.compare(VectorOperators.GT, best);
        sec = sec.max(a.min(best));
        best = best.max(a);
        bestJ = bestJ.blend(lane.add(j + v * L), m);
      }
      best.intoArray(s.bestKey, off);
      bestJ.intoArray(s.bestIndex, off);
      sec.intoArray(s.secondKey, off);
    }
  }
}
