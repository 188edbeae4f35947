package io.redkit.queue.internal;

import io.redkit.core.Redkit;
import io.redkit.queue.Fixtures;
import io.redkit.queue.JobInfo;
import io.redkit.queue.JobOptions;
import io.redkit.queue.JobQueue;
import io.redkit.queue.JobState;
import io.redkit.queue.QueueOptions;
import io.redkit.queue.Retention;
import io.redkit.queue.Worker;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A job whose record this version cannot read (a newer record format during a rolling upgrade, a
 * foreign write) is dead with a reason and counted, never lost: every script that reads records
 * validates them before it takes the job out of where it was.
 */
@WithRedis
class UnreadableRecordTest {
    private static final byte[] NEWER = "2|0|3|0|1700000000000|e1000:600000|j|1|0\nt{}".getBytes(StandardCharsets.UTF_8);

    private Redkit redkit;
    private RedisJobQueue queue;
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    @BeforeEach
    void setUp(RedisServer redis) {
        redkit = Fixtures.redkit(redis);
        queue = (RedisJobQueue) JobQueue.create(redkit, "jobs", QueueOptions.builder().completedRetention(Retention.all()).build());
        queue.scriptClock = now::get;
    }

    @AfterEach
    void tearDown() {
        redkit.close();
    }

    private void overwrite(String id, byte[] record) {
        queue.namespace().await("set", queue.namespace().async().set(queue.keys().job(id), record));
    }

    private RedisJobQueue.FetchReply fetch(int n, RedisJobQueue.Completion... done) {
        return queue.namespace().await("fetch", queue.fetch("test-worker", n, 1000, List.of(done)));
    }

    private void assertBuried(String id, long unreadable) {
        JobInfo info = queue.get(id).orElseThrow();
        assertThat(info.state()).isEqualTo(JobState.DEAD);
        assertThat(info.error()).contains("unreadable job record");
        assertThat(queue.stats().unreadable()).isEqualTo(unreadable);
        assertThat(queue.counts().dead()).isEqualTo(unreadable);
    }

    @Test
    void aFetchSkipsAnUnreadableJobToDeadAndHandsOutTheOthers() {
        String a = queue.add("t", "a");
        String bad = queue.add("t", "bad");
        String high = queue.add("t", "high", JobOptions.builder().priority(5).build());
        String badHigh = queue.add("t", "badHigh", JobOptions.builder().priority(7).build());
        String b = queue.add("t", "b");
        overwrite(bad, NEWER);
        overwrite(badHigh, "garbage".getBytes(StandardCharsets.UTF_8));

        assertThat(fetch(10).jobs()).extracting(RedisJobQueue.Fetched::id).containsExactly(high, a, b);
        assertBuried(bad, 2);
        assertBuried(badHigh, 2);
        assertThat(queue.get(bad).orElseThrow().payload()).as("the record is kept as it was").isEqualTo(NEWER);
        assertThat(queue.counts().waiting()).isZero();
        assertThat(queue.counts().active()).isEqualTo(3);
    }

    @Test
    void failingAJobWhoseRecordWasOverwrittenMakesItDeadInsteadOfLosingIt() {
        String id = queue.add("t", "x");
        RedisJobQueue.Fetched f = fetch(1).jobs().get(0);
        overwrite(id, NEWER);
        assertThat(queue.namespace().await("fail", queue.fail(id, f.token(), 0, "boom", ""))).isEqualTo(2L);
        assertBuried(id, 1);
    }

    @Test
    void aStalledJobWithAnUnreadableRecordIsDead() {
        String id = queue.add("t", "x");
        fetch(1);
        overwrite(id, NEWER);
        now.addAndGet(1000);
        assertThat(fetch(1).jobs()).isEmpty();
        assertBuried(id, 1);
    }

    @Test
    void aDueDelayedJobWithAnUnreadableRecordIsDead() {
        String id = queue.add("t", "x", JobOptions.builder().delay(Duration.ofMillis(100)).build());
        overwrite(id, NEWER);
        now.addAndGet(100);
        assertThat(fetch(1).jobs()).isEmpty();
        assertBuried(id, 1);
    }

    @Test
    void releasingAJobWithAnUnreadableRecordMakesItDead() {
        String id = queue.add("t", "x");
        RedisJobQueue.Fetched f = fetch(1).jobs().get(0);
        overwrite(id, NEWER);
        queue.namespace().await("release", queue.release(List.of(Map.entry(id, f.token()))));
        assertBuried(id, 1);
    }

    @Test
    void retryingAnUnreadableDeadJobLeavesItDead() {
        String id = queue.add("t", "x");
        overwrite(id, NEWER);
        fetch(1);
        assertThat(queue.retry(id)).isFalse();
        assertThat(queue.retryAllDead()).isZero();
        assertBuried(id, 1);
    }

    @Test
    void aRecordOnlyTheJavaSideCannotReadIsDeadWithoutRunningTheHandler() {
        String id = queue.add("t", "x");
        String ok = queue.add("t", "ok");
        // a header the scripts accept, with metadata that is not JSON
        overwrite(id, "1|0|3|0|1700000000000|n|j|1|4\ntnope\"x\"".getBytes(StandardCharsets.UTF_8));
        queue.scriptClock = null;
        AtomicInteger ran = new AtomicInteger();
        try (Worker w = queue.worker(job -> {
            ran.incrementAndGet();
            return null;
        }, Fixtures.worker(2).build())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> queue.get(id).orElseThrow().state() == JobState.DEAD
                    && queue.get(ok).orElseThrow().state() == JobState.COMPLETED);
            assertThat(w.isRunning()).isTrue();
        }
        assertThat(ran.get()).isEqualTo(1);
        assertBuried(id, 1);
    }
}
