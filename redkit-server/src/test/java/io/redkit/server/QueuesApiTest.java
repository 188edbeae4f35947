package io.redkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.redkit.core.RedkitConfig;
import io.redkit.queue.Job;
import io.redkit.testkit.PostgresServer;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithPostgres;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Type;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The queue endpoints and the built-in job types over real HTTP, with a worker, Redis and PostgreSQL. */
@WithRedis
@WithPostgres
class QueuesApiTest {
    private static RedkitServer server;
    private static String jdbcUrl;
    private static String dbUrl;

    @BeforeAll
    static void start(RedisServer redis, PostgresServer pg) throws Exception {
        RedkitConfig config = RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofSeconds(2)).commandTimeout(Duration.ofSeconds(2)).build();
        String db = pg.createDatabase();
        dbUrl = pg.url(db);
        jdbcUrl = pg.jdbcUrl(db);
        server = RedkitServer.start(config, dbUrl, TestClient.testSettings().withWorkerConcurrency(4), false);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** An admin of its own: every queue operation here is an admin's. */
    private static TestClient client() throws Exception {
        return TestClient.newAdmin(server);
    }

    private static JsonNode awaitState(TestClient c, String queue, String id, String state) {
        JsonNode[] last = {null};
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            last[0] = c.json("GET", "/api/queues/" + queue + "/jobs/" + id, null, 200);
            assertThat(last[0].get("state").asText()).isEqualTo(state);
        });
        return last[0];
    }

    private static int outboxRows(String column, String value) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox WHERE " + column + " = ?")) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void anEmailJobIsAddedRunAndWritesTheOutboxOnceAndItsIdempotencyKeyAnswers200WithTheSameId() throws Exception {
        TestClient c = client();
        String to = "ada-" + UUID.randomUUID() + "@example.com";
        String body = "{\"type\":\"email\",\"payload\":{\"to\":\"" + to + "\",\"subject\":\"hi\",\"body\":\"hello\"},"
                + "\"priority\":5,\"maxAttempts\":3,\"idempotencyKey\":\"welcome-" + to + "\"}";
        JsonNode added = c.json("POST", "/api/queues/emails/jobs", body, 202);
        String id = added.get("id").asText();
        assertThat(added.get("state").asText()).isIn("waiting", "active", "completed");
        JsonNode again = c.json("POST", "/api/queues/emails/jobs", body, 200);
        assertThat(again.get("id").asText()).isEqualTo(id);

        JsonNode job = awaitState(c, "emails", id, "completed");
        assertThat(job.get("type").asText()).isEqualTo("email");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        assertThat(job.get("priority").asInt()).isEqualTo(5);
        assertThat(job.get("maxAttempts").asInt()).isEqualTo(3);
        assertThat(job.get("payload").get("to").asText()).isEqualTo(to);
        assertThat(job.get("result").get("outbox").asText()).isEqualTo("written");
        assertThat(job.get("createdAt").asText()).isNotEmpty();
        assertThat(job.get("history").findValuesAsText("event")).isNotEmpty();
        assertThat(outboxRows("recipient", to)).isEqualTo(1);
    }

    @Test
    void theEmailHandlerWritesOncePerJobEvenWhenTheJobRunsAgain() throws Exception {
        try (Database db = Database.open(dbUrl, 2)) {
            emailTwice(new ServerJobs(db.dataSource()));
        }
    }

    private static void emailTwice(ServerJobs jobs) throws Exception {
        String id = "retried-" + UUID.randomUUID();
        byte[] payload = "{\"to\":\"bob@example.com\",\"subject\":\"s\",\"body\":\"b\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(jobs.handle(new FakeJob(id, "email", 1, payload))).isEqualTo(Map.of("outbox", "written"));
        assertThat(jobs.handle(new FakeJob(id, "email", 2, payload)))
                .isEqualTo(Map.of("outbox", "already written by an earlier attempt"));
        assertThat(outboxRows("job_id", "emails:" + id + ":" + FakeJob.CREATED.toEpochMilli())).isEqualTo(1);
    }

    @Test
    void aReportJobReportsProgressAndStoresTheAggregateAsItsResult() throws Exception {
        TestClient c = client();
        String id = c.json("POST", "/api/queues/reports/jobs", "{\"type\":\"report\"}", 202).get("id").asText();
        JsonNode job = awaitState(c, "reports", id, "completed");
        assertThat(job.get("progress").get("done").asInt()).isEqualTo(Seeder.CATEGORIES.length);
        assertThat(job.get("progress").get("of").asInt()).isEqualTo(Seeder.CATEGORIES.length);
        assertThat(job.get("result").get("categories")).hasSize(Seeder.CATEGORIES.length);
        assertThat(job.get("result").get("categories").get(0).has("averagePriceCents")).isTrue();
    }

    @Test
    void aFailingJobIsRetriedThenDeadAndCanBeRetriedListedAndRemoved() throws Exception {
        TestClient c = client();
        String id = c.json("POST", "/api/queues/default/jobs", "{\"type\":\"fail\",\"maxAttempts\":2}", 202).get("id").asText();
        JsonNode dead = awaitState(c, "default", id, "dead");
        assertThat(dead.get("attempts").asInt()).isEqualTo(2);
        assertThat(dead.get("lastError").asText()).contains("always fails");
        assertThat(dead.get("stackTrace").asText()).contains("ServerJobs");
        assertThat(dead.get("explain").asText()).contains("dead");

        JsonNode list = c.json("GET", "/api/queues/default/jobs?state=dead&size=200", null, 200);
        assertThat(list.get("items").findValuesAsText("id")).contains(id);

        JsonNode retried = c.json("POST", "/api/queues/default/jobs/" + id + "/retry", null, 200);
        assertThat(retried.get("state").asText()).isIn("waiting", "active", "retrying", "dead");
        awaitState(c, "default", id, "dead");
        // retried from scratch: two more attempts
        assertThat(c.json("GET", "/api/queues/default/jobs/" + id, null, 200).get("attempts").asInt()).isEqualTo(2);

        c.json("DELETE", "/api/queues/default/jobs/" + id, null, 204);
        JsonNode gone = c.json("GET", "/api/queues/default/jobs/" + id, null, 404);
        assertThat(gone.get("error").asText()).isEqualTo("not_found");
        assertThat(gone.get("message").asText()).contains(id);
        assertThat(c.json("POST", "/api/queues/default/jobs/" + id + "/retry", null, 404).get("message").asText()).contains(id);
        assertThat(c.json("DELETE", "/api/queues/default/jobs/" + id, null, 404).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void retryingAJobThatIsNotDeadIs409() throws Exception {
        TestClient c = client();
        String id = c.json("POST", "/api/queues/default/jobs", "{\"type\":\"report\",\"delayMs\":600000}", 202).get("id").asText();
        assertThat(c.json("GET", "/api/queues/default/jobs/" + id, null, 200).get("state").asText()).isEqualTo("delayed");
        JsonNode e = c.json("POST", "/api/queues/default/jobs/" + id + "/retry", null, 409);
        assertThat(e.get("error").asText()).isEqualTo("not_retryable");
        c.json("DELETE", "/api/queues/default/jobs/" + id, null, 204);
    }

    @Test
    void pauseHoldsNewJobsUntilResume() throws Exception {
        TestClient c = client();
        JsonNode paused = c.json("POST", "/api/queues/reports/pause", null, 200);
        assertThat(paused.get("paused").asBoolean()).isTrue();
        try {
            String id = c.json("POST", "/api/queues/reports/jobs", "{\"type\":\"report\"}", 202).get("id").asText();
            JsonNode queues = c.json("GET", "/api/queues", null, 200);
            JsonNode reports = null;
            for (JsonNode q : queues.get("queues")) if (q.get("name").asText().equals("reports")) reports = q;
            assertThat(reports).isNotNull();
            assertThat(reports.get("paused").asBoolean()).isTrue();
            assertThat(reports.get("counts").get("waiting").asLong()).isGreaterThanOrEqualTo(1);
            assertThat(reports.has("throughputPerMinute")).isTrue();
            Thread.sleep(500);
            assertThat(c.json("GET", "/api/queues/reports/jobs/" + id, null, 200).get("state").asText()).isEqualTo("waiting");
            assertThat(c.json("GET", "/api/queues/reports/jobs/" + id, null, 200).get("explain").asText()).contains("paused");
            assertThat(c.json("POST", "/api/queues/reports/resume", null, 200).get("paused").asBoolean()).isFalse();
            awaitState(c, "reports", id, "completed");
        } finally {
            c.send("POST", "/api/queues/reports/resume", null);
        }
    }

    @Test
    void badInputIsAJsonErrorThatSaysWhatIsAllowed() throws Exception {
        TestClient c = client();
        assertThat(c.json("POST", "/api/queues/nope/jobs", "{\"type\":\"email\"}", 404).get("message").asText())
                .contains("emails", "reports", "default");
        assertThat(c.json("POST", "/api/queues/emails/jobs", "{\"type\":\"sms\"}", 400).get("message").asText())
                .contains("unknown job type 'sms'", "email", "report", "fail");
        assertThat(c.json("POST", "/api/queues/emails/jobs", "{}", 400).get("message").asText()).contains("type is required");
        assertThat(c.json("POST", "/api/queues/emails/jobs", "{\"type\":\"email\",\"priority\":\"high\"}", 400)
                .get("message").asText()).contains("priority must be an integer");
        assertThat(c.json("POST", "/api/queues/emails/jobs", "{\"type\":\"email\",\"priority\":5000}", 400)
                .get("message").asText()).contains("priority");
        assertThat(c.json("POST", "/api/queues/emails/jobs", "{\"type\":\"email\",\"delayMs\":-1}", 400)
                .get("message").asText()).contains("delay");
        assertThat(c.json("POST", "/api/queues/emails/jobs", "{\"type\":", 400).get("error").asText()).isNotEmpty();
        assertThat(c.json("GET", "/api/queues/emails/jobs?state=bogus", null, 400).get("message").asText()).contains("waiting");
        assertThat(c.json("GET", "/api/queues/emails/jobs/123456789", null, 404).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void aPasswordResetForAnExistingAccountEnqueuesAnEmailAndForAnUnknownOneNothingVisible() throws Exception {
        TestClient c = client();
        String email = "reset-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        c.json("POST", "/api/auth/register", "{\"email\":\"" + email + "\",\"password\":\"a long enough password\"}", 201);
        HttpResponse<String> r = c.send("POST", "/api/auth/password-reset", "{\"email\":\"" + email + "\"}");
        assertThat(r.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(outboxRows("recipient", email))
                .isEqualTo(1));

        String unknown = "nobody-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        HttpResponse<String> r2 = c.send("POST", "/api/auth/password-reset", "{\"email\":\"" + unknown + "\"}");
        assertThat(r2.statusCode()).isEqualTo(202);
        assertThat(r2.body()).isEqualTo(r.body());
        Thread.sleep(500);
        assertThat(outboxRows("recipient", unknown)).isZero();
    }

    /** A job as a worker would hand it to the handler, for running the handler twice with one id. */
    private record FakeJob(String id, String type, int attempt, byte[] payloadBytes) implements Job {
        static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

        @Override public String queue() { return "emails"; }
        @Override public int maxAttempts() { return 3; }
        @Override public int priority() { return 0; }
        @Override public Instant createdAt() { return CREATED; }
        @Override public Map<String, String> metadata() { return Map.of(); }
        @Override public <T> T payload(Class<T> t) { throw new UnsupportedOperationException(); }
        @Override public <T> T payload(Type t) { throw new UnsupportedOperationException(); }
        @Override public Duration timeout() { return Duration.ofMinutes(1); }
        @Override public boolean progress(Object progress) { return true; }
        @Override public boolean extendLease(Duration leaseTime) { return true; }
        @Override public boolean isLeaseLost() { return false; }
    }
}
