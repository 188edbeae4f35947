package io.redkit.queue;

import io.redkit.core.RedisUnavailableException;
import io.redkit.core.Redkit;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Workers that die, and a Redis that goes away. */
@WithRedis
class ResilienceTest {

    @Test
    void aWorkerKilledMidJobLosesNothingAndAnotherWorkerCompletesTheJobWithinItsLeasePlusOneSecond(RedisServer redis)
            throws Exception {
        long leaseMs = 1500;
        try (Redkit redkit = Fixtures.redkit(redis)) {
            JobQueue queue = JobQueue.create(redkit, "crash", QueueOptions.builder().completedRetention(Retention.all()).build());
            String doomed = queue.add("payment", 1);
            String other = queue.add("payment", 2);

            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashWorkerMain.class.getName(), redis.url(), "crash",
                    String.valueOf(leaseMs)).redirectErrorStream(true).start();
            long killedAt;
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                String started = null;
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                for (String line; System.nanoTime() < until && (line = out.readLine()) != null; ) {
                    if (line.startsWith("STARTED ")) {
                        started = line.substring(8).trim();
                        break;
                    }
                }
                assertThat(started).as("the child worker started a job").isEqualTo(doomed);
                assertThat(queue.get(doomed).orElseThrow().state()).isEqualTo(JobState.ACTIVE);
                assertThat(queue.get(doomed).orElseThrow().workerId()).isEqualTo("doomed");
            } finally {
                child.destroyForcibly();
                assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
                killedAt = System.nanoTime();
            }

            Set<String> completed = ConcurrentHashMap.newKeySet();
            Map<String, Long> doneAt = new ConcurrentHashMap<>();
            try (Worker rescuer = queue.worker(job -> {
                completed.add(job.id());
                doneAt.put(job.id(), System.nanoTime());
                return "rescued";
            }, Fixtures.worker(2).leaseTime(Duration.ofMillis(leaseMs)).build())) {
                await().atMost(Duration.ofMillis(leaseMs + 3000)).until(() -> completed.containsAll(List.of(doomed, other)));
                long afterKillMs = TimeUnit.NANOSECONDS.toMillis(doneAt.get(doomed) - killedAt);
                assertThat(afterKillMs).as("redelivered %d ms after the kill", afterKillMs).isLessThanOrEqualTo(leaseMs + 1000);
                await().atMost(Duration.ofSeconds(2)).until(() -> queue.counts().completed() == 2);
                assertThat(rescuer.isRunning()).isTrue();
            }
            JobInfo j = queue.get(doomed).orElseThrow();
            assertThat(j.state()).isEqualTo(JobState.COMPLETED);
            assertThat(j.stalls()).isEqualTo(1);
            assertThat(queue.stats().stalled()).isEqualTo(1);
            QueueCounts c = queue.counts();
            assertThat(c.waiting() + c.active() + c.dead()).isZero();
        }
    }

    @Test
    void workersResumeByThemselvesAfterRedisRestarts(RedisServer redis) throws Exception {
        try (Redkit redkit = Fixtures.redkit(redis)) {
            JobQueue queue = JobQueue.create(redkit, "restart");
            Set<Integer> seen = ConcurrentHashMap.newKeySet();
            try (Worker w = queue.worker(job -> seen.add(job.payload(Integer.class)), Fixtures.worker(4).build())) {
                queue.add("t", 1);
                await().atMost(Duration.ofSeconds(3)).until(() -> seen.contains(1));

                redis.stop();
                assertThatThrownBy(() -> queue.add("t", 99)).isInstanceOf(RedisUnavailableException.class);
                redis.start(); // no persistence: an empty Redis, scripts not loaded

                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> queue.add("t", 2) != null);
                await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(2));
                assertThat(w.isRunning()).isTrue();

                // and once more, with a frozen Redis (timeouts rather than refused connections)
                redis.suspend();
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    try {
                        queue.counts();
                        return false;
                    } catch (RedisUnavailableException e) {
                        return true;
                    }
                });
                redis.resume();
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> queue.add("t", 3) != null);
                await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(3));
            }
        }
    }

    @Test
    void withAppendOnlyPersistenceJobsSurviveARedisRestartAndTheInterruptedOneIsRedelivered() throws Exception {
        try (RedisServer redis = RedisServer.builder().arg("--appendonly", "yes", "--appendfsync", "always").start();
             Redkit redkit = Fixtures.redkit(redis)) {
            JobQueue queue = JobQueue.create(redkit, "durable", QueueOptions.builder().completedRetention(Retention.all()).build());
            for (int i = 0; i < 5; i++) {
                queue.add("t", i);
            }
            Set<Integer> seen = ConcurrentHashMap.newKeySet();
            java.util.concurrent.CountDownLatch firstStarted = new java.util.concurrent.CountDownLatch(1);
            Worker stuck = queue.worker(job -> {
                firstStarted.countDown();
                Thread.sleep(60_000);
                return null;
            }, Fixtures.worker(1).leaseTime(Duration.ofSeconds(1)).build());
            assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
            redis.kill(); // a crash: only what the AOF holds survives
            stuck.close(Duration.ZERO);
            redis.start();

            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> queue.counts().waiting() == 4);
            assertThat(queue.counts().active()).isEqualTo(1);
            try (Worker w = queue.worker(job -> seen.add(job.payload(Integer.class)), Fixtures.worker(2).build())) {
                await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 5);
                assertThat(w.isRunning()).isTrue();
            }
            assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        }
    }
}
