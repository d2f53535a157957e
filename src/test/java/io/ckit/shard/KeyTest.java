package io.ckit.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyTest {

  @Test
  void keysPrintAsUnsignedDecimal() {
    assertThat(new Key(-1L)).hasToString("18446744073709551615");
    assertThat(new Key(0L)).hasToString("0");
    assertThat(Key.ofString("")).hasToString("17241709254077376921");
  }

  @Test
  void printedKeysParseBack() {
    for (long bits : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x1234_5678_9abc_def0L}) {
      assertThat(Key.parse(new Key(bits).toString())).isEqualTo(new Key(bits));
    }
  }

  @Test
  void nonNumericOrOutOfRangeKeysAreRejected() {
    assertThatThrownBy(() -> Key.parse("18446744073709551616"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not an unsigned 64-bit decimal key: \"18446744073709551616\"");
    assertThatThrownBy(() -> Key.parse("-1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Key.parse("abc")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Key.parse("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keysCompareAsUnsignedNumbers() {
    assertThat(new Key(-1L)).isGreaterThan(new Key(Long.MAX_VALUE));
    assertThat(new Key(0L)).isLessThan(new Key(1L));
  }

  @Test
  void keyBuilderHashesPiecesAsOneString() {
    KeyBuilder builder = new KeyBuilder().write("some-").write("key".getBytes(StandardCharsets.UTF_8));
    assertThat(builder.key()).isEqualTo(Key.ofString("some-key"));
    assertThat(builder.key()).as("reading the key leaves the builder as it was").isEqualTo(Key.ofString("some-key"));
    builder.write(new byte[] {'x', '!', 'y'}, 1, 1);
    assertThat(builder.key()).isEqualTo(Key.ofString("some-key!"));
    builder.reset();
    assertThat(builder.key()).isEqualTo(Key.ofString(""));
  }

  @Test
  void stringKeysHashUtf8NotUtf16() {
    assertThat(Key.ofString("nöde-α")).isEqualTo(Key.ofBytes("nöde-α".getBytes(StandardCharsets.UTF_8)));
    assertThat(Key.ofString("🚀")).isEqualTo(Key.ofBytes(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x9A, (byte) 0x80}));
  }

  @Test
  void keyBuilderRejectsRangesOutsideTheArray() {
    assertThatThrownBy(() -> new KeyBuilder().write(new byte[2], 1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
