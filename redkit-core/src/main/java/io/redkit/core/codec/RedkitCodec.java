package io.redkit.core.codec;

import java.lang.reflect.Type;

/**
 * Turns values into bytes for Redis and back. Implementations are thread-safe.
 * {@link JsonCodec} is the default.
 */
public interface RedkitCodec {
    /**
     * Encodes {@code value}.
     *
     * @throws PayloadTooLargeException when the encoded form is larger than the codec allows
     * @throws CodecException when the value cannot be encoded
     */
    byte[] encode(Object value);

    /**
     * Decodes bytes written by {@link #encode}.
     *
     * @throws CodecException when the bytes are not a valid encoding of {@code type}
     */
    <T> T decode(byte[] bytes, Type type);

    /** Decodes into a class. */
    default <T> T decode(byte[] bytes, Class<T> type) {
        return decode(bytes, (Type) type);
    }

    /** The largest encoded value this codec produces, in bytes. */
    int maxEncodedSize();
}
