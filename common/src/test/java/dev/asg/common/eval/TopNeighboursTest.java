package dev.asg.common.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TopNeighboursTest {
  @Test
  void offer_keepsBestKBestFirst() {
    TopNeighbours t = new TopNeighbours(1, 3);
    float[] s = {0.1f, 0.9f, 0.5f, 0.7f, 0.2f};
    for (int i = 0; i < s.length; i++) {
      t.offer(0, s[i], i);
    }
    assertArrayEquals(new int[] {1, 3, 2}, t.ids(0));
    assertArrayEquals(new float[] {0.9f, 0.7f, 0.5f}, t.scores(0));
  }

  @Test
  void offer_ties_lowerIdWinsInAnyOrder() {
    TopNeighbours a = new TopNeighbours(1, 2);
    TopNeighbours b = new TopNeighbours(1, 2);
    int[] order = {5, 2, 9, 1};
    for (int id : order) {
      a.offer(0, 0.5f, id);
    }
    for (int j = order.length - 1; j >= 0; j--) {
      b.offer(0, 0.5f, order[j]);
    }
    assertArrayEquals(new int[] {1, 2}, a.ids(0));
    assertArrayEquals(a.ids(0), b.ids(0));
  }

  @Test
  void merge_equalsOfferingEverythingToOne() {
    SplittableRandom r = new SplittableRandom(4);
    TopNeighbours all = new TopNeighbours(3, 10);
    TopNeighbours p1 = new TopNeighbours(3, 10);
    TopNeighbours p2 = new TopNeighbours(3, 10);
    for (int id = 0; id < 500; id++) {
      for (int q = 0; q < 3; q++) {
        float s = (float) r.nextInt(50) / 50f; // many ties on purpose
        all.offer(q, s, id);
        (id % 3 == 0 ? p1 : p2).offer(q, s, id);
      }
    }
    TopNeighbours merged = p2.merge(p1);
    for (int q = 0; q < 3; q++) {
      assertArrayEquals(all.ids(q), merged.ids(q));
    }
  }

  @Test
  void recallOf_halfOverlap_half() {
    TopNeighbours a = new TopNeighbours(1, 2);
    TopNeighbours b = new TopNeighbours(1, 2);
    a.offer(0, 1f, 1);
    a.offer(0, 0.9f, 2);
    b.offer(0, 1f, 2);
    b.offer(0, 0.9f, 3);
    assertEquals(0.5, a.recallOf(b), 1e-15);
    assertEquals(1.0, a.recallOf(a), 1e-15);
  }

  @Test
  void constructor_limits_throw() {
    assertThrows(IllegalArgumentException.class, () -> new TopNeighbours(1, 0));
    assertThrows(IllegalArgumentException.class, () -> new TopNeighbours(-1, 1));
    assertThrows(IllegalArgumentException.class, () -> new TopNeighbours(2, 3).merge(new TopNeighbours(2, 4)));
  }
}
