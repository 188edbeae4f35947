package io.redkit.web.session;

import io.redkit.session.Rotation;
import io.redkit.session.Session;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpSession;

/** Answers the servlet session API from the Redkit session. */
final class SessionRequestWrapper extends HttpServletRequestWrapper {
    private final RequestSession ctx;
    private HttpSessionView view;

    SessionRequestWrapper(HttpServletRequest request, RequestSession ctx) {
        super(request);
        this.ctx = ctx;
    }

    @Override
    public HttpSession getSession(boolean create) {
        Session s = create ? ctx.getOrCreate() : ctx.current().orElse(null);
        if (s == null) {
            return null;
        }
        synchronized (this) {
            if (view == null || view.session() != s || view.invalidated()) {
                view = new HttpSessionView(s, ctx, getServletContext());
            }
            return view;
        }
    }

    @Override
    public HttpSession getSession() {
        return getSession(true);
    }

    /**
     * A privilege change ({@link Rotation#PRIVILEGE_CHANGE}): frameworks call this at login (e.g.
     * Spring Security's session-fixation protection), so the old cookie stops working at once.
     */
    @Override
    public String changeSessionId() {
        return ctx.rotate(Rotation.PRIVILEGE_CHANGE).handle();
    }

    /** The public handle of the requested session (never the secret id), or null without a cookie. */
    @Override
    public String getRequestedSessionId() {
        String id = ctx.requestedId();
        return id == null ? null : ctx.current().map(Session::handle).orElse(null);
    }

    @Override
    public boolean isRequestedSessionIdValid() {
        return ctx.requestedId() != null && ctx.current().isPresent();
    }

    @Override
    public boolean isRequestedSessionIdFromCookie() {
        return ctx.hadCookie();
    }

    @Override
    public boolean isRequestedSessionIdFromURL() {
        return false;
    }
}
