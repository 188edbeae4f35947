package io.redkit.queue;

import io.redkit.core.Redkit;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Workers against a real Redis, with real time where the claim is about real time. */
@WithRedis
class WorkerTest {
    private Redkit redkit;
    private JobQueue queue;

    @BeforeEach
    void setUp(RedisServer redis) {
        redkit = Fixtures.redkit(redis);
        queue = JobQueue.create(redkit, "work", QueueOptions.builder().completedRetention(Retention.all()).build());
    }

    @AfterEach
    void tearDown() {
        redkit.close();
    }

    @Test
    void aDelayedJobNeverStartsEarlyAndStartsWithin50msOfItsDueTimeWhenAWorkerIsIdle() throws Exception {
        List<String> ids = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(5);
        try (Worker w = queue.worker(job -> {
            done.countDown();
            return null;
        }, Fixtures.worker(4).build())) {
            // the worker is idle and blocked on Redis before the jobs are added
            await().atMost(Duration.ofSeconds(2)).until(() -> w.activeCount() == 0);
            for (int i = 0; i < 5; i++) {
                ids.add(queue.add("later", i, JobOptions.builder().delay(Duration.ofMillis(200 + 150L * i)).build()));
            }
            // each job's due time as the add script computed it (Redis clock): the "added" event's
            // field; reading the job back instead races its start on a slow machine
            Map<String, Instant> due = new ConcurrentHashMap<>();
            for (QueueEvent e : queue.events("0", 1000)) {
                if (e.type() == EventType.ADDED && ids.contains(e.jobId())) {
                    due.put(e.jobId(), Instant.ofEpochMilli(Long.parseLong(e.fields().get("due"))));
                }
            }
            assertThat(due).hasSize(5);
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(2)).until(() -> queue.counts().completed() == 5);
            List<Long> late = new ArrayList<>();
            for (String id : ids) {
                Instant started = queue.get(id).orElseThrow().startedAt();   // Redis time, as the due time
                long lateMs = Duration.between(due.get(id), started).toMillis();
                // never early; each within half a second even on a loaded CI machine (a polling worker
                // would be up to its idle wait, 5 s, late) ...
                assertThat(lateMs).as("job %s started %d ms after its due time", id, lateMs).isBetween(0L, 500L);
                late.add(lateMs);
            }
            // ... and typically within 50 ms: the worker sleeps exactly until the next due time
            late.sort(null);
            assertThat(late.get(late.size() / 2)).as("median lateness of %s", late).isLessThanOrEqualTo(50L);
        }
    }

    @Test
    void anIdleWorkerWakesAtOnceWhenAJobIsAdded() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        try (Worker w = queue.worker(job -> {
            done.countDown();
            return null;
        }, Fixtures.worker(1).maxIdleWait(Duration.ofSeconds(30)).build())) {
            await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> w.activeCount() == 0);
            String id = queue.add("now", 1);
            assertThat(done.await(1, TimeUnit.SECONDS)).as("woken by the marker, not by the 30 s idle wait").isTrue();
            JobInfo j = queue.get(id).orElseThrow();
            assertThat(j.history()).isNotEmpty();
        }
    }

    @Test
    void thirtyTwoProducersRacingOnOneIdempotencyKeyCreateExactlyOneJob() throws Exception {
        int producers = 32;
        CyclicBarrier start = new CyclicBarrier(producers);
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        try {
            for (int round = 0; round < 5; round++) {
                String key = "order-" + round;
                List<Future<JobQueue.Added>> ids = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    int n = p;
                    ids.add(pool.submit(() -> {
                        start.await();
                        return queue.addReportingDuplicate("charge", n, JobOptions.builder().idempotencyKey(key).build());
                    }));
                }
                Set<String> distinct = ConcurrentHashMap.newKeySet();
                int created = 0;
                for (Future<JobQueue.Added> f : ids) {
                    JobQueue.Added a = f.get(10, TimeUnit.SECONDS);
                    distinct.add(a.id());
                    if (a.created()) created++;
                }
                assertThat(distinct).as("round %d", round).hasSize(1);
                assertThat(created).as("producers told they created the job, round %d", round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(queue.counts().waiting()).isEqualTo(5);
        assertThat(queue.stats().added()).isEqualTo(5);
    }

    @Test
    void anIdempotencyKeyNamesItsJobOnlyForItsWindow() {
        JobOptions o = JobOptions.builder().idempotencyKey("k").idempotencyWindow(Duration.ofSeconds(60)).build();
        String first = queue.add("t", 1, o);
        assertThat(queue.add("t", 2, o)).isEqualTo(first);
        assertThat(queue.addReportingDuplicate("t", 2, o)).isEqualTo(new JobQueue.Added(first, false));
        assertThat(queue.addReportingDuplicate("t", 2, JobOptions.defaults()).created()).isTrue();
        // the window is the key's expiry in Redis
        io.redkit.core.RedisNamespace ns = redkit.namespace(io.redkit.core.Namespace.QUEUE);
        long ttl = ns.sync().pttl("redkit:queue:{work}:ik:k");
        assertThat(ttl).isBetween(1L, 60_000L);
        ns.sync().del("redkit:queue:{work}:ik:k");
        assertThat(queue.add("t", 3, o)).isNotEqualTo(first);
    }

    /**
     * Checks the retries of {@code id} on the Redis clock: each failure scheduled the next attempt
     * {@code delay(k)} after it (from the retrying events' due times), and the next attempt never
     * started before that due time.
     */
    private List<Long> retryDelays(String id) {
        List<JobInfo.HistoryEntry> h = queue.get(id).orElseThrow().history();
        List<Long> due = queue.events("0", 1000).stream()
                .filter(e -> e.jobId().equals(id) && e.type() == EventType.RETRYING)
                .map(e -> Long.parseLong(e.fields().get("due"))).toList();
        List<Long> delays = new ArrayList<>();
        int k = 0;
        for (int i = 0; i < h.size(); i++) {
            if (h.get(i).event().equals("retrying")) {
                long failedAt = h.get(i).at().toEpochMilli();
                long dueAt = due.get(k++);
                delays.add(dueAt - failedAt);
                Instant nextStart = h.get(i + 1).at();
                assertThat(h.get(i + 1).event()).isEqualTo("active");
                assertThat(nextStart.toEpochMilli()).as("retry %d never starts before its due time", k).isGreaterThanOrEqualTo(dueAt);
                assertThat(nextStart.toEpochMilli() - dueAt).as("retry %d starts soon after its due time", k).isLessThan(500);
            }
        }
        return delays;
    }

    @Test
    void aFailingHandlerIsRetriedWithItsBackoffThenDeadWithItsErrorKept() throws Exception {
        String id = queue.add("flaky", 1, JobOptions.builder().maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(300))).build());
        try (Worker w = queue.worker(job -> {
            throw new IllegalStateException("attempt " + job.attempt() + " broke");
        }, Fixtures.worker(2).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.get(id).orElseThrow().state() == JobState.DEAD);
            assertThat(w.activeCount()).isZero();
        }
        JobInfo dead = queue.get(id).orElseThrow();
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.error()).isEqualTo("java.lang.IllegalStateException: attempt 3 broke");
        assertThat(dead.stackTrace()).contains("IllegalStateException").contains("at ");
        assertThat(dead.history()).extracting(JobInfo.HistoryEntry::event)
                .containsExactly("active", "retrying", "active", "retrying", "active", "dead");
        assertThat(retryDelays(id)).containsExactly(300L, 300L);
    }

    @Test
    void exponentialBackoffDelaysStayWithinTheirJitteredBounds() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(queue.add("flaky", i, JobOptions.builder().maxAttempts(4)
                    .backoff(Backoff.exponential(Duration.ofMillis(100), Duration.ofMillis(250))).build()));
        }
        try (Worker w = queue.worker(job -> {
            throw new RuntimeException("no");
        }, Fixtures.worker(5).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.counts().dead() == 5);
            assertThat(w.isRunning()).isTrue();
        }
        long[] ceilings = {100, 200, 250};
        for (String id : ids) {
            List<Long> delays = retryDelays(id);
            assertThat(delays).hasSize(3);
            for (int k = 0; k < 3; k++) {
                assertThat(delays.get(k)).as("delay after failed attempt %d of job %s", k + 1, id).isBetween(0L, ceilings[k]);
            }
        }
    }

    @Test
    void customBackoffsAreResolvedByNameOnTheWorker() {
        String id = queue.add("flaky", 1, JobOptions.builder().maxAttempts(5).backoff(Backoff.custom("never-again")).build());
        try (Worker w = queue.worker(job -> {
            throw new IllegalArgumentException("bad input, retrying will not help");
        }, Fixtures.worker(1).backoff("never-again", (attempt, error) -> error instanceof IllegalArgumentException ? null : Duration.ZERO).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.get(id).orElseThrow().state() == JobState.DEAD);
            assertThat(w.isRunning()).isTrue();
        }
        assertThat(queue.get(id).orElseThrow().attempts()).isEqualTo(1);
    }

    @Test
    void aHandlerPastItsTimeoutIsInterruptedAndTheAttemptFails() throws Exception {
        AtomicInteger interrupted = new AtomicInteger();
        String id = queue.add("slow", 1, JobOptions.builder().timeout(Duration.ofMillis(200)).maxAttempts(2)
                .backoff(Backoff.none()).build());
        try (Worker w = queue.worker(job -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return "too late";
        }, Fixtures.worker(1).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.get(id).orElseThrow().state() == JobState.DEAD);
            await().atMost(Duration.ofSeconds(2)).until(() -> w.activeCount() == 0);
        }
        assertThat(interrupted.get()).isEqualTo(2);
        JobInfo j = queue.get(id).orElseThrow();
        assertThat(j.error()).contains("TimeoutException").contains("timed out after PT0.2S");
        assertThat(j.attempts()).isEqualTo(2);
    }

    @Test
    void progressAndLeaseExtensionFromTheHandler() throws Exception {
        String id = queue.add("long", 1);
        try (Worker w = queue.worker(job -> {
            assertThat(job.progress(Map.of("done", 50))).isTrue();
            assertThat(job.extendLease(Duration.ofMinutes(5))).isTrue();
            assertThat(job.isLeaseLost()).isFalse();
            return "ok";
        }, Fixtures.worker(1).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.get(id).orElseThrow().state() == JobState.COMPLETED);
            assertThat(w.isRunning()).isTrue();
        }
        JobInfo j = queue.get(id).orElseThrow();
        assertThat(queue.<Map<String, Integer>>decode(j.progress(), Map.class)).containsEntry("done", 50);
    }

    @Test
    void gracefulShutdownLetsShortJobsFinishAndGivesTheRestBackAtOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(queue.add(i < 2 ? "quick" : "stuck", i));
        }
        CountDownLatch allStarted = new CountDownLatch(4);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        Worker w = queue.worker(job -> {
            allStarted.countDown();
            if (job.type().equals("quick")) {
                release.await();
                return "done";
            }
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return "never";
        }, Fixtures.worker(4).leaseTime(Duration.ofMinutes(5)).build());
        assertThat(allStarted.await(5, TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(() -> w.close(Duration.ofMillis(400)));
        closer.start();
        release.countDown();
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        assertThat(w.isRunning()).isFalse();
        // the quick ones completed; the stuck ones are waiting again at once (not after the 5 min lease), attempt not counted
        assertThat(queue.get(ids.get(0)).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        assertThat(queue.get(ids.get(1)).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        for (String id : ids.subList(2, 4)) {
            JobInfo j = queue.get(id).orElseThrow();
            assertThat(j.state()).isEqualTo(JobState.WAITING);
            assertThat(j.attempts()).isZero();
        }
        assertThat(interrupted.get()).isEqualTo(2);
        assertThat(queue.counts().active()).isZero();
    }

    @Test
    void manyJobsAreEachCompletedExactlyOnceByConcurrentWorkers() throws Exception {
        int n = 2000;
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            jobs.add(NewJob.of("n", i));
        }
        queue.addBulk(jobs);
        Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
        JobHandler h = job -> {
            runs.computeIfAbsent(job.payload(Integer.class), k -> new AtomicInteger()).incrementAndGet();
            return null;
        };
        try (Worker a = queue.worker(h, Fixtures.worker(8).workerId("a").build());
             Worker b = queue.worker(h, Fixtures.worker(8).workerId("b").build())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> queue.counts().completed() == n);
            assertThat(a.id()).isNotEqualTo(b.id());
        }
        assertThat(runs).hasSize(n);
        assertThat(runs.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
        QueueCounts c = queue.counts();
        assertThat(c.waiting() + c.active() + c.delayed() + c.retrying() + c.dead()).isZero();
        assertThat(queue.stats().completed()).isEqualTo(n);
        assertThat(queue.stats().completedLastHour()).isEqualTo(n);
        QueueStats stats = queue.stats();
        assertThat(stats.processingTimeHistogram().stream().mapToLong(Long::longValue).sum()).isEqualTo(n);
        assertThat(stats.processingTimePercentile(0.5)).isLessThanOrEqualTo(stats.processingTimePercentile(0.99));
    }

    @Test
    void pauseStopsNewStartsAndResumeWakesTheWorkers() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        assertThat(queue.pause()).isTrue();
        assertThat(queue.pause()).isFalse();
        String id = queue.add("t", 1);
        assertThat(queue.explain(id).orElseThrow()).contains("paused");
        try (Worker w = queue.worker(job -> seen.add(job.id()), Fixtures.worker(2).maxIdleWait(Duration.ofSeconds(30)).build())) {
            // a worker that fetched would have run the job by now; a paused queue hands out nothing
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> seen.isEmpty());
            assertThat(queue.counts().paused()).isTrue();
            assertThat(queue.resume()).isTrue();
            await().atMost(Duration.ofSeconds(1)).until(() -> seen.contains(id));
            assertThat(w.isRunning()).isTrue();
        }
    }
}
