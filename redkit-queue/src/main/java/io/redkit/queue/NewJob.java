package io.redkit.queue;

import io.redkit.core.internal.Checks;

/**
 * A job to add: type, payload and options. For {@link JobQueue#addBulk(java.util.List)}. Immutable.
 *
 * @param type the job's type, 1 to 200 characters without control characters
 * @param payload any value the queue's codec can encode, or {@code byte[]}, or {@code null}
 * @param options the job's options, or {@code null} for the queue's {@link QueueOptions#jobDefaults()}
 */
public record NewJob(String type, Object payload, JobOptions options) {
    public NewJob {
        Checks.notNull(type, "type");
    }

    /** A job with the queue's default options. */
    public static NewJob of(String type, Object payload) {
        return new NewJob(type, payload, null);
    }

    /** A job with these options. */
    public static NewJob of(String type, Object payload, JobOptions options) {
        return new NewJob(type, payload, options);
    }
}
