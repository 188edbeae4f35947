package io.redkit.core;

import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Sentinel mode against a real sentinel watching the shared test Redis. */
@WithRedis
class RedkitSentinelTest {

    @Test
    void connectsToTheMasterTheSentinelNames(RedisServer master, @TempDir Path dir) throws Exception {
        Path conf = dir.resolve("sentinel.conf");
        Files.writeString(conf, "sentinel monitor mymaster 127.0.0.1 " + master.port() + " 1\n"
                + "sentinel down-after-milliseconds mymaster 5000\n", StandardCharsets.UTF_8);
        try (RedisServer sentinel = RedisServer.builder().configFile(conf).arg("--sentinel").start()) {
            RedkitConfig config = RedkitConfig.fromEnv(Map.of(
                    "REDIS_SENTINEL_NODES", "127.0.0.1:" + sentinel.port(),
                    "REDIS_SENTINEL_MASTER", "mymaster"));
            try (Redkit redkit = Redkit.create(config)) {
                RedisNamespace q = redkit.namespace(Namespace.QUEUE);
                q.await("set", q.async().set(q.key("via-sentinel"), "1".getBytes(StandardCharsets.UTF_8)));
            }
            // the write went to the master, in the queue's database
            assertThat((String) master.command("INFO", "keyspace")).contains("db1:keys=1");
        }
    }
}
