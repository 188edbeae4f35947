package io.redkit.session;

/**
 * Receives {@link SessionEvent}s of one {@link SessionStore}.
 *
 * <p>Called on the thread that performed the operation, after it succeeded in Redis (the
 * sweeper's thread for sweeps). Keep it short; an exception it throws is logged and does not undo
 * or fail the operation.
 */
@FunctionalInterface
public interface SessionListener {
    /** Called once per event. */
    void onEvent(SessionEvent event);
}
