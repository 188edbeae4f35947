package io.redkit.web.ratelimit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.ratelimit.DeniedKey;
import io.redkit.ratelimit.FailureMode;
import io.redkit.ratelimit.RateLimiter;
import io.redkit.ratelimit.RateLimiterOptions;
import io.redkit.ratelimit.RatePolicies;
import io.redkit.ratelimit.RatePolicy;
import io.redkit.ratelimit.internal.RedisRateLimiter;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The filter over real HTTP: an embedded Jetty 12 in front of a servlet, a real Redis behind. */
@WithRedis
class RateLimitFilterTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Server jetty;
    private Redkit redkit;
    private int port;

    private static final RatePolicy API = RatePolicy.of("api", 3, Duration.ofMinutes(1));

    static final class Hello extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain");
            resp.getWriter().write("hello");
        }
    }

    private void start(RedisServer redis, RateLimitFilter.Builder filter) throws Exception {
        start(filter);
    }

    private void start(RateLimitFilter.Builder filter) throws Exception {
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/app");
        context.addServlet(new ServletHolder(new Hello()), "/*");
        context.addFilter(new FilterHolder(filter.build()), "/*", EnumSet.of(DispatcherType.REQUEST));
        jetty.setHandler(context);
        jetty.start();
        port = connector.getLocalPort();
    }

    private RateLimiter limiter(RedisServer redis) {
        redkit = Redkit.create(RedkitConfig.fromEnv(Map.of("REDIS_URL", redis.url(), "REDIS_COMMAND_TIMEOUT", "300ms", "REDIS_CONNECT_TIMEOUT", "10s")));
        RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().unavailableBackoff(Duration.ZERO).build());
        // connected before the first request: on a loaded machine the handshake can outlast the 300 ms
        // command timeout, and a failed attempt is retried by the next use
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> limiter.inspect(API, "warm-up") != null);
        return limiter;
    }

    @AfterEach
    void stop() throws Exception {
        if (jetty != null) jetty.stop();
        if (redkit != null) redkit.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/app" + path)).GET();
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/app" + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void limitedResponsesCarryHeadersAndDenialIs429WithRetryAfterAndJson(RedisServer redis) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RateLimiter limiter = limiter(redis);
        start(redis, RateLimitFilter.builder(limiter).meterRegistry(meters)
                .route(RateLimitRoute.builder("/api/*").limit(API, KeyResolvers.clientIp()).build()));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get("/api/items");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello");
            assertThat(r.headers().firstValue("RateLimit-Policy")).hasValue("\"api\";q=3;w=60");
            assertThat(r.headers().firstValue("RateLimit").orElseThrow()).matches("\"api\";r=" + (2 - i) + ";t=(60|59)");
            assertThat(r.headers().firstValue("X-RateLimit-Limit")).hasValue("3");
            assertThat(r.headers().firstValue("X-RateLimit-Remaining")).hasValue(String.valueOf(2 - i));
            assertThat(r.headers().firstValue("X-RateLimit-Reset").orElseThrow()).matches("60|59");
        }
        HttpResponse<String> denied = get("/api/items");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(denied.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        long retry = Long.parseLong(denied.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retry).isBetween(1L, 60L);
        assertThat(denied.body()).isEqualTo("{\"error\":\"rate_limited\",\"message\":\"Too many requests for policy 'api': retry in "
                + retry + " s.\",\"policy\":\"api\",\"retryAfterSeconds\":" + retry + "}");
        assertThat(denied.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
        assertThat(denied.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"api\";r=0;t=");

        // routes that do not match pass untouched
        HttpResponse<String> other = get("/public");
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.headers().firstValue("RateLimit")).isEmpty();

        assertThat(meters.get(RateLimitFilter.METER).tag("policy", "api").tag("outcome", "allowed").counter().count()).isEqualTo(3);
        assertThat(meters.get(RateLimitFilter.METER).tag("policy", "api").tag("outcome", "denied").counter().count()).isEqualTo(1);
        // the denial is recorded, under the key that was checked, for the dashboard's most limited keys
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(limiter.topDenied("api", 10)).containsExactly(new DeniedKey("{127.0.0.1}", 1)));
    }

    @Test
    void withRecordingOffDenialsAreNotRecorded(RedisServer redis) throws Exception {
        RateLimiter limiter = limiter(redis);
        start(redis, RateLimitFilter.builder(limiter).recordDenials(false)
                .route(RateLimitRoute.builder("/api/*").limit(API, KeyResolvers.clientIp()).build()));
        for (int i = 0; i < 3; i++) {
            assertThat(get("/api/items").statusCode()).isEqualTo(200);
        }
        assertThat(get("/api/items").statusCode()).isEqualTo(429);
        // a marker sent after the 429 on the same connection: once it is counted, a recording would be too
        limiter.recordDenial(API, "{marker}");
        await().atMost(Duration.ofSeconds(10)).until(() -> !limiter.topDenied("api", 10).isEmpty());
        assertThat(limiter.topDenied("api", 10)).containsExactly(new DeniedKey("{marker}", 1));
        assertThatThrownBy(() -> RateLimitFilter.builder(limiter).recordDenials(true).recordDenials(false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("recordDenials was already set to true");
    }

    @Test
    void aRedisFailureWhileRecordingADenialDoesNotFailTheRequest(RedisServer redis) throws Exception {
        RateLimiter limiter = limiter(redis);
        start(redis, RateLimitFilter.builder(limiter)
                .route(RateLimitRoute.builder("/api/*").limit(API, KeyResolvers.clientIp()).build()));
        for (int i = 0; i < 3; i++) {
            assertThat(get("/api/items").statusCode()).isEqualTo(200);
        }
        assertThat(get("/api/items").statusCode()).isEqualTo(429);
        await().atMost(Duration.ofSeconds(10)).until(() -> !limiter.topDenied("api", 10).isEmpty());
        redis.stop();
        // denied from the limiter's denied cache, without Redis; recording it fails
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> denied = get("/api/items");
            assertThat(denied.statusCode()).isEqualTo(429);
            assertThat(denied.body()).startsWith("{\"error\":\"rate_limited\",\"message\":\"Too many requests for policy 'api'");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ((RedisRateLimiter) limiter).unrecordedDenials() == 3);
    }

    @Test
    void spoofedForwardedForFromAnUntrustedPeerIsIgnored(RedisServer redis) throws Exception {
        // the proxy list does not include the test client's 127.0.0.1
        start(redis, RateLimitFilter.builder(limiter(redis))
                .route(RateLimitRoute.builder("/*").limit(API, KeyResolvers.clientIp(TrustedProxies.of("10.0.0.0/8"))).build()));
        for (int i = 0; i < 3; i++) {
            assertThat(get("/x", "X-Forwarded-For", "203.0.113." + i).statusCode()).isEqualTo(200);
        }
        assertThat(get("/x", "X-Forwarded-For", "198.51.100.77").statusCode())
                .as("a fresh forged address does not buy a fresh bucket").isEqualTo(429);
        assertThat(get("/x").statusCode()).isEqualTo(429);
    }

    @Test
    void aTrustedProxysForwardedForIsHonoured(RedisServer redis) throws Exception {
        start(redis, RateLimitFilter.builder(limiter(redis))
                .route(RateLimitRoute.builder("/*").limit(API, KeyResolvers.clientIp(TrustedProxies.of("127.0.0.1", "10.0.0.0/8"))).build()));
        for (int i = 0; i < 3; i++) {
            assertThat(get("/x", "X-Forwarded-For", "203.0.113.5").statusCode()).isEqualTo(200);
        }
        assertThat(get("/x", "X-Forwarded-For", "203.0.113.5").statusCode()).isEqualTo(429);
        // another client behind the same proxy has its own bucket
        assertThat(get("/x", "X-Forwarded-For", "203.0.113.6").statusCode()).isEqualTo(200);
        // the client cannot prepend a forged hop: the rightmost untrusted address counts, through a trusted chain
        assertThat(get("/x", "X-Forwarded-For", "198.51.100.1, 203.0.113.5, 10.1.2.3").statusCode()).isEqualTo(429);
        assertThat(get("/x", "X-Forwarded-For", "198.51.100.1, 203.0.113.5").statusCode()).isEqualTo(429);
    }

    @Test
    void loginLimitsAreCheckedTogetherAndReportEveryPolicy(RedisServer redis) throws Exception {
        RatePolicies policies = RatePolicies.defaults();
        RateLimiter limiter = limiter(redis);
        start(redis, RateLimitFilter.builder(limiter)
                .route(RateLimitRoute.builder("/login").methods("POST")
                        .limit(policies.get("login-ip"), KeyResolvers.clientIp())
                        .limit(policies.get("login"), KeyResolvers.header("X-Account"))
                        .build()));
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = post("/login", "X-Account", "alice");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("RateLimit-Policy")).hasValue("\"login-ip\";q=20;w=900, \"login\";q=5;w=900");
            assertThat(r.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"login\";r=" + (4 - i) + ";");
        }
        HttpResponse<String> denied = post("/login", "X-Account", "alice");
        assertThat(denied.statusCode()).isEqualTo(429);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(limiter.topDenied("login", 10)).containsExactly(new DeniedKey("{127.0.0.1}:alice", 1)));
        assertThat(denied.body()).contains("\"policy\":\"login\"").contains("\"message\":\"Too many requests for policy 'login': retry in ");
        // bob from the same IP is not blocked by alice's attempts, and her denial cost the IP nothing
        HttpResponse<String> bob = post("/login", "X-Account", "bob");
        assertThat(bob.statusCode()).isEqualTo(200);
        assertThat(bob.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"login\";r=4;");
        // GET /login is not limited by a POST-only route
        assertThat(get("/login").headers().firstValue("RateLimit")).isEmpty();
        // without an account header, the IP limit alone applies
        HttpResponse<String> anonymous = post("/login");
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(anonymous.headers().firstValue("RateLimit-Policy")).hasValue("\"login-ip\";q=20;w=900");
        assertThat(anonymous.headers().firstValue("X-RateLimit-Remaining")).hasValue("13");
    }

    @Test
    void apiKeyRoutesLimitPerKeyAndPassRequestsWithoutOne(RedisServer redis) throws Exception {
        start(redis, RateLimitFilter.builder(limiter(redis))
                .route(RateLimitRoute.builder("/api/*").limit(RatePolicy.of("per-key", 1, Duration.ofMinutes(1)),
                        KeyResolvers.header("X-API-Key")).cost(r -> 1).build()));
        assertThat(get("/api/a", "X-API-Key", "k1").statusCode()).isEqualTo(200);
        assertThat(get("/api/a", "X-API-Key", "k1").statusCode()).isEqualTo(429);
        assertThat(get("/api/a", "X-API-Key", "k2").statusCode()).isEqualTo(200);
        assertThat(get("/api/a").statusCode()).isEqualTo(200);
    }

    @Test
    void aResolvedKeyLongerThanAnyLimitedKeyIsStillLimitedNeverA500(RedisServer redis) throws Exception {
        start(redis, RateLimitFilter.builder(limiter(redis))
                .route(RateLimitRoute.builder("/api/*").limit(RatePolicy.of("per-key", 1, Duration.ofMinutes(1)),
                        KeyResolvers.header("X-API-Key")).build()));
        String huge = "k".repeat(4000);
        String other = "k".repeat(3999) + "j";
        assertThat(get("/api/a", "X-API-Key", huge).statusCode()).isEqualTo(200);
        assertThat(get("/api/a", "X-API-Key", huge).statusCode()).isEqualTo(429);
        assertThat(get("/api/a", "X-API-Key", other).statusCode()).isEqualTo(200); // its own key, not a collision
        assertThat(get("/api/a", "X-API-Key", other).statusCode()).isEqualTo(429);
    }

    @Test
    void whenRedisIsDownFailOpenPassesAndFailClosedAnswers503(RedisServer redis) throws Exception {
        RatePolicy open = RatePolicy.builder("open").limit(1).window(Duration.ofMinutes(1)).failureMode(FailureMode.OPEN).build();
        RatePolicy closed = RatePolicy.builder("closed").limit(1).window(Duration.ofMinutes(1)).failureMode(FailureMode.CLOSED).build();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        start(redis, RateLimitFilter.builder(limiter(redis)).meterRegistry(meters)
                .route(RateLimitRoute.builder("/open").limit(open, KeyResolvers.clientIp()).build())
                .route(RateLimitRoute.builder("/closed").limit(closed, KeyResolvers.clientIp()).build()));
        assertThat(get("/open").statusCode()).isEqualTo(200);
        redis.stop();
        HttpResponse<String> o = get("/open");
        assertThat(o.statusCode()).isEqualTo(200);
        assertThat(o.headers().firstValue("RateLimit")).isEmpty();
        HttpResponse<String> c = get("/closed");
        assertThat(c.statusCode()).isEqualTo(503);
        assertThat(c.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(c.body()).isEqualTo("{\"error\":\"rate_limiter_unavailable\",\"message\":\"The rate limiter for policy 'closed' "
                + "is unavailable: retry in 1 s.\",\"policy\":\"closed\",\"retryAfterSeconds\":1}");
        assertThat(meters.get(RateLimitFilter.METER).tag("outcome", "fail_open").counter().count()).isEqualTo(1);
        assertThat(meters.get(RateLimitFilter.METER).tag("outcome", "fail_closed").counter().count()).isEqualTo(1);
    }

    @Test
    void anErrorOfTheLimiterIsAClean503NotA500(RedisServer redis) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RateLimiter limiter = limiter(redis);
        start(redis, RateLimitFilter.builder(limiter).meterRegistry(meters)
                .route(RateLimitRoute.builder("/api/*").limit(API, KeyResolvers.clientIp()).build()));
        assertThat(get("/api/items").statusCode()).isEqualTo(200);
        // an error no failure mode decides: the key's state was overwritten with a list (RedisCommandException)
        String stateKey = ((RedisRateLimiter) limiter).stateKey(API, "{127.0.0.1}");
        redkit.namespace(RateLimiterOptions.DEFAULT_NAMESPACE).sync().del(stateKey);
        redkit.namespace(RateLimiterOptions.DEFAULT_NAMESPACE).sync().rpush(stateKey, "not a rate limit".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = get("/api/items");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(r.body()).isEqualTo("{\"error\":\"rate_limiter_unavailable\",\"message\":\"The rate limiter for policy 'api' "
                + "is unavailable: retry in 1 s.\",\"policy\":\"api\",\"retryAfterSeconds\":1}");
        assertThat(meters.get(RateLimitFilter.METER).tag("policy", "api").tag("outcome", "error").counter().count()).isEqualTo(1);
    }

    @Test
    void userIdFromAnAuthenticationFilterElseTheClientIp(RedisServer redis) throws Exception {
        RatePolicy perUser = RatePolicy.of("per-user", 2, Duration.ofMinutes(1));
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/app");
        context.addServlet(new ServletHolder(new Hello()), "/*");
        // stands in for authentication (or the Redkit session filter): sets the user id attribute
        context.addFilter(new FilterHolder((jakarta.servlet.Filter) (req, res, chain) -> {
            String user = ((HttpServletRequest) req).getHeader("X-Test-User");
            if (user != null) req.setAttribute("userId", user);
            chain.doFilter(req, res);
        }), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addFilter(new FilterHolder(RateLimitFilter.builder(limiter(redis))
                .route(RateLimitRoute.builder("/*").limit(perUser,
                        KeyResolvers.firstOf(KeyResolvers.requestAttribute("userId"), KeyResolvers.clientIp())).build())
                .build()), "/*", EnumSet.of(DispatcherType.REQUEST));
        jetty.setHandler(context);
        jetty.start();
        port = connector.getLocalPort();

        assertThat(get("/x", "X-Test-User", "alice").statusCode()).isEqualTo(200);
        assertThat(get("/x", "X-Test-User", "alice").statusCode()).isEqualTo(200);
        assertThat(get("/x", "X-Test-User", "alice").statusCode()).isEqualTo(429);
        assertThat(get("/x", "X-Test-User", "bob").statusCode()).as("another user, same IP").isEqualTo(200);
        assertThat(get("/x").statusCode()).as("anonymous: by IP, its own bucket").isEqualTo(200);
        assertThat(get("/x", "X-Test-User", "127.0.0.1").statusCode()).as("a user named like the IP is not the IP").isEqualTo(200);
    }

    @Test
    void badRoutesAreRejected() {
        assertThatThrownBy(() -> RateLimitRoute.builder("api/*")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"api/*\"");
        assertThatThrownBy(() -> RateLimitRoute.builder("/a/*/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RateLimitRoute.builder("/x").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one limit");
        assertThatThrownBy(() -> TrustedProxies.of("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prefix length");
        assertThatThrownBy(() -> TrustedProxies.of("proxy.example.com")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"proxy.example.com\"");
    }
}
