/**
 * The bytes ckit nodes exchange, byte for byte what Go ckit (memberlist v0.5.3 inside ckit's gossiphttp
 * transport) sends, with one codec class per format:
 *
 * <ul>
 *   <li>{@link io.ckit.wire.MessageCodec}: memberlist's messages ({@link io.ckit.wire.Message}), msgpack in
 *       go-msgpack's flavour (legacy raw strings, Go's integer widths, keys in byte order), compound and
 *       compressed messages;
 *   <li>{@link io.ckit.wire.Lzw}: Go's {@code compress/lzw} (LSB, 8-bit literals);
 *   <li>{@link io.ckit.wire.Crc}, {@link io.ckit.wire.LabelHeader}, {@link io.ckit.wire.Encryption} (with
 *       {@link io.ckit.wire.Keyring}): the envelopes around packets and streams;
 *   <li>{@link io.ckit.wire.PacketCodec} and {@link io.ckit.wire.StreamCodec}: those layers in memberlist's
 *       order for the {@code /message} and {@code /stream} endpoints;
 *   <li>{@link io.ckit.wire.CkitCodec}: ckit's state broadcasts ({@link io.ckit.wire.StateMessage}) and
 *       push/pull user state ({@link io.ckit.wire.LocalState});
 *   <li>{@link io.ckit.wire.FrameCodec}: gossiphttp's {@code 0xCC}/{@code 0xCD} frames;
 *   <li>{@link io.ckit.wire.MetadataCodec}: this project's node metadata inside memberlist's {@code Meta}
 *       (which Go ckit leaves nil and ignores).
 * </ul>
 *
 * <p>Every decoder throws only {@link io.ckit.wire.WireDecodeException} for bad input, checks every length
 * against the bytes that remain before allocating, and is bounded by a configured maximum message size
 * ({@link io.ckit.wire.MessageCodec#DEFAULT_MAX_MESSAGE_BYTES} by default, not ckit's 4 GiB). The reference
 * vectors captured from a real Go ckit node (commit bbed30d), the project's test resources under
 * {@code src/test/resources/vectors/wire}, are the tests' judge.
 */
package io.ckit.wire;
