/**
 * Session benchmarks: Redkit's {@code SessionStore} side by side with Spring Session Data Redis's
 * {@code RedisIndexedSessionRepository} on the same embedded Redis, started by the benchmark.
 */
package io.redkit.bench.session;
