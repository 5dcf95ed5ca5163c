package dev.asg.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class MessagesTest {

  @Test
  void oneLine_newlinesAndControls_escapedOnOneLine() {
    String forged = "name\nat fake.Frame(X.java:1)\r\nException in thread \"main\"\u2028\u0007";
    String line = Messages.oneLine(forged);
    assertEquals("name\\nat fake.Frame(X.java:1)\\r\\nException in thread \"main\"\\u2028\\u0007", line);
    assertTrue(line.lines().count() == 1);
  }

  @Test
  void oneLine_fiveMegabytes_cutInTheMiddleKeepingBothEnds() {
    String s = "START " + "x".repeat(5_000_000) + " END";
    String line = Messages.oneLine(s);
    assertTrue(line.length() <= Messages.MAX_LINE, "length " + line.length());
    assertTrue(line.startsWith("START "));
    assertTrue(line.endsWith(" END"));
    assertTrue(line.contains("chars cut"));
  }

  @Test
  void quote_plainShortText_unchanged() {
    String s = "word_embeddings.weight";
    assertSame(s, Messages.escape(s));
    assertEquals(s, Messages.quote(s));
    assertTrue(Messages.quote("y".repeat(1000)).length() <= Messages.MAX_QUOTE);
  }

  @Test
  void read_ioAndArgumentFailures_becomeOneInvalidInputNamingSubject() {
    InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
        () -> InputBoundary.read("--input a:b", "check the path", () -> {
          throw new IllegalArgumentException("java.net.URISyntaxException: Relative path in absolute URI: a:b");
        }));
    assertTrue(e.getMessage().startsWith("--input a:b: cannot be read (IllegalArgumentException"), e.getMessage());
    assertTrue(e.getMessage().endsWith("; check the path"));
    InvalidInputException deep = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
        () -> InputBoundary.read("f", "fix it", () -> {
          throw new StackOverflowError();
        }));
    assertTrue(deep.getMessage().contains("nested too deeply"));
  }

  @Test
  void read_invalidInputInsideCheckedException_passesThroughUnchanged() {
    InvalidInputException bad = new InvalidInputException("t: row 7 is NaN");
    InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
        () -> InputBoundary.read("t", "x", () -> {
          throw new IOException("job failed", bad);
        }));
    assertSame(bad, e);
    assertFalse(e.getMessage().contains("cannot be read"));
  }
}
