package io.redkit.queue;

import io.redkit.core.Redkit;
import io.redkit.core.codec.PayloadTooLargeException;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Bad input gets a clear IllegalArgumentException naming the value, and Redis stays exactly as it was. */
@WithRedis
class BadInputTest {
    private Redkit redkit;
    private JobQueue queue;
    private RedisServer redis;
    private String before;

    @BeforeEach
    void setUp(RedisServer redis) {
        this.redis = redis;
        redkit = Fixtures.redkit(redis);
        queue = JobQueue.create(redkit, "strict", QueueOptions.builder().maxPayloadSize(1024).build());
        queue.add("t", "existing");
        before = snapshot();
    }

    @AfterEach
    void tearDown() {
        assertThat(snapshot()).as("Redis is unchanged").isEqualTo(before);
        redkit.close();
    }

    /** Every key of the queue database with its type and serialized value. */
    private String snapshot() {
        var ns = redkit.namespace(io.redkit.core.Namespace.QUEUE);
        StringBuilder sb = new StringBuilder(Fixtures.queueKeyspace(redis)).append('\n');
        io.lettuce.core.KeyScanCursor<String> cur = ns.sync().scan();
        java.util.TreeMap<String, String> all = new java.util.TreeMap<>();
        while (true) {
            for (String k : cur.getKeys()) {
                byte[] dump = ns.sync().dump(k);
                all.put(k, java.util.HexFormat.of().formatHex(dump == null ? new byte[0] : dump));
            }
            if (cur.isFinished()) break;
            cur = ns.sync().scan(cur);
        }
        all.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    private static void rejects(Executable e, String... fragments) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String f : fragments) {
            assertThat(ex.getMessage()).contains(f);
        }
    }

    @Test
    void queueNamesAreValidated() {
        rejects(() -> JobQueue.create(redkit, ""), "queue name", "\"\"");
        rejects(() -> JobQueue.create(redkit, "a{b}"), "queue name", "a{b}", "[A-Za-z0-9._-]");
        rejects(() -> JobQueue.create(redkit, "x".repeat(101)), "1 to 100");
        rejects(() -> JobQueue.create(redkit, "has space"), "has space");
    }

    @Test
    void anOversizedPayloadIsRefusedAndNothingIsWritten() {
        assertThatThrownBy(() -> queue.add("t", "x".repeat(2000)))
                .isInstanceOf(PayloadTooLargeException.class).hasMessageContaining("2002 bytes").hasMessageContaining("1024");
        assertThatThrownBy(() -> queue.add("t", new byte[1025])).isInstanceOf(PayloadTooLargeException.class);
        // in bulk, one bad job stops the whole call before anything is written
        assertThatThrownBy(() -> queue.addBulk(List.of(NewJob.of("t", 1), NewJob.of("t", "y".repeat(5000)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jobs[1]");
        assertThatThrownBy(() -> queue.addAsync("t", new byte[4096], JobOptions.defaults(), ForkJoinPool.commonPool()))
                .isInstanceOf(PayloadTooLargeException.class);
    }

    @Test
    void theDefaultPayloadLimitIs512KiB() {
        assertThat(QueueOptions.defaults().maxPayloadSize()).isEqualTo(512 * 1024);
        JobQueue big = JobQueue.create(redkit, "strict");
        assertThatThrownBy(() -> big.add("t", new byte[512 * 1024 + 1])).isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("524289 bytes");
    }

    @Test
    void jobOptionsAreValidatedWhenBuilt() {
        rejects(() -> JobOptions.builder().delay(Duration.ofMillis(-1)), "delay must not be negative: PT-0.001S");
        rejects(() -> JobOptions.builder().maxAttempts(0), "maxAttempts must be between 1 and 1000000: 0");
        rejects(() -> JobOptions.builder().priority(1001), "priority must be between -1000 and 1000: 1001");
        rejects(() -> JobOptions.builder().timeout(Duration.ZERO), "timeout must be positive: PT0S");
        rejects(() -> JobOptions.builder().idempotencyKey(""), "idempotencyKey");
        rejects(() -> JobOptions.builder().idempotencyKey("a\nb"), "control characters");
        rejects(() -> JobOptions.builder().idempotencyWindow(Duration.ofSeconds(-5)), "idempotencyWindow must be positive: PT-5S");
        rejects(() -> JobOptions.builder().delay(Duration.ofDays(4000)), "at most");
        rejects(() -> Backoff.exponential(Duration.ofSeconds(10), Duration.ofSeconds(1)), "cap must not be below its base");
        rejects(() -> Backoff.fixed(Duration.ZERO), "backoff delay must be positive");
        rejects(() -> Backoff.custom("no spaces"), "no spaces");
        assertThatThrownBy(() -> JobOptions.builder().priority(1).priority(2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("priority was already set to 1");
    }

    @Test
    void badTypesAndMalformedCronExpressionsAreRefused() {
        rejects(() -> queue.add("", 1), "type must be 1 to 200 characters", "\"\"");
        rejects(() -> queue.add("a\u0000b", 1), "type");
        rejects(() -> RepeatSchedule.cron("not a cron"), "malformed cron expression \"not a cron\"");
        rejects(() -> RepeatSchedule.cron("61 * * * *"), "malformed cron expression");
        rejects(() -> RepeatSchedule.cron(""), "malformed cron expression");
        rejects(() -> RepeatSchedule.every(Duration.ofMillis(1)), "repeat interval must be between");
        rejects(() -> queue.repeat("", RepeatSchedule.every(Duration.ofSeconds(1)), "t", 1, JobOptions.defaults()), "repeat name");
        rejects(() -> queue.repeat("r", RepeatSchedule.every(Duration.ofSeconds(1)), "t", new byte[2048], JobOptions.defaults()), "1024");
    }

    @Test
    void queueAndWorkerOptionsAreValidated() {
        rejects(() -> QueueOptions.builder().maxPayloadSize(0), "maxPayloadSize must be between 1 and");
        rejects(() -> QueueOptions.builder().maxStalls(-1), "maxStalls");
        rejects(() -> QueueOptions.builder().eventStreamMaxLength(-1), "eventStreamMaxLength");
        rejects(() -> RateLimit.of(0, Duration.ofSeconds(1)), "rate limit max must be between 1 and 1000000: 0");
        rejects(() -> RateLimit.of(5, Duration.ZERO), "rate limit period must be positive: PT0S");
        rejects(() -> Retention.count(-2), "retention maxCount must not be negative: -2");
        rejects(() -> WorkerOptions.builder().concurrency(0), "concurrency must be between 1 and 10000: 0");
        rejects(() -> WorkerOptions.builder().leaseTime(Duration.ofMillis(10)), "leaseTime must be between 100 ms and 1 day: PT0.01S");
        rejects(() -> WorkerOptions.builder().workerId("bad id"), "bad id");
        rejects(() -> JobQueue.worker(List.of(), job -> null, WorkerOptions.defaults()), "at least one queue");
        rejects(() -> JobQueue.worker(List.of(queue, JobQueue.create(redkit, "strict")), job -> null, WorkerOptions.defaults()),
                "listed twice");
        rejects(() -> queue.list(JobState.WAITING, -1, 10), "offset must not be negative: -1");
        rejects(() -> queue.list(JobState.WAITING, 0, 0), "limit must be between 1 and 1000: 0");
    }
}
