/**
 * Redkit's one source of local time: a {@link io.redkit.core.time.Ticker} for elapsed time and a
 * {@link java.time.Clock} for wall time, both injected, and fakes that tests move by hand.
 * Decisions several processes must agree on use the Redis server's clock instead.
 */
package io.redkit.core.time;
