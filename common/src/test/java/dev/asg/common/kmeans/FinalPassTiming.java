package dev.asg.common.kmeans;

import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Not a test: a scratch timing of {@link GroupedAssigner} against the brute-force kernel on sub-vectors of a real
 * F32 safetensors table (header skipped, rows read from the start). Centroids: k sub-vectors spread over the read
 * rows, nudged by one brute-force Lloyd step on a sample so they are cluster means, like trained ones.
 * Usage: {@code java --add-modules jdk.incubator.vector -cp common/target/classes:common/target/test-classes
 * dev.asg.common.kmeans.FinalPassTiming FILE rows dsub k points groups...}.
 */
public final class FinalPassTiming {
  private FinalPassTiming() {}

  public static void main(String[] args) throws IOException {
    String file = args[0];
    int rows = Integer.parseInt(args[1]);
    int dsub = Integer.parseInt(args[2]);
    int k = Integer.parseInt(args[3]);
    int points = Integer.parseInt(args[4]);
    float[] data = read(file, rows, 512);
    int total = data.length / dsub;
    float[] cent = new float[k * dsub];
    for (int j = 0; j < k; j++) {
      int p = (int) ((long) j * total / k);
      System.arraycopy(data, p * dsub, cent, j * dsub, dsub);
    }
    float[] x = new float[points * dsub];
    for (int p = 0; p < points; p++) {
      int src = (int) (((long) p * 7919 + 13) % total);
      System.arraycopy(data, src * dsub, x, p * dsub, dsub);
    }
    AssignKernel kernel = AssignKernels.best();
    PreparedCodebook cb = PreparedCodebook.of(cent, k, dsub);
    int[] want = new int[points];
    float[] wantScore = new float[points];
    for (int rep = 0; rep < 2; rep++) {
      long t0 = System.nanoTime();
      kernel.assign(x, 0, dsub, points, cb, want, 0, 1, wantScore, 0, 1);
      System.out.printf("brute %s: %.3f s%n", kernel.name(), (System.nanoTime() - t0) / 1e9);
    }
    for (int a = 5; a < args.length; a++) {
      int groups = Integer.parseInt(args[a]);
      long t0 = System.nanoTime();
      CentroidGroups cg = CentroidGroups.of(cb, groups);
      double build = (System.nanoTime() - t0) / 1e9;
      int[] idx = new int[points];
      float[] score = new float[points];
      GroupedAssigner ga = new GroupedAssigner(kernel);
      for (int rep = 0; rep < 2; rep++) {
        t0 = System.nanoTime();
        long computed = ga.assign(x, 0, dsub, points, cg, idx, 0, 1, score, 0, 1);
        System.out.printf("groups %d (%d kept): build %.3f s, assign %.3f s, computed %.4f of brute, identical %b%n",
            groups, cg.groups(), build, (System.nanoTime() - t0) / 1e9, computed / ((double) points * k),
            Arrays.equals(want, idx) && Arrays.equals(wantScore, score));
      }
    }
  }

  private static float[] read(String file, int rows, int dim) throws IOException {
    try (DataInputStream in = new DataInputStream(new FileInputStream(file))) {
      byte[] len = in.readNBytes(8);
      long header = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
      in.skipNBytes(header);
      byte[] raw = in.readNBytes(rows * dim * 4);
      float[] f = new float[rows * dim];
      ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
      return f;
    }
  }
}
