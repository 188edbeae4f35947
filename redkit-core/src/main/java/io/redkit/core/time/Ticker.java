package io.redkit.core.time;

/** A monotonic nanosecond source, for measuring elapsed time. Inject it; tests use {@link ManualTicker}. */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds from an arbitrary origin; only differences mean anything. */
    long read();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
