/**
 * Secure multi-device sessions on Redis.
 *
 * <p>{@link io.redkit.session.SessionStore} is the entry point: it creates, loads, saves (as
 * deltas), rotates and revokes {@link io.redkit.session.Session}s, lists a user's devices and
 * sweeps expired index entries. Options are {@link io.redkit.session.SessionOptions}; events are
 * {@link io.redkit.session.SessionEvent}s delivered to {@link io.redkit.session.SessionListener}s
 * and to a capped Redis Stream. Failures are {@link io.redkit.session.SessionException} or the
 * core's {@link io.redkit.core.RedisUnavailableException}.
 */
package io.redkit.session;
