package io.redkit.ratelimit;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.time.ManualClock;
import io.redkit.ratelimit.internal.RedisRateLimiter;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property tests: random traffic (overloaded, so both answers occur) against the real script with
 * an explicit clock, compared decision by decision with a simple model, plus each algorithm's
 * stated bound checked over every admitted unit. Windows are minutes long so that the keys' real
 * expiry (Redis counts TTLs in its own time) never cuts a window of the fake clock short.
 */
@WithRedis
class AlgorithmPropertyTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final int STEPS = 1500;

    private static long micros(ManualClock c) {
        Instant i = c.instant();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }

    /** A run of random traffic: arrival gaps mostly below the mean rate, sometimes a long pause. */
    private interface Step {
        void run(long now, long cost);
    }

    private static void traffic(long seed, RatePolicy p, ManualClock clock, int maxCost, Step step) {
        Random rnd = new Random(seed);
        long window = p.windowMicros();
        long mean = Math.max(1, window / (p.limit() * 2));   // twice the allowed rate
        for (int i = 0; i < STEPS; i++) {
            long gap = rnd.nextInt(20) == 0 ? (long) (rnd.nextDouble() * 1.5 * window)
                    : 1 + (long) (-Math.log(1 - rnd.nextDouble()) * mean);
            clock.advance(Duration.ofNanos(gap * 1000));
            long cost = 1 + rnd.nextInt(maxCost);
            step.run(micros(clock), cost);
        }
    }

    private static RateLimiter limiter(Redkit redkit, ManualClock clock) {
        return RateLimiter.create(redkit, RateLimiterOptions.builder().clock(clock).deniedCacheSize(0).build());
    }

    private static Redkit redkit(RedisServer redis) {
        return Redkit.create(RedkitConfig.fromUrl(redis.url(0)).toBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    @Test
    void exactWindowMatchesModelAndNeverExceedsLimitInAnyWindow(RedisServer redis) {
        for (long seed = 1; seed <= 3; seed++) {
            RatePolicy p = RatePolicy.builder("exact-" + seed).limit(10 * seed).window(Duration.ofMinutes(seed)).build();
            ManualClock clock = new ManualClock(START);
            Models.ExactModel model = new Models.ExactModel(p.limit(), p.windowMicros());
            List<Long> admitted = new ArrayList<>();
            try (Redkit redkit = redkit(redis)) {
                RateLimiter limiter = limiter(redkit, clock);
                traffic(seed, p, clock, 3, (now, cost) -> {
                    Decision d = limiter.check(cost, LimitedKey.of(p, "k"));
                    Models.Outcome m = model.offer(now, cost);
                    String at = "at " + now + " cost " + cost + ": " + d;
                    assertThat(d.allowed()).as(at).isEqualTo(m.allowed());
                    assertThat(d.remaining()).as(at).isEqualTo(m.remaining());
                    assertThat(micros(d.retryAfter())).as(at).isEqualTo(m.retryAfter());
                    assertThat(micros(d.resetAfter())).as(at).isEqualTo(m.resetAfter());
                    if (d.allowed()) {
                        for (int i = 0; i < cost; i++) admitted.add(now);
                    }
                    Object card = redis.command("ZCARD", ((io.redkit.ratelimit.internal.RedisRateLimiter) limiter).stateKey(p, "k"));
                    assertThat((Long) card).as("the log holds at most limit entries").isLessThanOrEqualTo(p.limit());
                });
            }
            // the guarantee itself, checked directly: every window (t - W, t] ending at an admission
            for (int j = 0; j < admitted.size(); j++) {
                long t = admitted.get(j);
                long inWindow = admitted.stream().filter(x -> x > t - p.windowMicros() && x <= t).count();
                assertThat(inWindow).as("units in the window ending at %d", t).isLessThanOrEqualTo(p.limit());
            }
            assertThat(admitted).hasSizeGreaterThan((int) p.limit());
        }
    }

    @Test
    void exactWindowStaysExactWhenTheClockStandsStillOrStepsBack(RedisServer redis) {
        // Limits below and above the number of newest entries the script reads in one call, so both
        // the whole-log path and the longer-log path run.
        for (long limit : new long[]{5, 30}) {
            RatePolicy p = RatePolicy.builder("exact-clock-" + limit).limit(limit).window(Duration.ofMinutes(1)).build();
            ManualClock clock = new ManualClock(START);
            Random rnd = new Random(limit);
            long window = p.windowMicros();
            Map<String, Long> units = new HashMap<>();   // every unit ever admitted: member -> score
            long admitted = 0;
            try (Redkit redkit = redkit(redis)) {
                RedisRateLimiter limiter = (RedisRateLimiter) limiter(redkit, clock);
                String key = limiter.stateKey(p, "k");
                for (int i = 0; i < STEPS; i++) {
                    int r = rnd.nextInt(20);
                    if (r == 0) {
                        clock.advance(Duration.ofNanos(-1000L * rnd.nextInt((int) (window / 2))));   // a step back
                    } else if (r == 1) {
                        clock.advance(Duration.ofNanos(1000L * (long) (rnd.nextDouble() * 1.5 * window)));
                    } else if (r > 4) {   // else the clock stands still
                        clock.advance(Duration.ofNanos(1000L * (1 + rnd.nextInt((int) (window / limit)))));
                    }
                    long cost = 1 + rnd.nextInt(3);
                    Decision d = limiter.check(cost, LimitedKey.of(p, "k"));
                    if (d.allowed()) {
                        admitted += cost;
                        List<?> log = (List<?>) redis.command("ZRANGE", key, "0", "-1", "WITHSCORES");
                        for (int j = 0; j < log.size(); j += 2) {
                            units.put((String) log.get(j), (long) Double.parseDouble((String) log.get(j + 1)));
                        }
                    }
                    assertThat((Long) redis.command("ZCARD", key)).as("the log holds at most limit entries").isLessThanOrEqualTo(limit);
                }
            }
            assertThat(units).as("one entry per admitted unit, none merged").hasSize((int) admitted);
            assertThat(admitted).isGreaterThan(limit * 5);
            List<Long> scores = units.values().stream().sorted().toList();
            for (int j = 0; j < scores.size(); j++) {
                long t = scores.get(j);
                long inWindow = scores.stream().filter(x -> x > t - window && x <= t).count();
                assertThat(inWindow).as("units recorded in the window ending at %d (limit %d)", t, limit).isLessThanOrEqualTo(limit);
            }
        }
    }

    @Test
    void retryAfterIsExactForTheExactWindowAndGcra(RedisServer redis) {
        RatePolicy exact = RatePolicy.builder("exact-retry").limit(5).window(Duration.ofMinutes(1)).build();
        RatePolicy gcra = RatePolicy.builder("gcra-retry").limit(5).window(Duration.ofMinutes(1)).algorithm(Algorithm.GCRA).build();
        for (RatePolicy p : List.of(exact, gcra)) {
            ManualClock clock = new ManualClock(START);
            try (Redkit redkit = redkit(redis)) {
                RateLimiter limiter = limiter(redkit, clock);
                Random rnd = new Random(7);
                for (int i = 0; i < 300; i++) {
                    clock.advance(Duration.ofNanos(1000L * (1 + rnd.nextInt(9_000_000))));
                    Decision d = limiter.check(p, "k");
                    if (!d.allowed()) {
                        Duration wait = d.retryAfter();
                        clock.advance(wait.minusNanos(1000));
                        assertThat(limiter.inspect(p, "k").allowed()).as(p.name() + ": 1 us before retry-after").isFalse();
                        clock.advance(Duration.ofNanos(1000));
                        assertThat(limiter.check(p, "k").allowed()).as(p.name() + ": at retry-after").isTrue();
                    }
                }
            }
        }
    }

    @Test
    void slidingCounterMatchesModelAndStaysWithinItsBound(RedisServer redis) {
        for (long seed = 1; seed <= 3; seed++) {
            RatePolicy p = RatePolicy.builder("counter-" + seed).limit(20 * seed).window(Duration.ofMinutes(2 * seed))
                    .algorithm(Algorithm.SLIDING_COUNTER).build();
            ManualClock clock = new ManualClock(START);
            Models.CounterModel model = new Models.CounterModel(p.limit(), p.windowMicros());
            List<Long> admitted = new ArrayList<>();
            try (Redkit redkit = redkit(redis)) {
                RateLimiter limiter = limiter(redkit, clock);
                traffic(seed, p, clock, 2, (now, cost) -> {
                    Decision d = limiter.check(cost, LimitedKey.of(p, "k"));
                    Models.Outcome m = model.offer(now, cost);
                    String at = "at " + now + " cost " + cost + ": " + d;
                    assertThat(d.allowed()).as(at).isEqualTo(m.allowed());
                    assertThat(d.remaining()).as(at).isEqualTo(m.remaining());
                    if (d.allowed()) {
                        for (int i = 0; i < cost; i++) admitted.add(now);
                    } else {
                        // retry-after: the model admits exactly then, not 2 us before
                        long wait = micros(d.retryAfter());
                        assertThat(model.estimate(now + wait) + cost).as(at).isLessThanOrEqualTo((double) p.limit());
                        assertThat(model.estimate(now + wait - 2) + cost).as(at).isGreaterThan((double) p.limit());
                    }
                });
            }
            long w = p.windowMicros();
            for (long t : admitted) {
                long bucket = Math.floorDiv(t, w);
                long inBucket = admitted.stream().filter(x -> Math.floorDiv(x, w) == bucket).count();
                assertThat(inBucket).as("units in the aligned bucket of %d", t).isLessThanOrEqualTo(p.limit());
                long inWindow = admitted.stream().filter(x -> x > t - w && x <= t).count();
                assertThat(inWindow).as("units in the sliding window ending at %d", t).isLessThan(2 * p.limit());
            }
        }
    }

    @Test
    void gcraMatchesTokenBucketModelAndItsBurstBound(RedisServer redis) {
        for (long seed = 1; seed <= 3; seed++) {
            long limit = 10 * seed;
            long burst = seed == 2 ? 3 : limit;
            RatePolicy.Builder b = RatePolicy.builder("gcra-" + seed).limit(limit).window(Duration.ofMinutes(seed))
                    .algorithm(Algorithm.GCRA);
            if (burst != limit) b.burst(burst);
            RatePolicy p = b.build();
            ManualClock clock = new ManualClock(START);
            Models.TokenBucketModel model = new Models.TokenBucketModel(p.limit(), p.windowMicros(), p.burst());
            List<Long> admitted = new ArrayList<>();
            try (Redkit redkit = redkit(redis)) {
                RateLimiter limiter = limiter(redkit, clock);
                traffic(seed, p, clock, (int) Math.min(3, burst), (now, cost) -> {
                    Decision d = limiter.check(cost, LimitedKey.of(p, "k"));
                    Models.Outcome m = model.offer(now, cost);
                    String at = "at " + now + " cost " + cost + ": " + d;
                    assertThat(d.allowed()).as(at).isEqualTo(m.allowed());
                    assertThat(d.remaining()).as(at).isEqualTo(m.remaining());
                    assertThat(micros(d.retryAfter())).as(at).isEqualTo(m.retryAfter());
                    assertThat(micros(d.resetAfter())).as(at).isEqualTo(m.resetAfter());
                    if (d.allowed()) {
                        for (int i = 0; i < cost; i++) admitted.add(now);
                    }
                });
            }
            long perToken = p.windowMicros() / p.limit();
            for (int i = 0; i < admitted.size(); i++) {
                for (int j = i; j < admitted.size() && j < i + 200; j++) {
                    long span = admitted.get(j) - admitted.get(i);
                    assertThat((long) (j - i + 1)).as("units within %d us", span).isLessThanOrEqualTo(burst + span / perToken);
                }
            }
        }
    }

    private static long micros(Duration d) {
        return d.toNanos() / 1000;
    }
}
