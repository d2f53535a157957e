package io.ckit.wire;

import io.ckit.wire.Message.Compound;
import io.ckit.wire.Message.Compress;
import io.ckit.wire.MessageCodec.Form;

/**
 * The round trip the message codec promises: a message it decoded whole encodes to bytes that decode to a
 * message with the same encoding. (Encodings, not values, are compared: as in Go, an empty {@code []byte} and
 * nil are one value on the wire, omitted alike, while the decoded records tell them apart.)
 */
final class MessageRoundTrip {

  private MessageRoundTrip() {}

  static void check(MessageCodec codec, Message decoded, Form form, byte[] input) {
    if (!whole(decoded)) {
      return;
    }
    byte[] encoded = codec.encode(decoded, form);
    Message again = codec.decode(encoded, 0, encoded.length, form);
    if (!java.util.Arrays.equals(codec.encode(again, form), encoded)) {
      throw new AssertionError("decoded " + decoded + " from " + Fuzzing.hex(input) + ", but its encoding "
          + Fuzzing.hex(encoded) + " decodes to " + again);
    }
  }

  /** Whether a message was read completely: compound parts that were cut off or unreadable are dropped. */
  static boolean whole(Message message) {
    if (message instanceof Compound compound) {
      return compound.truncatedParts() == 0 && compound.unreadableParts().isEmpty()
          && compound.parts().stream().allMatch(MessageRoundTrip::whole);
    }
    return !(message instanceof Compress compress) || whole(compress.inner());
  }
}
