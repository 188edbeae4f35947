package io.redkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.redkit.server.http.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A browser-like HTTP client for the server's tests: keeps the session cookie (sent by hand: it is
 * Secure and the tests speak plain HTTP) and appears to come from its own client address, forwarded
 * by a trusted local proxy (the server under test must trust 127.0.0.1), so rate limits by IP do not
 * leak between tests.
 */
class TestClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final AtomicInteger NEXT_IP = new AtomicInteger();

    private final int port;
    String cookie;
    /** An address of its own, in a /64 of its own (limits by IPv6 client may count per /64). */
    final String forwardedFor = "2001:db8:" + Integer.toHexString(NEXT_IP.incrementAndGet()) + "::1";

    /**
     * Settings for a server under test: any free port on loopback, and 127.0.0.1 trusted as a proxy
     * so each client's {@code X-Forwarded-For} gives it an address of its own.
     */
    static ServerSettings testSettings() {
        return ServerSettings.fromEnv(java.util.Map.of()).withListen("127.0.0.1", 0)
                .withTrustedProxies(io.redkit.web.ratelimit.TrustedProxies.of("127.0.0.1"));
    }

    TestClient(int port) {
        this.port = port;
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).header("User-Agent",
                        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (cookie != null) b.header("Cookie", cookie);
        b.header("X-Forwarded-For", forwardedFor);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        for (String set : r.headers().allValues("Set-Cookie")) {
            String pair = set.split(";", 2)[0];
            cookie = pair.endsWith("=") ? null : pair;
        }
        return r;
    }

    JsonNode json(String method, String path, String body, int expectedStatus) throws Exception {
        HttpResponse<String> r = send(method, path, body);
        if (r.statusCode() != expectedStatus) {
            throw new AssertionError(method + " " + path + ": expected " + expectedStatus + " but got " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body());
    }

    /** Logs in as the demo user (the server must have seeded it, or a test registered it). */
    void login(String email, String password) throws Exception {
        json("POST", "/api/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}", 200);
    }

    /** The password every user made by {@link #newUser} has. */
    static final String PASSWORD = "correct horse battery staple";

    /** A client logged in as a new ordinary user of its own (so it also has an {@code api} rate limit of its own). */
    static TestClient newUser(RedkitServer server) throws Exception {
        TestClient c = new TestClient(server.port());
        c.email = "u" + java.util.UUID.randomUUID().toString().substring(0, 12) + "@example.com";
        c.json("POST", "/api/auth/register", "{\"email\":\"" + c.email + "\",\"password\":\"" + PASSWORD + "\"}", 201);
        c.login(c.email, PASSWORD);
        return c;
    }

    /** A client logged in as a new admin of its own (granted as {@code redkit user grant-admin} would). */
    static TestClient newAdmin(RedkitServer server) throws Exception {
        TestClient c = newUser(server);
        if (!server.users().setAdmin(c.email, true)) throw new AssertionError("no account " + c.email);
        return c;
    }

    /** The e-mail of the user {@link #newUser} made, or null. */
    String email;
}
