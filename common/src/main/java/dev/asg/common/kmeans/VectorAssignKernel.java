package dev.asg.common.kmeans;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AssignKernel} on the incubating Vector API. Only {@link AssignKernels} may touch this class, and only after
 * checking that {@code jdk.incubator.vector} is in the boot layer: loading it without the module fails.
 *
 * <p>Shape of the computation (L = lanes, 8 on AVX2; a panel is {@link PreparedCodebook#PANEL} = 32 centroids):
 * <ul>
 *   <li>Register block: 2 rows x 4 vectors of centroids = 8 accumulators. Per dimension d it loads 4 centroid
 *       vectors, broadcasts x[r][d] of each row and issues 8 lane-wise fmas, in d order from a zero accumulator,
 *       which is the contract's fma chain per lane. 2 x 4 was the fastest block measured on the 2-core AVX2 EPYC
 *       this was tuned on; blocks with 12 or more accumulators (3x4, 4x3), and unrolling the dimension loop,
 *       made C2 spill accumulators to the stack inside the loop and ran 30-40% slower.</li>
 *   <li>The dimension loop has a single induction variable q = d * 32 that indexes both the codebook panel
 *       ({@code p + q}) and a per-block copy of the rows' values laid out with the same stride ({@code tile[q + r]}),
 *       so C2 removes every bounds check from the loop and uses base+index addressing.</li>
 *   <li>After the loop the accumulators go through a small scratch array into {@link #merge}: score
 *       {@code norm - (acc + acc)} (acc + acc is exactly the contract's 2f * acc), then a lane-wise strict
 *       {@code <} against the row's running best and a blend of both the score and the centroid index (carried
 *       as a float: exact up to {@link PreparedCodebook#MAX_K}). The round trip through memory is deliberate:
 *       it stops C2 from hoisting the epilogue's loads above the dimension loop, where they took registers and
 *       forced accumulator spills.</li>
 *   <li>Each lane sees the centroids j = lane (mod L) in increasing order and keeps the first strict minimum, so
 *       after the last panel each lane holds its lowest-index minimum; {@link Scratch#finish} then picks the
 *       minimum over lanes, lowest index on ties. That is the scalar kernel's answer, bit for bit.</li>
 *   <li>Rows left over (n odd) run the 1-row block, whose per-lane operations are the same, so a row's result
 *       never depends on its position.</li>
 *   <li>A row none of whose scores is below +Infinity (possible only with non-finite or overflowing input) is
 *       handed to {@link ScalarAssignKernel#assignRow}, which defines that case.</li>
 * </ul>
 */
final class VectorAssignKernel implements AssignKernel {

  /**
   * At most 256 bits: the block below is tuned for 16 registers of 8 floats; with 512-bit vectors a 4-vector row
   * block would span two panels. With 128-bit vectors each panel is processed in two halves.
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
  private static boolean hardwareFma() {
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
    Scratch s = new Scratch(cb, idx, idxOff, idxStride, score, scoreOff, scoreStride);
    int r = 0;
    for (; r + 2 <= n; r += 2) {
      rows2(x, xOff, xStride, r, cb, s);
    }
    if (r < n) {
      rows1(x, xOff, xStride, r, cb, s);
    }
  }

  @Override
  public String name() {
    return "vector-" + S.vectorBitSize() + "-" + L;
  }

  /** Rows r0 and r0 + 1: the 2 x 4 register block. */
  private static void rows2(float[] x, int xOff, int xStride, int r0, PreparedCodebook cb, Scratch s) {
    float[] t = cb.panels();
    int dsub = cb.dsub();
    int kPad = cb.kPad();
    int qEnd = dsub * P;
    float[] xt = s.tile;
    float[] acc = s.acc;
    s.start(x, xOff, xStride, r0, 2);
    for (int j = 0, panel = 0; j < kPad; j += P, panel += P * dsub) {
      for (int h = 0; h < P; h += BLOCK) {
        int p = panel + h;
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = FloatVector.zero(S);
        FloatVector a02 = FloatVector.zero(S);
        FloatVector a03 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S);
        FloatVector a11 = FloatVector.zero(S);
        FloatVector a12 = FloatVector.zero(S);
        FloatVector a13 = FloatVector.zero(S);
        for (int q = 0; q < qEnd; q += P) {
          FloatVector c0 = FloatVector.fromArray(S, t, p + q);
          FloatVector c1 = FloatVector.fromArray(S, t, p + q + L);
          FloatVector c2 = FloatVector.fromArray(S, t, p + q + 2 * L);
          FloatVector c3 = FloatVector.fromArray(S, t, p + q + 3 * L);
          FloatVector x0 = FloatVector.broadcast(S, xt[q]);
          a00 = x0.fma(c0, a00);
          a01 = x0.fma(c1, a01);
          a02 = x0.fma(c2, a02);
          a03 = x0.fma(c3, a03);
          FloatVector x1 = FloatVector.broadcast(S, xt[q + 1]);
          a10 = x1.fma(c0, a10);
          a11 = x1.fma(c1, a11);
          a12 = x1.fma(c2, a12);
          a13 = x1.fma(c3, a13);
        }
        a00.intoArray(acc, 0);
        a01.intoArray(acc, L);
        a02.intoArray(acc, 2 * L);
        a03.intoArray(acc, 3 * L);
        a10.intoArray(acc, 4 * L);
        a11.intoArray(acc, 5 * L);
        a12.intoArray(acc, 6 * L);
        a13.intoArray(acc, 7 * L);
        merge(s, 2, j + h, cb);
      }
    }
    s.finish(x, xOff, xStride, r0, 2, cb);
  }

  /** Row r0 alone: the same per-lane operations as {@link #rows2}, for the last row when n is odd. */
  private static void rows1(float[] x, int xOff, int xStride, int r0, PreparedCodebook cb, Scratch s) {
    float[] t = cb.panels();
    int dsub = cb.dsub();
    int kPad = cb.kPad();
    int qEnd = dsub * P;
    float[] xt = s.tile;
    float[] acc = s.acc;
    s.start(x, xOff, xStride, r0, 1);
    for (int j = 0, panel = 0; j < kPad; j += P, panel += P * dsub) {
      for (int h = 0; h < P; h += BLOCK) {
        int p = panel + h;
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = FloatVector.zero(S);
        FloatVector a02 = FloatVector.zero(S);
        FloatVector a03 = FloatVector.zero(S);
        for (int q = 0; q < qEnd; q += P) {
          FloatVector x0 = FloatVector.broadcast(S, xt[q]);
          a00 = x0.fma(FloatVector.fromArray(S, t, p + q), a00);
          a01 = x0.fma(FloatVector.fromArray(S, t, p + q + L), a01);
          a02 = x0.fma(FloatVector.fromArray(S, t, p + q + 2 * L), a02);
          a03 = x0.fma(FloatVector.fromArray(S, t, p + q + 3 * L), a03);
        }
        a00.intoArray(acc, 0);
        a01.intoArray(acc, L);
        a02.intoArray(acc, 2 * L);
        a03.intoArray(acc, 3 * L);
        merge(s, 1, j + h, cb);
      }
    }
    s.finish(x, xOff, xStride, r0, 1, cb);
  }

  /**
   * Folds one block's dot products ({@code s.acc}, row-major rows x 4 vectors) for centroids j0 .. j0 + 4L - 1
   * into each row's running per-lane best. Vectors go in increasing j, so each lane keeps its first minimum.
   */
  private static void merge(Scratch s, int rows, int j0, PreparedCodebook cb) {
    float[] norms = cb.norms();
    float[] ids = cb.ids();
    float[] acc = s.acc;
    float[] bs = s.bestScore;
    float[] bi = s.bestIdx;
    for (int r = 0; r < rows; r++) {
      FloatVector best = FloatVector.fromArray(S, bs, r * L);
      FloatVector bestJ = FloatVector.fromArray(S, bi, r * L);
      for (int v = 0; v < 4; v++) {
        FloatVector a = FloatVector.fromArray(S, acc, (r * 4 + v) * L);
        FloatVector sc = FloatVector.fromArray(S, norms, j0 + v * L).sub(a.add(a));
        VectorMask<Float> m = sc.lt(best);
        best = best.blend(sc, m);
        bestJ = bestJ.blend(FloatVector.fromArray(S, ids, j0 + v * L), m);
      }
      best.intoArray(bs, r * L);
      bestJ.intoArray(bi, r * L);
    }
  }

  /** Per-call scratch and output positions; one per {@link #assign} call, so the kernel stays thread-safe. */
  private static final class Scratch {
    final int[] idx;
    final int idxOff;
    final int idxStride;
    final float[] score;
    final int scoreOff;
    final int scoreStride;
    final int dsub;
    /** The block's rows, element [d * P + r]: the codebook panel's stride, so one index serves both. */
    final float[] tile;
    final float[] acc = new float[2 * BLOCK];
    /** Per row and lane: the best score so far (+Infinity = none yet) and its centroid index (-1 = none). */
    final float[] bestScore = new float[2 * L];
    final float[] bestIdx = new float[2 * L];
    float[] scalarAcc;

    Scratch(PreparedCodebook cb, int[] idx, int idxOff, int idxStride, float[] score, int scoreOff,
        int scoreStride) {
      this.dsub = cb.dsub();
      this.tile = new float[dsub * P];
      this.idx = idx;
      this.idxOff = idxOff;
      this.idxStride = idxStride;
      this.score = score;
      this.scoreOff = scoreOff;
      this.scoreStride = scoreStride;
    }

    void start(float[] x, int xOff, int xStride, int r0, int rows) {
      for (int r = 0; r < rows; r++) {
        int base = xOff + (r0 + r) * xStride;
        for (int d = 0; d < dsub; d++) {
          tile[d * P + r] = x[base + d];
        }
      }
      Arrays.fill(bestScore, 0, rows * L, Float.POSITIVE_INFINITY);
      Arrays.fill(bestIdx, 0, rows * L, -1f);
    }

    /** Reduces each row's lanes: minimum score, lowest index among equal scores (-0 == +0 as with {@code <}). */
    void finish(float[] x, int xOff, int xStride, int r0, int rows, PreparedCodebook cb) {
      for (int r = 0; r < rows; r++) {
        float best = Float.POSITIVE_INFINITY;
        float bestJ = -1f;
        for (int l = r * L; l < r * L + L; l++) {
          float sc = bestScore[l];
          float j = bestIdx[l];
          if (sc < best || (sc == best && j < bestJ)) {
            best = sc;
            bestJ = j;
          }
        }
        int row = r0 + r;
        int ip = idxOff + row * idxStride;
        int sp = scoreOff + row * scoreStride;
        if (bestJ < 0f) {
          // No score below +Infinity: non-finite or overflowing input. Rare, so defer to the reference.
          if (scalarAcc == null) {
            scalarAcc = new float[cb.k()];
          }
          ScalarAssignKernel.assignRow(x, xOff + row * xStride, cb, scalarAcc, idx, ip, score, sp);
        } else {
          idx[ip] = (int) bestJ;
          score[sp] = best;
        }
      }
    }
  }
}
