package io.redkit.session;

import java.time.Instant;
import java.util.Optional;

/**
 * Something that happened to a session, for audit logs. Delivered to {@link SessionListener}s and
 * written to a capped Redis Stream ({@link SessionOptions#eventStreamMaxLength()}).
 *
 * <p>{@link Type#EXPIRED} is reported when Redkit observes the expiry (a load of an expired
 * session, or an index entry pruned by a write, a device list or the sweeper), not at the instant
 * Redis drops the key: Redkit does not depend on keyspace notifications.
 *
 * @param type           what happened
 * @param handle         the session's public handle (after the change, for {@link Type#ROTATED})
 * @param previousHandle the handle before a rotation; {@code null} for other types
 * @param userId         the user the session belonged to; {@code null} when unknown or not logged in
 * @param reason         why a session was destroyed ({@code null} for other types)
 * @param at             when it happened, by the Redis server's clock (or the configured test clock)
 */
public record SessionEvent(Type type, String handle, String previousHandle, String userId, Reason reason, Instant at) {

    /** What happened. */
    public enum Type {
        /** A session was stored for the first time. */
        CREATED,
        /** A session got a new id (login, privilege change, routine rotation); its data was kept. */
        ROTATED,
        /** A session passed its idle or absolute timeout. */
        EXPIRED,
        /** A session was deleted on purpose; see {@link Reason}. */
        DESTROYED
    }

    /** Why a session was destroyed. */
    public enum Reason {
        /** {@link SessionStore#invalidate(Session)}: logout. */
        INVALIDATED,
        /** Revoked by handle, or by revoking all of a user's sessions. */
        REVOKED,
        /** Evicted because the user had more than {@link SessionOptions#maxSessionsPerUser()} sessions. */
        EVICTED
    }

    /** The user id, when known. */
    public Optional<String> user() {
        return Optional.ofNullable(userId);
    }
}
