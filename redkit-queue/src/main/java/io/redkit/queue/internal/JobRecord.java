package io.redkit.queue.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redkit.core.codec.JsonCodec;
import io.redkit.queue.Backoff;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The immutable part of a job, stored as one Redis string: an ASCII header line the scripts read
 * with one pattern match, then type, metadata and payload bytes.
 *
 * <pre>1|priority|maxAttempts|timeoutMs|createdMs|backoff|kind|typeLength|metadataLength\n type metadata payload</pre>
 *
 * {@code kind} is {@code j} for a codec-encoded payload, {@code b} for raw bytes, {@code n} for none.
 * One string instead of a hash keeps a waiting job small: a hash with a payload over 64 bytes
 * leaves Redis's compact encoding.
 */
record JobRecord(int priority, int maxAttempts, long timeoutMs, long createdMs, Backoff backoff, char kind, String type,
                 Map<String, String> metadata, byte[] payload) {
    private static final ObjectMapper MAPPER = JsonCodec.defaultMapper();
    private static final TypeReference<Map<String, String>> META = new TypeReference<>() { };

    byte[] encode() {
        byte[] t = type.getBytes(StandardCharsets.UTF_8);
        byte[] m;
        try {
            m = metadata.isEmpty() ? new byte[0] : MAPPER.writeValueAsBytes(metadata);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata cannot be encoded: " + e.getOriginalMessage(), e);
        }
        byte[] header = ("1|" + priority + "|" + maxAttempts + "|" + timeoutMs + "|" + createdMs + "|" + backoff.spec() + "|"
                + kind + "|" + t.length + "|" + m.length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[header.length + t.length + m.length + payload.length];
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(t, 0, out, header.length, t.length);
        System.arraycopy(m, 0, out, header.length + t.length, m.length);
        System.arraycopy(payload, 0, out, header.length + t.length + m.length, payload.length);
        return out;
    }

    JobRecord withCreatedMs(long ms) {
        return new JobRecord(priority, maxAttempts, timeoutMs, ms, backoff, kind, type, metadata, payload);
    }

    /**
     * Parses a stored record.
     *
     * @throws IllegalStateException when the bytes are not a record of this format
     */
    static JobRecord decode(byte[] bytes) {
        int nl = -1;
        for (int i = 0; i < bytes.length && i < 512; i++) {
            if (bytes[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            throw new IllegalStateException("not a Redkit job record (no header line)");
        }
        String[] h = new String(bytes, 0, nl, StandardCharsets.US_ASCII).split("\\|", -1);
        if (h.length != 9 || !h[0].equals("1")) {
            throw new IllegalStateException("unsupported job record header: " + Arrays.toString(h));
        }
        int tl = Integer.parseInt(h[7]);
        int ml = Integer.parseInt(h[8]);
        int off = nl + 1;
        String type = new String(bytes, off, tl, StandardCharsets.UTF_8);
        Map<String, String> meta = Map.of();
        if (ml > 0) {
            try {
                meta = Map.copyOf(MAPPER.readValue(bytes, off + tl, ml, META));
            } catch (IOException e) {
                throw new IllegalStateException("job record metadata is not readable: " + e.getMessage(), e);
            }
        }
        byte[] payload = Arrays.copyOfRange(bytes, off + tl + ml, bytes.length);
        return new JobRecord(Integer.parseInt(h[1]), Integer.parseInt(h[2]), Long.parseLong(h[3]), Long.parseLong(h[4]),
                Backoff.parse(h[5]), h[6].isEmpty() ? 'j' : h[6].charAt(0), type, meta, payload);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof JobRecord)) return false;
        JobRecord r = (JobRecord) o;
        return priority == r.priority && maxAttempts == r.maxAttempts && timeoutMs == r.timeoutMs && createdMs == r.createdMs
                && backoff.equals(r.backoff) && kind == r.kind && type.equals(r.type) && metadata.equals(r.metadata)
                && Arrays.equals(payload, r.payload);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "JobRecord{" + type + ", priority " + priority + ", " + payload.length + " payload bytes}";
    }
}
