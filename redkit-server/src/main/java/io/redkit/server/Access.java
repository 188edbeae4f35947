package io.redkit.server;

import io.redkit.server.http.ApiException;
import io.redkit.server.http.Exchange;
import io.redkit.server.http.Router;
import io.redkit.session.Session;

import java.sql.SQLException;

/**
 * Who is asking: an anonymous client, an ordinary user or an admin. The role is read from the
 * database with the session's user on each request that needs it (once per request), so a grant
 * or revoke holds from the next request on, on every instance. Anonymous clients get 401
 * {@code unauthenticated}, ordinary users asking for an admin operation 403 {@code forbidden}
 * (and a line in the audit log); both as JSON errors.
 */
final class Access {
    private static final String ATTRIBUTE = "io.redkit.server.user";

    private final Users users;

    Access(Users users) {
        this.users = users;
    }

    /** The logged-in user, or 401 (no session, or its account no longer exists); 503 when sessions are unavailable. */
    Users.User user(Exchange ex) throws SQLException {
        Object cached = ex.request().getAttribute(ATTRIBUTE);
        if (cached instanceof Users.User u) return u;
        Session s = AuthApi.requireLogin(ex);
        long id;
        try {
            id = Long.parseLong(s.userId().orElseThrow());
        } catch (NumberFormatException e) {
            throw new ApiException(401, "unauthenticated", "log in first");
        }
        Users.User u = users.byId(id).orElseThrow(() -> new ApiException(401, "unauthenticated", "the account no longer exists"));
        ex.request().setAttribute(ATTRIBUTE, u);
        return u;
    }

    /** The logged-in admin: 401 when anonymous, 403 for an ordinary user. */
    Users.User admin(Exchange ex) throws SQLException {
        Users.User u = user(ex);
        if (!u.admin()) {
            AuthApi.AUDIT.info("forbidden user={} method={} path={}", u.id(), ex.request().getMethod(), ex.request().getRequestURI());
            throw new ApiException(403, "forbidden", "only an admin may do this (" + ex.request().getMethod() + " "
                    + ex.request().getRequestURI() + ")");
        }
        return u;
    }

    /** {@code handler}, for admins only. */
    Router.Handler adminOnly(Router.Handler handler) {
        return ex -> {
            admin(ex);
            handler.handle(ex);
        };
    }
}
