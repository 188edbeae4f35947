package io.redkit.bench.cache;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Set-up helpers. Turns logging down to warnings: the bench jar has no logging configuration, and DEBUG output would be measured. */
final class Quiet {
    private Quiet() {}

    /** Waits (at most 60 s) until the cache namespace is connected, so set-up writes are not skipped as an outage. */
    static void connected(io.redkit.core.Redkit redkit) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                redkit.namespace(io.redkit.core.Namespace.CACHE).connection();
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    static void logging() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    }
}
