package io.redkit.cache.internal;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cached value as stored in Redis: a small binary header, then the codec's bytes (LZ4-compressed
 * when that pays off).
 *
 * <pre>
 *   byte   format (1)
 *   byte   flags: 1 = negative entry (no payload), 2 = LZ4
 *   long   write time, epoch ms (writer's clock)
 *   long   effective TTL, ms
 *   long   soft TTL, ms (0 = none)
 *   int    time the load took, ms (XFetch's delta; 0 for puts)
 *   long   cache generation when written
 *   short  number of tags, then per tag: short length, UTF-8 name, long version
 *   int    uncompressed length (only with LZ4)
 *   bytes  payload
 * </pre>
 */
public final class Envelope {
    static final byte FORMAT = 1;
    static final int ABSENT = 1;
    static final int LZ4 = 2;

    private static final LZ4Factory FACTORY = LZ4Factory.fastestJavaInstance();
    private static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();

    final boolean absent;
    final boolean compressed;
    final long writeMillis;
    final long ttlMillis;
    final long softTtlMillis;
    final int loadMillis;
    final long generation;
    final String[] tags;
    final long[] tagVersions;
    /** Uncompressed payload (codec bytes), null for a negative entry. */
    final byte[] payload;
    /** Size of the stored form in bytes. */
    final int storedSize;

    Envelope(boolean absent, boolean compressed, long writeMillis, long ttlMillis, long softTtlMillis, int loadMillis,
             long generation, String[] tags, long[] tagVersions, byte[] payload, int storedSize) {
        this.absent = absent;
        this.compressed = compressed;
        this.writeMillis = writeMillis;
        this.ttlMillis = ttlMillis;
        this.softTtlMillis = softTtlMillis;
        this.loadMillis = loadMillis;
        this.generation = generation;
        this.tags = tags;
        this.tagVersions = tagVersions;
        this.payload = payload;
        this.storedSize = storedSize;
    }

    /** Encodes; compresses {@code payload} when it has at least {@code threshold} bytes and shrinks. */
    static byte[] encode(byte[] payload, int threshold, long writeMillis, long ttlMillis, long softTtlMillis,
                         int loadMillis, long generation, String[] tags, long[] tagVersions) {
        byte[][] tagBytes = new byte[tags.length][];
        int header = 1 + 1 + 8 + 8 + 8 + 4 + 8 + 2;
        for (int i = 0; i < tags.length; i++) {
            tagBytes[i] = tags[i].getBytes(StandardCharsets.UTF_8);
            header += 2 + tagBytes[i].length + 8;
        }
        int flags = 0;
        byte[] body = payload;
        int bodyLen = 0;
        if (payload == null) {
            flags |= ABSENT;
        } else {
            bodyLen = payload.length;
            if (payload.length >= threshold) {
                byte[] out = new byte[COMPRESSOR.maxCompressedLength(payload.length)];
                int n = COMPRESSOR.compress(payload, 0, payload.length, out, 0, out.length);
                if (n + 4 < payload.length) {
                    flags |= LZ4;
                    body = out;
                    bodyLen = n;
                    header += 4;
                }
            }
        }
        ByteBuffer buf = ByteBuffer.allocate(header + bodyLen);
        buf.put(FORMAT).put((byte) flags).putLong(writeMillis).putLong(ttlMillis).putLong(softTtlMillis)
                .putInt(loadMillis).putLong(generation).putShort((short) tags.length);
        for (int i = 0; i < tags.length; i++) {
            buf.putShort((short) tagBytes[i].length).put(tagBytes[i]).putLong(tagVersions[i]);
        }
        if ((flags & LZ4) != 0) {
            buf.putInt(payload.length);
        }
        if (body != null) {
            buf.put(body, 0, bodyLen);
        }
        return buf.array();
    }

    /**
     * Decodes bytes read from Redis.
     *
     * @throws IllegalArgumentException when the bytes are not an envelope (e.g. written by another tool)
     */
    static Envelope decode(byte[] bytes) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            if (buf.get() != FORMAT) {
                throw new IllegalArgumentException("not a Redkit cache envelope (format byte " + bytes[0] + ")");
            }
            int flags = buf.get();
            long write = buf.getLong();
            long ttl = buf.getLong();
            long soft = buf.getLong();
            int load = buf.getInt();
            long gen = buf.getLong();
            int n = buf.getShort();
            if (n < 0) {
                throw new IllegalArgumentException("bad tag count " + n);
            }
            String[] tags = new String[n];
            long[] versions = new long[n];
            for (int i = 0; i < n; i++) {
                int len = buf.getShort();
                byte[] t = new byte[len];
                buf.get(t);
                tags[i] = new String(t, StandardCharsets.UTF_8);
                versions[i] = buf.getLong();
            }
            byte[] payload = null;
            boolean absent = (flags & ABSENT) != 0;
            boolean lz4 = (flags & LZ4) != 0;
            if (!absent) {
                if (lz4) {
                    int raw = buf.getInt();
                    payload = new byte[raw];
                    int got = DECOMPRESSOR.decompress(bytes, buf.position(), buf.remaining(), payload, 0, raw);
                    if (got != raw) {
                        throw new IllegalArgumentException("LZ4 payload decompressed to " + got + " bytes, expected " + raw);
                    }
                } else {
                    payload = Arrays.copyOfRange(bytes, buf.position(), bytes.length);
                }
            }
            return new Envelope(absent, lz4, write, ttl, soft, load, gen, tags, versions, payload, bytes.length);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException("not a Redkit cache envelope: " + e, e);
        }
    }
}
