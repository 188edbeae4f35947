package io.redkit.queue;

import io.redkit.core.codec.JsonCodec;
import io.redkit.core.codec.RedkitCodec;
import io.redkit.core.internal.Checks;

import java.time.Clock;
import java.time.Duration;

/**
 * Options of a {@link JobQueue} handle: payload codec and size limit, default job options,
 * retention, events, stalls and the queue rate limit. Immutable; {@link #builder()},
 * {@link #defaults()}, {@link #toBuilder()}.
 *
 * <p>Retention, the rate limit and {@code maxStalls} are applied by the scripts that the handle (and
 * its workers) run; give every process that uses a queue the same values.
 */
public final class QueueOptions {
    /** Largest encoded payload by default: 512 KiB. */
    public static final int DEFAULT_MAX_PAYLOAD_SIZE = 512 * 1024;
    /** Largest encoded result of a job by default: 512 KiB. */
    public static final int DEFAULT_MAX_RESULT_SIZE = 512 * 1024;
    /** Largest encoded progress value by default: 64 KiB. */
    public static final int DEFAULT_MAX_PROGRESS_SIZE = 64 * 1024;
    /** Bytes of job records one enqueue script call of {@code addBulk} carries at most by default: 4 MiB. */
    public static final int DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;
    /** Bytes of job records one fetch hands a worker at most by default: 4 MiB (always at least one job). */
    public static final int DEFAULT_MAX_FETCH_BYTES = 4 * 1024 * 1024;
    /** Completed jobs kept by default: the newest 1,000, none older than 24 hours. */
    public static final Retention DEFAULT_COMPLETED_RETENTION = Retention.of(1_000, Duration.ofHours(24));
    /** Dead jobs kept by default: the newest 10,000, none older than 7 days. */
    public static final Retention DEFAULT_DEAD_RETENTION = Retention.of(10_000, Duration.ofDays(7));
    /** Approximate length of the queue's event stream by default: {@value}; 0 turns events off. */
    public static final int DEFAULT_EVENT_STREAM_MAX_LENGTH = 10_000;
    /**
     * How many times by default a job may lose its lease (its worker died or froze) and be given to
     * another worker before it is dead: {@value}.
     */
    public static final int DEFAULT_MAX_STALLS = 2;

    private static final QueueOptions DEFAULTS = new Builder().build();

    private final RedkitCodec codec;
    private final int maxPayloadSize;
    private final int maxResultSize;
    private final int maxProgressSize;
    private final int maxBatchBytes;
    private final int maxFetchBytes;
    private final JobOptions jobDefaults;
    private final Retention completedRetention;
    private final Retention deadRetention;
    private final int eventStreamMaxLength;
    private final int maxStalls;
    private final RateLimit rateLimit;
    private final Clock clock;
    private final int replicationWaitReplicas;
    private final Duration replicationWaitTimeout;

    private QueueOptions(Builder b) {
        this.codec = b.codec == null ? JsonCodec.create() : b.codec;
        this.maxPayloadSize = b.maxPayloadSize == null ? DEFAULT_MAX_PAYLOAD_SIZE : b.maxPayloadSize;
        this.maxResultSize = b.maxResultSize == null ? DEFAULT_MAX_RESULT_SIZE : b.maxResultSize;
        this.maxProgressSize = b.maxProgressSize == null ? DEFAULT_MAX_PROGRESS_SIZE : b.maxProgressSize;
        this.maxBatchBytes = b.maxBatchBytes == null ? DEFAULT_MAX_BATCH_BYTES : b.maxBatchBytes;
        this.maxFetchBytes = b.maxFetchBytes == null ? DEFAULT_MAX_FETCH_BYTES : b.maxFetchBytes;
        this.jobDefaults = b.jobDefaults == null ? JobOptions.defaults() : b.jobDefaults;
        this.completedRetention = b.completedRetention == null ? DEFAULT_COMPLETED_RETENTION : b.completedRetention;
        this.deadRetention = b.deadRetention == null ? DEFAULT_DEAD_RETENTION : b.deadRetention;
        this.eventStreamMaxLength = b.eventStreamMaxLength == null ? DEFAULT_EVENT_STREAM_MAX_LENGTH : b.eventStreamMaxLength;
        this.maxStalls = b.maxStalls == null ? DEFAULT_MAX_STALLS : b.maxStalls;
        this.rateLimit = b.rateLimit;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.replicationWaitReplicas = b.replicationWaitReplicas == null ? 0 : b.replicationWaitReplicas;
        this.replicationWaitTimeout = b.replicationWaitTimeout == null ? Duration.ZERO : b.replicationWaitTimeout;
    }

    public static QueueOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options; options set on it replace these. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.codec = codec;
        b.maxPayloadSize = maxPayloadSize;
        b.maxResultSize = maxResultSize;
        b.maxProgressSize = maxProgressSize;
        b.maxBatchBytes = maxBatchBytes;
        b.maxFetchBytes = maxFetchBytes;
        b.jobDefaults = jobDefaults;
        b.completedRetention = completedRetention;
        b.deadRetention = deadRetention;
        b.eventStreamMaxLength = eventStreamMaxLength;
        b.maxStalls = maxStalls;
        b.rateLimit = rateLimit;
        b.clock = clock;
        if (replicationWaitReplicas > 0) {
            b.replicationWaitReplicas = replicationWaitReplicas;
            b.replicationWaitTimeout = replicationWaitTimeout;
        }
        b.replacing = true;
        return b;
    }

    /** Encodes payloads, results and progress (JSON by default); {@code byte[]} values are stored as they are. */
    public RedkitCodec codec() {
        return codec;
    }

    /** Largest encoded payload in bytes. */
    public int maxPayloadSize() {
        return maxPayloadSize;
    }

    /** Largest encoded result in bytes; a larger result makes the attempt fail. */
    public int maxResultSize() {
        return maxResultSize;
    }

    /** Largest encoded progress value in bytes; {@link Job#progress} refuses a larger one. */
    public int maxProgressSize() {
        return maxProgressSize;
    }

    /** Bytes of job records per enqueue script call of {@link JobQueue#addBulk}. */
    public int maxBatchBytes() {
        return maxBatchBytes;
    }

    /** Bytes of job records one fetch hands a worker (at least one job whatever its size). */
    public int maxFetchBytes() {
        return maxFetchBytes;
    }

    /** Options of jobs added without options. */
    public JobOptions jobDefaults() {
        return jobDefaults;
    }

    public Retention completedRetention() {
        return completedRetention;
    }

    public Retention deadRetention() {
        return deadRetention;
    }

    /** Approximate maximum length of the event stream; 0 = events off. */
    public int eventStreamMaxLength() {
        return eventStreamMaxLength;
    }

    /** Lease losses a job survives before it is dead. */
    public int maxStalls() {
        return maxStalls;
    }

    /** The queue rate limit, or {@code null} for none. */
    public RateLimit rateLimit() {
        return rateLimit;
    }

    /** The wall clock used for creation timestamps shown to people (never for scheduling decisions). */
    public Clock clock() {
        return clock;
    }

    /** Replicas an add waits for ({@code WAIT}); 0 = none (the default). */
    public int replicationWaitReplicas() {
        return replicationWaitReplicas;
    }

    /** How long an add waits for its replicas; zero when there is no replication wait. */
    public Duration replicationWaitTimeout() {
        return replicationWaitTimeout;
    }

    @Override
    public String toString() {
        return "QueueOptions{maxPayloadSize=" + maxPayloadSize + ", maxResultSize=" + maxResultSize + ", maxProgressSize="
                + maxProgressSize + ", maxBatchBytes=" + maxBatchBytes + ", maxFetchBytes=" + maxFetchBytes + ", jobDefaults=" + jobDefaults + ", completedRetention="
                + completedRetention + ", deadRetention=" + deadRetention + ", eventStreamMaxLength=" + eventStreamMaxLength
                + ", maxStalls=" + maxStalls + ", rateLimit=" + rateLimit + "}";
    }

    /** Builds {@link QueueOptions}; each option may be set once (except after {@link #toBuilder()}). Not thread-safe. */
    public static final class Builder {
        private RedkitCodec codec;
        private Integer maxPayloadSize;
        private Integer maxResultSize;
        private Integer maxProgressSize;
        private Integer maxBatchBytes;
        private Integer maxFetchBytes;
        private JobOptions jobDefaults;
        private Retention completedRetention;
        private Retention deadRetention;
        private Integer eventStreamMaxLength;
        private Integer maxStalls;
        private RateLimit rateLimit;
        private Clock clock;
        private Integer replicationWaitReplicas;
        private Duration replicationWaitTimeout;
        private boolean replacing;

        private Builder() {}

        private void once(Object current, String name) {
            if (!replacing) {
                Checks.notSetYet(current, name);
            }
        }

        /** Payload, result and progress codec; default {@link JsonCodec#create()}. */
        public Builder codec(RedkitCodec codec) {
            once(this.codec, "codec");
            this.codec = Checks.notNull(codec, "codec");
            return this;
        }

        /** Largest encoded payload: 1 byte to 64 MiB, default {@link #DEFAULT_MAX_PAYLOAD_SIZE}. */
        public Builder maxPayloadSize(int bytes) {
            once(this.maxPayloadSize, "maxPayloadSize");
            Checks.inRange(bytes, 1, 64 * 1024 * 1024, "maxPayloadSize");
            this.maxPayloadSize = bytes;
            return this;
        }

        /** Largest encoded result: 0 to 64 MiB, default {@link #DEFAULT_MAX_RESULT_SIZE}. */
        public Builder maxResultSize(int bytes) {
            once(this.maxResultSize, "maxResultSize");
            Checks.inRange(bytes, 0, 64 * 1024 * 1024, "maxResultSize");
            this.maxResultSize = bytes;
            return this;
        }

        /** Largest encoded progress value: 0 to 64 MiB, default {@link #DEFAULT_MAX_PROGRESS_SIZE}. */
        public Builder maxProgressSize(int bytes) {
            once(this.maxProgressSize, "maxProgressSize");
            Checks.inRange(bytes, 0, 64 * 1024 * 1024, "maxProgressSize");
            this.maxProgressSize = bytes;
            return this;
        }

        /**
         * Bytes of job records one enqueue script call of {@code addBulk} carries: 1 KiB to 256 MiB,
         * default {@link #DEFAULT_MAX_BATCH_BYTES}. A bigger bulk add is split into several calls, in order;
         * a single job larger than this goes alone.
         */
        public Builder maxBatchBytes(int bytes) {
            once(this.maxBatchBytes, "maxBatchBytes");
            Checks.inRange(bytes, 1024, 256 * 1024 * 1024, "maxBatchBytes");
            this.maxBatchBytes = bytes;
            return this;
        }

        /**
         * Bytes of job records one fetch hands a worker: 1 KiB to 256 MiB, default
         * {@link #DEFAULT_MAX_FETCH_BYTES}; a fetch always hands out at least one job.
         */
        public Builder maxFetchBytes(int bytes) {
            once(this.maxFetchBytes, "maxFetchBytes");
            Checks.inRange(bytes, 1024, 256 * 1024 * 1024, "maxFetchBytes");
            this.maxFetchBytes = bytes;
            return this;
        }

        /** Options of jobs added without options; default {@link JobOptions#defaults()}. */
        public Builder jobDefaults(JobOptions options) {
            once(this.jobDefaults, "jobDefaults");
            this.jobDefaults = Checks.notNull(options, "jobDefaults");
            return this;
        }

        /** Completed jobs kept; default {@link #DEFAULT_COMPLETED_RETENTION}. */
        public Builder completedRetention(Retention retention) {
            once(this.completedRetention, "completedRetention");
            this.completedRetention = Checks.notNull(retention, "completedRetention");
            return this;
        }

        /** Dead jobs kept; default {@link #DEFAULT_DEAD_RETENTION}. */
        public Builder deadRetention(Retention retention) {
            once(this.deadRetention, "deadRetention");
            this.deadRetention = Checks.notNull(retention, "deadRetention");
            return this;
        }

        /** Approximate event stream length: 0 (off) to 10,000,000, default {@link #DEFAULT_EVENT_STREAM_MAX_LENGTH}. */
        public Builder eventStreamMaxLength(int length) {
            once(this.eventStreamMaxLength, "eventStreamMaxLength");
            Checks.inRange(length, 0, 10_000_000, "eventStreamMaxLength");
            this.eventStreamMaxLength = length;
            return this;
        }

        /** Lease losses a job survives: 0 to 1,000, default {@link #DEFAULT_MAX_STALLS}. */
        public Builder maxStalls(int maxStalls) {
            once(this.maxStalls, "maxStalls");
            Checks.inRange(maxStalls, 0, 1000, "maxStalls");
            this.maxStalls = maxStalls;
            return this;
        }

        /** At most this many starts per period across all workers; default none. */
        public Builder rateLimit(RateLimit rateLimit) {
            once(this.rateLimit, "rateLimit");
            this.rateLimit = Checks.notNull(rateLimit, "rateLimit");
            return this;
        }

        /** Wall clock for creation timestamps; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            once(this.clock, "clock");
            this.clock = Checks.notNull(clock, "clock");
            return this;
        }

        /**
         * For critical queues: every add then waits (Redis {@code WAIT}) until {@code replicas} replicas
         * (1 to 16) have the job, at most {@code timeout} (1 ms to 60 s), so an acknowledged add survives
         * a failover. Adds then go through one dedicated connection per queue handle, one at a time,
         * and are slower. When fewer replicas acknowledge in time the add throws a
         * {@link QueueException} that says so; the job was added on the primary all the same.
         * Default: no waiting.
         */
        public Builder replicationWait(int replicas, Duration timeout) {
            once(this.replicationWaitReplicas, "replicationWait");
            Checks.inRange(replicas, 1, 16, "replicationWait replicas");
            Checks.positive(timeout, "replicationWait timeout");
            if (timeout.toMillis() < 1 || timeout.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new IllegalArgumentException("replicationWait timeout must be between 1 ms and 60 s: " + timeout);
            }
            this.replicationWaitReplicas = replicas;
            this.replicationWaitTimeout = timeout;
            return this;
        }

        public QueueOptions build() {
            return new QueueOptions(this);
        }
    }
}
