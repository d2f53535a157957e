package io.ckit.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer against ckit's own formats ({@link CkitCodec}): state broadcasts ({@code 0x1201} + type + msgpack)
 * and push/pull local state; the first byte chooses which. A value decoded encodes to bytes that decode
 * equal.
 */
class CkitCodecFuzzTest {

  @FuzzTest(maxExecutions = Fuzzing.MAX_EXECUTIONS, maxDuration = Fuzzing.MAX_DURATION)
  void ckitStateDecodesOrIsRefusedAndRoundTrips(byte[] input) {
    if (input.length == 0) {
      return;
    }
    if ((input[0] & 1) == 0) {
      StateMessage state = Fuzzing.decodeOrRefuse("CkitCodec.decodeState", input,
          () -> CkitCodec.decodeState(input, 1, input.length - 1));
      if (state != null) {
        byte[] encoded = CkitCodec.encodeState(state);
        check(state, CkitCodec.decodeState(encoded, 0, encoded.length), input);
      }
    } else {
      LocalState local = Fuzzing.decodeOrRefuse("CkitCodec.decodeLocalState", input,
          () -> CkitCodec.decodeLocalState(input, 1, input.length - 1));
      if (local != null) {
        byte[] encoded = CkitCodec.encodeLocalState(local);
        check(local, CkitCodec.decodeLocalState(encoded, 0, encoded.length), input);
      }
    }
  }

  private static void check(Object decoded, Object again, byte[] input) {
    if (!decoded.equals(again)) {
      throw new AssertionError("decoded " + decoded + " from " + Fuzzing.hex(input) + " but re-encoded it reads "
          + again);
    }
  }
}
