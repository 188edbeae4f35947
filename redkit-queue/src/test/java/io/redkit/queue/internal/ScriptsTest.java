package io.redkit.queue.internal;

import io.redkit.core.Redkit;
import io.redkit.queue.Backoff;
import io.redkit.queue.Fixtures;
import io.redkit.queue.JobInfo;
import io.redkit.queue.JobOptions;
import io.redkit.queue.JobQueue;
import io.redkit.queue.JobState;
import io.redkit.queue.QueueOptions;
import io.redkit.queue.Retention;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scripts' transitions driven directly, with an explicit "now" instead of Redis TIME, so lease
 * expiry, timeouts and retention age are tested without waiting.
 */
@WithRedis
class ScriptsTest {
    private Redkit redkit;
    private RedisJobQueue queue;
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    @BeforeEach
    void setUp(RedisServer redis) {
        redkit = Fixtures.redkit(redis);
        queue = open(QueueOptions.builder().completedRetention(Retention.all()).build());
    }

    private RedisJobQueue open(QueueOptions options) {
        RedisJobQueue q = (RedisJobQueue) JobQueue.create(redkit, "jobs", options);
        q.scriptClock = now::get;
        return q;
    }

    @AfterEach
    void tearDown() {
        redkit.close();
    }

    private RedisJobQueue.FetchReply fetch(RedisJobQueue q, int n, long leaseMs, RedisJobQueue.Completion... done) {
        return q.namespace().await("fetch", q.fetch("test-worker", n, leaseMs, List.of(done)));
    }

    private RedisJobQueue.FetchReply fetch(int n, long leaseMs, RedisJobQueue.Completion... done) {
        return fetch(queue, n, leaseMs, done);
    }

    private static RedisJobQueue.Completion done(RedisJobQueue.Fetched f) {
        return new RedisJobQueue.Completion(f.id(), f.token(), null);
    }

    @Test
    void priorityOrderAndFifoWithinAPriorityMatchASimpleModel() {
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            queue.drain(true);
            int n = 1 + random.nextInt(60);
            List<long[]> model = new ArrayList<>(); // {priority, insertion index}
            Map<String, Integer> indexOf = new java.util.HashMap<>();
            int[] choices = {-1000, -5, -1, 0, 0, 0, 1, 2, 7, 1000};
            for (int i = 0; i < n; i++) {
                int p = choices[random.nextInt(choices.length)];
                String id = queue.add("t", i, JobOptions.builder().priority(p).build());
                indexOf.put(id, i);
                model.add(new long[]{p, i});
            }
            model.sort(Comparator.<long[]>comparingLong(e -> -e[0]).thenComparingLong(e -> e[1]));
            List<Integer> expected = model.stream().map(e -> (int) e[1]).toList();
            List<Integer> actual = new ArrayList<>();
            int take = 1 + random.nextInt(5);
            while (true) {
                RedisJobQueue.FetchReply r = fetch(take, 60_000);
                if (r.jobs().isEmpty()) break;
                r.jobs().forEach(f -> actual.add(indexOf.get(f.id())));
            }
            assertThat(actual).as("round %d, fetching %d at a time", round, take).isEqualTo(expected);
            now.addAndGet(1);
        }
    }

    @Test
    void listingWaitingJobsFollowsTheRunOrder() {
        String low = queue.add("t", 1, JobOptions.builder().priority(-3).build());
        String a = queue.add("t", 2);
        String high = queue.add("t", 3, JobOptions.builder().priority(9).build());
        String b = queue.add("t", 4);
        assertThat(queue.list(JobState.WAITING, 0, 10)).extracting(JobInfo::id).containsExactly(high, a, b, low);
        assertThat(queue.list(JobState.WAITING, 1, 2)).extracting(JobInfo::id).containsExactly(a, b);
        assertThat(queue.list(JobState.WAITING, 3, 5)).extracting(JobInfo::id).containsExactly(low);
        assertThat(queue.explain(low).orElseThrow()).contains("behind 3 job(s)");
        assertThat(queue.explain(high).orElseThrow()).contains("next to run");
    }

    @Test
    void aLeaseThatRunsOutGetsTheJobRedeliveredAndTheStaleHoldersCompletionIsRefused() {
        String id = queue.add("t", "x");
        RedisJobQueue.Fetched first = fetch(1, 1000).jobs().get(0);
        assertThat(first.id()).isEqualTo(id);
        assertThat(fetch(1, 1000).jobs()).as("leased: nobody else gets it").isEmpty();

        now.addAndGet(1000); // the lease deadline passes
        RedisJobQueue.FetchReply second = fetch(1, 1000);
        assertThat(second.jobs()).hasSize(1);
        RedisJobQueue.Fetched redelivered = second.jobs().get(0);
        assertThat(redelivered.id()).isEqualTo(id);
        assertThat(redelivered.token()).isGreaterThan(first.token());
        assertThat(redelivered.attempt()).as("a redelivery is not a new attempt").isEqualTo(first.attempt());

        RedisJobQueue.FetchReply stale = fetch(0, 1000, done(first));
        assertThat(stale.statuses()).containsExactly(0L);
        assertThat(queue.get(id).orElseThrow().state()).isEqualTo(JobState.ACTIVE);
        assertThat(queue.namespace().await("fail", queue.fail(id, first.token(), 0, "boom", ""))).isZero();

        RedisJobQueue.FetchReply ok = fetch(0, 1000, done(redelivered));
        assertThat(ok.statuses()).containsExactly(1L);
        JobInfo info = queue.get(id).orElseThrow();
        assertThat(info.state()).isEqualTo(JobState.COMPLETED);
        assertThat(info.stalls()).isEqualTo(1);
        assertThat(info.history()).extracting(JobInfo.HistoryEntry::event).containsExactly("active", "stalled", "active", "completed");
        assertThat(queue.stats().stalled()).isEqualTo(1);
        assertThat(fetch(0, 1000, done(redelivered)).statuses()).as("completed at most once").containsExactly(0L);
    }

    @Test
    void renewingKeepsTheLeaseAndReportsLostOnes() {
        String a = queue.add("t", "a");
        String b = queue.add("t", "b");
        List<RedisJobQueue.Fetched> jobs = fetch(2, 1000).jobs();
        now.addAndGet(900);
        List<String> lost = queue.namespace().await("renew", queue.renew(List.of(Map.entry(a, jobs.get(0).token())), 1000)).lost();
        assertThat(lost).isEmpty();
        now.addAndGet(200); // b's lease ran out, a's was renewed to +1000
        assertThat(fetch(1, 1000).jobs()).extracting(RedisJobQueue.Fetched::id).containsExactly(b);
        List<String> lost2 = queue.namespace().await("renew", queue.renew(List.of(Map.entry(a, jobs.get(0).token()),
                Map.entry(b, jobs.get(1).token())), 1000)).lost();
        assertThat(lost2).containsExactly(b);
    }

    @Test
    void aJobThatStallsMoreThanMaxStallsIsDead() {
        RedisJobQueue q = open(QueueOptions.builder().maxStalls(1).build());
        String id = q.add("t", "x");
        fetch(q, 1, 100);
        now.addAndGet(100);
        assertThat(fetch(q, 1, 100).jobs()).hasSize(1); // first stall: redelivered
        now.addAndGet(100);
        assertThat(fetch(q, 1, 100).jobs()).isEmpty();  // second stall: dead
        JobInfo info = q.get(id).orElseThrow();
        assertThat(info.state()).isEqualTo(JobState.DEAD);
        assertThat(info.error()).contains("lease expired 2 times");
        assertThat(q.explain(id).orElseThrow()).contains("dead").contains("lease expired");
    }

    @Test
    void aCompletionAfterTheAttemptsTimeoutIsRefused() {
        String id = queue.add("t", "x", JobOptions.builder().timeout(Duration.ofMillis(500)).build());
        RedisJobQueue.Fetched f = fetch(1, 60_000).jobs().get(0);
        assertThat(f.deadlineMs()).isEqualTo(now.get() + 500);
        now.addAndGet(501);
        assertThat(fetch(0, 60_000, done(f)).statuses()).containsExactly(2L);
        assertThat(queue.get(id).orElseThrow().state()).isEqualTo(JobState.ACTIVE);
        assertThat(queue.namespace().await("fail", queue.fail(id, f.token(), 1000, "timed out", ""))).isEqualTo(1L);
        assertThat(queue.get(id).orElseThrow().state()).isEqualTo(JobState.RETRYING);
    }

    @Test
    void aFailedAttemptIsRetriedAfterItsDelayAndIsDeadAfterMaxAttempts() {
        String id = queue.add("t", "x", JobOptions.builder().maxAttempts(2).backoff(Backoff.fixed(Duration.ofSeconds(5))).build());
        RedisJobQueue.Fetched f1 = fetch(1, 60_000).jobs().get(0);
        assertThat(queue.namespace().await("fail", queue.fail(id, f1.token(), 5000, "java.io.IOException: boom", "at x"))).isEqualTo(1L);
        JobInfo retrying = queue.get(id).orElseThrow();
        assertThat(retrying.state()).isEqualTo(JobState.RETRYING);
        assertThat(retrying.scheduledAt().toEpochMilli()).isEqualTo(now.get() + 5000);
        assertThat(queue.explain(id).orElseThrow()).contains("attempt 1 of 2 failed").contains("boom");

        now.addAndGet(4999);
        RedisJobQueue.FetchReply early = fetch(1, 60_000);
        assertThat(early.jobs()).as("never before its due time").isEmpty();
        assertThat(early.wakeMs()).isEqualTo(1);
        now.addAndGet(1);
        RedisJobQueue.Fetched f2 = fetch(1, 60_000).jobs().get(0);
        assertThat(f2.attempt()).isEqualTo(2);
        assertThat(queue.namespace().await("fail", queue.fail(id, f2.token(), 5000, "java.io.IOException: again", "at y"))).isEqualTo(2L);
        JobInfo dead = queue.get(id).orElseThrow();
        assertThat(dead.state()).isEqualTo(JobState.DEAD);
        assertThat(dead.error()).isEqualTo("java.io.IOException: again");
        assertThat(dead.stackTrace()).isEqualTo("at y");
        assertThat(dead.attempts()).isEqualTo(2);
        assertThat(queue.stats().failed()).isEqualTo(2);
        assertThat(queue.stats().retried()).isEqualTo(1);
        assertThat(queue.stats().dead()).isEqualTo(1);

        assertThat(queue.retry(id)).isTrue();
        JobInfo again = queue.get(id).orElseThrow();
        assertThat(again.state()).isEqualTo(JobState.WAITING);
        assertThat(again.attempts()).isZero();
        assertThat(fetch(1, 60_000).jobs().get(0).attempt()).isEqualTo(1);
    }

    @Test
    void delayedJobsBecomeWaitingAtTheirDueTimeAndTheFetchSaysWhenToLookAgain() {
        String id = queue.add("t", "x", JobOptions.builder().delay(Duration.ofMillis(750)).build());
        JobInfo d = queue.get(id).orElseThrow();
        assertThat(d.state()).isEqualTo(JobState.DELAYED);
        assertThat(d.scheduledAt().toEpochMilli()).isEqualTo(now.get() + 750);
        assertThat(queue.explain(id).orElseThrow()).contains("delayed until");
        RedisJobQueue.FetchReply r = fetch(5, 1000);
        assertThat(r.jobs()).isEmpty();
        assertThat(r.wakeMs()).isEqualTo(750);
        now.addAndGet(749);
        assertThat(fetch(5, 1000).jobs()).isEmpty();
        now.addAndGet(1);
        assertThat(fetch(5, 1000).jobs()).extracting(RedisJobQueue.Fetched::id).containsExactly(id);
    }

    @Test
    void retentionTrimsCompletedJobsByCountAndByAgeIncrementally() {
        RedisJobQueue q = open(QueueOptions.builder().completedRetention(Retention.of(5, Duration.ofSeconds(10))).build());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(q.add("t", i));
        }
        for (int i = 0; i < 12; i++) {
            RedisJobQueue.Fetched f = fetch(q, 1, 60_000).jobs().get(0);
            fetch(q, 0, 60_000, done(f));
            now.addAndGet(1000);
        }
        assertThat(q.counts().completed()).isEqualTo(5);
        assertThat(q.get(ids.get(6))).isEmpty();
        assertThat(q.get(ids.get(7))).isPresent();
        assertThat(q.list(JobState.COMPLETED, 0, 10)).extracting(JobInfo::id).containsExactlyElementsOf(
                List.of(ids.get(11), ids.get(10), ids.get(9), ids.get(8), ids.get(7)));
        // age: 12 s later the next completion trims all kept jobs older than 10 s
        now.addAndGet(12_000);
        String last = q.add("t", "last");
        fetch(q, 0, 60_000, done(fetch(q, 1, 60_000).jobs().get(0)));
        assertThat(q.list(JobState.COMPLETED, 0, 10)).extracting(JobInfo::id).containsExactly(last);
        assertThat(q.namespace().await("keys", q.namespace().async().exists(q.keys().job(ids.get(11)), q.keys().state(ids.get(11))))).isZero();
    }

    @Test
    void withRetentionNoneACompletedJobLeavesNothingBehind(RedisServer redis) {
        RedisJobQueue q = open(QueueOptions.builder().completedRetention(Retention.none()).eventStreamMaxLength(0).build());
        for (int i = 0; i < 10; i++) {
            q.add("t", i);
        }
        for (int i = 0; i < 10; i++) {
            fetch(q, 0, 60_000, done(fetch(q, 1, 60_000).jobs().get(0)));
        }
        assertThat(q.counts().completed()).isZero();
        // what remains: the id counter, the stats hash and the marker list, nothing per job
        List<String> keys = q.namespace().await("scan", q.namespace().async().keys("*"));
        assertThat(keys).containsExactlyInAnyOrder(q.keys().base() + "id", q.keys().base() + "st", q.keys().base() + "mk");
    }

    @Test
    void releasingGivesJobsBackAtTheFrontWithoutCountingTheAttempt() {
        String a = queue.add("t", "a");
        String b = queue.add("t", "b");
        RedisJobQueue.Fetched fa = fetch(1, 60_000).jobs().get(0);
        assertThat(queue.namespace().await("release", queue.release(List.of(Map.entry(a, fa.token()))))).isEqualTo(1L);
        JobInfo info = queue.get(a).orElseThrow();
        assertThat(info.state()).isEqualTo(JobState.WAITING);
        assertThat(info.attempts()).isZero();
        assertThat(fetch(2, 60_000).jobs()).extracting(RedisJobQueue.Fetched::id).containsExactly(a, b);
        assertThat(queue.namespace().await("release", queue.release(List.of(Map.entry(a, fa.token()))))).as("stale token").isZero();
    }
}
