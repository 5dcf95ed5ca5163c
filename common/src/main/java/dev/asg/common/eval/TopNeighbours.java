package dev.asg.common.eval;

import java.io.Serializable;
import java.util.Arrays;

/**
 * For each of q queries, the k best (score, token id) pairs seen so far, best first. "Better" is a higher score,
 * and on equal scores the lower token id, so the result is the same whatever order tasks see the rows in and
 * however their lists are merged: the kNN result does not depend on partitioning.
 */
public final class TopNeighbours implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int queries;
  private final int k;
  private final float[] score;
  private final int[] id;
  private final int[] size;

  public TopNeighbours(int queries, int k) {
    if (queries < 0 || k < 1) {
      throw new IllegalArgumentException("queries must be >= 0 and k >= 1, got " + queries + " and " + k);
    }
    this.queries = queries;
    this.k = k;
    this.score = new float[Math.multiplyExact(queries, k)];
    this.id = new int[queries * k];
    this.size = new int[queries];
  }

  public int queries() {
    return queries;
  }

  public int k() {
    return k;
  }

  static boolean better(float s1, int id1, float s2, int id2) {
    return s1 > s2 || (s1 == s2 && id1 < id2);
  }

  /** Offers token {@code tokenId} with {@code s} to query {@code q}; keeps it if it is among the k best. */
  public void offer(int q, float s, int tokenId) {
    int base = q * k;
    int n = size[q];
    if (n == k && !better(s, tokenId, score[base + k - 1], id[base + k - 1])) {
      return;
    }
    int pos = n == k ? k - 1 : n;
    while (pos > 0 && better(s, tokenId, score[base + pos - 1], id[base + pos - 1])) {
      score[base + pos] = score[base + pos - 1];
      id[base + pos] = id[base + pos - 1];
      pos--;
    }
    score[base + pos] = s;
    id[base + pos] = tokenId;
    if (n < k) {
      size[q] = n + 1;
    }
  }

  /** Adds every entry of {@code o} (same queries and k) into this and returns this. */
  public TopNeighbours merge(TopNeighbours o) {
    if (o.queries != queries || o.k != k) {
      throw new IllegalArgumentException("cannot merge top-" + o.k + " of " + o.queries + " queries into top-" + k
          + " of " + queries);
    }
    for (int q = 0; q < queries; q++) {
      for (int j = 0; j < o.size[q]; j++) {
        offer(q, o.score[q * k + j], o.id[q * k + j]);
      }
    }
    return this;
  }

  /** The kept token ids of query q, best first (fewer than k if fewer were offered). */
  public int[] ids(int q) {
    return Arrays.copyOfRange(id, q * k, q * k + size[q]);
  }

  /** The kept scores of query q, best first. */
  public float[] scores(int q) {
    return Arrays.copyOfRange(score, q * k, q * k + size[q]);
  }

  /**
   * Mean over queries of |ids(q) of this ∩ ids(q) of other| / k: recall@k of {@code other} (e.g. neighbours in
   * the reconstructed table) against this (the original table's neighbours).
   */
  public double recallOf(TopNeighbours other) {
    if (other.queries != queries || other.k != k) {
      throw new IllegalArgumentException("recall needs the same queries and k");
    }
    if (queries == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int q = 0; q < queries; q++) {
      int[] a = ids(q);
      int[] b = other.ids(q);
      Arrays.sort(b);
      int hit = 0;
      for (int x : a) {
        if (Arrays.binarySearch(b, x) >= 0) {
          hit++;
        }
      }
      sum += (double) hit / k;
    }
    return sum / queries;
  }
}
