package dev.asg.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import dev.asg.common.OutputExistsException;
import org.junit.jupiter.api.Test;

class FailuresTest {

  @Test
  void findInvalidInput_wrappedCause_returnsIt() {
    InvalidInputException bad = new InvalidInputException("f: row 7 is NaN");
    assertSame(bad, Failures.findInvalidInput(new RuntimeException("job failed", bad)));
  }

  @Test
  void findInvalidInput_onlyInRemoteMessage_recoversTheLine() {
    RuntimeException spark = new RuntimeException("Job aborted due to stage failure: Task 0 failed 4 times, most "
        + "recent failure: Lost task 0.3: dev.asg.common.InvalidInputException: f.safetensors: row 7 column 3 is "
        + "NaN; fix it\n\tat dev.asg.common.tensor.RowReader.readRows(RowReader.java:1)");
    assertEquals("f.safetensors: row 7 column 3 is NaN; fix it", Failures.findInvalidInput(spark).getMessage());
  }

  @Test
  void findInvalidInput_otherFailure_null() {
    assertNull(Failures.findInvalidInput(new IllegalStateException("executor lost")));
  }

  @Test
  void exitCode_eachKindOfFailure_itsDocumentedCode() {
    assertEquals(AsgMain.EXIT_USAGE, Failures.exitCode(new RuntimeException(new InvalidInputException("bad"))));
    assertEquals(AsgMain.EXIT_OUTPUT_EXISTS,
        Failures.exitCode(new RuntimeException(new OutputExistsException("--output o already exists"))));
    assertEquals(AsgMain.EXIT_FAILURE, Failures.exitCode(new IllegalStateException("executor lost")));
  }

  @Test
  void exitCode_inputUnreadableBecauseNobodyAnswered_runtimeFailureWithAdvice() {
    InvalidInputException down = new InvalidInputException("--input hdfs://nn:8020/m: cannot read",
        new java.net.ConnectException("Connection refused"));
    assertEquals(AsgMain.EXIT_FAILURE, Failures.exitCode(down));
    String line = Failures.errorLine(down);
    assertTrue(line.startsWith("--input hdfs://nn:8020/m") && line.contains("did not answer"), line);
    InvalidInputException unknownHost = new InvalidInputException("--input hdfs://typo/m: cannot read",
        new java.net.UnknownHostException("typo"));
    assertEquals(AsgMain.EXIT_USAGE, Failures.exitCode(unknownHost), "a host that does not exist is input");
  }

  @Test
  void errorLine_multiLineFailure_oneLine() {
    String line = Failures.errorLine(new IllegalStateException("lost\nmore"));
    assertEquals(1, line.lines().count(), line);
  }
}
