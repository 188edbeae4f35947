package io.redkit.queue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.redkit.core.Redkit;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Rate limit, repeatable jobs, events, statistics and meters, multi-queue workers. */
@WithRedis
class FeaturesTest {
    private Redkit redkit;

    @BeforeEach
    void setUp(RedisServer redis) {
        redkit = Fixtures.redkit(redis);
    }

    @AfterEach
    void tearDown() {
        redkit.close();
    }

    @Test
    void theQueueRateLimitAdmitsAtMostNStartsInAnyWindowAcrossWorkers() throws Exception {
        QueueOptions o = QueueOptions.builder().rateLimit(RateLimit.of(5, Duration.ofMillis(500)))
                .completedRetention(Retention.all()).build();
        JobQueue queue = JobQueue.create(redkit, "limited", o);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            ids.add(queue.add("t", i));
        }
        try (Worker a = queue.worker(job -> null, Fixtures.worker(10).build());
             Worker b = queue.worker(job -> null, Fixtures.worker(10).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.counts().completed() == 17);
            assertThat(a.id()).isNotEqualTo(b.id());
        }
        List<Long> starts = new ArrayList<>();
        for (String id : ids) {
            starts.add(queue.get(id).orElseThrow().startedAt().toEpochMilli()); // Redis time
        }
        starts.sort(Long::compare);
        for (int i = 0; i < starts.size(); i++) {
            int inWindow = 0;
            for (long s : starts) {
                if (s >= starts.get(i) && s < starts.get(i) + 500) inWindow++;
            }
            assertThat(inWindow).as("starts in the 500 ms after start %d", i).isLessThanOrEqualTo(5);
        }
        // 17 jobs at 5 per 500 ms need at least three full windows
        assertThat(starts.get(16) - starts.get(0)).isGreaterThanOrEqualTo(1500);
    }

    @Test
    void explainSaysWhenTheQueueIsRateLimited() {
        JobQueue queue = JobQueue.create(redkit, "limited2", QueueOptions.builder().rateLimit(RateLimit.of(1, Duration.ofSeconds(30))).build());
        queue.add("t", 1);
        String second = queue.add("t", 2);
        try (Worker w = queue.worker(job -> null, Fixtures.worker(2).build())) {
            await().atMost(Duration.ofSeconds(3)).until(() -> queue.counts().completed() == 1 && queue.counts().waiting() == 1);
            assertThat(queue.explain(second).orElseThrow()).contains("rate-limited for");
            assertThat(w.isRunning()).isTrue();
        }
    }

    @Test
    void aRepeatableJobFiresExactlyOncePerOccurrenceWithThreeWorkers() throws Exception {
        JobQueue queue = JobQueue.create(redkit, "repeat", QueueOptions.builder().completedRetention(Retention.all()).build());
        List<Instant> occurrences = new CopyOnWriteArrayList<>();
        RepeatInfo info = queue.repeat("tick", RepeatSchedule.every(Duration.ofMillis(100)), "tick", "payload", JobOptions.defaults());
        assertThat(info.nextAt()).isNotNull();
        WorkerOptions wo = Fixtures.worker(2).repeatCheckInterval(Duration.ofMillis(20)).build();
        JobHandler h = job -> {
            occurrences.add(job.createdAt());
            return null;
        };
        try (Worker a = queue.worker(h, wo); Worker b = queue.worker(h, wo); Worker c = queue.worker(h, wo)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> occurrences.size() >= 12);
            assertThat(queue.removeRepeat("tick")).isTrue();
            assertThat(a.isRunning() && b.isRunning() && c.isRunning()).isTrue();
        }
        List<Instant> sorted = new ArrayList<>(occurrences);
        sorted.sort(Instant::compareTo);
        assertThat(sorted).as("one job per occurrence").doesNotHaveDuplicates();
        for (int i = 1; i < sorted.size(); i++) {
            long gap = Duration.between(sorted.get(i - 1), sorted.get(i)).toMillis();
            assertThat(gap).as("occurrences are whole intervals apart").isPositive().matches(g -> g % 100 == 0, "a multiple of 100 ms");
        }
        assertThat(queue.repeats()).isEmpty();
    }

    @Test
    void cronRepeatablesAreListedWithTheirNextOccurrence() {
        JobQueue queue = JobQueue.create(redkit, "cron");
        RepeatInfo r = queue.repeat("nightly", RepeatSchedule.cron("0 3 * * *"), "report", null, JobOptions.defaults());
        assertThat(r.nextAt()).isAfter(Instant.now().minusSeconds(5));
        assertThat(r.nextAt().atZone(java.time.ZoneOffset.UTC).getHour()).isEqualTo(3);
        assertThat(queue.repeats()).singleElement().satisfies(i -> {
            assertThat(i.name()).isEqualTo("nightly");
            assertThat(i.type()).isEqualTo("report");
            assertThat(i.schedule()).isEqualTo(RepeatSchedule.cron("0 3 * * *"));
            assertThat(i.nextAt()).isEqualTo(r.nextAt());
        });
        RepeatSchedule everySecond = RepeatSchedule.cron("*/10 * * * * *");
        Instant base = Instant.parse("2025-01-01T00:00:03Z");
        assertThat(everySecond.nextAfter(base)).contains(Instant.parse("2025-01-01T00:00:10Z"));
        assertThat(RepeatSchedule.every(Duration.ofSeconds(10)).nextAfter(base, base.plusSeconds(35)))
                .as("missed occurrences are skipped").contains(base.plusSeconds(40));
    }

    @Test
    void eventsGoToTheStreamAndToSubscribers() throws Exception {
        JobQueue queue = JobQueue.create(redkit, "events");
        List<QueueEvent> received = new CopyOnWriteArrayList<>();
        ExecutorService listenerThread = Executors.newSingleThreadExecutor();
        AutoCloseable sub = queue.subscribe(received::add, listenerThread);
        try {
            String ok = queue.add("t", 1);
            String bad = queue.add("t", 2, JobOptions.builder().maxAttempts(2).backoff(Backoff.none()).build());
            try (Worker w = queue.worker(job -> {
                job.progress(42);
                if (job.id().equals(bad)) throw new IllegalStateException("nope");
                return null;
            }, Fixtures.worker(1).build())) {
                await().atMost(Duration.ofSeconds(5)).until(() -> received.stream().anyMatch(e -> e.type() == EventType.DEAD));
                assertThat(w.isRunning()).isTrue();
            }
            assertThat(received.stream().filter(e -> e.jobId().equals(ok)).map(QueueEvent::type))
                    .containsExactly(EventType.ADDED, EventType.ACTIVE, EventType.PROGRESS, EventType.COMPLETED);
            assertThat(received.stream().filter(e -> e.jobId().equals(bad)).map(QueueEvent::type))
                    .containsExactly(EventType.ADDED, EventType.ACTIVE, EventType.PROGRESS, EventType.FAILED, EventType.RETRYING,
                            EventType.ACTIVE, EventType.PROGRESS, EventType.FAILED, EventType.DEAD);
            QueueEvent failed = received.stream().filter(e -> e.type() == EventType.FAILED).findFirst().orElseThrow();
            assertThat(failed.fields().get("err")).contains("nope");
        } finally {
            sub.close();
            listenerThread.shutdownNow();
        }
        List<QueueEvent> all = queue.events("0", 100);
        assertThat(all).hasSize(received.size());
        assertThat(queue.events(all.get(2).streamId(), 100)).hasSize(all.size() - 3);
    }

    @Test
    void statsCountEveryWorkerAndMetersRecordThisOne() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JobQueue queue = JobQueue.create(redkit, "stats");
        for (int i = 0; i < 20; i++) {
            queue.add("t", i, JobOptions.builder().maxAttempts(1).build());
        }
        try (Worker w = queue.worker(job -> {
            if (job.payload(Integer.class) % 5 == 0) throw new IllegalStateException("fifth");
            return null;
        }, Fixtures.worker(4).meterRegistry(registry).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.stats().completed() == 16 && queue.stats().dead() == 4);
            await().atMost(Duration.ofSeconds(2)).until(() -> w.activeCount() == 0);
            assertThat(registry.get("redkit.queue.jobs").tag("queue", "stats").tag("outcome", "completed").counter().count()).isEqualTo(16);
            assertThat(registry.get("redkit.queue.jobs").tag("outcome", "dead").counter().count()).isEqualTo(4);
            assertThat(registry.get("redkit.queue.job.duration").timer().count()).isEqualTo(16);
            assertThat(registry.get("redkit.queue.worker.active").gauge().value()).isZero();
        }
        QueueStats s = queue.stats();
        assertThat(s.added()).isEqualTo(20);
        assertThat(s.failed()).isEqualTo(4);
        assertThat(s.retried()).isZero();
        assertThat(s.completedPerMinute()).hasSize(60);
        assertThat(s.completedLastHour()).isEqualTo(16);
        assertThat(s.processingTimeHistogram().stream().mapToLong(Long::longValue).sum()).isEqualTo(16);
        assertThat(s.processingTimePercentile(0.5)).isLessThan(Duration.ofMillis(500));
        assertThat(registry.find("redkit.queue.worker.active").gauge()).as("meters are removed on close").isNull();
    }

    @Test
    void oneWorkerConsumesSeveralQueuesWithOneConcurrencyLimit() throws Exception {
        JobQueue a = JobQueue.create(redkit, "qa");
        JobQueue b = JobQueue.create(redkit, "qb");
        Set<String> seen = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 10; i++) {
            a.add("t", i);
            b.add("t", i);
        }
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger maxRunning = new java.util.concurrent.atomic.AtomicInteger();
        try (Worker w = JobQueue.worker(List.of(a, b), job -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            seen.add(job.queue() + ":" + job.payload(Integer.class));
            Thread.sleep(5);
            running.decrementAndGet();
            return null;
        }, Fixtures.worker(3).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 20);
            assertThat(w.isRunning()).isTrue();
        }
        assertThat(maxRunning.get()).isLessThanOrEqualTo(3);
    }

    @Test
    void drainRemoveAndRetryAllDead() {
        JobQueue queue = JobQueue.create(redkit, "ops");
        List<NewJob> many = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            many.add(NewJob.of("t", i, JobOptions.builder().priority(i % 3 - 1).build()));
        }
        queue.addBulk(many);
        String delayed = queue.add("t", "later", JobOptions.builder().delay(Duration.ofHours(1)).build());
        assertThat(queue.remove(delayed)).isTrue();
        assertThat(queue.get(delayed)).isEmpty();
        queue.add("t", "later", JobOptions.builder().delay(Duration.ofHours(1)).build());
        assertThat(queue.drain(false)).isEqualTo(2500);
        assertThat(queue.counts().delayed()).isEqualTo(1);
        assertThat(queue.drain(true)).isEqualTo(1);
        assertThat(queue.counts()).isEqualTo(new QueueCounts(0, 0, 0, 0, 0, 0, false));

        for (int i = 0; i < 3; i++) {
            queue.add("t", i, JobOptions.builder().maxAttempts(1).build());
        }
        try (Worker w = queue.worker(job -> {
            throw new IllegalStateException("x");
        }, Fixtures.worker(3).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.counts().dead() == 3);
            queue.pause();
            assertThat(queue.retryAllDead()).isEqualTo(3);
            assertThat(queue.counts().waiting()).isEqualTo(3);
            assertThat(w.isRunning()).isTrue();
        }
    }
}
