package io.redkit.session;

import java.util.Optional;

/**
 * What {@link SessionStore#lookup} found for an id: its session, or none and whether the id was
 * replaced moments ago.
 *
 * @param session  the session, empty when the id gives none
 * @param replaced true when there is no session because a login or another
 *                 {@linkplain Rotation#PRIVILEGE_CHANGE privilege change} gave the session a new id
 *                 less than {@link SessionOptions#rotationGrace()} ago. The client may already hold
 *                 the new id from the response of the request that changed it (this one was in
 *                 flight), so a web layer should leave its cookie alone. Grants nothing: the
 *                 session stays out of reach of the old id.
 */
public record SessionLookup(Optional<Session> session, boolean replaced) {
    private static final SessionLookup NONE = new SessionLookup(Optional.empty(), false);
    private static final SessionLookup REPLACED = new SessionLookup(Optional.empty(), true);

    /**
     * @throws IllegalArgumentException when {@code replaced} is true although a session was found
     */
    public SessionLookup {
        if (session == null) {
            throw new IllegalArgumentException("session must not be null: use Optional.empty()");
        }
        if (replaced && session.isPresent()) {
            throw new IllegalArgumentException("a replaced id has no session: " + session.get());
        }
    }

    /** A session was found. */
    public static SessionLookup found(Session session) {
        return new SessionLookup(Optional.of(session), false);
    }

    /** No session: malformed, unknown, expired, revoked or logged out. */
    public static SessionLookup none() {
        return NONE;
    }

    /** No session: the id was replaced by a privilege change moments ago. */
    public static SessionLookup replacedId() {
        return REPLACED;
    }
}
