package io.redkit.queue;

/**
 * Receives a queue's events (see {@link JobQueue#subscribe}). Called on the executor given at
 * subscription, one event at a time, in stream order.
 */
@FunctionalInterface
public interface QueueEventListener {
    /** Handles one event; exceptions are logged and do not stop the subscription. */
    void onEvent(QueueEvent event);
}
