package io.redkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.redkit.core.RedkitConfig;
import io.redkit.queue.JobOptions;
import io.redkit.queue.JobQueue;
import io.redkit.server.http.Json;
import io.redkit.testkit.PostgresServer;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithPostgres;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every operation that manages or inspects the system, over real HTTP, Redis and PostgreSQL, as an
 * anonymous client (401), an ordinary user (403, and nothing changes) and an admin (answered).
 */
@WithRedis
@WithPostgres
class AuthorizationTest {
    private static RedkitServer server;
    private static String jdbcUrl;
    private static JobQueue defaultQueue;
    private static long productId;

    @BeforeAll
    static void start(RedisServer redis, PostgresServer pg) throws Exception {
        RedkitConfig config = RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofSeconds(2)).commandTimeout(Duration.ofSeconds(2)).build();
        String db = pg.createDatabase();
        jdbcUrl = pg.jdbcUrl(db);
        // no worker: jobs stay where the test puts them
        server = RedkitServer.start(config, pg.url(db), TestClient.testSettings().withWorkerConcurrency(0), false);
        defaultQueue = JobQueue.create(server.redkit(), "default");
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("INSERT INTO products (sku, name, category, price_cents, stock, description) "
                     + "VALUES ('SKU-AUTH', 'Lamp', 'home', 1999, 5, 'a lamp') RETURNING id")) {
            rs.next();
            productId = rs.getLong(1);
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /**
     * One operation: method, path (made fresh for each call, so each acts on a job of its own), body,
     * and the status an admin gets.
     */
    private record Op(String method, Supplier<String> path, String body, int adminStatus) {
    }

    private static String waitingJob() {
        return defaultQueue.add("report", null, JobOptions.builder().delay(Duration.ofHours(1)).build());
    }

    /** The operations only an admin may run, with what an admin gets. */
    private static List<Op> adminOnly() {
        return List.of(
                new Op("GET", () -> "/api/queues", null, 200),
                new Op("GET", () -> "/api/queues/default/jobs?state=delayed", null, 200),
                new Op("GET", () -> "/api/queues/default/jobs/" + waitingJob(), null, 200),
                // a delayed job is not dead: 409 is the queue's answer, not a refusal
                new Op("POST", () -> "/api/queues/default/jobs/" + waitingJob() + "/retry", null, 409),
                new Op("DELETE", () -> "/api/queues/default/jobs/" + waitingJob(), null, 204),
                new Op("POST", () -> "/api/queues/reports/pause", null, 200),
                new Op("POST", () -> "/api/queues/reports/resume", null, 200),
                new Op("POST", () -> "/api/queues/emails/jobs", "{\"type\":\"email\",\"payload\":{\"to\":\"x@example.com\"},\"delayMs\":3600000}", 202),
                new Op("GET", () -> "/api/cache/stats", null, 200),
                new Op("GET", () -> "/api/ratelimits", null, 200),
                new Op("GET", () -> "/api/ratelimits/api/user:1", null, 200),
                new Op("GET", () -> "/api/sessions/stats", null, 200),
                new Op("GET", () -> "/api/doctor", null, 200),
                new Op("PUT", () -> "/api/products/" + productId, "{\"priceCents\":0}", 200));
    }

    private static JsonNode errorOf(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void anAnonymousClientGets401JsonForEveryAdminOperation() throws Exception {
        TestClient anonymous = new TestClient(server.port());
        for (Op op : adminOnly()) {
            String path = op.path().get();
            String what = op.method() + " " + path;
            HttpResponse<String> r = anonymous.send(op.method(), path, op.body());
            assertThat(r.statusCode()).as(what + ": " + r.body()).isEqualTo(401);
            assertThat(errorOf(r).get("error").asText()).as(what).isEqualTo("unauthenticated");
        }
    }

    @Test
    void anOrdinaryUserGets403JsonForEveryAdminOperationAndKeepsTheirOwnAccountAndSessions() throws Exception {
        TestClient user = TestClient.newUser(server);
        for (Op op : adminOnly()) {
            String path = op.path().get();
            String what = op.method() + " " + path;
            HttpResponse<String> r = user.send(op.method(), path, op.body());
            assertThat(r.statusCode()).as(what + ": " + r.body()).isEqualTo(403);
            assertThat(errorOf(r).get("error").asText()).as(what).isEqualTo("forbidden");
            assertThat(r.body()).doesNotContain("\"payload\"", "stackTrace", "\"health\"");
        }
        assertThat(user.json("GET", "/api/me", null, 200).at("/user/admin").asBoolean()).isFalse();
        assertThat(user.json("GET", "/api/me/sessions", null, 200).get("sessions")).hasSize(1);
        user.json("DELETE", "/api/me/sessions", null, 204);
        user.json("POST", "/api/auth/logout", null, 204);
    }

    @Test
    void whatAnOrdinaryUserOrAnAnonymousClientTriesChangesNothing() throws Exception {
        String id = waitingJob();
        for (TestClient c : List.of(new TestClient(server.port()), TestClient.newUser(server))) {
            c.send("DELETE", "/api/queues/default/jobs/" + id, null);
            c.send("POST", "/api/queues/default/pause", null);
            c.send("PUT", "/api/products/" + productId, "{\"priceCents\":0}");
        }
        assertThat(defaultQueue.get(id)).isPresent();
        assertThat(defaultQueue.counts().paused()).isFalse();
        assertThat(new TestClient(server.port()).json("GET", "/api/products/" + productId, null, 200).get("priceCents").asInt())
                .isEqualTo(1999);
        defaultQueue.remove(id);
    }

    @Test
    void anAdminIsAnsweredForEveryAdminOperation() throws Exception {
        TestClient admin = TestClient.newAdmin(server);
        try {
            for (Op op : adminOnly()) {
                String path = op.path().get();
                HttpResponse<String> r = admin.send(op.method(), path, op.body());
                assertThat(r.statusCode()).as(op.method() + " " + path + ": " + r.body()).isEqualTo(op.adminStatus());
            }
            JsonNode job = admin.json("GET", "/api/queues/default/jobs/" + waitingJob(), null, 200);
            assertThat(job.has("payload")).isTrue();
            assertThat(job.has("stackTrace")).isTrue();
            assertThat(admin.json("GET", "/api/doctor", null, 200).get("health")).isNotEmpty();
            assertThat(admin.json("GET", "/api/products/" + productId, null, 200).get("priceCents").asInt()).isZero();
        } finally {
            admin.send("POST", "/api/queues/reports/resume", null);
        }
    }

    @Test
    void aRevokedAdminIsRefusedFromTheNextRequestOn() throws Exception {
        TestClient admin = TestClient.newAdmin(server);
        admin.json("GET", "/api/doctor", null, 200);
        server.users().setAdmin(admin.email, false);
        assertThat(admin.json("GET", "/api/doctor", null, 403).get("error").asText()).isEqualTo("forbidden");
    }
}
