package io.redkit.web.session;

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
     * its data; the new cookie is sent with this response.
     */
    public static Session login(HttpServletRequest request, String userId) {
        return RequestSession.of(request).login(userId);
    }

    /**
     * Gives the current session a new id (after a privilege change).
     *
     * @throws io.redkit.session.SessionException when the request has no session
     */
    public static Session rotate(HttpServletRequest request) {
        return RequestSession.of(request).rotate();
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
