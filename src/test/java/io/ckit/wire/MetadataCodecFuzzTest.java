package io.ckit.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Map;

/**
 * Jazzer against node metadata ({@link MetadataCodec#decode}), given the bytes as they are and after the
 * form's header (so most inputs reach the map): a map decoded encodes to bytes that decode to it again.
 */
class MetadataCodecFuzzTest {

  private static final byte[] HEADER = {(byte) 0xC1, 'M', 1};

  @FuzzTest(maxExecutions = Fuzzing.MAX_EXECUTIONS, maxDuration = Fuzzing.MAX_DURATION)
  void metadataDecodesOrIsRefusedAndRoundTrips(byte[] input) {
    byte[] withHeader = new byte[HEADER.length + input.length];
    System.arraycopy(HEADER, 0, withHeader, 0, HEADER.length);
    System.arraycopy(input, 0, withHeader, HEADER.length, input.length);
    for (byte[] meta : new byte[][] {input, withHeader}) {
      Map<String, String> decoded = Fuzzing.decodeOrRefuse("MetadataCodec.decode", meta,
          () -> MetadataCodec.decode(ByteString.copyOf(meta)));
      if (decoded == null || decoded.isEmpty()) {
        continue;
      }
      ByteString encoded = MetadataCodec.encode(decoded);
      Map<String, String> again = MetadataCodec.decode(encoded);
      if (!again.equals(decoded)) {
        throw new AssertionError("decoded " + decoded + " from " + Fuzzing.hex(meta) + " but its encoding "
            + encoded + " decodes to " + again);
      }
    }
  }
}
