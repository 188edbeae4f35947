package io.redkit.session;

/**
 * Why a session gets a new id, which decides whether its old id may keep working for a moment.
 * Passed to {@link SessionStore#rotate(Session, Rotation)}.
 *
 * <p>An id that stops working "at once" is refused by every load and save that Redis runs after
 * the rotation call returned, on every instance. An id that keeps working is an <em>alias</em>:
 * it resolves to the rotated session ({@link Session#isAlias()}) for at most
 * {@link SessionOptions#rotationGrace()}, never reveals the new id, and cannot itself log in or
 * rotate.
 */
public enum Rotation {
    /**
     * The session's privileges change: login, logout, a role or permission granted or taken away,
     * a step-up authentication, a password change. The old id stops working at once: no alias,
     * whatever {@link SessionOptions#rotationGrace()} is, and any alias of the old id stops with it.
     * This is what {@link SessionStore#login} and {@link SessionStore#rotate(Session)} do.
     */
    PRIVILEGE_CHANGE,

    /**
     * A renewal that changes nothing else, e.g. rotating the id of a logged-in session every few
     * minutes to shorten the life of a stolen cookie. The old id stays an alias for
     * {@link SessionOptions#rotationGrace()} so that requests already in flight with it are not
     * logged out — but only when the stored session is logged in, as the same user the caller's
     * session object has; an anonymous session's old id stops at once. The alias only ever
     * resolves to the very session it was made for while that session has the same user; a later
     * privilege change, logout or revocation of the session ends it at once.
     */
    ROUTINE
}
