package io.redkit.core.time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when told to. Thread-safe. */
public final class ManualTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long read() {
        return nanos.get();
    }

    /** Moves time forward. */
    public ManualTicker advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a ticker never goes back: " + d);
        }
        nanos.addAndGet(d.toNanos());
        return this;
    }
}
