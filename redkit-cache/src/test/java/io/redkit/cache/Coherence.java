package io.redkit.cache;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.fail;

/**
 * Checks "stops serving the old value within a bound": every read that <em>starts</em> at least
 * {@code bound} after the change must see the new state. Reads that start earlier may still see the
 * old one. Unlike a polling timeout, a read that is merely slow (a busy machine) does not fail the
 * check; a read that returns stale data after the bound does.
 */
final class Coherence {
    private Coherence() {}

    /** Call right after the change completed; {@code fresh} reads once and says whether it saw the new state. */
    static void within(Duration bound, BooleanSupplier fresh) {
        long changed = System.nanoTime();
        while (true) {
            long readStart = System.nanoTime();
            if (fresh.getAsBoolean()) {
                return;
            }
            long late = readStart - changed;
            if (late >= bound.toNanos()) {
                fail("a read that started " + TimeUnit.NANOSECONDS.toMillis(late) + " ms after the change still saw the old state"
                        + " (allowed: " + bound.toMillis() + " ms)");
            }
            Thread.yield();
        }
    }
}
