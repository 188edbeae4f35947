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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Cancelling jobs: a running one is interrupted and ends dead with reason "cancelled"; one outcome, never two. */
@WithRedis
class CancelTest {
    private Redkit redkit;
    private JobQueue queue;

    @BeforeEach
    void setUp(RedisServer redis) {
        redkit = Fixtures.redkit(redis);
        queue = JobQueue.create(redkit, "cancel", QueueOptions.builder().completedRetention(Retention.all())
                .deadRetention(Retention.all()).build());
    }

    @AfterEach
    void tearDown() {
        redkit.close();
    }

    private static long count(JobInfo j, String event) {
        return j.history().stream().filter(h -> h.event().equals(event)).count();
    }

    @Test
    void cancellingARunningJobInterruptsItsHandlerAndMakesItDeadWithoutARetry() throws Exception {
        String id = queue.add("sleep", 1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        AtomicBoolean flagSeen = new AtomicBoolean();
        try (Worker w = queue.worker(job -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                flagSeen.set(job.isCancelled());
                interrupted.countDown();
                throw e;
            }
            return "finished";
        }, Fixtures.worker(1).leaseTime(Duration.ofMillis(900)).build())) {
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(queue.cancel(id)).isEqualTo(CancelOutcome.REQUESTED);
            assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("the handler was interrupted").isTrue();
            assertThat(flagSeen).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.get(id).orElseThrow().state() == JobState.DEAD);
            JobInfo j = queue.get(id).orElseThrow();
            assertThat(j.error()).isEqualTo("cancelled");
            assertThat(j.attempts()).isEqualTo(1);
            assertThat(count(j, "active")).isEqualTo(1);
            assertThat(queue.counts().waiting() + queue.counts().retrying()).isZero();
            assertThat(queue.cancel(id)).isEqualTo(CancelOutcome.ALREADY_FINISHED);
            assertThat(w.activeCount()).isZero();
        }
    }

    @Test
    void cancellingAWaitingOrDelayedJobMakesItDeadAtOnceAndFinishedJobsCannotBeCancelled() {
        String waiting = queue.add("t", 1);
        String prioritized = queue.add("t", 2, JobOptions.builder().priority(5).build());
        String delayed = queue.add("t", 3, JobOptions.builder().delay(Duration.ofHours(1)).build());
        for (String id : List.of(waiting, prioritized, delayed)) {
            assertThat(queue.cancel(id)).isEqualTo(CancelOutcome.CANCELLED);
            JobInfo j = queue.get(id).orElseThrow();
            assertThat(j.state()).isEqualTo(JobState.DEAD);
            assertThat(j.error()).isEqualTo("cancelled");
            assertThat(queue.cancel(id)).isEqualTo(CancelOutcome.ALREADY_FINISHED);
        }
        assertThat(queue.counts()).isEqualTo(new QueueCounts(0, 0, 0, 0, 0, 3, false));
        assertThat(queue.cancel("999999")).isEqualTo(CancelOutcome.NOT_FOUND);
        assertThat(queue.cancel("not an id")).isEqualTo(CancelOutcome.NOT_FOUND);
        // a cancelled job is dead like any other: retry revives it
        assertThat(queue.retry(waiting)).isTrue();
        assertThat(queue.get(waiting).orElseThrow().state()).isEqualTo(JobState.WAITING);
    }

    @Test
    void aCancelRacingWithCompletionHasExactlyOneOutcome() throws Exception {
        int n = 30;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(queue.add("race", i));
        }
        CountDownLatch started = new CountDownLatch(n);
        try (Worker w = queue.worker(job -> {
            started.countDown();
            // some finish before the worker's next renewal sees the cancel, some after
            Thread.sleep(ThreadLocalRandom.current().nextInt(0, 700));
            return "done";
        }, Fixtures.worker(n).leaseTime(Duration.ofMillis(600)).build())) {
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            for (String id : ids) {
                assertThat(queue.cancel(id)).isIn(CancelOutcome.REQUESTED, CancelOutcome.ALREADY_FINISHED);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> queue.counts().completed() + queue.counts().dead() == n);
            assertThat(w.isRunning()).isTrue();
        }
        int completed = 0;
        int cancelled = 0;
        for (String id : ids) {
            JobInfo j = queue.get(id).orElseThrow();
            long ends = count(j, "completed") + count(j, "dead");
            assertThat(ends).as("job %s: %s", id, j.history()).isEqualTo(1);
            assertThat(count(j, "active")).as("job %s ran once", id).isEqualTo(1);
            if (j.state() == JobState.COMPLETED) {
                completed++;
            } else {
                assertThat(j.state()).isEqualTo(JobState.DEAD);
                assertThat(j.error()).isEqualTo("cancelled");
                cancelled++;
            }
        }
        QueueStats s = queue.stats();
        assertThat(s.completed()).isEqualTo(completed);
        assertThat(s.dead()).isEqualTo(cancelled);
        assertThat(completed + cancelled).isEqualTo(n);
    }
}
