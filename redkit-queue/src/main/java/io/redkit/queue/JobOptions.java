package io.redkit.queue;

import io.redkit.core.internal.Checks;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Options of one job: priority, delay or run-at time, attempts, backoff, per-attempt timeout,
 * idempotency key and metadata. Immutable; build with {@link #builder()}, start from
 * {@link #defaults()}, change with {@link #toBuilder()}. Every option is validated when set, with
 * the bad value in the message, so nothing invalid ever reaches Redis.
 */
public final class JobOptions {
    /** Default priority: {@value}. Higher runs first; jobs of equal priority run in the order they were added. */
    public static final int DEFAULT_PRIORITY = 0;
    /** Lowest priority: {@value}. */
    public static final int MIN_PRIORITY = -1000;
    /** Highest priority: {@value}. */
    public static final int MAX_PRIORITY = 1000;
    /** Default number of attempts before a failing job is dead: {@value}. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** Largest allowed number of attempts: {@value}. */
    public static final int MAX_MAX_ATTEMPTS = 1_000_000;
    /** Default backoff: exponential from 1 s, capped at 10 min, with full jitter. */
    public static final Backoff DEFAULT_BACKOFF = Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(10));
    /** Default idempotency window: how long an idempotency key keeps naming its job: 24 hours. */
    public static final Duration DEFAULT_IDEMPOTENCY_WINDOW = Duration.ofHours(24);
    /** Longest idempotency key: {@value} characters. */
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 256;
    /** Longest delay: 3650 days. */
    public static final Duration MAX_DELAY = Duration.ofDays(3650);
    /** At most {@value} metadata entries. */
    public static final int MAX_METADATA_ENTRIES = 64;

    private static final JobOptions DEFAULTS = new Builder().build();
    private static final Pattern NO_CONTROL = Pattern.compile("[^\\p{Cntrl}]+");

    private final int priority;
    private final Duration delay;
    private final Instant runAt;
    private final int maxAttempts;
    private final Backoff backoff;
    private final Duration timeout;
    private final String idempotencyKey;
    private final Duration idempotencyWindow;
    private final Map<String, String> metadata;

    private JobOptions(Builder b) {
        this.priority = b.priority == null ? DEFAULT_PRIORITY : b.priority;
        this.delay = b.delay == null ? Duration.ZERO : b.delay;
        this.runAt = b.runAt;
        this.maxAttempts = b.maxAttempts == null ? DEFAULT_MAX_ATTEMPTS : b.maxAttempts;
        this.backoff = b.backoff == null ? DEFAULT_BACKOFF : b.backoff;
        this.timeout = b.timeout == null ? Duration.ZERO : b.timeout;
        this.idempotencyKey = b.idempotencyKey;
        this.idempotencyWindow = b.idempotencyWindow == null ? DEFAULT_IDEMPOTENCY_WINDOW : b.idempotencyWindow;
        this.metadata = Map.copyOf(b.metadata);
    }

    /** Every option at its default. */
    public static JobOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options; options set on it replace these. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.priority = priority;
        b.delay = delay;
        b.runAt = runAt;
        b.maxAttempts = maxAttempts;
        b.backoff = backoff;
        b.timeout = timeout;
        b.idempotencyKey = idempotencyKey;
        b.idempotencyWindow = idempotencyWindow;
        b.metadata.putAll(metadata);
        b.replacing = true;
        return b;
    }

    /** {@link #MIN_PRIORITY} to {@link #MAX_PRIORITY}; higher runs first. */
    public int priority() {
        return priority;
    }

    /** Delay from the add (zero = none). Measured on the Redis server's clock. */
    public Duration delay() {
        return delay;
    }

    /** Absolute run-at time, or {@code null}. Compared with the Redis server's clock. */
    public Instant runAt() {
        return runAt;
    }

    /** Attempts before the job is dead (at least 1). */
    public int maxAttempts() {
        return maxAttempts;
    }

    public Backoff backoff() {
        return backoff;
    }

    /** Per-attempt timeout; zero = none. */
    public Duration timeout() {
        return timeout;
    }

    /** The idempotency key, or {@code null}. */
    public String idempotencyKey() {
        return idempotencyKey;
    }

    /** How long the idempotency key keeps naming the job. */
    public Duration idempotencyWindow() {
        return idempotencyWindow;
    }

    /** Free-form metadata, unmodifiable. */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof JobOptions)) return false;
        JobOptions x = (JobOptions) o;
        return priority == x.priority && maxAttempts == x.maxAttempts && delay.equals(x.delay) && Objects.equals(runAt, x.runAt)
                && backoff.equals(x.backoff) && timeout.equals(x.timeout) && Objects.equals(idempotencyKey, x.idempotencyKey)
                && idempotencyWindow.equals(x.idempotencyWindow) && metadata.equals(x.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(priority, delay, runAt, maxAttempts, backoff, timeout, idempotencyKey, idempotencyWindow, metadata);
    }

    @Override
    public String toString() {
        return "JobOptions{priority=" + priority + ", delay=" + delay + ", runAt=" + runAt + ", maxAttempts=" + maxAttempts
                + ", backoff=" + backoff + ", timeout=" + timeout + ", idempotencyKey=" + idempotencyKey
                + ", idempotencyWindow=" + idempotencyWindow + ", metadata=" + metadata + "}";
    }

    /**
     * Builds {@link JobOptions}. Each option may be set once per builder (a second set is an
     * {@link IllegalStateException}), except on a builder from {@link #toBuilder()}, whose options
     * may be replaced. Not thread-safe.
     */
    public static final class Builder {
        private Integer priority;
        private Duration delay;
        private Instant runAt;
        private Integer maxAttempts;
        private Backoff backoff;
        private Duration timeout;
        private String idempotencyKey;
        private Duration idempotencyWindow;
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private boolean replacing;

        private Builder() {}

        private void once(Object current, String name) {
            if (!replacing) {
                Checks.notSetYet(current, name);
            }
        }

        /** Priority from {@link #MIN_PRIORITY} to {@link #MAX_PRIORITY}, default {@link #DEFAULT_PRIORITY}; higher runs first. */
        public Builder priority(int priority) {
            once(this.priority, "priority");
            Checks.inRange(priority, MIN_PRIORITY, MAX_PRIORITY, "priority");
            this.priority = priority;
            return this;
        }

        /** Run no earlier than {@code delay} after the add (zero or more, at most {@link #MAX_DELAY}); replaces a run-at time. */
        public Builder delay(Duration delay) {
            once(this.delay, "delay");
            Checks.notNegative(delay, "delay");
            if (delay.compareTo(MAX_DELAY) > 0) {
                throw new IllegalArgumentException("delay must be at most " + MAX_DELAY + ": " + delay);
            }
            this.delay = delay;
            this.runAt = null;
            return this;
        }

        /** Run no earlier than {@code runAt} (Redis server time); replaces a delay. A time in the past runs at once. */
        public Builder runAt(Instant runAt) {
            once(this.runAt, "runAt");
            Checks.notNull(runAt, "runAt");
            this.runAt = runAt;
            this.delay = null;
            return this;
        }

        /** Attempts before the job is dead: 1 to {@link #MAX_MAX_ATTEMPTS}, default {@link #DEFAULT_MAX_ATTEMPTS}. */
        public Builder maxAttempts(int maxAttempts) {
            once(this.maxAttempts, "maxAttempts");
            Checks.inRange(maxAttempts, 1, MAX_MAX_ATTEMPTS, "maxAttempts");
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Delay between attempts, default {@link #DEFAULT_BACKOFF}. */
        public Builder backoff(Backoff backoff) {
            once(this.backoff, "backoff");
            this.backoff = Checks.notNull(backoff, "backoff");
            return this;
        }

        /**
         * Per-attempt timeout (positive, at least 1 ms), default none: the handler is interrupted at the
         * deadline and the attempt fails; a completion reported after it is refused.
         */
        public Builder timeout(Duration timeout) {
            once(this.timeout, "timeout");
            Checks.positive(timeout, "timeout");
            if (timeout.toMillis() < 1 || timeout.compareTo(Duration.ofDays(365)) > 0) {
                throw new IllegalArgumentException("timeout must be between 1 ms and 365 days: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * An idempotency key (1 to {@link #MAX_IDEMPOTENCY_KEY_LENGTH} characters, no control
         * characters): while the key's window lasts, adding another job with the same key adds nothing
         * and returns the first job's id.
         */
        public Builder idempotencyKey(String key) {
            once(this.idempotencyKey, "idempotencyKey");
            Checks.notNull(key, "idempotencyKey");
            if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH || !NO_CONTROL.matcher(key).matches()) {
                throw new IllegalArgumentException("idempotencyKey must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH
                        + " characters without control characters: \"" + key + "\"");
            }
            this.idempotencyKey = key;
            return this;
        }

        /** How long an idempotency key names its job: at least 1 ms, at most 3650 days, default {@link #DEFAULT_IDEMPOTENCY_WINDOW}. */
        public Builder idempotencyWindow(Duration window) {
            once(this.idempotencyWindow, "idempotencyWindow");
            Checks.positive(window, "idempotencyWindow");
            if (window.toMillis() < 1 || window.compareTo(MAX_DELAY) > 0) {
                throw new IllegalArgumentException("idempotencyWindow must be between 1 ms and " + MAX_DELAY + ": " + window);
            }
            this.idempotencyWindow = window;
            return this;
        }

        /** Adds a metadata entry (key 1 to 128 characters; at most {@link #MAX_METADATA_ENTRIES} entries). */
        public Builder metadata(String key, String value) {
            Checks.notNull(key, "metadata key");
            Checks.notNull(value, "metadata value for " + key);
            if (key.isEmpty() || key.length() > 128) {
                throw new IllegalArgumentException("metadata key must be 1 to 128 characters: \"" + key + "\"");
            }
            if (!metadata.containsKey(key) && metadata.size() >= MAX_METADATA_ENTRIES) {
                throw new IllegalArgumentException("at most " + MAX_METADATA_ENTRIES + " metadata entries; cannot add \"" + key + "\"");
            }
            metadata.put(key, value);
            return this;
        }

        /** Adds every entry of {@code entries}. */
        public Builder metadata(Map<String, String> entries) {
            Checks.notNull(entries, "metadata");
            entries.forEach(this::metadata);
            return this;
        }

        public JobOptions build() {
            return new JobOptions(this);
        }
    }
}
