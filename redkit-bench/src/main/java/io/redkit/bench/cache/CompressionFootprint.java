package io.redkit.bench.cache;

import io.redkit.cache.CacheOptions;
import io.redkit.cache.RedisCache;
import io.redkit.cache.RedisCacheManager;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.testkit.RedisServer;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis memory used by 2,000 cached query pages (20 rows each, about 2 KiB of JSON) and 2,000
 * single catalogue items (about 400 bytes), with LZ4 compression on (the default threshold) and off,
 * measured with {@code MEMORY USAGE} on every key. Not a JMH benchmark: a measurement with one answer.
 *
 * <pre>java -cp redkit-bench/target/benchmarks.jar io.redkit.bench.cache.CompressionFootprint</pre>
 */
public final class CompressionFootprint {
    private static final int VALUES = 2000;

    private CompressionFootprint() {}

    public static void main(String[] args) {
        Quiet.logging();
        try (RedisServer redis = RedisServer.builder().start();
             Redkit redkit = Redkit.create(RedkitConfig.fromUrl(redis.url()));
             RedisCacheManager manager = RedisCacheManager.builder(redkit).tracking(false).build()) {
            Quiet.connected(redkit);
            for (boolean page : new boolean[]{true, false}) {
                long[] bytes = new long[2];
                for (int mode = 0; mode < 2; mode++) {
                    boolean compress = mode == 0;
                    String name = (page ? "page" : "item") + (compress ? "-lz4" : "-plain");
                    CacheOptions options = CacheOptions.builder().compressionThreshold(
                            compress ? CacheOptions.DEFAULT_COMPRESSION_THRESHOLD : Integer.MAX_VALUE).build();
                    if (page) {
                        RedisCache<Object> cache = manager.cache(name, Object.class, options);
                        for (int i = 0; i < VALUES; i++) {
                            cache.put("k" + i, page(i));
                        }
                    } else {
                        RedisCache<Item> cache = manager.cache(name, Item.class, options);
                        for (int i = 0; i < VALUES; i++) {
                            cache.put("k" + i, Item.sample(i));
                        }
                    }
                    for (int i = 0; i < VALUES; i++) {
                        bytes[mode] += (Long) redis.command("MEMORY", "USAGE", "redkit:cache:v:" + name + ":k" + i, "SAMPLES", "0");
                    }
                }
                System.out.printf("%s: %d values, Redis memory with LZ4 %,d bytes, without %,d bytes: %.1f%% saved (%.0f vs %.0f bytes per value)%n",
                        page ? "20-row query pages" : "single items", VALUES, bytes[0], bytes[1],
                        100.0 * (bytes[1] - bytes[0]) / bytes[1], (double) bytes[0] / VALUES, (double) bytes[1] / VALUES);
            }
        }
    }

    private static List<Row> page(int n) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long id = n * 20L + i;
            rows.add(new Row(id, "product " + id, (int) (id % 100), new BigDecimal(id % 1000).movePointLeft(2), (int) (id % 37)));
        }
        return rows;
    }
}
