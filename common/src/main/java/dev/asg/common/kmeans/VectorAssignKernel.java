package dev.asg.common.kmeans;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * VECTOR KERNEL R=4 V=2 (doc to be written)
 */
public final class VectorAssignKernel implements AssignKernel {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final int ROWS = 4;
  private static final int W = 2 * L;

  static final class Panels {
    final PreparedCodebook cb;
    final int dsub, kW;
    final float[] panels, norms;
    Panels(PreparedCodebook cb) {
      this.cb = cb;
      dsub = cb.dsub();
      int k = cb.k();
      kW = (k + W - 1) / W * W;
      panels = new float[kW * dsub];
      norms = new float[kW];
      java.util.Arrays.fill(norms, Float.POSITIVE_INFINITY);
      System.arraycopy(cb.norms(), 0, norms, 0, k);
      float[] c = cb.centroids();
      for (int j = 0; j < k; j++) for (int d = 0; d < dsub; d++) panels[(j / W) * W * dsub + d * W + j % W] = c[j * dsub + d];
    }
  }
  private static final float[] IOTA = new float[L];

  static {
    for (int i = 0; i < L; i++) {
      IOTA[i] = i;
    }
  }

  public static final VectorAssignKernel INSTANCE = new VectorAssignKernel();

  private VectorAssignKernel() {}

  static boolean supported() {
    return L >= 2 && PreparedCodebook.PAD_MULTIPLE % L == 0;
  }

  @Override
  public void assign(float[] x, int xOff, int xStride, int n, PreparedCodebook cb,
      int[] idx, int idxOff, int idxStride, float[] score, int scoreOff, int scoreStride) {
    Panels pc = new Panels(cb);
    Out o = new Out(cb.dsub(), idx, idxOff, idxStride, score, scoreOff, scoreStride);
    int r = 0;
    for (; r + ROWS <= n; r += ROWS) {
      rows4(x, xOff, xStride, r, pc, o);
    }
    for (; r < n; r++) {
      rows1(x, xOff, xStride, r, pc, o);
    }
  }

  @Override
  public String name() {
    return "vector-" + S.vectorBitSize() + "-" + L;
  }

  private static void rows4(float[] x, int xOff, int xStride, int r0, Panels pc, Out o) {
    float[] t = pc.panels;
    float[] norms = pc.norms;
    int dsub = pc.dsub;
    int kW = pc.kW;
    float[] xt = o.tile;
    float[] bs = o.bestScore;
    float[] bi = o.bestIdx;
    FloatVector iota = FloatVector.fromArray(S, IOTA, 0);
    o.start(x, xOff, xStride, r0, 4, dsub);
    for (int j = 0, p = 0; j < kW; j += W, p += W * dsub) {
      FloatVector a00 = FloatVector.zero(S);
      FloatVector a01 = FloatVector.zero(S);
      FloatVector a10 = FloatVector.zero(S);
      FloatVector a11 = FloatVector.zero(S);
      FloatVector a20 = FloatVector.zero(S);
      FloatVector a21 = FloatVector.zero(S);
      FloatVector a30 = FloatVector.zero(S);
      FloatVector a31 = FloatVector.zero(S);
      int d = 0;
      for (; d + 1 < dsub; d += 2) {
        {
          FloatVector c0 = FloatVector.fromArray(S, t, p + d * W);
          FloatVector c1 = FloatVector.fromArray(S, t, p + d * W + 1 * L);
          FloatVector x0 = FloatVector.broadcast(S, xt[d * 4 + 0]);
          a00 = x0.fma(c0, a00);
          a01 = x0.fma(c1, a01);
          FloatVector x1 = FloatVector.broadcast(S, xt[d * 4 + 1]);
          a10 = x1.fma(c0, a10);
          a11 = x1.fma(c1, a11);
          FloatVector x2 = FloatVector.broadcast(S, xt[d * 4 + 2]);
          a20 = x2.fma(c0, a20);
          a21 = x2.fma(c1, a21);
          FloatVector x3 = FloatVector.broadcast(S, xt[d * 4 + 3]);
          a30 = x3.fma(c0, a30);
          a31 = x3.fma(c1, a31);
        }
        {
          FloatVector c0 = FloatVector.fromArray(S, t, p + (d + 1) * W);
          FloatVector c1 = FloatVector.fromArray(S, t, p + (d + 1) * W + 1 * L);
          FloatVector x0 = FloatVector.broadcast(S, xt[(d + 1) * 4 + 0]);
          a00 = x0.fma(c0, a00);
          a01 = x0.fma(c1, a01);
          FloatVector x1 = FloatVector.broadcast(S, xt[(d + 1) * 4 + 1]);
          a10 = x1.fma(c0, a10);
          a11 = x1.fma(c1, a11);
          FloatVector x2 = FloatVector.broadcast(S, xt[(d + 1) * 4 + 2]);
          a20 = x2.fma(c0, a20);
          a21 = x2.fma(c1, a21);
          FloatVector x3 = FloatVector.broadcast(S, xt[(d + 1) * 4 + 3]);
          a30 = x3.fma(c0, a30);
          a31 = x3.fma(c1, a31);
        }
      }
      for (; d < dsub; d++) {
        FloatVector c0 = FloatVector.fromArray(S, t, p + d * W);
        FloatVector c1 = FloatVector.fromArray(S, t, p + d * W + 1 * L);
        FloatVector x0 = FloatVector.broadcast(S, xt[d * 4 + 0]);
        a00 = x0.fma(c0, a00);
        a01 = x0.fma(c1, a01);
        FloatVector x1 = FloatVector.broadcast(S, xt[d * 4 + 1]);
        a10 = x1.fma(c0, a10);
        a11 = x1.fma(c1, a11);
        FloatVector x2 = FloatVector.broadcast(S, xt[d * 4 + 2]);
        a20 = x2.fma(c0, a20);
        a21 = x2.fma(c1, a21);
        FloatVector x3 = FloatVector.broadcast(S, xt[d * 4 + 3]);
        a30 = x3.fma(c0, a30);
        a31 = x3.fma(c1, a31);
      }
      FloatVector bs0 = FloatVector.fromArray(S, bs, 0 * L);
      FloatVector bi0 = FloatVector.fromArray(S, bi, 0 * L);
      FloatVector bs1 = FloatVector.fromArray(S, bs, 1 * L);
      FloatVector bi1 = FloatVector.fromArray(S, bi, 1 * L);
      FloatVector bs2 = FloatVector.fromArray(S, bs, 2 * L);
      FloatVector bi2 = FloatVector.fromArray(S, bi, 2 * L);
      FloatVector bs3 = FloatVector.fromArray(S, bs, 3 * L);
      FloatVector bi3 = FloatVector.fromArray(S, bi, 3 * L);
      FloatVector n0 = FloatVector.fromArray(S, norms, j);
      FloatVector j0 = iota.add((float) (j));
      FloatVector s00 = n0.sub(a00.add(a00));
      VectorMask<Float> m00 = s00.lt(bs0);
      bs0 = bs0.blend(s00, m00);
      bi0 = bi0.blend(j0, m00);
      FloatVector s10 = n0.sub(a10.add(a10));
      VectorMask<Float> m10 = s10.lt(bs1);
      bs1 = bs1.blend(s10, m10);
      bi1 = bi1.blend(j0, m10);
      FloatVector s20 = n0.sub(a20.add(a20));
      VectorMask<Float> m20 = s20.lt(bs2);
      bs2 = bs2.blend(s20, m20);
      bi2 = bi2.blend(j0, m20);
      FloatVector s30 = n0.sub(a30.add(a30));
      VectorMask<Float> m30 = s30.lt(bs3);
      bs3 = bs3.blend(s30, m30);
      bi3 = bi3.blend(j0, m30);
      FloatVector n1 = FloatVector.fromArray(S, norms, j + 1 * L);
      FloatVector j1 = iota.add((float) (j + 1 * L));
      FloatVector s01 = n1.sub(a01.add(a01));
      VectorMask<Float> m01 = s01.lt(bs0);
      bs0 = bs0.blend(s01, m01);
      bi0 = bi0.blend(j1, m01);
      FloatVector s11 = n1.sub(a11.add(a11));
      VectorMask<Float> m11 = s11.lt(bs1);
      bs1 = bs1.blend(s11, m11);
      bi1 = bi1.blend(j1, m11);
      FloatVector s21 = n1.sub(a21.add(a21));
      VectorMask<Float> m21 = s21.lt(bs2);
      bs2 = bs2.blend(s21, m21);
      bi2 = bi2.blend(j1, m21);
      FloatVector s31 = n1.sub(a31.add(a31));
      VectorMask<Float> m31 = s31.lt(bs3);
      bs3 = bs3.blend(s31, m31);
      bi3 = bi3.blend(j1, m31);
      bs0.intoArray(bs, 0 * L);
      bi0.intoArray(bi, 0 * L);
      bs1.intoArray(bs, 1 * L);
      bi1.intoArray(bi, 1 * L);
      bs2.intoArray(bs, 2 * L);
      bi2.intoArray(bi, 2 * L);
      bs3.intoArray(bs, 3 * L);
      bi3.intoArray(bi, 3 * L);
    }
    o.finish(x, xOff, xStride, r0, 4, pc.cb);
  }

  private static void rows1(float[] x, int xOff, int xStride, int r0, Panels pc, Out o) {
    float[] t = pc.panels;
    float[] norms = pc.norms;
    int dsub = pc.dsub;
    int kW = pc.kW;
    float[] xt = o.tile;
    float[] bs = o.bestScore;
    float[] bi = o.bestIdx;
    FloatVector iota = FloatVector.fromArray(S, IOTA, 0);
    o.start(x, xOff, xStride, r0, 1, dsub);
    for (int j = 0, p = 0; j < kW; j += W, p += W * dsub) {
      FloatVector a00 = FloatVector.zero(S);
      FloatVector a01 = FloatVector.zero(S);
      int d = 0;
      for (; d + 1 < dsub; d += 2) {
        {
          FloatVector c0 = FloatVector.fromArray(S, t, p + d * W);
          FloatVector c1 = FloatVector.fromArray(S, t, p + d * W + 1 * L);
          FloatVector x0 = FloatVector.broadcast(S, xt[d * 1 + 0]);
          a00 = x0.fma(c0, a00);
          a01 = x0.fma(c1, a01);
        }
        {
          FloatVector c0 = FloatVector.fromArray(S, t, p + (d + 1) * W);
          FloatVector c1 = FloatVector.fromArray(S, t, p + (d + 1) * W + 1 * L);
          FloatVector x0 = FloatVector.broadcast(S, xt[(d + 1) * 1 + 0]);
          a00 = x0.fma(c0, a00);
          a01 = x0.fma(c1, a01);
        }
      }
      for (; d < dsub; d++) {
        FloatVector c0 = FloatVector.fromArray(S, t, p + d * W);
        FloatVector c1 = FloatVector.fromArray(S, t, p + d * W + 1 * L);
        FloatVector x0 = FloatVector.broadcast(S, xt[d * 1 + 0]);
        a00 = x0.fma(c0, a00);
        a01 = x0.fma(c1, a01);
      }
      FloatVector bs0 = FloatVector.fromArray(S, bs, 0 * L);
      FloatVector bi0 = FloatVector.fromArray(S, bi, 0 * L);
      FloatVector n0 = FloatVector.fromArray(S, norms, j);
      FloatVector j0 = iota.add((float) (j));
      FloatVector s00 = n0.sub(a00.add(a00));
      VectorMask<Float> m00 = s00.lt(bs0);
      bs0 = bs0.blend(s00, m00);
      bi0 = bi0.blend(j0, m00);
      FloatVector n1 = FloatVector.fromArray(S, norms, j + 1 * L);
      FloatVector j1 = iota.add((float) (j + 1 * L));
      FloatVector s01 = n1.sub(a01.add(a01));
      VectorMask<Float> m01 = s01.lt(bs0);
      bs0 = bs0.blend(s01, m01);
      bi0 = bi0.blend(j1, m01);
      bs0.intoArray(bs, 0 * L);
      bi0.intoArray(bi, 0 * L);
    }
    o.finish(x, xOff, xStride, r0, 1, pc.cb);
  }

  /** Output positions plus per-call scratch for the horizontal reduction. */
  private static final class Out {
    final int[] idx;
    final int idxOff;
    final int idxStride;
    final float[] score;
    final int scoreOff;
    final int scoreStride;
    final float[] tile;
    final float[] bestScore = new float[ROWS * L];
    final float[] bestIdx = new float[ROWS * L];
    float[] scalarAcc;

    Out(int dsub, int[] idx, int idxOff, int idxStride, float[] score, int scoreOff, int scoreStride) {
      this.tile = new float[ROWS * dsub];
      this.idx = idx;
      this.idxOff = idxOff;
      this.idxStride = idxStride;
      this.score = score;
      this.scoreOff = scoreOff;
      this.scoreStride = scoreStride;
    }

    void start(float[] x, int xOff, int xStride, int r0, int rows, int dsub) {
      for (int r = 0; r < rows; r++) {
        int base = xOff + (r0 + r) * xStride;
        for (int d = 0; d < dsub; d++) {
          tile[d * rows + r] = x[base + d];
        }
      }
      Arrays.fill(bestScore, 0, rows * L, Float.POSITIVE_INFINITY);
      Arrays.fill(bestIdx, 0, rows * L, -1f);
    }

    void finish(float[] x, int xOff, int xStride, int r0, int rows, PreparedCodebook cb) {
      for (int r = 0; r < rows; r++) {
      float best = Float.POSITIVE_INFINITY;
      float bestJ = -1f;
      for (int l = r * L; l < r * L + L; l++) {
        float s = bestScore[l];
        float j = bestIdx[l];
        if (s < best || (s == best && j < bestJ)) {
          best = s;
          bestJ = j;
        }
      }
      int row = r0 + r;
      int ip = idxOff + row * idxStride;
      int sp = scoreOff + row * scoreStride;
      if (bestJ < 0f) {
        if (scalarAcc == null) {
          scalarAcc = new float[cb.k()];
        }
        ScalarAssignKernel.assignRow(x, xOff + row * xStride, cb, scalarAcc, idx, ip, score, sp);
        continue;
      }
      idx[ip] = (int) bestJ;
      score[sp] = best;
      }
    }
  }
}

