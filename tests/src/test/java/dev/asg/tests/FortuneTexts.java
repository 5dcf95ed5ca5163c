package dev.asg.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real English sentences for model-fidelity tests: Debian's fortunes-min (installed by .ci/run), split into
 * sentences of at least 4 words, as spark-job/bin/fortune-sentences does for the demo.
 */
public final class FortuneTexts {
  public static final Path DIR = Path.of("/usr/share/games/fortunes");

  private FortuneTexts() {}

  public static List<String> sentences(int max) throws IOException {
    Path file = DIR.resolve("fortunes");
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(file + " is missing: install Debian's fortunes-min (.ci/run does)");
    }
    List<String> out = new ArrayList<>();
    for (String name : List.of("fortunes", "literature", "riddles")) {
      String all = Files.readString(DIR.resolve(name), StandardCharsets.UTF_8);
      for (String entry : all.split("\n%\n")) {
        for (String s : entry.strip().replaceAll("\\s+", " ").split("(?<=[.!?])\\s+(?=[A-Z\"])")) {
          if (s.split(" ").length >= 4 && out.size() < max) {
            out.add(s);
          }
        }
      }
    }
    return out;
  }

  /** {@code sentences(max)} written one per line to {@code file}. */
  public static Path write(Path file, int max) throws IOException {
    return Files.write(file, sentences(max), StandardCharsets.UTF_8);
  }
}
