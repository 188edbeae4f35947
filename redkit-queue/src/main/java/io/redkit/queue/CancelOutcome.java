package io.redkit.queue;

/** What {@link JobQueue#cancel(String)} did. */
public enum CancelOutcome {
    /** The job was waiting, delayed or retrying and is now dead with the error {@code "cancelled"}. */
    CANCELLED,
    /**
     * The job is running: the worker holding it interrupts its handler at its next lease renewal (within
     * a third of the worker's lease time) and makes it dead with the error {@code "cancelled"}, without a
     * retry. A completion that reaches Redis before that wins: the job is then completed, never both.
     */
    REQUESTED,
    /** There is no such job. */
    NOT_FOUND,
    /** The job is already completed or dead: there is nothing to cancel. */
    ALREADY_FINISHED
}
