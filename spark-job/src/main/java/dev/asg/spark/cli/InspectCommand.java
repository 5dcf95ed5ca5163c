package dev.asg.spark.cli;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.vocab.Vocabulary;
import dev.asg.spark.artifact.ArtifactDir;
import dev.asg.spark.artifact.ArtifactSections;
import dev.asg.spark.eval.ConceptGroups;
import dev.asg.spark.eval.TokenLookup;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code asg inspect}: which tokens share a word's concept in each segment (the paper's Figure 2). */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Print, per segment, the tokens that share the given token's concept.")
public final class InspectCommand implements Callable<Integer> {
  /** 30 tokens fit a terminal line or two per segment; --limit 0 prints whole groups. */
  static final int DEFAULT_LIMIT = 30;

  @Option(names = "--artifacts", required = true, paramLabel = "DIR", description = "Artifact directory of "
      + "'asg quantize'.")
  String artifacts;

  @Option(names = "--token", required = true, paramLabel = "TOKEN",
      description = "The token as the vocabulary spells it (e.g. father, ##ing).")
  String token;

  @Option(names = "--segments", paramLabel = "LIST", split = ",",
      description = "Comma-separated segment indices in [0, m); default: all.")
  int[] segments;

  @Option(names = "--vocab", paramLabel = "FILE",
      description = "tokenizer.json or vocab.txt; default: mapping/'s token column, else a tokenizer.json, "
          + "<model>-tokenizer.json or vocab.txt next to the source model.")
  String vocab;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "" + DEFAULT_LIMIT,
      description = "Tokens shown per segment, >= 0; 0 = all (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--json", description = "Print one JSON document instead of text.")
  boolean json;

  @CommandLine.Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    checkLimit(limit);
    SparkOptions.Setup setup = sparkOptions.setup("asg inspect " + artifacts);
    Configuration conf = setup.hadoopConf();
    // The decoder layout's top level: every section (input, output), side by side in one document.
    ArtifactSections top = ArtifactSections.find(artifacts, conf);
    Map<String, ArtifactDir> dirs = new LinkedHashMap<>();
    if (top == null) {
      dirs.put(null, ArtifactDir.open(artifacts, conf));
    } else {
      top.sectionDirs().forEach((name, d) -> dirs.put(name, ArtifactDir.open(d, conf)));
    }
    Map<String, int[]> segs = new LinkedHashMap<>();
    dirs.forEach((name, d) -> segs.put(name, checkSegments(segments, d.m())));
    // A session that already exists (a notebook, a test) is used and left running; one we start, we stop.
    boolean owned = SparkSession.getDefaultSession().isEmpty();
    SparkSession spark = setup.session();
    String text;
    try {
      if (top == null) {
        text = render(spark, dirs.get(null), token, segs.get(null), vocab, limit, json, conf);
      } else {
        text = renderSections(spark, dirs, segs, conf);
      }
    } finally {
      if (owned) {
        spark.stop();
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(text);
    out.flush();
    return 0;
  }

  static void checkLimit(int limit) {
    if (limit < 0) {
      throw new InvalidInputException("--limit " + limit + " is negative; allowed: 0 (all tokens) or more");
    }
  }

  /** The requested segments, or all m; exit 2 for one outside [0, m). */
  static int[] checkSegments(int[] segments, int m) {
    if (segments == null) {
      int[] all = new int[m];
      for (int i = 0; i < m; i++) {
        all[i] = i;
      }
      return all;
    }
    for (int s : segments) {
      if (s < 0 || s >= m) {
        throw new InvalidInputException("--segments contains " + s + "; allowed: segment indices 0.." + (m - 1)
            + " (the artifact has m = " + m + ")");
      }
    }
    return segments.clone();
  }

  private String renderSections(SparkSession spark, Map<String, ArtifactDir> dirs, Map<String, int[]> segs,
      Configuration conf) throws Exception {
    StringBuilder b = new StringBuilder();
    Map<String, Object> all = new LinkedHashMap<>();
    for (Map.Entry<String, ArtifactDir> e : dirs.entrySet()) {
      ArtifactDir d = e.getValue();
      Vocabulary v = TokenLookup.find(spark, d, vocab, conf);
      ConceptGroups g = groups(spark, d, v, token, segs.get(e.getKey()));
      if (json) {
        all.put(e.getKey(), g.toMap(v::token, limit));
      } else {
        b.append("== section ").append(e.getKey()).append(" (").append(d.manifest().source.tensor).append(") ==")
            .append(System.lineSeparator()).append(g.text(v::token, limit));
      }
    }
    return json ? Manifest.mapper().writeValueAsString(Map.of("sections", all)) + System.lineSeparator()
        : b.toString();
  }

  private static String render(SparkSession spark, ArtifactDir dir, String token, int[] segs, String vocabFlag,
      int limit, boolean json, Configuration conf) throws Exception {
    Vocabulary v = TokenLookup.find(spark, dir, vocabFlag, conf);
    ConceptGroups g = groups(spark, dir, v, token, segs);
    if (json) {
      return Manifest.mapper().writeValueAsString(g.toMap(v::token, limit)) + System.lineSeparator();
    }
    return g.text(v::token, limit);
  }

  private static ConceptGroups groups(SparkSession spark, ArtifactDir dir, Vocabulary v, String token, int[] segs) {
    int id = TokenLookup.idOf(v, token);
    int[] mapping = dir.readMapping(spark);
    return ConceptGroups.of(token, id, mapping, dir.rows(), dir.m(), dir.k(), dir.shared(), segs);
  }

  /**
   * Java API (tests, notebooks): the groups of {@code token} in the given segments (null = all), with the
   * vocabulary found as the command finds it ({@code vocab} null = automatic).
   */
  public static ConceptGroups inspect(SparkSession spark, String artifacts, String token, int[] segments,
      String vocab) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    ArtifactDir dir = ArtifactDir.open(artifacts, conf);
    int[] segs = checkSegments(segments, dir.m());
    Vocabulary v = TokenLookup.find(spark, dir, vocab, conf);
    return groups(spark, dir, v, token, segs);
  }
}
