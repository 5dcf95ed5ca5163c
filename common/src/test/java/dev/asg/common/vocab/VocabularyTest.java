package dev.asg.common.vocab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import org.junit.jupiter.api.Test;

class VocabularyTest {
  private final Vocabulary v = new Vocabulary(new String[] {"[PAD]", "a", "b", "a", " "});

  @Test
  void token_validAndOutOfRangeIds() {
    assertEquals("b", v.token(2));
    assertEquals(" ", v.token(4));
    assertThrows(IndexOutOfBoundsException.class, () -> v.token(5));
    assertThrows(IndexOutOfBoundsException.class, () -> v.token(-1));
  }

  @Test
  void idOf_duplicateToken_lowestId() {
    assertEquals(1, v.idOf("a"));
    assertEquals(4, v.idOf(" "));
  }

  @Test
  void idOf_absentToken_minusOne() {
    assertEquals(-1, v.idOf("zzz"));
  }

  @Test
  void constructor_copiesArray() {
    String[] t = {"x", "y"};
    Vocabulary copy = new Vocabulary(t);
    t[0] = "changed";
    assertEquals("x", copy.token(0));
  }

  @Test
  void constructor_nullToken_rejected() {
    assertThrows(NullPointerException.class, () -> new Vocabulary(new String[] {"x", null}));
  }

  @Test
  void checkSize_smallerThanTable_throwsNamingBothSizes() {
    Vocabulary small = new Vocabulary(filled(100));

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> small.checkSize(30522, "vocab.txt"));

    assertTrue(e.getMessage().contains("vocab file vocab.txt has 100 tokens but the table has 30522 rows"),
        e.getMessage());
  }

  @Test
  void checkSize_oneShort_throws() {
    assertThrows(InvalidInputException.class, () -> v.checkSize(6, "t.json"));
  }

  @Test
  void checkSize_equal_noWarning() {
    assertNull(v.checkSize(5, "t.json"));
  }

  @Test
  void checkSize_larger_returnsWarning() {
    String w = v.checkSize(3, "t.json");

    assertTrue(w.contains("has 5 tokens but the table has 3 rows"), w);
    assertTrue(w.contains("ignoring the other 2"), w);
  }

  @Test
  void checkSize_zeroRows_illegal() {
    assertThrows(IllegalArgumentException.class, () -> v.checkSize(0, "t.json"));
  }

  @Test
  void limit_fewerRows_firstTokensOnly() {
    Vocabulary head = v.limit(2);

    assertEquals(2, head.size());
    assertEquals("a", head.token(1));
    assertSame(v, v.limit(5));
  }

  private static String[] filled(int n) {
    String[] t = new String[n];
    for (int i = 0; i < n; i++) {
      t[i] = "t" + i;
    }
    return t;
  }
}
