package io.redkit.queue;

import io.redkit.core.Redkit;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@WithRedis
class QueueBasicsTest {
    record Email(String to, String subject) {
    }

    private Redkit redkit;
    private JobQueue queue;

    @BeforeEach
    void setUp(RedisServer redis) {
        redkit = Fixtures.redkit(redis);
        queue = JobQueue.create(redkit, "emails", QueueOptions.builder().completedRetention(Retention.all()).build());
    }

    @AfterEach
    void tearDown() {
        redkit.close();
    }

    @Test
    void anAddedJobIsWaitingWithItsPayloadTypeAndMetadata() {
        String id = queue.add("welcome", new Email("ada@example.com", "hi"),
                JobOptions.builder().metadata("tenant", "acme").maxAttempts(5).build());

        JobInfo job = queue.get(id).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.WAITING);
        assertThat(job.type()).isEqualTo("welcome");
        assertThat(job.maxAttempts()).isEqualTo(5);
        assertThat(job.attempts()).isZero();
        assertThat(job.metadata()).containsEntry("tenant", "acme");
        assertThat(queue.<Email>decode(job.payload(), Email.class)).isEqualTo(new Email("ada@example.com", "hi"));
        assertThat(queue.counts()).isEqualTo(new QueueCounts(1, 0, 0, 0, 0, 0, false));
    }

    @Test
    void aWorkerRunsTheJobAndStoresItsResult() throws Exception {
        String id = queue.add("welcome", new Email("ada@example.com", "hi"));
        Map<String, Object> seen = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(1);
        try (Worker w = queue.worker(job -> {
            seen.put("payload", job.payload(Email.class));
            seen.put("attempt", job.attempt());
            seen.put("thread", Thread.currentThread().getName());
            done.countDown();
            return "sent to " + job.payload(Email.class).to();
        }, Fixtures.worker(2).build())) {
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.get(id).orElseThrow().state() == JobState.COMPLETED);
            assertThat(w.isRunning()).isTrue();
        }
        assertThat(seen.get("payload")).isEqualTo(new Email("ada@example.com", "hi"));
        assertThat(seen.get("attempt")).isEqualTo(1);
        assertThat((String) seen.get("thread")).startsWith("redkit-worker-").doesNotContain("lettuce");
        JobInfo job = queue.get(id).orElseThrow();
        assertThat(queue.<String>decode(job.result(), String.class)).isEqualTo("sent to ada@example.com");
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.history()).extracting(JobInfo.HistoryEntry::event).containsExactly("active", "completed");
        assertThat(queue.counts().completed()).isEqualTo(1);
        assertThat(queue.stats().completed()).isEqualTo(1);
        assertThat(queue.stats().added()).isEqualTo(1);
    }

    @Test
    void bytesPayloadsAreStoredAsGivenAndNullPayloadsAreAllowed() throws Exception {
        byte[] raw = {0, 1, 2, (byte) 0xff, '\n', '|'};
        queue.add("raw", raw);
        queue.add("none", null);
        Map<String, Object> seen = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(2);
        try (Worker w = queue.worker(job -> {
            seen.put(job.type(), job.type().equals("raw") ? job.payload(byte[].class) : String.valueOf(job.<Object>payload(Object.class)));
            done.countDown();
            return null;
        }, Fixtures.worker(1).build())) {
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(w.id()).isNotBlank();
        }
        assertThat((byte[]) seen.get("raw")).containsExactly(raw);
        assertThat(seen.get("none")).isEqualTo("null");
    }

    @Test
    void bulkAddReturnsIdsInOrderAcrossBatches() throws Exception {
        List<NewJob> jobs = new java.util.ArrayList<>();
        for (int i = 0; i < 1203; i++) {
            jobs.add(NewJob.of("n", i));
        }
        List<String> ids = queue.addBulk(jobs);
        assertThat(ids).hasSize(1203).doesNotHaveDuplicates();
        assertThat(queue.counts().waiting()).isEqualTo(1203);
        assertThat(queue.<Integer>decode(queue.get(ids.get(1202)).orElseThrow().payload(), Integer.class)).isEqualTo(1202);
        List<JobInfo> page = queue.list(JobState.WAITING, 1200, 10);
        assertThat(page).extracting(JobInfo::id).containsExactly(ids.get(1200), ids.get(1201), ids.get(1202));
    }

    @Test
    void anUnknownJobIsNotFoundNotAnError() {
        assertThat(queue.get("12345")).isEmpty();
        assertThat(queue.get("not-a-number")).isEmpty();
        assertThat(queue.explain("999")).isEmpty();
        assertThat(queue.remove("999")).isFalse();
        assertThat(queue.retry("999")).isFalse();
    }
}
