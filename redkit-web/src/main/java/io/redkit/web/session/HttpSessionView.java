package io.redkit.web.session;

import io.redkit.session.Session;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;

import java.util.Collections;
import java.util.Enumeration;

/**
 * The servlet {@link HttpSession} view of a Redkit session. Attribute values are stored as JSON:
 * {@code getAttribute} returns plain JSON values ({@code Map}, {@code List}, {@code String},
 * numbers, booleans); use {@link Sessions} for typed access. {@link #getId()} is the public
 * handle, never the secret id.
 */
final class HttpSessionView implements HttpSession {
    private final Session session;
    private final RequestSession ctx;
    private final ServletContext servletContext;
    private volatile boolean invalidated;

    HttpSessionView(Session session, RequestSession ctx, ServletContext servletContext) {
        this.session = session;
        this.ctx = ctx;
        this.servletContext = servletContext;
    }

    Session session() {
        return session;
    }

    boolean invalidated() {
        return invalidated;
    }

    private void checkValid() {
        if (invalidated) {
            throw new IllegalStateException("the session was invalidated");
        }
    }

    @Override
    public long getCreationTime() {
        checkValid();
        return session.createdAt().toEpochMilli();
    }

    @Override
    public String getId() {
        return session.handle();
    }

    @Override
    public long getLastAccessedTime() {
        checkValid();
        return session.lastAccessedAt().toEpochMilli();
    }

    @Override
    public ServletContext getServletContext() {
        return servletContext;
    }

    /** Not supported: the idle timeout is the store's ({@code SessionOptions.idleTimeout}). */
    @Override
    public void setMaxInactiveInterval(int interval) {
        throw new UnsupportedOperationException("the idle timeout of Redkit sessions is set once for the store "
                + "(SessionOptions.idleTimeout), not per session: " + interval);
    }

    @Override
    public int getMaxInactiveInterval() {
        return (int) Math.min(Integer.MAX_VALUE, session.idleTimeout().toSeconds());
    }

    @Override
    public Object getAttribute(String name) {
        checkValid();
        return session.get(name).orElse(null);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        checkValid();
        return Collections.enumeration(session.attributeNames());
    }

    @Override
    public void setAttribute(String name, Object value) {
        checkValid();
        session.set(name, value);
    }

    @Override
    public void removeAttribute(String name) {
        checkValid();
        session.remove(name);
    }

    @Override
    public void invalidate() {
        checkValid();
        invalidated = true;
        ctx.logout();
    }

    @Override
    public boolean isNew() {
        checkValid();
        return session.isNew();
    }
}
