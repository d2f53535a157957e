package io.ckit.wire;

import io.ckit.wire.WireDecodeException.Kind;
import java.util.Arrays;

/**
 * LZW as Go's {@code compress/lzw} writes and reads it with LSB bit order and 8-bit literals: memberlist's
 * only compression. Codes start 9 bits wide; 256 clears the dictionary, 257 ends the data, 258 is the first
 * new code; the width grows when the next code to assign reaches 2^width, up to 12 bits, and the writer
 * sends a clear code when code 4095 would be assigned. The writer always starts with a clear code, ends with
 * the end code and pads the last byte with zero bits, so its output is byte for byte Go's.
 */
public final class Lzw {

  private static final int LITERAL_WIDTH = 8;
  private static final int CLEAR = 1 << LITERAL_WIDTH;
  private static final int END = CLEAR + 1;
  private static final int FIRST_WIDTH = LITERAL_WIDTH + 1;
  private static final int MAX_WIDTH = 12;
  private static final int MAX_CODE = (1 << MAX_WIDTH) - 1;

  private Lzw() {}

  /** Compresses {@code length} bytes of {@code input} from {@code offset}. */
  public static byte[] compress(byte[] input, int offset, int length) {
    return new Encoder(length).encode(input, offset, length);
  }

  /**
   * Decompresses Go LZW data.
   *
   * @param maxOutput the most bytes the result may have; more is an error, not an allocation
   * @throws WireDecodeException {@link Kind#BAD_COMPRESSION} for malformed data (including data without an
   *     end code), {@link Kind#TOO_LARGE} when the output would exceed {@code maxOutput}
   */
  public static byte[] decompress(byte[] input, int offset, int length, int maxOutput) {
    return new Decoder(input, offset, length, maxOutput).decode();
  }

  private static final class Encoder {

    private static final int KEY_BITS = 20;
    private static final int KEY_MASK = (1 << KEY_BITS) - 1;

    /**
     * Open-addressing dictionary from (prefix code << 8 | byte) to code, at most half full: an input of n
     * bytes defines fewer than n codes, and never more than 4096 are live. Each slot also holds the
     * generation it was written in; clearing the dictionary starts a new generation instead of wiping it.
     */
    private final int tableMask;
    private final int tableShift;
    private final int[] keys;
    private final short[] codes;
    private int generation = 1;
    private byte[] out;
    private int size;
    private long bits;
    private int bitCount;
    private int width = FIRST_WIDTH;
    private int nextCode = END;
    private int widthLimit = 1 << FIRST_WIDTH;

    Encoder(int inputLength) {
      int entries = Math.min(inputLength, 1 << MAX_WIDTH);
      int bits = Math.max(6, 33 - Integer.numberOfLeadingZeros(entries));
      tableMask = (1 << bits) - 1;
      tableShift = 32 - bits;
      keys = new int[1 << bits];
      codes = new short[1 << bits];
      out = new byte[Math.max(16, inputLength / 2 + 8)];
    }

    byte[] encode(byte[] input, int offset, int length) {
      write(CLEAR);
      if (length > 0) {
        int code = input[offset] & 0xFF;
        for (int i = offset + 1; i < offset + length; i++) {
          int literal = input[i] & 0xFF;
          int key = generation << KEY_BITS | code << 8 | literal;
          int slot = find(key);
          if (keys[slot] == key) {
            code = codes[slot];
            continue;
          }
          write(code);
          code = literal;
          if (!advance()) {
            keys[slot] = key;
            codes[slot] = (short) nextCode;
          }
        }
        write(code);
        advance();
      }
      write(END);
      if (bitCount > 0) {
        put((byte) bits);
      }
      return Arrays.copyOf(out, size);
    }

    /** The slot holding {@code key}, or the free slot (empty, or of an older generation) where it would go. */
    private int find(int key) {
      int slot = ((key & KEY_MASK) * 0x9E3779B1) >>> tableShift;
      int current = generation;
      while (keys[slot] >>> KEY_BITS == current && keys[slot] != key) {
        slot = (slot + 1) & tableMask;
      }
      return slot;
    }

    /**
     * Moves to the next code to assign, widening codes when it needs another bit. When the codes run out,
     * sends a clear code, empties the dictionary and returns true.
     */
    private boolean advance() {
      nextCode++;
      if (nextCode == widthLimit) {
        width++;
        widthLimit <<= 1;
      }
      if (nextCode == MAX_CODE) {
        write(CLEAR);
        width = FIRST_WIDTH;
        nextCode = END;
        widthLimit = 1 << FIRST_WIDTH;
        generation++;
        if (generation == 1 << (32 - KEY_BITS)) {
          Arrays.fill(keys, 0);
          generation = 1;
        }
        return true;
      }
      return false;
    }

    private void write(int code) {
      bits |= (long) code << bitCount;
      bitCount += width;
      while (bitCount >= 8) {
        put((byte) bits);
        bits >>>= 8;
        bitCount -= 8;
      }
    }

    private void put(byte value) {
      if (size == out.length) {
        out = Arrays.copyOf(out, out.length * 2);
      }
      out[size++] = value;
    }
  }

  private static final class Decoder {

    private static final int NO_CODE = -1;

    private final byte[] input;
    private int position;
    private final int end;
    private final int maxOutput;
    /** Code tables, only as large as the codes the input can hold (at least 9 bits each). */
    private final int[] prefix;
    private final byte[] suffix;
    private final byte[] expansion;
    private byte[] out;
    private int size;
    private long bits;
    private int bitCount;
    private int width = FIRST_WIDTH;
    private int nextCode = END;
    private int widthLimit = 1 << FIRST_WIDTH;
    private int previous = NO_CODE;

    Decoder(byte[] input, int offset, int length, int maxOutput) {
      this.input = input;
      this.position = offset;
      this.end = offset + length;
      this.maxOutput = maxOutput;
      this.out = new byte[(int) Math.min(maxOutput, Math.max(64L, 3L * length))];
      int codes = (int) Math.min(1 << MAX_WIDTH, END + 3 + 8L * length / FIRST_WIDTH);
      this.prefix = new int[codes];
      this.suffix = new byte[codes];
      this.expansion = new byte[codes];
    }

    byte[] decode() {
      while (true) {
        int code = read();
        if (code == CLEAR) {
          width = FIRST_WIDTH;
          nextCode = END;
          widthLimit = 1 << FIRST_WIDTH;
          previous = NO_CODE;
          continue;
        }
        if (code == END) {
          return Arrays.copyOf(out, size);
        }
        if (code < CLEAR) {
          expansion[expansion.length - 1] = (byte) code;
          emit(expansion, expansion.length - 1, 1);
          define((byte) code);
        } else if (code <= nextCode) {
          int start = expand(code);
          emit(expansion, start, expansion.length - start);
          define(expansion[start]);
        } else {
          throw new WireDecodeException(Kind.BAD_COMPRESSION,
              "LZW code " + code + " is above the next code " + nextCode);
        }
        previous = code;
        nextCode++;
        if (nextCode >= widthLimit) {
          if (width == MAX_WIDTH) {
            // The dictionary is full: codes keep their meaning and no new ones are defined until a clear.
            previous = NO_CODE;
            nextCode--;
          } else {
            width++;
            widthLimit <<= 1;
          }
        }
      }
    }

    /**
     * Writes the bytes {@code code} stands for at the end of {@link #expansion}; returns where they start.
     * A code equal to the next code to assign (the encoder used it as soon as it made it) is the previous
     * code's bytes followed by their own first byte.
     */
    private int expand(int code) {
      int index = expansion.length;
      int chain = code;
      if (code == nextCode && previous != NO_CODE) {
        int head = previous;
        while (head >= CLEAR) {
          head = prefix[head];
        }
        expansion[--index] = (byte) head;
        chain = previous;
      }
      while (chain >= CLEAR) {
        if (index == 0) {
          throw new WireDecodeException(Kind.BAD_COMPRESSION, "LZW code chain is longer than the dictionary");
        }
        expansion[--index] = suffix[chain];
        chain = prefix[chain];
      }
      if (index == 0) {
        throw new WireDecodeException(Kind.BAD_COMPRESSION, "LZW code chain is longer than the dictionary");
      }
      expansion[--index] = (byte) chain;
      return index;
    }

    private void define(byte firstByte) {
      if (previous != NO_CODE) {
        suffix[nextCode] = firstByte;
        prefix[nextCode] = previous;
      }
    }

    private int read() {
      while (bitCount < width) {
        if (position == end) {
          throw new WireDecodeException(Kind.BAD_COMPRESSION, "LZW data ends without an end code");
        }
        bits |= (long) (input[position++] & 0xFF) << bitCount;
        bitCount += 8;
      }
      int code = (int) (bits & ((1 << width) - 1));
      bits >>>= width;
      bitCount -= width;
      return code;
    }

    private void emit(byte[] bytes, int offset, int length) {
      if (length > maxOutput - size) {
        throw new WireDecodeException(Kind.TOO_LARGE,
            "LZW data decompresses to more than the maximum of " + maxOutput + " bytes");
      }
      if (size + length > out.length) {
        out = Arrays.copyOf(out, (int) Math.min(maxOutput, Math.max(size + length, 2L * out.length)));
      }
      System.arraycopy(bytes, offset, out, size, length);
      size += length;
    }
  }
}
