package dev.asg.common.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DTypeTest {

  @Test
  void fromSafetensors_supportedNames_mapToTypes() {
    assertEquals(DType.F32, DType.fromSafetensors("F32"));
    assertEquals(DType.F16, DType.fromSafetensors("F16"));
    assertEquals(DType.BF16, DType.fromSafetensors("BF16"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"I64", "F64", "F8_E4M3", "f32", "", "BOOL"})
  void fromSafetensors_otherNames_rejectedNamingDtypeAndAllowed(String name) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> DType.fromSafetensors(name));
    assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("F32, F16, BF16"), e.getMessage());
  }

  @Test
  void fromSafetensors_null_rejected() {
    assertThrows(InvalidInputException.class, () -> DType.fromSafetensors(null));
  }

  @Test
  void safetensorsName_roundTripsThroughFromSafetensors() {
    for (DType t : DType.values()) {
      assertEquals(t, DType.fromSafetensors(t.safetensorsName()));
    }
  }
}
