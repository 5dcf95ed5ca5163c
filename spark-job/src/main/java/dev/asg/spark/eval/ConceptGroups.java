package dev.asg.spark.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The tokens that share a word's concept in each segment (the paper's Figure 2): for segment i, every token u with
 * mapping[u][i] == mapping[token][i], in token-id order.
 *
 * @param token the word asked about
 * @param tokenId its row in the mapping
 * @param m segments per token
 * @param k concepts per codebook
 * @param shared whether one codebook serves every segment
 * @param groups one group per asked segment, in the order asked
 */
public record ConceptGroups(String token, int tokenId, int m, int k, boolean shared, List<Group> groups) {
  /**
   * One segment's group.
   *
   * @param segment the segment index
   * @param conceptId the word's global ConceptID in that segment
   * @param tokenIds every member's token id, ascending (the word itself included)
   */
  public record Group(int segment, int conceptId, int[] tokenIds) {}

  /** @param mapping V x m global ConceptIDs */
  public static ConceptGroups of(String token, int tokenId, int[] mapping, int rows, int m, int k, boolean shared,
      int[] segments) {
    List<Group> out = new ArrayList<>();
    for (int i : segments) {
      int c = mapping[tokenId * m + i];
      int n = 0;
      for (int u = 0; u < rows; u++) {
        if (mapping[u * m + i] == c) {
          n++;
        }
      }
      int[] ids = new int[n];
      int j = 0;
      for (int u = 0; u < rows; u++) {
        if (mapping[u * m + i] == c) {
          ids[j++] = u;
        }
      }
      out.add(new Group(i, c, ids));
    }
    return new ConceptGroups(token, tokenId, m, k, shared, out);
  }

  /** Text for a terminal: one line per segment, at most {@code limit} tokens each (0 = all). */
  public String text(TokenNames names, int limit) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "'%s' (token %d): m = %d, k = %d, %s codebooks%n", token, tokenId, m, k,
        shared ? "shared" : "separate"));
    for (Group g : groups) {
      b.append(String.format(Locale.ROOT, "segment %2d  concept %5d  %5d tokens: ", g.segment, g.conceptId,
          g.tokenIds.length));
      int shown = limit == 0 ? g.tokenIds.length : Math.min(limit, g.tokenIds.length);
      for (int j = 0; j < shown; j++) {
        b.append(j == 0 ? "" : ", ").append(names.name(g.tokenIds[j]));
      }
      if (shown < g.tokenIds.length) {
        b.append(" ... (+").append(g.tokenIds.length - shown).append(" more)");
      }
      b.append(System.lineSeparator());
    }
    return b.toString();
  }

  /** The JSON document of {@code --json}: token lists cut to {@code limit} (0 = all), sizes always complete. */
  public Map<String, Object> toMap(TokenNames names, int limit) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("token", token);
    root.put("token_id", tokenId);
    root.put("m", m);
    root.put("k", k);
    root.put("codebook", shared ? "shared" : "separate");
    List<Map<String, Object>> segs = new ArrayList<>();
    for (Group g : groups) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("segment", g.segment);
      s.put("concept_id", g.conceptId);
      s.put("size", g.tokenIds.length);
      int shown = limit == 0 ? g.tokenIds.length : Math.min(limit, g.tokenIds.length);
      List<String> toks = new ArrayList<>(shown);
      List<Integer> ids = new ArrayList<>(shown);
      for (int j = 0; j < shown; j++) {
        toks.add(names.name(g.tokenIds[j]));
        ids.add(g.tokenIds[j]);
      }
      s.put("tokens", toks);
      s.put("token_ids", ids);
      segs.add(s);
    }
    root.put("segments", segs);
    return root;
  }

  /** Token id to display string. */
  @FunctionalInterface
  public interface TokenNames {
    String name(int id);
  }
}
