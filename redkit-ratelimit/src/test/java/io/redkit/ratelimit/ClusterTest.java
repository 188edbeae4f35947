package io.redkit.ratelimit;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.ratelimit.internal.RedisRateLimiter;
import io.redkit.testkit.RedisCluster;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedisCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Multi-limit checks on a three-master Cluster: one hash tag per subject keeps them one atomic script. */
@WithRedisCluster
class ClusterTest {
    @Test
    void multiLimitLoginChecksRunAtomicallyOnEveryMaster(RedisCluster cluster) {
        RatePolicies policies = RatePolicies.defaults();
        RatePolicy login = policies.get("login");
        RatePolicy loginIp = policies.get("login-ip");
        RatePolicy gcra = RatePolicy.builder("login-gcra").limit(5).window(Duration.ofMinutes(15)).algorithm(Algorithm.GCRA).build();
        RatePolicy counter = RatePolicy.builder("login-counter").limit(5).window(Duration.ofMinutes(15))
                .algorithm(Algorithm.SLIDING_COUNTER).build();
        try (Redkit redkit = Redkit.create(RedkitConfig.fromEnv(Map.of("REDIS_CLUSTER_NODES", cluster.nodesSpec())))) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit);
            Set<RedisServer> masters = new HashSet<>();
            for (int ip = 1; ip <= 24; ip++) {
                String tag = "{198.51.100." + ip + "}";
                for (int attempt = 0; attempt < 5; attempt++) {
                    Decision d = limiter.check(1, LimitedKey.of(login, tag + ":alice"), LimitedKey.of(loginIp, tag),
                            LimitedKey.of(gcra, tag + ":alice"), LimitedKey.of(counter, tag + ":alice"));
                    assertThat(d.allowed()).isTrue();
                }
                Decision denied = limiter.check(1, LimitedKey.of(login, tag + ":alice"), LimitedKey.of(loginIp, tag));
                assertThat(denied.allowed()).isFalse();
                assertThat(limiter.inspect(loginIp, tag).remaining()).as("the denial took nothing from the IP").isEqualTo(15);
                RedisServer owner = cluster.nodeFor(tag);
                assertThat((Long) owner.command("ZCARD", limiter.stateKey(login, tag + ":alice"))).isEqualTo(5);
                assertThat((Long) owner.command("ZCARD", limiter.stateKey(loginIp, tag))).isEqualTo(5);
                masters.add(owner);
            }
            assertThat(masters).as("the subjects spread over all masters").hasSize(RedisCluster.MASTERS);
        }
    }

    @Test
    void topDeniedSumsTwoHoursWhoseRankingsLiveInDifferentSlots(RedisCluster cluster) {
        RatePolicy login = RatePolicies.defaults().get("login");
        io.redkit.core.time.ManualClock clock = new io.redkit.core.time.ManualClock(java.time.Instant.parse("2030-01-01T10:15:00Z"));
        try (Redkit redkit = Redkit.create(RedkitConfig.fromEnv(Map.of("REDIS_CLUSTER_NODES", cluster.nodesSpec())))) {
            RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().clock(clock).build());
            for (int ip = 1; ip <= 5; ip++) {
                for (int i = 0; i < ip; i++) {
                    limiter.recordDenial(login, "{198.51.100." + ip + "}:alice");
                }
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> limiter.topDenied("login", 10).size() == 5
                    && limiter.topDenied("login", 1).get(0).denials() == 5);
            clock.advance(Duration.ofHours(1));
            limiter.recordDenial(login, "{198.51.100.1}:alice");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(limiter.topDenied("login", 10)).contains(new DeniedKey("{198.51.100.1}:alice", 2)));
            assertThat(limiter.topDenied("login", 2)).containsExactly(new DeniedKey("{198.51.100.5}:alice", 5),
                    new DeniedKey("{198.51.100.4}:alice", 4));
        }
    }
}
