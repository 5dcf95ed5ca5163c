package dev.asg.spark.eval;

import dev.asg.common.InvalidInputException;
import dev.asg.common.io.RangeSource;
import dev.asg.common.vocab.Vocabulary;
import dev.asg.common.vocab.VocabularyLoader;
import dev.asg.spark.artifact.ArtifactDir;
import dev.asg.spark.io.HadoopRangeSource;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the vocabulary of an artifact, in this order: --vocab FILE; the mapping's optional token column; a
 * tokenizer.json, {@code <model>-tokenizer.json} or vocab.txt next to the source model (manifest source.uri).
 */
public final class TokenLookup {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");
  /** Suggestions for an unknown token: a few is enough to spot a casing or "##" subword mistake. */
  private static final int SUGGESTIONS = 5;

  private TokenLookup() {}

  public static Vocabulary find(SparkSession spark, ArtifactDir dir, String vocabFlag, Configuration conf) {
    Vocabulary v;
    String from;
    if (vocabFlag != null) {
      v = load(vocabFlag, conf, "--vocab " + vocabFlag);
      from = vocabFlag;
    } else {
      String[] column = dir.readTokenColumn(spark);
      if (column != null) {
        return new Vocabulary(column);
      }
      String uri = dir.manifest().source == null ? null : dir.manifest().source.uri;
      String found = uri == null ? null : nextTo(uri, conf);
      if (found == null) {
        throw new InvalidInputException("--artifacts " + dir.path() + ": no vocabulary found (mapping/ has no '"
            + ArtifactDir.TOKEN_COLUMN + "' column and there is no tokenizer.json, <model>-tokenizer.json or "
            + "vocab.txt next to " + uri + "); pass --vocab FILE (tokenizer.json or vocab.txt)");
      }
      v = load(found, conf, "vocab file " + found);
      from = found;
    }
    String warning = v.checkSize(dir.rows(), from);
    if (warning != null) {
      LOG.warn(warning);
    }
    return v.limit(dir.rows());
  }

  private static String nextTo(String uri, Configuration conf) {
    try {
      Path model = new Path(uri);
      FileSystem fs = model.getFileSystem(conf);
      Path parent = model.getParent();
      List<String> names = VocabularyLoader.findNextTo(model.getName(), n -> {
        try {
          return fs.exists(new Path(parent, n));
        } catch (IOException e) {
          return false;
        }
      });
      return names.isEmpty() ? null : new Path(parent, names.get(0)).toString();
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  private static Vocabulary load(String file, Configuration conf, String what) {
    try (RangeSource src = HadoopRangeSource.open(file, conf)) {
      return VocabularyLoader.load(src);
    } catch (FileNotFoundException e) {
      throw new InvalidInputException(what + " does not exist; pass the model's tokenizer.json or vocab.txt", e);
    } catch (IOException e) {
      throw new InvalidInputException(what + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  /** The token's id; exit 2 naming it, with close matches, if the vocabulary lacks it. */
  public static int idOf(Vocabulary v, String token) {
    int id = v.idOf(token);
    if (id >= 0) {
      return id;
    }
    List<String> close = suggestions(v, token);
    throw new InvalidInputException("--token '" + token + "' is not in the vocabulary (" + v.size() + " tokens)"
        + (close.isEmpty() ? "; check the spelling and casing" : "; close matches: " + String.join(", ", close)));
  }

  /** Tokens equal ignoring case or a "##"/"▁"/"Ġ" subword marker, then those within edit distance 2. */
  static List<String> suggestions(Vocabulary v, String token) {
    String plain = strip(token).toLowerCase(Locale.ROOT);
    List<int[]> scored = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      String t = v.token(i);
      if (Math.abs(t.length() - token.length()) > 3) {
        continue;
      }
      int d = strip(t).toLowerCase(Locale.ROOT).equals(plain) ? 0 : distance(t, token, 2);
      if (d <= 2) {
        scored.add(new int[] {d, i});
      }
    }
    scored.sort(Comparator.<int[]>comparingInt(a -> a[0]).thenComparingInt(a -> a[1]));
    List<String> out = new ArrayList<>();
    for (int j = 0; j < Math.min(SUGGESTIONS, scored.size()); j++) {
      out.add("'" + v.token(scored.get(j)[1]) + "'");
    }
    return out;
  }

  private static String strip(String t) {
    if (t.startsWith("##")) {
      return t.substring(2);
    }
    if (t.startsWith("\u2581") || t.startsWith("\u0120")) {
      return t.substring(1);
    }
    return t;
  }

  /** Levenshtein distance, or max + 1 as soon as it must exceed max. */
  static int distance(String a, String b, int max) {
    if (Math.abs(a.length() - b.length()) > max) {
      return max + 1;
    }
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      int rowMin = cur[0];
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
        rowMin = Math.min(rowMin, cur[j]);
      }
      if (rowMin > max) {
        return max + 1;
      }
      int[] tmp = prev;
      prev = cur;
      cur = tmp;
    }
    return prev[b.length()];
  }
}
