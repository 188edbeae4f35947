package io.redkit.bench.cache;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Turns logging down to warnings: the bench jar has no logging configuration, and DEBUG output would be measured. */
final class Quiet {
    private Quiet() {}

    static void logging() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    }
}
