package io.redkit.core.health;

import io.redkit.core.Namespace;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@WithRedis
class DoctorTest {
    private RedisServer redis;

    private DoctorReport inspect(RedisServer redis) {
        this.redis = redis;
        // patient timeouts: these tests judge configuration, not speed, and the first connection of a
        // cold JVM on a loaded CI machine can take more than half a second
        try (Redkit redkit = Redkit.create(RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofSeconds(5)).commandTimeout(Duration.ofSeconds(5)).build())) {
            return Doctor.inspect(redkit);
        }
    }

    @AfterEach
    void restoreDefaults() {
        if (redis != null && redis.isRunning()) {
            redis.configSet("maxmemory-policy", "noeviction");
            redis.configSet("appendonly", "no");
            redis.configSet("save", "");
        }
    }

    private static List<DoctorWarning.Code> codes(DoctorReport r, Namespace ns) {
        return r.warnings().stream().filter(w -> w.namespace() == ns).map(DoctorWarning::code).collect(Collectors.toList());
    }

    @Test
    void sharedInstanceWithNoevictionWarnsForTheCacheAndUnpersistedQueue(RedisServer redis) {
        DoctorReport r = inspect(redis);
        assertThat(r.allUp()).isTrue();
        assertThat(codes(r, Namespace.CACHE)).containsExactly(DoctorWarning.Code.CACHE_NOEVICTION);
        assertThat(codes(r, Namespace.QUEUE)).containsExactly(DoctorWarning.Code.QUEUE_NOT_PERSISTED);
        assertThat(codes(r, Namespace.SESSION)).isEmpty();
        assertThat(r.format()).contains("CACHE_NOEVICTION").contains("fix:").contains(redis.version());
    }

    @Test
    void evictingInstanceWarnsForTheQueue(RedisServer redis) {
        redis.configSet("maxmemory-policy", "allkeys-lru");
        redis.configSet("appendonly", "yes");
        DoctorReport r = inspect(redis);
        assertThat(codes(r, Namespace.QUEUE)).containsExactly(DoctorWarning.Code.QUEUE_EVICTION);
        assertThat(codes(r, Namespace.CACHE)).isEmpty();
        assertThat(r.warnings()).filteredOn(w -> w.code() == DoctorWarning.Code.QUEUE_EVICTION)
                .allSatisfy(w -> assertThat(w.message()).contains("allkeys-lru"));
    }

    @Test
    void rdbSnapshotsCountAsPersistence(RedisServer redis) {
        redis.configSet("save", "900 1");
        assertThat(codes(inspect(redis), Namespace.QUEUE)).doesNotContain(DoctorWarning.Code.QUEUE_NOT_PERSISTED);
    }

    @Test
    void noPasswordOnANonLoopbackAddress(RedisServer redis) {
        DoctorReport r = inspect(redis);
        NamespaceHealth session = r.health().stream().filter(h -> h.namespace() == Namespace.SESSION).findFirst().orElseThrow();
        // loopback without a password is fine
        assertThat(Doctor.diagnose(session, RedkitConfig.fromUrl(redis.url()).target(Namespace.SESSION))).isEmpty();
        // the same server seen through a routable name without a password is not (no traffic is sent there)
        assertThat(Doctor.diagnose(session, RedkitConfig.fromUrl("redis://redis.internal.example:6379").target(Namespace.SESSION)))
                .extracting(DoctorWarning::code).containsExactly(DoctorWarning.Code.NO_PASSWORD);
        assertThat(Doctor.diagnose(session, RedkitConfig.fromUrl("redis://:pw@redis.internal.example:6379").target(Namespace.SESSION)))
                .isEmpty();
    }

    @Test
    void versionsOlderThan62AreFlagged() {
        assertThat(Doctor.olderThan("6.0.16", 6, 2)).isTrue();
        assertThat(Doctor.olderThan("5.0.14", 6, 2)).isTrue();
        assertThat(Doctor.olderThan("6.2.0", 6, 2)).isFalse();
        assertThat(Doctor.olderThan("7.0.15", 6, 2)).isFalse();
    }

    @Test
    void unreachableRedisIsAWarningNotAHang(RedisServer redis) {
        redis.stop();
        long t0 = System.nanoTime();
        DoctorReport r = inspect(redis);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(r.allUp()).isFalse();
        assertThat(r.warnings()).hasSize(3).allMatch(w -> w.code() == DoctorWarning.Code.UNREACHABLE);
    }
}
