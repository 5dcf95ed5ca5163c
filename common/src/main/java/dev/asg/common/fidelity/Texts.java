package dev.asg.common.fidelity;

import dev.asg.common.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The texts of a fidelity run: a UTF-8 file with one text per line; blank lines are skipped. */
public final class Texts {
  private Texts() {}

  /**
   * The first {@code max} non-blank lines of {@code file}, trimmed.
   *
   * @throws InvalidInputException (naming --texts) if the file is missing, not UTF-8 or has no non-blank line
   */
  public static List<String> read(Path file, int max) {
    List<String> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while (out.size() < max && (line = r.readLine()) != null) {
        String t = line.strip();
        if (!t.isEmpty()) {
          out.add(t);
        }
      }
    } catch (NoSuchFileException e) {
      throw new InvalidInputException("--texts " + file + " does not exist; pass a UTF-8 file with one text per "
          + "line", e);
    } catch (CharacterCodingException e) {
      throw new InvalidInputException("--texts " + file + " is not UTF-8 text; pass a UTF-8 file with one text per "
          + "line", e);
    } catch (IOException e) {
      throw new InvalidInputException("--texts " + file + ": cannot read (" + e.getMessage() + ")", e);
    }
    if (out.isEmpty()) {
      throw new InvalidInputException("--texts " + file + " has no non-blank line; pass a UTF-8 file with one "
          + "text per line (at least 2 for retrieval agreement)");
    }
    return out;
  }
}
