package io.redkit.core.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.lang.reflect.Type;

/**
 * JSON with Jackson. Java time types are written as ISO-8601 text; unknown properties are ignored
 * when reading, so adding a field never breaks values already stored. Thread-safe.
 */
public final class JsonCodec implements RedkitCodec {
    /** Default largest encoded value: 512 KiB. */
    public static final int DEFAULT_MAX_ENCODED_SIZE = 512 * 1024;

    private final ObjectMapper mapper;
    private final int maxEncodedSize;

    private JsonCodec(ObjectMapper mapper, int maxEncodedSize) {
        this.mapper = mapper;
        this.maxEncodedSize = maxEncodedSize;
    }

    /** A codec with Redkit's default mapper and {@link #DEFAULT_MAX_ENCODED_SIZE}. */
    public static JsonCodec create() {
        return new JsonCodec(defaultMapper(), DEFAULT_MAX_ENCODED_SIZE);
    }

    /** A codec using the caller's mapper (its settings are the caller's responsibility). */
    public static JsonCodec create(ObjectMapper mapper) {
        return new JsonCodec(mapper.copy(), DEFAULT_MAX_ENCODED_SIZE);
    }

    /** The same codec with another size limit. */
    public JsonCodec withMaxEncodedSize(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("maxEncodedSize must be positive: " + bytes);
        }
        return new JsonCodec(mapper, bytes);
    }

    /** The mapper Redkit uses by default. */
    public static ObjectMapper defaultMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** A copy of the mapper, e.g. to read JSON trees. */
    public ObjectMapper mapper() {
        return mapper.copy();
    }

    @Override
    public byte[] encode(Object value) {
        byte[] out;
        try {
            out = mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new CodecException("cannot encode " + (value == null ? "null" : value.getClass().getName()) + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (out.length > maxEncodedSize) {
            throw new PayloadTooLargeException("value", out.length, maxEncodedSize);
        }
        return out;
    }

    @Override
    public <T> T decode(byte[] bytes, Type type) {
        JavaType jt = mapper.getTypeFactory().constructType(type);
        try {
            return mapper.readValue(bytes, jt);
        } catch (IOException e) {
            throw new CodecException("cannot decode JSON as " + jt + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int maxEncodedSize() {
        return maxEncodedSize;
    }
}
