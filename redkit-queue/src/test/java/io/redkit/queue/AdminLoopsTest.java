package io.redkit.queue;

import io.redkit.core.Redkit;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** drain and retryAllDead end under steady traffic, and handle only what existed when they started. */
@WithRedis
class AdminLoopsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private Redkit redkit;

    @BeforeEach
    void setUp(RedisServer redis) {
        redkit = Fixtures.redkit(redis);
    }

    @AfterEach
    void tearDown() {
        redkit.close();
    }

    /** One addBulk call of a producer: when it was sent and the ids it got. */
    private record Batch(long sentNanos, List<String> ids) {
    }

    /** {@code n} jobs of priorities 0, 3 and -2 and, when {@code delayed}, some delayed by an hour. */
    private static List<NewJob> mixed(int n, String type, int maxAttempts, boolean delayed) {
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JobOptions.Builder o = JobOptions.builder().maxAttempts(maxAttempts);
            switch (i % (delayed ? 4 : 3)) {
                case 1: o.priority(3); break;
                case 2: o.priority(-2); break;
                case 3: o.delay(Duration.ofHours(1)); break;
                default: break;
            }
            jobs.add(NewJob.of(type, i, o.build()));
        }
        return jobs;
    }

    private static List<Thread> producers(int threads, JobQueue queue, int perCall, String type, int maxAttempts, boolean delayed,
                                          AtomicBoolean stop, ConcurrentLinkedQueue<Batch> batches) {
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    long sent = System.nanoTime();
                    batches.add(new Batch(sent, queue.addBulk(mixed(perCall, type, maxAttempts, delayed))));
                }
            }, "producer-" + t);
            th.setDaemon(true);
            th.start();
            ts.add(th);
        }
        return ts;
    }

    @Test
    void drainEndsUnderSteadyAddsAndDeletesOnlyTheJobsThatExistedWhenItStarted() throws Exception {
        JobQueue queue = JobQueue.create(redkit, "drain-loop");
        List<String> before = queue.addBulk(mixed(3000, "old", 3, true));
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Batch> batches = new ConcurrentLinkedQueue<>();
        // four producers of 500 jobs per call add faster than one drain step of 1,000 deletes
        List<Thread> ts = producers(4, queue, 500, "new", 3, true, stop, batches);
        long drained;
        try {
            await().atMost(DEADLINE).until(() -> batches.size() >= 8);
            drained = assertTimeoutPreemptively(DEADLINE, () -> queue.drain(true), "drain did not end under steady adds");
            // adds after the drain returned, which it must not have deleted
            int seen = batches.size();
            await().atMost(DEADLINE).until(() -> batches.size() >= seen + 4);
        } finally {
            stop.set(true);
            for (Thread t : ts) t.join(10_000);
        }
        Set<Long> present = new HashSet<>();
        for (JobState state : List.of(JobState.WAITING, JobState.DELAYED)) {
            for (int offset = 0; ; offset += 1000) {
                List<JobInfo> page = queue.list(state, offset, 1000);
                page.forEach(j -> present.add(Long.parseLong(j.id())));
                if (page.size() < 1000) break;
            }
        }
        List<Long> gone = new ArrayList<>();
        Set<Long> all = new HashSet<>();
        before.forEach(id -> all.add(Long.parseLong(id)));
        batches.forEach(b -> b.ids().forEach(id -> all.add(Long.parseLong(id))));
        for (long id : all) {
            if (!present.contains(id)) gone.add(id);
        }
        for (String id : before) {
            assertThat(present).as("job %s, waiting or delayed when the drain started", id).doesNotContain(Long.parseLong(id));
        }
        assertThat(drained).as("the drain's count is the number of jobs it deleted").isEqualTo(gone.size());
        long lastGone = Collections.max(gone);
        long firstKept = Collections.min(present);
        // the drain deleted the jobs up to the last one of its start and none added after
        assertThat(lastGone).as("the last deleted job is older than the first kept one (%d jobs added, %d kept)",
                all.size(), present.size()).isLessThan(firstKept);
    }

    @Test
    void retryAllDeadEndsWhileJobsKeepDyingAndRetriesOnlyTheJobsDeadWhenItStarted() throws Exception {
        JobQueue queue = JobQueue.create(redkit, "retry-loop", QueueOptions.builder().deadRetention(Retention.all()).build());
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            before.addAll(queue.addBulk(mixed(1000, "old", 1, false)));
        }
        AtomicInteger attempts = new AtomicInteger();
        try (Worker w = queue.worker(job -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("always fails");
        }, Fixtures.worker(16).build())) {
            await().atMost(DEADLINE).until(() -> queue.counts().dead() >= before.size());
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Batch> batches = new ConcurrentLinkedQueue<>();
            List<Thread> ts = producers(2, queue, 100, "new", 1, false, stop, batches);
            long retried;
            try {
                await().atMost(DEADLINE).until(() -> batches.size() >= 10);
                retried = assertTimeoutPreemptively(DEADLINE, queue::retryAllDead, "retryAllDead did not end while jobs kept dying");
            } finally {
                stop.set(true);
                for (Thread t : ts) t.join(10_000);
            }
            assertThat(w.isRunning()).isTrue();
            List<String> all = new ArrayList<>(before);
            batches.forEach(b -> all.addAll(b.ids()));
            int retriedOnce = 0;
            for (String id : all) {
                JobInfo j = queue.get(id).orElseThrow();
                long revived = j.history().stream().filter(h -> h.event().equals("waiting")).count();
                assertThat(revived).as("job %s was retried %d times by one retryAllDead: %s", id, revived, j.history())
                        .isLessThanOrEqualTo(1);
                if (revived == 1) retriedOnce++;
                if (before.contains(id)) {
                    assertThat(revived).as("job %s was dead when retryAllDead started", id).isEqualTo(1);
                }
            }
            assertThat(retried).isEqualTo(retriedOnce);
        }
    }
}
