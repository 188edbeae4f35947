package io.redkit.queue;

import io.redkit.core.Redkit;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** A worker serving several queues shares its capacity fairly among the queues that have work. */
@WithRedis
class FairCapacityTest {
    private static final long JOB_MS = 150;

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
    void aFloodOfSlowJobsInOneQueueDelaysAJobOfAnotherByAboutOneJobDurationAtMost() throws Exception {
        JobQueue a = JobQueue.create(redkit, "flood-a");
        JobQueue b = JobQueue.create(redkit, "flood-b");
        List<NewJob> flood = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            flood.add(NewJob.of("slow", i));
        }
        a.addBulk(flood);
        CountDownLatch aRunning = new CountDownLatch(4);
        CountDownLatch bStarted = new CountDownLatch(1);
        AtomicLong bStartNanos = new AtomicLong();
        AtomicInteger aStarted = new AtomicInteger();
        try (Worker w = JobQueue.worker(List.of(a, b), job -> {
            if (job.queue().equals("flood-b")) {
                bStartNanos.set(System.nanoTime());
                bStarted.countDown();
                return null;
            }
            aStarted.incrementAndGet();
            aRunning.countDown();
            Thread.sleep(JOB_MS);
            return null;
        }, WorkerOptions.builder().concurrency(2).shutdownTimeout(Duration.ofSeconds(1)).build())) {
            // both slots are taken by A and A's completions have started handing them on
            assertThat(aRunning.await(10, TimeUnit.SECONDS)).isTrue();
            long added = System.nanoTime();
            b.add("quick", 1);
            boolean started = bStarted.await(10, TimeUnit.SECONDS);
            assertThat(started).as("B's job did not start within 10 s while A had %d job(s) left; %d of A started; %d running",
                    a.counts().waiting(), aStarted.get(), w.activeCount()).isTrue();
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(bStartNanos.get() - added);
            // one slot frees within one job duration; the rest is a margin for a loaded 2-core machine
            assertThat(waitedMs).as("B's job waited %d ms behind A's flood", waitedMs).isLessThanOrEqualTo(JOB_MS + 1000);
        }
    }
}
