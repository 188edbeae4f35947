package io.redkit.queue;

import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A job as its handler sees it: id, type, payload, attempt, metadata, and the means to report
 * progress and extend the lease. Handed to {@link JobHandler#handle(Job)}; thread-safe; valid only
 * while the handler runs.
 */
public interface Job {
    /** The job's id, unique within its queue. */
    String id();

    /** The queue's name. */
    String queue();

    /** The job's type (name) given when it was added. */
    String type();

    /** This attempt's number, from 1. Redeliveries after a lost lease keep the number. */
    int attempt();

    /** Attempts allowed before the job is dead. */
    int maxAttempts();

    /** The priority it was added with. */
    int priority();

    /** When it was added (the adding process's clock). */
    Instant createdAt();

    /** Its metadata, unmodifiable. */
    Map<String, String> metadata();

    /** The payload as stored (the codec's bytes, or the bytes given). */
    byte[] payloadBytes();

    /** The payload decoded with the queue's codec; {@code byte[].class} returns the stored bytes. */
    <T> T payload(Class<T> type);

    /** The payload decoded as a generic type. */
    <T> T payload(Type type);

    /** The per-attempt timeout, zero when none. */
    Duration timeout();

    /**
     * Stores {@code progress} (encoded with the queue's codec) and emits a {@code progress} event.
     *
     * @return false when this worker no longer holds the job's lease (nothing stored)
     * @throws io.redkit.core.codec.PayloadTooLargeException when the encoded value is larger than
     *         {@link QueueOptions#maxProgressSize()} (nothing stored)
     */
    boolean progress(Object progress);

    /**
     * Extends the lease to {@code leaseTime} from now (Redis time). The worker already renews leases
     * by itself; use this before a single step that may take longer than the lease.
     *
     * @return false when the lease is already lost
     */
    boolean extendLease(Duration leaseTime);

    /** True once the worker learnt that another worker took this job over (its completion will be refused). */
    boolean isLeaseLost();

    /**
     * True once the job was cancelled ({@link JobQueue#cancel(String)}) and the worker noticed: the handler
     * thread is then also interrupted, and the job ends dead with the error {@code "cancelled"} whatever the
     * handler returns. A handler that does not block interruptibly can poll this between steps.
     */
    default boolean isCancelled() {
        return false;
    }
}
