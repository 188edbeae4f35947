package io.redkit.web.session;

import io.redkit.session.ClientInfo;
import io.redkit.session.Rotation;
import io.redkit.session.Session;
import io.redkit.session.SessionException;
import io.redkit.session.SessionLookup;
import io.redkit.session.SessionStore;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * The session state of one request: loaded lazily on first use, saved (and the cookie written)
 * before the response starts and again at the end of the request. Thread-safe.
 */
final class RequestSession {
    private static final Logger log = LoggerFactory.getLogger(RequestSession.class);
    static final String ATTRIBUTE = RequestSession.class.getName();
    /** Cookie value that means "delete the cookie". */
    private static final String DELETE = "";

    private final SessionStore store;
    private final SessionFilterOptions options;
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final String cookieName;
    /** the first well-formed-looking value of our cookie, or null */
    private final String requestedId;
    private final boolean hadCookie;

    private boolean loaded;
    /**
     * the cookie's id was replaced by a privilege change moments ago (this request was in flight): the
     * client may hold the new id already, so its cookie is neither cleared nor replaced by a new session
     */
    private boolean replaced;
    private Session session;
    private boolean deleteCookie;
    private String cookieWritten;

    RequestSession(SessionStore store, SessionFilterOptions options, HttpServletRequest request, HttpServletResponse response) {
        this.store = store;
        this.options = options;
        this.request = request;
        this.response = response;
        this.cookieName = options.effectiveCookieName();
        String found = null;
        boolean any = false;
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (cookieName.equals(c.getName())) {
                    any = true;
                    if (found == null && c.getValue() != null && !c.getValue().isEmpty()) {
                        found = c.getValue();
                    }
                }
            }
        }
        this.requestedId = found;
        this.hadCookie = any;
    }

    static RequestSession of(jakarta.servlet.ServletRequest request) {
        Object o = request.getAttribute(ATTRIBUTE);
        if (!(o instanceof RequestSession)) {
            throw new IllegalStateException("no Redkit session on this request: add io.redkit.web.session.SessionFilter "
                    + "in front of this handler");
        }
        return (RequestSession) o;
    }

    SessionStore store() {
        return store;
    }

    boolean hadCookie() {
        return hadCookie;
    }

    String requestedId() {
        return requestedId;
    }

    ClientInfo client() {
        return ClientInfo.of(request.getRemoteAddr(), request.getHeader("User-Agent"));
    }

    /** The session, loading it on first call; empty when the request has none. */
    synchronized Optional<Session> current() {
        if (!loaded) {
            if (requestedId != null) {
                // a load that throws (Redis down) leaves the request "not loaded": a later call
                // tries again and throws again, rather than seeing no session and dropping the cookie
                SessionLookup found = store.lookup(requestedId, client());
                session = found.session().orElse(null);
                replaced = found.replaced();
            }
            loaded = true;
            if (session == null && hadCookie && !replaced) {
                deleteCookie = true; // malformed, expired or revoked: tell the browser to forget it
            }
        }
        return Optional.ofNullable(session);
    }

    synchronized Session getOrCreate() {
        current();
        if (session == null) {
            session = store.newSession(client());
        }
        return session;
    }

    synchronized Session login(String userId) {
        Session s = getOrCreate();
        store.login(s, userId);
        writeCookieIfOutputStarted();
        return s;
    }

    synchronized Session rotate(Rotation rotation) {
        Session s = current().orElseThrow(() -> new SessionException("no session to rotate"));
        store.rotate(s, rotation);
        writeCookieIfOutputStarted();
        return s;
    }

    synchronized boolean logout() {
        current();
        if (session == null) {
            return false;
        }
        Session s = session;
        session = null;
        deleteCookie = hadCookie || !s.isNew(); // a session never sent to the browser needs no clearing
        boolean existed = store.invalidate(s);
        writeCookieIfOutputStarted();
        return existed;
    }

    private boolean outputStarted;

    /** Called before the handler starts the response body: persist, then write the cookie while headers can change. */
    synchronized void beforeOutput() {
        if (!outputStarted) {
            outputStarted = true;
            commit();
        }
    }

    private void writeCookieIfOutputStarted() {
        if (outputStarted) {
            writeCookie();
        }
    }

    /** Saves what changed and writes the cookie if it changed. May run more than once. */
    synchronized void commit() {
        Session s = session;
        if (s != null) {
            if (s.isNew()) {
                if (replaced && s.userId().isEmpty()) {
                    // its cookie would replace the new id the client got from the login moments ago
                    log.debug("a new session in a request whose session id was just replaced is not kept");
                } else if (!s.attributeNames().isEmpty() || s.userId().isPresent()) {
                    store.save(s);
                }
            } else if (s.hasChanges()) {
                if (!store.save(s)) {
                    log.debug("session {} was revoked or expired during the request; its changes are dropped", s.handle());
                    session = null;
                    deleteCookie = true;
                }
            }
        }
        writeCookie();
    }

    private String desiredCookie() {
        Session s = session;
        if (s == null || s.isNew()) {
            return deleteCookie ? DELETE : null;
        }
        if (s.isAlias()) {
            return null; // never hand the new id to a request that came with the old one
        }
        return s.id().equals(requestedId) ? null : s.id();
    }

    private void writeCookie() {
        String value = desiredCookie();
        if (value == null || value.equals(cookieWritten)) {
            return;
        }
        if (response.isCommitted()) {
            log.warn("session cookie not sent: the response was already committed (change the session before writing the body)");
            return;
        }
        response.addHeader("Set-Cookie", cookieHeader(value));
        cookieWritten = value;
    }

    String cookieHeader(String value) {
        StringBuilder sb = new StringBuilder(128).append(cookieName).append('=').append(value).append("; Path=/");
        if (value.isEmpty()) {
            sb.append("; Max-Age=0");
        } else if (options.persistent()) {
            sb.append("; Max-Age=").append(store.options().absoluteTimeout().toSeconds());
        }
        if (options.secure()) {
            sb.append("; Secure");
        }
        sb.append("; HttpOnly; SameSite=").append(options.sameSite().text());
        return sb.toString();
    }
}
