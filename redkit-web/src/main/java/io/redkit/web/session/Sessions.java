package io.redkit.web.session;

import io.redkit.session.Rotation;
import io.redkit.session.Session;
import io.redkit.session.SessionInfo;
import io.redkit.session.SessionStore;
import jakarta.servlet.http.HttpServletRequest;

import java.util.List;
import java.util.Optional;

/**
 * Typed access to the Redkit session of a request that passed through {@link SessionFilter}.
 * Works with the request the handler received or the original one. Changes are saved by the
 * filter; call {@link #login} and {@link #logout} before writing the response body so the cookie
 * can still be sent.
 *
 * <p>Every method throws {@link IllegalStateException} when the filter is not installed, and
 * {@link io.redkit.core.RedisUnavailableException} when Redis cannot be reached (the filter
 * answers 503).
 */
public final class Sessions {
    private Sessions() {}

    /** The request's session, empty for an anonymous request (loads it on first call). */
    public static Optional<Session> current(HttpServletRequest request) {
        return RequestSession.of(request).current();
    }

    /** The request's session, a new one if it has none (saved only once something is stored in it). */
    public static Session getOrCreate(HttpServletRequest request) {
        return RequestSession.of(request).getOrCreate();
    }

    /**
     * Logs {@code userId} in: the session (created if needed) gets a new id and the user, keeping
     * its data; the new cookie is sent with this response. A privilege change: the old cookie gives
     * no session from the moment this returns ({@link SessionStore#login}).
     */
    public static Session login(HttpServletRequest request, String userId) {
        return RequestSession.of(request).login(userId);
    }

    /**
     * Gives the current session a new id after a privilege change (a role granted or taken away,
     * a step-up authentication, a password change): the old cookie gives no session from the moment
     * this returns. Change the privileges in the session first; the filter saves them under the new
     * id after the handler. Same as {@link #rotate(HttpServletRequest, Rotation)} with
     * {@link Rotation#PRIVILEGE_CHANGE}; {@code request.changeSessionId()} does the same.
     *
     * @throws io.redkit.session.SessionException when the request has no session
     */
    public static Session rotate(HttpServletRequest request) {
        return rotate(request, Rotation.PRIVILEGE_CHANGE);
    }

    /**
     * Gives the current session a new id; the new cookie is sent with this response. With
     * {@link Rotation#ROUTINE} (e.g. a periodic renewal) the old cookie of a logged-in session keeps
     * working for {@link io.redkit.session.SessionOptions#rotationGrace()}, for requests in flight;
     * see {@link SessionStore#rotate(Session, Rotation)}.
     *
     * @throws io.redkit.session.SessionException when the request has no session, or it came with an
     *                                            id that was already rotated
     */
    public static Session rotate(HttpServletRequest request, Rotation rotation) {
        return RequestSession.of(request).rotate(rotation);
    }

    /** Deletes the current session and clears the cookie; false when there was none. */
    public static boolean logout(HttpServletRequest request) {
        return RequestSession.of(request).logout();
    }

    /** The current user's sessions for a "your devices" page (the current one marked); empty before login. */
    public static List<SessionInfo> devices(HttpServletRequest request) {
        RequestSession ctx = RequestSession.of(request);
        return ctx.current().map(s -> ctx.store().list(s)).orElse(List.of());
    }

    /** The store behind the filter, e.g. to revoke a device by its handle. */
    public static SessionStore store(HttpServletRequest request) {
        return RequestSession.of(request).store();
    }
}
