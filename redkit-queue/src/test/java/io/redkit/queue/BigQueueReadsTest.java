package io.redkit.queue;

import io.redkit.core.Redkit;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * get, explain and list cost the same on a 200,000-job queue as on a 10-job one: measured as Redis's own
 * time per script call (INFO commandstats), which client-side load does not inflate, best of 5 rounds.
 */
@WithRedis
class BigQueueReadsTest {
    private static final int BIG = 200_000;

    private Redkit redkit;
    private RedisServer redis;

    @BeforeEach
    void setUp(RedisServer redis) {
        this.redis = redis;
        redkit = Fixtures.redkit(redis);
    }

    @AfterEach
    void tearDown() {
        redkit.close();
    }

    private static List<String> fill(JobQueue q, int n) {
        List<NewJob> jobs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            jobs.add(NewJob.of("t", i));
        }
        return q.addBulk(jobs);
    }

    /** Redis's microseconds per script call of {@code calls} runs of {@code op}, best of 5 rounds. */
    private double usPerCall(String id, Consumer<String> op) {
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            redis.command("CONFIG", "RESETSTAT");
            for (int i = 0; i < 20; i++) {
                op.accept(id);
            }
            String info = (String) redis.command("INFO", "commandstats");
            for (String line : info.split("\r?\n")) {
                if (line.startsWith("cmdstat_evalsha:")) {
                    String v = line.substring(line.indexOf("usec_per_call=") + "usec_per_call=".length());
                    best = Math.min(best, Double.parseDouble(v.split(",")[0]));
                }
            }
        }
        return best;
    }

    @Test
    void getExplainAndListDoNotScanTheWaitingList() {
        JobQueue small = JobQueue.create(redkit, "small");
        JobQueue big = JobQueue.create(redkit, "big");
        List<String> smallIds = fill(small, 10);
        List<String> bigIds = fill(big, BIG);
        String smallLast = smallIds.get(9);
        String bigLast = bigIds.get(BIG - 1);
        String bigMiddle = bigIds.get(BIG / 2);

        assertThat(big.get(bigLast).orElseThrow().state()).isEqualTo(JobState.WAITING);
        assertThat(big.explain(bigLast).orElseThrow()).contains("behind " + (BIG - 1) + " job(s)");
        assertThat(big.explain(bigIds.get(5)).orElseThrow()).contains("behind 5 job(s)");
        assertThat(big.explain(bigMiddle).orElseThrow()).contains("behind more than 10000 job(s)");

        double getSmall = usPerCall(smallLast, small::get);
        double getBig = Math.max(usPerCall(bigLast, big::get), usPerCall(bigMiddle, big::get));
        double explainSmall = usPerCall(smallLast, small::explain);
        double explainBig = Math.max(usPerCall(bigLast, big::explain), usPerCall(bigMiddle, big::explain));
        double listSmall = usPerCall("", id -> small.list(JobState.WAITING, 0, 10));
        double listBig = usPerCall("", id -> big.list(JobState.WAITING, BIG - 10, 10));
        String figures = String.format("get %.1f/%.1f us, explain %.1f/%.1f us, list row %.1f/%.1f us (small/big)",
                getSmall, getBig, explainSmall, explainBig, listSmall, listBig);
        System.out.println(figures);
        // before: the last job's LPOS walks 200,000 entries (milliseconds); now every read is bounded
        assertThat(getBig).as(figures).isLessThan(getSmall * 5 + 50);
        assertThat(listBig).as(figures).isLessThan(listSmall * 5 + 50);
        assertThat(explainBig).as(figures).isLessThan(explainSmall * 5 + 1000);
    }
}
