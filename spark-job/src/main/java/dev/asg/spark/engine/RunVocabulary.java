package dev.asg.spark.engine;

import dev.asg.common.InputBoundary;
import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.vocab.Vocabulary;
import dev.asg.common.vocab.VocabularyLoader;
import dev.asg.spark.io.HadoopRangeSource;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vocabulary of a run: {@code --vocab FILE}, or with {@code --vocab auto} a tokenizer.json /
 * {@code <model>-tokenizer.json} / vocab.txt found next to the model. It labels mapping/ with a token column.
 *
 * <p>A file named with {@code --vocab} must cover the table (exit 2 otherwise); a file that was only found next
 * to the model and does not cover it is skipped with a warning, because it may well belong to another model in
 * the same folder and must not make a run that asked for nothing fail.
 */
public final class RunVocabulary implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");

  private final String uri;
  private final boolean explicit;
  private final String[] tokens;
  private final int fileSize;

  private RunVocabulary(String uri, boolean explicit, String[] tokens, int fileSize) {
    this.uri = uri;
    this.explicit = explicit;
    this.tokens = tokens;
    this.fileSize = fileSize;
  }

  /**
   * Loads the vocabulary {@code p.vocab()} asks for, before Spark starts.
   *
   * @return null with {@code --vocab none}, or with {@code auto} when no file is next to the model
   */
  public static RunVocabulary load(InputSpec p, Configuration conf) {
    return InputBoundary.read("--" + InputSpec.VOCAB + " " + Messages.quote(p.vocab()), "pass a "
        + "tokenizer.json, vocab.txt or token list, or --vocab none", () -> loadChecked(p, conf));
  }

  private static RunVocabulary loadChecked(InputSpec p, Configuration conf) {
    String v = p.vocab();
    if (v.equals(InputSpec.VOCAB_NONE)) {
      return null;
    }
    boolean explicit = !v.equals(InputSpec.VOCAB_AUTO);
    String file = explicit ? v : findNextTo(p.uri(), conf);
    if (file == null) {
      return null;
    }
    try (HadoopRangeSource src = HadoopRangeSource.open(file, conf)) {
      Vocabulary vocab = VocabularyLoader.load(src);
      String[] all = new String[vocab.size()];
      for (int i = 0; i < all.length; i++) {
        all[i] = vocab.token(i);
      }
      if (!explicit) {
        LOG.info("vocabulary: using {} found next to the model ({} tokens); --vocab none turns this off", file,
            all.length);
      }
      return new RunVocabulary(file, explicit, all, all.length);
    } catch (FileNotFoundException e) {
      throw new InvalidInputException("--" + InputSpec.VOCAB + " " + v + " does not exist; pass a "
          + "tokenizer.json, vocab.txt or token list, or --vocab none", e);
    } catch (HadoopRangeSource.NotAFileException e) {
      throw new InvalidInputException("--" + InputSpec.VOCAB + " " + Messages.quote(file) + ": "
          + e.getMessage() + "; pass a tokenizer.json, vocab.txt or token list, or --vocab none", e);
    } catch (IOException e) {
      throw new InvalidInputException("--" + InputSpec.VOCAB + " " + file + ": cannot read (" + e.getMessage()
          + "); pass a readable tokenizer.json or vocab.txt", e);
    }
  }

  /** The first candidate next to {@code input} that exists, or null. */
  private static String findNextTo(String input, Configuration conf) {
    try {
      Path model = new Path(input);
      FileSystem fs = model.getFileSystem(conf);
      Path dir = model.getParent();
      if (dir == null) {
        return null;
      }
      List<String> found = VocabularyLoader.findNextTo(model.getName(), name -> {
        try {
          return fs.isFile(new Path(dir, name));
        } catch (IOException e) {
          return false;
        }
      });
      return found.isEmpty() ? null : new Path(dir, found.get(0)).toString();
    } catch (IOException | IllegalArgumentException e) {
      return null; // an unreadable folder just means no automatic vocabulary
    }
  }

  /**
   * This vocabulary cut to a table of {@code rows} rows, or null if it was found automatically and is too small.
   *
   * @throws InvalidInputException if it was named with --vocab and has fewer tokens than rows
   */
  public RunVocabulary forRows(int rows) {
    String warning;
    try {
      warning = new Vocabulary(tokens).checkSize(rows, uri);
    } catch (InvalidInputException e) {
      if (explicit) {
        throw e;
      }
      LOG.warn("{}; not adding a token column (pass --vocab FILE to choose the vocabulary)", e.getMessage());
      return null;
    }
    if (warning != null) {
      LOG.warn(warning);
    }
    if (tokens.length == rows) {
      return this;
    }
    String[] head = new String[rows];
    System.arraycopy(tokens, 0, head, 0, rows);
    return new RunVocabulary(uri, explicit, head, fileSize);
  }

  public String uri() {
    return uri;
  }

  /** Token of id i at index i. */
  public String[] tokens() {
    return tokens;
  }

  Manifest.Vocab manifestEntry() {
    Manifest.Vocab v = new Manifest.Vocab();
    v.uri = uri;
    v.size = fileSize;
    v.used = tokens.length;
    v.foundBy = explicit ? "flag" : "auto";
    return v;
  }
}
