package io.redkit.queue;

import io.redkit.core.RedkitException;

/**
 * A queue operation failed for a reason other than Redis being unavailable (which is
 * {@link io.redkit.core.RedisUnavailableException}) or a bad argument (which is an
 * {@link IllegalArgumentException}): for example a worker or queue that is already closed, or data
 * in Redis that this version cannot read.
 */
public class QueueException extends RedkitException {
    private static final long serialVersionUID = 1L;

    private final String queue;

    public QueueException(String queue, String message) {
        super("queue '" + queue + "': " + message);
        this.queue = queue;
    }

    public QueueException(String queue, String message, Throwable cause) {
        super("queue '" + queue + "': " + message, cause);
        this.queue = queue;
    }

    /** The queue's name. */
    public String queue() {
        return queue;
    }
}
