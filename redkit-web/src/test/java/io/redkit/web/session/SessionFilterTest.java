package io.redkit.web.session;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.redkit.core.Namespace;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.session.SessionOptions;
import io.redkit.session.SessionStore;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@WithRedis
class SessionFilterTest {
    private static final Pattern COOKIE = Pattern.compile("__Host-session=([A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]{43}); .*");

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Redkit redkit;
    private SessionStore store;
    private WebApp app;

    @BeforeEach
    void start(RedisServer redis) throws Exception {
        // a generous command timeout: a loaded CI machine must not turn into a failed test
        redkit = track(Redkit.create(RedkitConfig.builder().redisUrl(redis.url()).commandTimeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(10)).build()));
        store = track(SessionStore.create(redkit, SessionOptions.builder().rotationGrace(Duration.ZERO).build()));
        app = track(new WebApp(store, SessionFilterOptions.defaults()));
    }

    private <T extends AutoCloseable> T track(T c) {
        toClose.add(0, c);
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** Session hashes and indexes: not the event stream nor the active-session counters. */
    private List<String> sessionKeys() {
        List<String> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        while (true) {
            KeyScanCursor<String> page = redkit.namespace(Namespace.SESSION).sync().scan(cursor, ScanArgs.Builder.limit(500));
            page.getKeys().stream().filter(k -> !k.endsWith(":{events}:stream") && !k.contains(":{active}:")).forEach(keys::add);
            if (page.isFinished()) {
                return keys;
            }
            cursor = page;
        }
    }

    /** The session cookie's value in the response's Set-Cookie headers. */
    private static String sessionCookie(HttpResponse<?> r) {
        List<String> set = WebApp.setCookies(r);
        assertThat(set).hasSize(1);
        Matcher m = COOKIE.matcher(set.get(0));
        assertThat(m.matches()).as("Set-Cookie %s", set.get(0)).isTrue();
        return "__Host-session=" + m.group(1);
    }

    @Test
    void anonymousRequestsGetNoCookieAndWriteNothing() throws Exception {
        for (String path : List.of("/hello", "/peek", "/create-only", "/get?k=x")) {
            HttpResponse<String> r = app.get(path);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(WebApp.setCookies(r)).as(path).isEmpty();
        }
        assertThat(sessionKeys()).isEmpty();
    }

    @Test
    void storingSomethingStartsASessionWithAHardenedCookie() throws Exception {
        HttpResponse<String> r = app.get("/set?k=theme&v=dark");
        assertThat(r.statusCode()).isEqualTo(200);
        String header = WebApp.setCookies(r).get(0);
        assertThat(header).matches("__Host-session=[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]{43}; Path=/; Max-Age=43200; Secure; HttpOnly; SameSite=Lax");
        String cookie = sessionCookie(r);

        HttpResponse<String> again = app.get("/get?k=theme", cookie);
        assertThat(again.body()).isEqualTo("dark");
        assertThat(WebApp.setCookies(again)).as("an unchanged id is not re-sent").isEmpty();
        assertThat(sessionKeys()).hasSize(1);
    }

    @Test
    void plainHttpDevelopmentModeDropsSecureAndThePrefix() throws Exception {
        try (WebApp dev = new WebApp(store, SessionFilterOptions.builder().secure(false).cookieName("sid")
                .sameSite(SessionFilterOptions.SameSite.STRICT).persistent(false).build())) {
            HttpResponse<String> r = dev.get("/set?k=a&v=b");
            assertThat(WebApp.setCookies(r)).singleElement().asString()
                    .matches("sid=[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict");
        }
    }

    @Test
    void cookieIsSentEvenWhenTheHandlerFlushesTheBodyFirst() throws Exception {
        HttpResponse<String> r = app.get("/set-then-flush");
        assertThat(r.body()).isEqualTo("flushed");
        String cookie = sessionCookie(r);
        assertThat(app.get("/get?k=k", cookie).body()).isEqualTo("v");
    }

    @Test
    void malformedOrTamperedCookiesAreNoSessionNeverAnError() throws Exception {
        String good = sessionCookie(app.get("/set?k=a&v=b")).substring("__Host-session=".length());
        List<String> bad = List.of("", "garbage", good + "x", good.substring(1), good.replace('.', '_'),
                "AAAAAAAAAAAAAAAA" + good.substring(16), good.substring(0, 30) + "%00" + good.substring(33),
                good.substring(0, 59) + "!", "x".repeat(5000));
        for (String value : bad) {
            HttpResponse<String> r = app.get("/peek", "__Host-session=" + value);
            assertThat(r.statusCode()).as("cookie %s", value).isEqualTo(200);
            assertThat(r.body()).as("cookie %s", value).isEqualTo("none");
        }
        // a well-formed but unknown id is cleared
        HttpResponse<String> stale = app.get("/peek", "__Host-session=AAAAAAAAAAAAAAAA" + good.substring(16));
        assertThat(WebApp.setCookies(stale)).singleElement().asString().startsWith("__Host-session=; Path=/; Max-Age=0");
        assertThat(app.get("/peek", "__Host-session=" + good).body()).isEqualTo("anonymous");
    }

    @Test
    void loginRotatesTheIdAndTheOldCookieStopsWorking() throws Exception {
        String anonymous = sessionCookie(app.get("/set?k=cart&v=3 items".replace(" ", "%20")));
        HttpResponse<String> login = app.get("/login?user=alice", anonymous);
        String loggedIn = sessionCookie(login);
        assertThat(loggedIn).isNotEqualTo(anonymous);

        assertThat(app.get("/peek", anonymous).body()).isEqualTo("none");
        assertThat(app.get("/peek", loggedIn).body()).isEqualTo("alice");
        assertThat(app.get("/get?k=cart", loggedIn).body()).as("data kept across login").isEqualTo("3 items");

        String rotated = sessionCookie(app.get("/rotate", loggedIn));
        assertThat(app.get("/peek", loggedIn).body()).isEqualTo("none");
        assertThat(app.get("/peek", rotated).body()).isEqualTo("alice");
    }

    // ---- fixation window (issue 13 item 9), with the default rotation grace of 5 s --------------

    /** The app over a store with the default rotation grace, which a privilege change must not use. */
    private WebApp withDefaultGrace() throws Exception {
        SessionStore graceful = track(SessionStore.create(redkit));
        assertThat(graceful.options().rotationGrace()).isEqualTo(Duration.ofSeconds(5));
        return track(new WebApp(graceful, SessionFilterOptions.defaults()));
    }

    @Test
    void thePreLoginCookieIsNoSessionTheMomentTheLoginResponseArrives() throws Exception {
        WebApp web = withDefaultGrace();
        String anonymous = sessionCookie(web.get("/set?k=cart&v=3%20items"));
        String loggedIn = sessionCookie(web.get("/login?user=alice", anonymous));
        assertThat(web.get("/peek", anonymous).body()).as("the pre-login cookie right after login").isEqualTo("none");
        assertThat(web.get("/set?k=x&v=y", anonymous).statusCode()).isEqualTo(200);
        assertThat(web.get("/get?k=x", loggedIn).body()).as("nothing written through the old cookie").isEqualTo("none");
        assertThat(web.get("/get?k=cart", loggedIn).body()).isEqualTo("3 items");

        // the servlet API's changeSessionId (what Spring Security calls at login) is a privilege change too
        HttpResponse<String> changed = web.get("/change-session-id", loggedIn);
        String after = sessionCookie(changed);
        assertThat(web.get("/peek", loggedIn).body()).isEqualTo("none");
        assertThat(web.get("/peek", after).body()).isEqualTo("alice");
    }

    @Test
    void aRoleChangeEndsTheOldCookieWhichNeverSeesTheNewRole() throws Exception {
        WebApp web = withDefaultGrace();
        String user = sessionCookie(web.get("/login?user=alice"));
        assertThat(web.get("/role", user).body()).isEqualTo("user");
        String admin = sessionCookie(web.get("/promote", user));
        assertThat(web.get("/role", user).body()).as("the cookie from before the role change").isEqualTo("none");
        assertThat(web.get("/role", admin).body()).isEqualTo("admin");
    }

    @Test
    void aRoutineRenewalKeepsTheOldCookieForTheGraceAndLogoutEndsBoth() throws Exception {
        WebApp web = withDefaultGrace();
        String old = sessionCookie(web.get("/login?user=alice"));
        long renewedAt = System.nanoTime();
        String renewed = sessionCookie(web.get("/renew", old));
        HttpResponse<String> inFlight = web.get("/peek", old);
        if (Duration.ofNanos(System.nanoTime() - renewedAt).compareTo(Duration.ofSeconds(5)) < 0) {
            assertThat(inFlight.body()).as("the old cookie within the grace").isEqualTo("alice");
        }
        assertThat(WebApp.setCookies(inFlight)).as("the old cookie never learns the new id, and is not cleared").isEmpty();
        assertThat(web.get("/peek", renewed).body()).isEqualTo("alice");

        assertThat(web.get("/logout", renewed).body()).isEqualTo("true");
        assertThat(web.get("/peek", renewed).body()).isEqualTo("none");
        assertThat(web.get("/peek", old).body()).as("the alias of a logged-out session").isEqualTo("none");
    }

    /**
     * A request that was in flight with the pre-login cookie and ends after the login must not clear
     * the cookie nor set a new one: the browser may already hold the logged-in cookie, and would drop it.
     */
    @Test
    void aRequestInFlightWithThePreLoginCookieLeavesTheNewCookieAlone() throws Exception {
        WebApp web = withDefaultGrace();
        String anonymous = sessionCookie(web.get("/set?k=cart&v=1"));
        String loggedIn = sessionCookie(web.get("/login?user=alice", anonymous));
        HttpResponse<String> late = web.get("/peek", anonymous);
        assertThat(late.body()).isEqualTo("none");
        assertThat(WebApp.setCookies(late)).as("not cleared").isEmpty();
        HttpResponse<String> lateWrite = web.get("/set?k=x&v=y", anonymous);
        assertThat(WebApp.setCookies(lateWrite)).as("no new anonymous session replacing the login").isEmpty();
        assertThat(sessionKeys()).as("nothing was created").noneMatch(k -> k.contains(":s:")
                && redkit.namespace(Namespace.SESSION).sync().hexists(k, "a:x"));
        assertThat(web.get("/peek", loggedIn).body()).isEqualTo("alice");

        // a logout is not a replacement: the logged-out cookie is cleared as any stale one
        web.get("/logout", loggedIn);
        assertThat(WebApp.setCookies(web.get("/peek", loggedIn))).singleElement().asString().contains("Max-Age=0");
    }

    /** 8 clients keep using the pre-login cookie while it logs in: none ever sees the user. */
    @Test
    void requestsWithThePreLoginCookieDuringLoginNeverSeeTheUser() throws Exception {
        WebApp web = withDefaultGrace();
        for (int round = 0; round < 3; round++) {
            String anonymous = sessionCookie(web.get("/set?k=cart&v=1"));
            int n = 8;
            ExecutorService pool = Executors.newFixedThreadPool(n);
            CountDownLatch ready = new CountDownLatch(n);
            java.util.concurrent.atomic.AtomicBoolean loggedIn = new java.util.concurrent.atomic.AtomicBoolean();
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    results.add(pool.submit(() -> {
                        ready.countDown();
                        int after = 0;
                        while (after < 10) {
                            boolean startedAfter = loggedIn.get();
                            String body = web.get("/peek", anonymous).body();
                            assertThat(body).as("the pre-login cookie").isIn("anonymous", "none");
                            if (startedAfter) {
                                assertThat(body).as("a request sent after the login response").isEqualTo("none");
                                after++;
                            }
                        }
                        return null;
                    }));
                }
                ready.await();
                String cookie = sessionCookie(web.get("/login?user=alice", anonymous));
                loggedIn.set(true);
                for (Future<?> f : results) {
                    f.get(60, TimeUnit.SECONDS);
                }
                assertThat(web.get("/peek", cookie).body()).isEqualTo("alice");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void logoutClearsTheCookieAndKillsTheSession() throws Exception {
        String cookie = sessionCookie(app.get("/login?user=alice"));
        HttpResponse<String> out = app.get("/logout", cookie);
        assertThat(out.body()).isEqualTo("true");
        assertThat(WebApp.setCookies(out)).singleElement().asString()
                .isEqualTo("__Host-session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax");
        assertThat(app.get("/peek", cookie).body()).isEqualTo("none");
    }

    @Test
    void aDeviceRevokedFromAnotherInstanceIsLoggedOutOnItsNextRequest() throws Exception {
        String laptop = sessionCookie(app.get("/login?user=alice"));
        String phone = sessionCookie(app.get("/login?user=alice"));
        String devices = app.get("/devices", phone).body();
        assertThat(devices.lines()).hasSize(2).anyMatch(l -> l.endsWith("|Firefox on Linux|true"));
        String laptopHandle = devices.lines().filter(l -> l.endsWith("|false")).findFirst().orElseThrow().split("\\|")[0];

        try (Redkit other = Redkit.create(redkit.config()); SessionStore otherStore = SessionStore.create(other);
             WebApp otherInstance = new WebApp(otherStore, SessionFilterOptions.defaults())) {
            assertThat(otherInstance.get("/revoke?handle=" + laptopHandle, phone).body()).isEqualTo("true");
        }
        assertThat(app.get("/peek", laptop).body()).isEqualTo("none");
        assertThat(app.get("/peek", phone).body()).isEqualTo("alice");
    }

    @Test
    void theServletSessionApiWorksAndItsIdIsTheHandleNotTheSecret() throws Exception {
        HttpResponse<String> first = app.get("/http-session");
        String cookie = sessionCookie(first);
        String[] parts = first.body().split(" ");
        assertThat(parts[0]).matches("[A-Za-z0-9_-]{22}");
        assertThat(cookie).doesNotContain(parts[0]);
        assertThat(parts[1]).isEqualTo("1");
        assertThat(parts[2]).isEqualTo("true");
        HttpResponse<String> second = app.get("/http-session", cookie);
        assertThat(second.body()).isEqualTo(parts[0] + " 2 false");

        HttpResponse<String> invalidated = app.get("/http-session-invalidate", cookie);
        assertThat(invalidated.body()).isEqualTo("null");
        assertThat(app.get("/peek", cookie).body()).isEqualTo("none");
    }

    @Test
    void concurrentRequestsChangingDifferentAttributesKeepAllChanges() throws Exception {
        String cookie = sessionCookie(app.get("/login?user=alice"));
        int n = 16;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                results.add(pool.submit(() -> {
                    go.await();
                    return app.get("/set?k=a" + k + "&v=" + k, cookie).statusCode();
                }));
            }
            go.countDown();
            for (Future<Integer> f : results) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < n; i++) {
            assertThat(app.get("/get?k=a" + i, cookie).body()).isEqualTo(String.valueOf(i));
        }
    }

    @Test
    void redisStoppedMidRequestGives503JsonWithinTheCommandTimeout() throws Exception {
        try (RedisServer own = RedisServer.startDefault();
             Redkit r = Redkit.create(RedkitConfig.builder().redisUrl(own.url()).commandTimeout(Duration.ofMillis(300)).build());
             SessionStore s = SessionStore.create(r);
             WebApp web = new WebApp(s, SessionFilterOptions.defaults())) {
            String cookie = sessionCookie(web.get("/login?user=alice"));
            web.hook = own::stop;
            long t0 = System.nanoTime();
            HttpResponse<String> down = web.get("/hook", cookie);
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            assertThat(down.body()).contains("\"error\":\"session_store_unavailable\"");
            assertThat(WebApp.setCookies(down)).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            web.hook = () -> { };

            HttpResponse<String> again = web.get("/peek-twice", cookie);
            assertThat(again.statusCode()).as("a second look-up after a failed one fails too, not 'no session'").isEqualTo(503);
            assertThat(WebApp.setCookies(again)).as("the cookie is kept").isEmpty();
            assertThat(web.get("/hello", cookie).statusCode()).as("requests that do not use the session still work").isEqualTo(200);
            assertThat(web.get("/peek").statusCode()).as("anonymous requests need no Redis").isEqualTo(200);
        }
    }

    @Test
    void frozenRedisGives503WithinAboutTheCommandTimeout() throws Exception {
        try (RedisServer own = RedisServer.startDefault();
             Redkit r = Redkit.create(RedkitConfig.builder().redisUrl(own.url()).commandTimeout(Duration.ofMillis(300)).build());
             SessionStore s = SessionStore.create(r);
             WebApp web = new WebApp(s, SessionFilterOptions.defaults())) {
            String cookie = sessionCookie(web.get("/login?user=alice"));
            own.suspend();
            try {
                long t0 = System.nanoTime();
                CompletableFuture<HttpResponse<String>> f = CompletableFuture.supplyAsync(() -> {
                    try {
                        return web.get("/peek", cookie);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                HttpResponse<String> down = f.get(10, TimeUnit.SECONDS);
                assertThat(down.statusCode()).isEqualTo(503);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            } finally {
                own.resume();
            }
        }
    }
}
