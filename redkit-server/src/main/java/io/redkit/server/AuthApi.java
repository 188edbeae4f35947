package io.redkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.redkit.ratelimit.Decision;
import io.redkit.ratelimit.LimitedKey;
import io.redkit.ratelimit.RateLimiter;
import io.redkit.ratelimit.RatePolicies;
import io.redkit.ratelimit.RatePolicy;
import io.redkit.ratelimit.Reservation;
import io.redkit.server.http.ApiException;
import io.redkit.server.http.Exchange;
import io.redkit.server.http.Router;
import io.redkit.session.Session;
import io.redkit.session.SessionInfo;
import io.redkit.web.ratelimit.KeyResolver;
import io.redkit.web.ratelimit.RateLimitFilter;
import io.redkit.web.session.Sessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Registration, login, logout, password reset and the current user's sessions. Login counts only
 * failed attempts (per account and IP, and per IP): each attempt is reserved before its password is
 * verified, kept when it fails and released when it succeeds, and a success clears the account's count;
 * password reset answers 202 whether or not the account exists, so it reveals nothing.
 */
final class AuthApi {
    static final Logger AUDIT = LoggerFactory.getLogger("io.redkit.server.audit");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,189}\\.[^@\\s]{1,63}");
    /** A valid Argon2id hash of a random password, verified for unknown emails so timing reveals nothing. */
    private static final String DUMMY_HASH = Passwords.hash("dummy-" + System.nanoTime());

    private final Users users;
    private final RateLimiter limiter;
    private final RatePolicy login;
    private final RatePolicy loginIp;
    private final RatePolicy reset;
    private final RatePolicy resetIp;
    private final Consumer<String> passwordResetMailer;
    private final KeyResolver clientIp;

    private final MeterRegistry registry;

    AuthApi(Users users, RateLimiter limiter, RatePolicies policies, KeyResolver clientIp, Consumer<String> passwordResetMailer,
            MeterRegistry registry) {
        this.registry = registry;
        this.clientIp = clientIp;
        this.users = users;
        this.limiter = limiter;
        this.login = policies.get("login");
        this.loginIp = policies.get("login-ip");
        this.reset = policies.get("password-reset");
        this.resetIp = policies.get("password-reset-ip");
        this.passwordResetMailer = passwordResetMailer;
    }

    void register(Router r) {
        r.post("/api/auth/register", this::registerUser);
        r.post("/api/auth/login", this::login);
        r.post("/api/auth/logout", this::logout);
        r.post("/api/auth/password-reset", this::passwordReset);
        r.get("/api/me", this::me);
        r.get("/api/me/sessions", this::mySessions);
        r.delete("/api/me/sessions/{handle}", this::revokeOne);
        r.delete("/api/me/sessions", this::revokeOthers);
    }

    private static String email(JsonNode body) {
        String email = body.path("email").asText("").trim().toLowerCase(Locale.ROOT);
        if (!EMAIL.matcher(email).matches()) {
            throw ApiException.badRequest("email must be an address like name@example.com");
        }
        return email;
    }

    private void registerUser(Exchange ex) throws Exception {
        JsonNode body = ex.body();
        String email = email(body);
        String password = body.path("password").asText("");
        if (password.length() < Passwords.MIN_LENGTH || password.length() > Passwords.MAX_LENGTH) {
            throw ApiException.badRequest("password must be " + Passwords.MIN_LENGTH + " to " + Passwords.MAX_LENGTH + " characters");
        }
        Optional<Users.User> created = users.create(email, Passwords.hash(password));
        if (created.isEmpty()) {
            throw new ApiException(409, "email_taken", "an account with this email exists");
        }
        AUDIT.info("register user={} ip={}", created.get().id(), clientIp(ex));
        ex.json(201, userJson(created.get()));
    }

    private void login(Exchange ex) throws Exception {
        JsonNode body = ex.body();
        String email = email(body);
        String password = body.path("password").asText("");
        String ip = clientIp(ex);
        // both keys carry the IP as hash tag: one atomic reservation, also on Redis Cluster
        LimitedKey byIp = LimitedKey.of(loginIp, "{" + ip + "}");
        LimitedKey byAccount = LimitedKey.of(login, "{" + ip + "}:" + email);
        // reserve the attempt before the password is verified, settle after: attempts in flight
        // count, so concurrent guesses cannot all pass before any failure is counted
        Reservation attempt = limiter.reserve(1, byAccount, byIp);
        if (!attempt.allowed()) {
            Decision d = attempt.decision();
            if (d.reason() == Decision.Reason.FAIL_CLOSED) {
                long seconds = Math.max(1, (d.retryAfter().toMillis() + 999) / 1000);
                ex.response().setHeader("Retry-After", String.valueOf(seconds));
                throw new ApiException(503, "rate_limiter_unavailable", "the login limit cannot be checked; retry in " + seconds + " s");
            }
            throw tooMany(ex, d, d.policy());
        }
        counted(login, "allowed");
        counted(loginIp, "allowed");
        Optional<Users.User> user;
        boolean ok;
        try {
            user = users.byEmail(email);
            if (user.isPresent()) {
                ok = Passwords.verify(password, user.get().passwordHash());
            } else {
                Passwords.verify(password, DUMMY_HASH); // same work as a real check: timing does not reveal accounts
                ok = false;
            }
        } catch (Exception | Error e) {
            attempt.release(); // no outcome: the attempt does not count
            throw e;
        }
        if (!ok) {
            attempt.keep();
            AUDIT.info("login-failed email={} ip={} remaining={}", email, ip, attempt.decision().remaining());
            throw new ApiException(401, "invalid_credentials", "email or password is wrong");
        }
        // a success does not count, and clears the account's failures (release first: see Reservation#release)
        attempt.release();
        limiter.reset(login, byAccount.key());
        Session s = Sessions.login(ex.request(), String.valueOf(user.get().id()));
        AUDIT.info("login user={} ip={} device=\"{}\"", user.get().id(), ip, s.deviceLabel());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", userJson(user.get()));
        out.put("session", sessionJson(s));
        ex.json(200, out);
    }

    private ApiException tooMany(Exchange ex, Decision d, RatePolicy policy) {
        long seconds = Math.max(1, (d.retryAfter().toMillis() + 999) / 1000);
        if (d.retryAfter().isZero()) seconds = Math.max(1, (d.resetAfter().toMillis() + 999) / 1000);
        ex.response().setHeader("Retry-After", String.valueOf(seconds));
        AUDIT.info("rate-limited policy={} ip={}", policy.name(), clientIp(ex));
        counted(policy, "denied");
        limiter.recordDenial(policy, d.key()); // for the dashboard's most-limited keys; never fails the request
        return new ApiException(429, "rate_limited", "too many attempts (" + policy.name() + "); retry in " + seconds + " s");
    }

    /** Counts a decision in the meter the rate-limit filter uses, so the dashboard shows every policy alike. */
    private void counted(RatePolicy policy, String outcome) {
        registry.counter(RateLimitFilter.METER, "policy", policy.name(), "outcome", outcome).increment();
    }

    private void logout(Exchange ex) {
        Optional<Session> s = Sessions.current(ex.request());
        if (Sessions.logout(ex.request())) {
            AUDIT.info("logout user={} ip={}", s.flatMap(Session::userId).orElse("-"), clientIp(ex));
        }
        ex.status(204);
    }

    private void passwordReset(Exchange ex) throws Exception {
        String email = email(ex.body());
        // two subjects (the IP and the account) cannot share a Cluster slot: two checks, the IP first
        Decision d = limiter.check(resetIp, clientIp(ex));
        if (d.allowed()) {
            d = limiter.check(reset, email);
        }
        if (!d.allowed()) {
            throw tooMany(ex, d, d.policy());
        }
        counted(resetIp, "allowed");
        counted(reset, "allowed");
        AUDIT.info("password-reset-requested email={} ip={}", email, clientIp(ex));
        if (users.byEmail(email).isPresent()) {
            passwordResetMailer.accept(email);
        }
        ex.json(202, Map.of("status", "accepted", "message", "if an account exists for this email, a reset link is on its way"));
    }

    /** The client's address: the TCP peer, or the forwarded client when the peer is a trusted proxy. */
    private String clientIp(Exchange ex) {
        String ip = clientIp.resolve(ex.request());
        return ip == null ? ex.remoteAddress() : ip;
    }

    /** The logged-in user's session, or 401. */
    static Session requireLogin(Exchange ex) {
        return Sessions.current(ex.request()).filter(s -> s.userId().isPresent())
                .orElseThrow(() -> new ApiException(401, "unauthenticated", "log in first"));
    }

    private void me(Exchange ex) throws Exception {
        Session s = requireLogin(ex);
        Users.User u = users.byId(Long.parseLong(s.userId().orElseThrow()))
                .orElseThrow(() -> new ApiException(401, "unauthenticated", "the account no longer exists"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", userJson(u));
        out.put("session", sessionJson(s));
        ex.json(200, out);
    }

    private void mySessions(Exchange ex) {
        requireLogin(ex);
        List<Map<String, Object>> out = new ArrayList<>();
        for (SessionInfo i : Sessions.devices(ex.request())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("handle", i.handle());
            m.put("device", i.deviceLabel());
            m.put("ip", i.lastAccessBy().ipAddress());
            m.put("userAgent", i.lastAccessBy().userAgent());
            m.put("createdAt", i.createdAt().toString());
            m.put("lastSeenAt", i.lastSeenAt().toString());
            m.put("current", i.current());
            out.add(m);
        }
        ex.json(200, Map.of("sessions", out));
    }

    private void revokeOne(Exchange ex) {
        Session s = requireLogin(ex);
        String handle = ex.path("handle");
        if (!Sessions.store(ex.request()).revoke(s.userId().orElseThrow(), handle)) {
            throw ApiException.notFound("no session with handle '" + handle + "'");
        }
        AUDIT.info("session-revoked user={} ip={}", s.userId().orElseThrow(), clientIp(ex));
        ex.status(204);
    }

    private void revokeOthers(Exchange ex) {
        Session s = requireLogin(ex);
        int n = Sessions.store(ex.request()).revokeAllExcept(s);
        AUDIT.info("sessions-revoked user={} count={} ip={}", s.userId().orElseThrow(), n, clientIp(ex));
        ex.status(204);
    }

    static Map<String, Object> userJson(Users.User u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", u.id());
        m.put("email", u.email());
        m.put("admin", u.admin());
        m.put("createdAt", u.createdAt().toString());
        return m;
    }

    static Map<String, Object> sessionJson(Session s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("handle", s.handle());
        m.put("device", s.deviceLabel());
        m.put("createdAt", s.createdAt().toString());
        m.put("expiresAt", s.expiresAt().toString());
        return m;
    }
}
