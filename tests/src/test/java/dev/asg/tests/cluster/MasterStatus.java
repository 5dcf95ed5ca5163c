package dev.asg.tests.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the standalone Master's JSON UI ({@code http://host:webui/json/}) says about itself, reduced to what the
 * test cluster waits on: its URL, its own state, and how many workers are ALIVE.
 *
 * @param url the Master's {@code spark://} URL as it reports it (proves we reached our Master, not a stranger
 *     that took the port)
 * @param status the Master's recovery state, ALIVE once it accepts registrations
 * @param aliveWorkerIds ids of the workers whose state is ALIVE
 */
record MasterStatus(String url, String status, List<String> aliveWorkerIds) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Explicitly no proxy: a proxy configured for the build must never see (or break) loopback requests. */
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .proxy(HttpClient.Builder.NO_PROXY)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  /** Parses the JSON body; unknown fields are ignored so newer Spark versions keep working. */
  static MasterStatus parse(String json) throws IOException {
    JsonNode root = JSON.readTree(json);
    List<String> alive = new ArrayList<>();
    for (JsonNode worker : root.path("workers")) {
      if ("ALIVE".equals(worker.path("state").asText())) {
        alive.add(worker.path("id").asText());
      }
    }
    return new MasterStatus(root.path("url").asText(""), root.path("status").asText(""), List.copyOf(alive));
  }

  /**
   * Fetches and parses the status.
   *
   * @throws IOException when the UI is not up yet or answers with something other than HTTP 200
   */
  static MasterStatus fetch(URI jsonUri) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(jsonUri).timeout(Duration.ofSeconds(5)).GET().build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + jsonUri + " answered HTTP " + response.statusCode());
    }
    return parse(response.body());
  }
}
