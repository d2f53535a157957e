package io.ckit.wire;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Jazzer against the msgpack reader every decoder is built on ({@link GoMsgpackReader}): the fuzzer chooses a
 * sequence of reads (map and array headers, field names, strings, bytes, integers, bools, skips, raw bytes)
 * and the bytes. Each read returns or throws {@link WireDecodeException}; the position never passes the end
 * of the slice; and the same bytes read from the middle of a larger array (other bytes before and after)
 * give the same values and errors, so no read looks outside its slice.
 */
class MsgpackReaderFuzzTest {

  @FuzzTest(maxExecutions = Fuzzing.MAX_EXECUTIONS, maxDuration = Fuzzing.MAX_DURATION)
  void readsReturnOrRefuseAndStayInsideTheirSlice(FuzzedDataProvider fuzz) {
    byte[] ops = fuzz.consumeBytes(fuzz.consumeInt(1, 24));
    int rawLength = fuzz.consumeInt(-1, 64);
    byte[] data = fuzz.consumeRemainingAsBytes();

    List<String> alone = read(data, 0, data.length, ops, rawLength);
    byte[] embedded = new byte[data.length + 8];
    Arrays.fill(embedded, (byte) 0xA5);
    System.arraycopy(data, 0, embedded, 3, data.length);
    List<String> inside = read(embedded, 3, data.length, ops, rawLength);
    if (!alone.equals(inside)) {
      throw new AssertionError("reads " + Arrays.toString(ops) + " of " + Fuzzing.hex(data) + " gave " + alone
          + " alone but " + inside + " inside a larger array");
    }
  }

  private static List<String> read(byte[] array, int offset, int length, byte[] ops, int rawLength) {
    GoMsgpackReader in = new GoMsgpackReader(array, offset, length, "fuzzed value");
    List<String> results = new ArrayList<>();
    for (byte op : ops) {
      Object value = Fuzzing.decodeOrRefuse("GoMsgpackReader", array, () -> apply(in, op & 0xFF, rawLength));
      int position = in.position();
      if (position < offset || position > offset + length || in.remaining() != offset + length - position) {
        throw new AssertionError("position " + position + " outside " + offset + ".." + (offset + length));
      }
      results.add(Objects.toString(value) + "@" + (position - offset));
      if (value == null) {
        break;
      }
    }
    return results;
  }

  private static Object apply(GoMsgpackReader in, int op, int rawLength) {
    return switch (op % 13) {
      case 0 -> in.mapHeader();
      case 1 -> in.arrayHeaderOrNil();
      case 2 -> in.key();
      case 3 -> in.string("s");
      case 4 -> String.valueOf(in.bytes("b"));
      case 5 -> in.uint("u", 0xFFFF);
      case 6 -> in.uint64("u64");
      case 7 -> in.goInt("i", Integer.MAX_VALUE);
      case 8 -> in.bool("flag");
      case 9 -> {
        in.skip();
        yield "skipped";
      }
      case 10 -> String.valueOf(in.rawBytes(rawLength));
      case 11 -> {
        in.requireEnd();
        yield "end";
      }
      default -> in.nextIsNil();
    };
  }
}
