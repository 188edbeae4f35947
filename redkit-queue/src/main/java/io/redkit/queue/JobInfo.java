package io.redkit.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of one job, read with {@link JobQueue#get(String)} or {@link JobQueue#list}. Immutable.
 * Payload, result and progress are the stored bytes; decode them with {@link JobQueue#decode}.
 *
 * @param id the job's id
 * @param queue the queue's name
 * @param type the job's type
 * @param state its state when read
 * @param priority its priority
 * @param attempts attempts started so far (redeliveries after a lost lease do not count)
 * @param maxAttempts attempts allowed
 * @param stalls how often its lease ran out
 * @param createdAt when it was added (the adding process's clock)
 * @param scheduledAt for delayed and retrying jobs the due time, for active jobs the lease deadline,
 *        for completed and dead jobs the finish time; otherwise {@code null}
 * @param startedAt when the latest attempt started, or {@code null}
 * @param workerId the worker of the latest attempt, or {@code null}
 * @param payload the stored payload bytes
 * @param result the stored result bytes, or {@code null}
 * @param progress the stored progress bytes, or {@code null}
 * @param error the latest error message, or {@code null}
 * @param stackTrace the latest error's stack trace (truncated), or {@code null}
 * @param timeout the per-attempt timeout, zero when none
 * @param backoff the backoff between attempts
 * @param metadata the job's metadata
 * @param history state changes after the add, oldest first (the last 25 or so)
 */
public record JobInfo(String id, String queue, String type, JobState state, int priority, int attempts, int maxAttempts,
                      int stalls, Instant createdAt, Instant scheduledAt, Instant startedAt, String workerId,
                      byte[] payload, byte[] result, byte[] progress, String error, String stackTrace, Duration timeout,
                      Backoff backoff, Map<String, String> metadata, List<HistoryEntry> history) {

    /** One state change: the state entered and when (Redis time). */
    public record HistoryEntry(String event, Instant at) {
    }

    /** The latest error message. */
    public Optional<String> lastError() {
        return Optional.ofNullable(error);
    }

    @Override
    public String toString() {
        return "JobInfo{" + queue + "/" + id + " " + type + " " + state + ", attempts " + attempts + "/" + maxAttempts
                + (error == null ? "" : ", error " + error) + "}";
    }
}
