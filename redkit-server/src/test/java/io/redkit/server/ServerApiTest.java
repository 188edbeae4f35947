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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@WithRedis
@WithPostgres
class ServerApiTest {
    private static RedkitServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void start(RedisServer redis, PostgresServer pg) throws Exception {
        String db = pg.createDatabase();
        RedkitConfig config = RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofMillis(500)).commandTimeout(Duration.ofMillis(500)).build();
        server = RedkitServer.start(config, pg.url(db), "127.0.0.1", 0, true);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void liveAndReady() throws Exception {
        HttpResponse<String> live = send("GET", "/health/live", null);
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(json(live).get("status").asText()).isEqualTo("UP");

        HttpResponse<String> ready = send("GET", "/health/ready", null);
        assertThat(ready.statusCode()).isEqualTo(200);
        JsonNode body = json(ready);
        assertThat(body.get("status").asText()).isEqualTo("UP");
        assertThat(body.get("checks")).hasSize(4);
        assertThat(body.get("checks").findValuesAsText("name"))
                .containsExactly("redis:cache", "redis:queue", "redis:session", "database");
        assertThat(body.get("checks").findValuesAsText("status")).containsOnly("UP");
        assertThat(ready.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void readyIs503NamingTheNamespaceWhenRedisIsDownAndRecovers(RedisServer redis) throws Exception {
        redis.stop();
        long t0 = System.nanoTime();
        HttpResponse<String> ready = send("GET", "/health/ready", null);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(ready.statusCode()).isEqualTo(503);
        JsonNode body = json(ready);
        assertThat(body.get("status").asText()).isEqualTo("DOWN");
        for (JsonNode check : body.get("checks")) {
            String expected = check.get("name").asText().equals("database") ? "UP" : "DOWN";
            assertThat(check.get("status").asText()).as(check.toString()).isEqualTo(expected);
        }
        redis.start();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(send("GET", "/health/ready", null).statusCode()).isEqualTo(200));
    }

    @Test
    void productsArePagedByCategory() throws Exception {
        HttpResponse<String> r = send("GET", "/api/products?category=books&page=2&size=5", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("items")).hasSize(5);
        assertThat(body.get("items").findValuesAsText("category")).containsOnly("books");
        JsonNode first = json(send("GET", "/api/products?category=books&page=1&size=10", null));
        assertThat(first.get("items").get(5).get("id")).isEqualTo(body.get("items").get(0).get("id"));

        long id = body.get("items").get(0).get("id").asLong();
        HttpResponse<String> one = send("GET", "/api/products/" + id, null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(json(one).get("id").asLong()).isEqualTo(id);
        assertThat(json(one).get("priceCents").asInt()).isPositive();
    }

    @Test
    void badInputAndUnknownRoutesAreJsonErrors() throws Exception {
        HttpResponse<String> missing = send("GET", "/api/products/999999999", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).get("error").asText()).isEqualTo("not_found");

        HttpResponse<String> notAnId = send("GET", "/api/products/abc", null);
        assertThat(notAnId.statusCode()).isEqualTo(404);

        HttpResponse<String> badPage = send("GET", "/api/products?size=1000", null);
        assertThat(badPage.statusCode()).isEqualTo(400);
        assertThat(json(badPage).get("message").asText()).contains("size").contains("1 to 100");

        HttpResponse<String> unknown = send("GET", "/no/such/thing", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("error").asText()).isEqualTo("not_found");

        HttpResponse<String> wrongMethod = send("DELETE", "/health/live", null);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).contains("GET");
        assertThat(wrongMethod.body()).doesNotContain("Exception").doesNotContain("at io.");
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        send("GET", "/health/ready", null);
        HttpResponse<String> r = send("GET", "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(r.body()).contains("jvm_memory_used_bytes").contains("lettuce_command_completion_seconds");
    }

    @Test
    void dashboardAndItsAssetsAreServedWithoutACdn() throws Exception {
        HttpResponse<String> page = send("GET", "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("/static/app.js").doesNotContain("https://").doesNotContain("http://");
        assertThat(send("GET", "/static/app.js", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/static/app.css", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/static/nope.js", null).statusCode()).isEqualTo(404);
        HttpResponse<String> traversal = send("GET", "/static/..%2Fdb%2Fmigration%2FV1__schema.sql", null);
        assertThat(traversal.statusCode()).isIn(400, 404);
        assertThat(traversal.body()).doesNotContain("CREATE TABLE").startsWith("{\"error\"");
    }

    @Test
    void doctorReportAsJsonForAnAdmin() throws Exception {
        assertThat(send("GET", "/api/doctor", null).statusCode()).isEqualTo(401);
        TestClient admin = new TestClient(server.port());
        admin.login(Seeder.DEMO_EMAIL, Seeder.DEMO_PASSWORD); // seeded as the embedded database is: an admin
        HttpResponse<String> r = admin.send("GET", "/api/doctor", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("health")).hasSize(3);
        assertThat(body.get("warnings").findValuesAsText("code")).contains("CACHE_NOEVICTION");
    }
}
