package io.redkit.queue;

import io.micrometer.core.instrument.MeterRegistry;
import io.redkit.core.internal.Checks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.regex.Pattern;

/**
 * Options of a {@link Worker}: concurrency, lease time, shutdown grace, handler executor, custom
 * backoffs, metrics. Immutable; {@link #builder()}, {@link #defaults()}, {@link #toBuilder()}.
 */
public final class WorkerOptions {
    /** Jobs a worker runs at once by default: {@value}. */
    public static final int DEFAULT_CONCURRENCY = 10;
    /** Lease of a fetched job by default: 30 s. The worker renews it every third of the lease while the handler runs. */
    public static final Duration DEFAULT_LEASE_TIME = Duration.ofSeconds(30);
    /** How long {@link Worker#close()} lets running jobs finish by default: 30 s. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Longest single blocking wait of an idle worker on Redis by default: 5 s. An idle worker wakes at
     * once when a job is added; this bound only makes it re-check its connection periodically.
     */
    public static final Duration DEFAULT_MAX_IDLE_WAIT = Duration.ofSeconds(5);
    /** How often, at most, a worker looks for due repeatable jobs by default: 1 s (sooner when one is due sooner). */
    public static final Duration DEFAULT_REPEAT_CHECK_INTERVAL = Duration.ofSeconds(1);

    private static final WorkerOptions DEFAULTS = new Builder().build();
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

    private final int concurrency;
    private final Duration leaseTime;
    private final Duration shutdownTimeout;
    private final Duration maxIdleWait;
    private final Duration repeatCheckInterval;
    private final boolean runRepeatScheduler;
    private final ExecutorService executor;
    private final String workerId;
    private final MeterRegistry meterRegistry;
    private final Map<String, BackoffFunction> backoffs;

    private WorkerOptions(Builder b) {
        this.concurrency = b.concurrency == null ? DEFAULT_CONCURRENCY : b.concurrency;
        this.leaseTime = b.leaseTime == null ? DEFAULT_LEASE_TIME : b.leaseTime;
        this.shutdownTimeout = b.shutdownTimeout == null ? DEFAULT_SHUTDOWN_TIMEOUT : b.shutdownTimeout;
        this.maxIdleWait = b.maxIdleWait == null ? DEFAULT_MAX_IDLE_WAIT : b.maxIdleWait;
        this.repeatCheckInterval = b.repeatCheckInterval == null ? DEFAULT_REPEAT_CHECK_INTERVAL : b.repeatCheckInterval;
        this.runRepeatScheduler = b.runRepeatScheduler == null || b.runRepeatScheduler;
        this.executor = b.executor;
        this.workerId = b.workerId;
        this.meterRegistry = b.meterRegistry;
        this.backoffs = Map.copyOf(b.backoffs);
    }

    public static WorkerOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options; options set on it replace these. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.concurrency = concurrency;
        b.leaseTime = leaseTime;
        b.shutdownTimeout = shutdownTimeout;
        b.maxIdleWait = maxIdleWait;
        b.repeatCheckInterval = repeatCheckInterval;
        b.runRepeatScheduler = runRepeatScheduler;
        b.executor = executor;
        b.workerId = workerId;
        b.meterRegistry = meterRegistry;
        b.backoffs.putAll(backoffs);
        b.replacing = true;
        return b;
    }

    public int concurrency() {
        return concurrency;
    }

    public Duration leaseTime() {
        return leaseTime;
    }

    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    public Duration maxIdleWait() {
        return maxIdleWait;
    }

    public Duration repeatCheckInterval() {
        return repeatCheckInterval;
    }

    /** Whether this worker adds the due occurrences of repeatable jobs (any number of workers may; each occurrence is added once). */
    public boolean runRepeatScheduler() {
        return runRepeatScheduler;
    }

    /** The caller's handler executor, or {@code null}: the worker then runs handlers on {@code concurrency} threads of its own. */
    public ExecutorService executor() {
        return executor;
    }

    /** The worker id, or {@code null} for a generated one ({@code host-pid-random}). */
    public String workerId() {
        return workerId;
    }

    /** Where the worker's meters go, or {@code null}. */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** Custom backoff functions by name. */
    public Map<String, BackoffFunction> backoffs() {
        return backoffs;
    }

    /** A generated worker id: {@code <host>-<pid>-<random>}. */
    public static String generateWorkerId() {
        return Host.NAME + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The host name, looked up once (the lookup may be slow). */
    private static final class Host {
        static final String NAME = lookup();

        private static String lookup() {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException | RuntimeException e) {
                host = "host";
            }
            host = host.replaceAll("[^A-Za-z0-9._-]", "_");
            return host.length() > 64 ? host.substring(0, 64) : host;
        }
    }

    /** Builds {@link WorkerOptions}; each option may be set once (except after {@link #toBuilder()}). Not thread-safe. */
    public static final class Builder {
        private Integer concurrency;
        private Duration leaseTime;
        private Duration shutdownTimeout;
        private Duration maxIdleWait;
        private Duration repeatCheckInterval;
        private Boolean runRepeatScheduler;
        private ExecutorService executor;
        private String workerId;
        private MeterRegistry meterRegistry;
        private final Map<String, BackoffFunction> backoffs = new LinkedHashMap<>();
        private boolean replacing;

        private Builder() {}

        private void once(Object current, String name) {
            if (!replacing) {
                Checks.notSetYet(current, name);
            }
        }

        /** Jobs run at once: 1 to 10,000, default {@link #DEFAULT_CONCURRENCY}. */
        public Builder concurrency(int concurrency) {
            once(this.concurrency, "concurrency");
            Checks.inRange(concurrency, 1, 10_000, "concurrency");
            this.concurrency = concurrency;
            return this;
        }

        /** Lease of a fetched job: 100 ms to 1 day, default {@link #DEFAULT_LEASE_TIME}. */
        public Builder leaseTime(Duration leaseTime) {
            once(this.leaseTime, "leaseTime");
            Checks.positive(leaseTime, "leaseTime");
            if (leaseTime.toMillis() < 100 || leaseTime.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("leaseTime must be between 100 ms and 1 day: " + leaseTime);
            }
            this.leaseTime = leaseTime;
            return this;
        }

        /** How long {@link Worker#close()} waits for running jobs: zero or more, default {@link #DEFAULT_SHUTDOWN_TIMEOUT}. */
        public Builder shutdownTimeout(Duration timeout) {
            once(this.shutdownTimeout, "shutdownTimeout");
            this.shutdownTimeout = Checks.notNegative(timeout, "shutdownTimeout");
            return this;
        }

        /** Longest single blocking wait on Redis: 100 ms to 60 s, default {@link #DEFAULT_MAX_IDLE_WAIT}. */
        public Builder maxIdleWait(Duration wait) {
            once(this.maxIdleWait, "maxIdleWait");
            Checks.positive(wait, "maxIdleWait");
            if (wait.toMillis() < 100 || wait.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new IllegalArgumentException("maxIdleWait must be between 100 ms and 60 s: " + wait);
            }
            this.maxIdleWait = wait;
            return this;
        }

        /** Longest pause between looks for due repeatable jobs: 10 ms to 60 s, default {@link #DEFAULT_REPEAT_CHECK_INTERVAL}. */
        public Builder repeatCheckInterval(Duration interval) {
            once(this.repeatCheckInterval, "repeatCheckInterval");
            Checks.positive(interval, "repeatCheckInterval");
            if (interval.toMillis() < 10 || interval.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new IllegalArgumentException("repeatCheckInterval must be between 10 ms and 60 s: " + interval);
            }
            this.repeatCheckInterval = interval;
            return this;
        }

        /** Whether this worker adds due repeatable jobs; default true. */
        public Builder runRepeatScheduler(boolean run) {
            once(this.runRepeatScheduler, "runRepeatScheduler");
            this.runRepeatScheduler = run;
            return this;
        }

        /**
         * Runs handlers on the caller's executor instead of the worker's own threads. It must run
         * {@code concurrency} tasks at once and must not run them on the submitting thread; the
         * worker does not shut it down.
         */
        public Builder executor(ExecutorService executor) {
            once(this.executor, "executor");
            this.executor = Checks.notNull(executor, "executor");
            return this;
        }

        /** The worker's id in Redis and logs: 1 to 128 of {@code [A-Za-z0-9._:@-]}; default generated. */
        public Builder workerId(String id) {
            once(this.workerId, "workerId");
            Checks.notNull(id, "workerId");
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException("workerId must be 1 to 128 of [A-Za-z0-9._:@-]: \"" + id + "\"");
            }
            this.workerId = id;
            return this;
        }

        /** Records {@code redkit.queue.jobs} (counter by queue and outcome), {@code redkit.queue.job.duration} and {@code redkit.queue.worker.active}. */
        public Builder meterRegistry(MeterRegistry registry) {
            once(this.meterRegistry, "meterRegistry");
            this.meterRegistry = Checks.notNull(registry, "meterRegistry");
            return this;
        }

        /** Registers a custom backoff used by jobs added with {@link Backoff#custom(String) Backoff.custom(name)}. */
        public Builder backoff(String name, BackoffFunction function) {
            Backoff.custom(name);
            Checks.notNull(function, "backoff function");
            if (!replacing && backoffs.containsKey(name)) {
                throw new IllegalStateException("backoff " + name + " was already registered");
            }
            backoffs.put(name, function);
            return this;
        }

        public WorkerOptions build() {
            return new WorkerOptions(this);
        }
    }
}
