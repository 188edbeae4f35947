package io.redkit.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.redkit.core.Redkit;
import io.redkit.queue.JobQueue;
import io.redkit.queue.JobState;
import io.redkit.queue.QueueCounts;
import io.redkit.queue.Worker;
import io.redkit.queue.WorkerOptions;

import javax.sql.DataSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server's job queues — {@code emails}, {@code reports} and {@code default}, each accepting
 * every {@linkplain ServerJobs built-in job type} — their workers and their depth gauges.
 */
final class ServerQueues {
    /** The queues the server knows. */
    static final List<String> NAMES = List.of("emails", "reports", "default");

    private final Map<String, JobQueue> queues = new LinkedHashMap<>();

    ServerQueues(Redkit redkit) {
        for (String name : NAMES) queues.put(name, JobQueue.create(redkit, name));
    }

    Map<String, JobQueue> all() {
        return queues;
    }

    JobQueue get(String name) {
        JobQueue q = queues.get(name);
        if (q == null) throw new IllegalArgumentException("no queue '" + name + "'; queues: " + NAMES);
        return q;
    }

    /** One worker consuming every queue with {@code concurrency} jobs at a time, metered into {@code registry}. */
    Worker startWorker(DataSource db, int concurrency, MeterRegistry registry) {
        return JobQueue.worker(queues.values(), new ServerJobs(db), WorkerOptions.builder()
                .concurrency(concurrency).runRepeatScheduler(true).meterRegistry(registry).build());
    }

    /**
     * Gauges {@code redkit.queue.depth{queue,state}}: one {@code counts()} call per queue per scrape
     * (cached for a second, so one scrape does not ask Redis six times per queue). While Redis is
     * down the gauges read NaN.
     */
    void bindDepthGauges(MeterRegistry registry) {
        for (JobQueue q : queues.values()) {
            CachedCounts counts = new CachedCounts(q);
            for (JobState st : JobState.values()) {
                Gauge.builder("redkit.queue.depth", counts, c -> c.get(st))
                        .description("jobs in each state").tag("queue", q.name())
                        .tag("state", st.name().toLowerCase(Locale.ROOT)).register(registry);
            }
        }
    }

    private static final class CachedCounts {
        private final JobQueue queue;
        private final AtomicReference<Map.Entry<Long, QueueCounts>> last = new AtomicReference<>();

        CachedCounts(JobQueue queue) {
            this.queue = queue;
        }

        double get(JobState state) {
            long now = System.nanoTime();
            Map.Entry<Long, QueueCounts> e = last.get();
            if (e == null || now - e.getKey() > 1_000_000_000L) {
                try {
                    e = Map.entry(now, queue.counts());
                } catch (RuntimeException unavailable) {
                    return Double.NaN;
                }
                last.set(e);
            }
            return e.getValue().of(state);
        }
    }
}
