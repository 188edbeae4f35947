package io.redkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.redkit.core.RedkitConfig;
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
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Products through the query cache over real HTTP: X-Cache, writes through the API and through psql, Redis down. */
@WithRedis
@WithPostgres
class ProductsApiTest {
    private static RedkitServer server;
    private static String jdbcUrl;

    @BeforeAll
    static void start(RedisServer redis, PostgresServer pg) throws Exception {
        RedkitConfig config = RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofMillis(500)).commandTimeout(Duration.ofMillis(500)).build();
        String db = pg.createDatabase();
        jdbcUrl = pg.jdbcUrl(db);
        server = RedkitServer.start(config, pg.url(db), TestClient.testSettings(), true);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static String cache(HttpResponse<String> r) {
        return r.headers().firstValue("X-Cache").orElse("(none)");
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            s.executeUpdate(statement);
        }
    }

    @Test
    void aProductIsAMissThenAHitWithTheSameBody() throws Exception {
        TestClient c = new TestClient(server.port());
        HttpResponse<String> first = c.send("GET", "/api/products/4242", null);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(cache(first)).isEqualTo("MISS");
        // an earlier test's write reaches the cache also through the table's NOTIFY, a moment later,
        // and drops every cached product query: a read in between is another MISS, then comes the HIT
        java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> second = new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            second.set(c.send("GET", "/api/products/4242", null));
            assertThat(cache(second.get())).isEqualTo("HIT");
        });
        assertThat(second.get().body()).isEqualTo(first.body());
        JsonNode p = Json.MAPPER.readTree(second.get().body());
        assertThat(p.get("id").asLong()).isEqualTo(4242);
        assertThat(p.get("sku").asText()).isNotEmpty();
        assertThat(p.get("priceCents").asInt()).isNotNegative();
    }

    @Test
    void aCategoryPageIsCachedAndBadParametersAre400() throws Exception {
        TestClient c = new TestClient(server.port());
        HttpResponse<String> first = c.send("GET", "/api/products?category=garden&page=3&size=50", null);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(cache(first)).isEqualTo("MISS");
        JsonNode page = Json.MAPPER.readTree(first.body());
        assertThat(page.get("items")).hasSize(50);
        assertThat(page.get("items").findValuesAsText("category")).containsOnly("garden");
        assertThat(page.get("total").asLong()).isBetween(10_000L, 20_000L);
        assertThat(page.get("pages").asLong()).isEqualTo((page.get("total").asLong() + 49) / 50);
        assertThat(cache(c.send("GET", "/api/products?category=garden&page=3&size=50", null))).isEqualTo("HIT");
        assertThat(c.json("GET", "/api/products?category=spaceships", null, 400).get("message").asText()).contains("garden");
        assertThat(c.json("GET", "/api/products?size=1000", null, 400).get("message").asText()).contains("size");
        assertThat(c.json("GET", "/api/products/abc", null, 404).get("error").asText()).isEqualTo("not_found");
        assertThat(c.json("GET", "/api/products/999999999", null, 404).get("message").asText()).contains("999999999");
    }

    @Test
    void anAdminChangesAProductAndTheNextReadShowsIt() throws Exception {
        TestClient c = new TestClient(server.port());
        assertThat(c.json("GET", "/api/products/77", null, 200).get("name").asText()).isNotEmpty();
        assertThat(c.json("PUT", "/api/products/77", "{\"name\":\"x\"}", 401).get("error").asText()).isEqualTo("unauthenticated");
        assertThat(TestClient.newUser(server).json("PUT", "/api/products/77", "{\"name\":\"x\"}", 403).get("error").asText())
                .isEqualTo("forbidden");
        c.login(Seeder.DEMO_EMAIL, Seeder.DEMO_PASSWORD); // the seeded demo user is an admin
        String name = "Renamed " + UUID.randomUUID();
        JsonNode updated = c.json("PUT", "/api/products/77", "{\"name\":\"" + name + "\",\"stock\":12}", 200);
        assertThat(updated.get("name").asText()).isEqualTo(name);
        assertThat(updated.get("stock").asInt()).isEqualTo(12);
        JsonNode read = c.json("GET", "/api/products/77", null, 200);
        assertThat(read.get("name").asText()).isEqualTo(name);
        assertThat(read.get("stock").asInt()).isEqualTo(12);

        assertThat(c.json("PUT", "/api/products/77", "{\"priceCents\":-5}", 400).get("message").asText()).contains("priceCents");
        assertThat(c.json("PUT", "/api/products/77", "{}", 400).get("message").asText()).contains("nothing to change");
        assertThat(c.json("PUT", "/api/products/999999999", "{\"stock\":1}", 404).get("error").asText()).isEqualTo("not_found");
        assertThat(c.json("GET", "/api/products/77", null, 200).get("name").asText()).isEqualTo(name);
    }

    @Test
    void metricsCoverQueuesCacheRateLimitsRedisAndHttp() throws Exception {
        TestClient c = TestClient.newAdmin(server);
        c.json("GET", "/api/products/5", null, 200);
        c.json("GET", "/api/products/5", null, 200);
        String id = c.json("POST", "/api/queues/reports/jobs", "{\"type\":\"report\"}", 202).get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                c.json("GET", "/api/queues/reports/jobs/" + id, null, 200).get("state").asText().equals("completed"));
        String metrics = c.send("GET", "/metrics", null).body();
        assertThat(metrics)
                .contains("redkit_queue_depth{queue=\"reports\",state=\"completed\"}")
                .contains("redkit_queue_depth{queue=\"emails\",state=\"waiting\"}")
                .containsPattern("redkit_queue_jobs_total\\{[^}]*outcome=\"completed\"[^}]*queue=\"reports\"")
                .contains("redkit_queue_job_duration_seconds_count{queue=\"reports\"")
                .contains("redkit_cache_gets_total{cache=\"queries\",result=\"hit\"}")
                .contains("redkit_cache_gets_total{cache=\"queries\",result=\"miss\"}")
                .contains("redkit_ratelimit_requests_total{outcome=\"allowed\",policy=\"api\"}")
                .contains("lettuce_command_completion_seconds")
                .containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/api/products/\\{id\\}\"");
    }

    @Test
    void aChangeMadeInPsqlIsVisibleWithinASecond() throws Exception {
        TestClient c = new TestClient(server.port());
        c.json("GET", "/api/products/91", null, 200);
        assertThat(cache(c.send("GET", "/api/products/91", null))).isEqualTo("HIT");
        String name = "Changed in psql " + UUID.randomUUID();
        sql("UPDATE products SET name = '" + name + "' WHERE id = 91");
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertThat(c.json("GET", "/api/products/91", null, 200).get("name").asText()).isEqualTo(name));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void withRedisDownProductsAreServedAsBypassSessionsAndQueuesAre503AndEverythingRecovers(RedisServer redis) throws Exception {
        TestClient c = new TestClient(server.port());
        c.login(Seeder.DEMO_EMAIL, Seeder.DEMO_PASSWORD);
        redis.stop();
        try {
            HttpResponse<String> p = c.send("GET", "/api/products/123", null);
            assertThat(p.statusCode()).isEqualTo(200);
            assertThat(cache(p)).isEqualTo("BYPASS");
            assertThat(Json.MAPPER.readTree(p.body()).get("id").asLong()).isEqualTo(123);
            assertThat(cache(c.send("GET", "/api/products?category=toys", null))).isEqualTo("BYPASS");

            JsonNode me = c.json("GET", "/api/me", null, 503);
            assertThat(me.get("error").asText()).isNotEmpty();
            assertThat(me.get("message").asText()).containsIgnoringCase("session");
            // the role needs the session: without Redis an admin's request is 503, an anonymous one 401
            assertThat(c.json("POST", "/api/queues/reports/jobs", "{\"type\":\"report\"}", 503).get("message").asText())
                    .containsIgnoringCase("session");
            TestClient anonymous = new TestClient(server.port());
            anonymous.json("POST", "/api/queues/reports/jobs", "{\"type\":\"report\"}", 401);
            JsonNode ready = anonymous.json("GET", "/health/ready", null, 503);
            assertThat(ready.get("checks").findValuesAsText("status")).contains("DOWN");
        } finally {
            redis.start();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> p = c.send("GET", "/api/products/123", null);
            assertThat(cache(p)).isIn("MISS", "HIT");
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(new TestClient(server.port()).send("GET", "/health/ready", null).statusCode()).isEqualTo(200));
        // the session store lost its data with the restart (no persistence here): log in again
        TestClient again = new TestClient(server.port());
        again.login(Seeder.DEMO_EMAIL, Seeder.DEMO_PASSWORD);
        again.json("GET", "/api/me", null, 200);
        again.json("POST", "/api/queues/reports/jobs", "{\"type\":\"report\"}", 202);
    }
}
