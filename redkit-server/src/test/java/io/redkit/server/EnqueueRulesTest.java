package io.redkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.redkit.core.RedkitConfig;
import io.redkit.queue.JobQueue;
import io.redkit.queue.JobState;
import io.redkit.testkit.PostgresServer;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithPostgres;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What each caller may enqueue, over real HTTP, Redis and PostgreSQL: anonymous clients nothing,
 * ordinary users a report for themselves within their quota (also under concurrent adds), admins
 * anything.
 */
@WithRedis
@WithPostgres
class EnqueueRulesTest {
    private static final ServerSettings.UserQuota QUOTA = new ServerSettings.UserQuota(2, 100, Duration.ofMinutes(1));
    private static RedkitServer server;
    private static JobQueue reports;
    private static JobQueue emails;

    @BeforeAll
    static void start(RedisServer redis, PostgresServer pg) throws Exception {
        RedkitConfig config = RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofSeconds(2)).commandTimeout(Duration.ofSeconds(2)).build();
        // no worker: a user's jobs stay in flight until the test finishes them
        server = RedkitServer.start(config, pg.url(pg.createDatabase()),
                TestClient.testSettings().withWorkerConcurrency(0).withUserQuota(QUOTA), false);
        reports = JobQueue.create(server.redkit(), "reports");
        emails = JobQueue.create(server.redkit(), "emails");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static final String REPORT = "{\"type\":\"report\"}";
    private static final String EMAIL = "{\"type\":\"email\",\"payload\":{\"to\":\"anyone@example.com\",\"subject\":\"free\",\"body\":\"relay\"}}";

    @Test
    void anAnonymousClientEnqueuesNothing() throws Exception {
        TestClient anonymous = new TestClient(server.port());
        long before = reports.stats().added() + emails.stats().added();
        for (String queue : ServerQueues.NAMES) {
            for (String body : List.of(REPORT, EMAIL, "{\"type\":\"fail\"}")) {
                assertThat(anonymous.json("POST", "/api/queues/" + queue + "/jobs", body, 401).get("error").asText())
                        .isEqualTo("unauthenticated");
            }
        }
        assertThat(reports.stats().added() + emails.stats().added()).isEqualTo(before);
    }

    @Test
    void anOrdinaryUserStartsAReportForThemselvesAndNothingElse() throws Exception {
        TestClient user = TestClient.newUser(server);
        long userId = user.json("GET", "/api/me", null, 200).at("/user/id").asLong();
        String id = user.json("POST", "/api/queues/reports/jobs", REPORT, 202).get("id").asText();
        assertThat(reports.get(id).orElseThrow().metadata()).containsEntry("user", String.valueOf(userId));

        long emailsBefore = emails.stats().added();
        for (String[] refused : new String[][]{
                {"emails", EMAIL}, {"reports", EMAIL}, {"reports", "{\"type\":\"fail\"}"}, {"default", REPORT},
                {"reports", "{\"type\":\"report\",\"priority\":1000}"}, {"reports", "{\"type\":\"report\",\"maxAttempts\":1000000}"},
                {"reports", "{\"type\":\"report\",\"delayMs\":" + (QUOTA.maxDelay().toMillis() + 1) + "}"}}) {
            JsonNode e = user.json("POST", "/api/queues/" + refused[0] + "/jobs", refused[1], 403);
            assertThat(e.get("error").asText()).as(refused[0] + " " + refused[1]).isEqualTo("forbidden");
        }
        assertThat(emails.stats().added()).isEqualTo(emailsBefore);
        assertThat(user.json("POST", "/api/queues/emails/jobs", EMAIL, 403).get("message").asText()).contains("e-mails come from the server");
        reports.remove(id);
        // at the maximum delay it is fine
        String delayed = user.json("POST", "/api/queues/reports/jobs",
                "{\"type\":\"report\",\"delayMs\":" + QUOTA.maxDelay().toMillis() + "}", 202).get("id").asText();
        assertThat(reports.get(delayed).orElseThrow().state()).isEqualTo(JobState.DELAYED);
        reports.remove(delayed);
    }

    @Test
    void aUsersJobsInFlightAreBoundedAndAFinishedJobFreesItsPlace() throws Exception {
        TestClient user = TestClient.newUser(server);
        String first = user.json("POST", "/api/queues/reports/jobs", REPORT, 202).get("id").asText();
        String second = user.json("POST", "/api/queues/reports/jobs", REPORT, 202).get("id").asText();
        JsonNode over = user.json("POST", "/api/queues/reports/jobs", REPORT, 429);
        assertThat(over.get("error").asText()).isEqualTo("quota_exceeded");
        assertThat(over.get("message").asText()).contains("REDKIT_USER_JOBS_IN_FLIGHT=2");
        // another user has a quota of their own
        TestClient other = TestClient.newUser(server);
        String others = other.json("POST", "/api/queues/reports/jobs", REPORT, 202).get("id").asText();

        reports.remove(first); // gone (as completed or dead would be): its place is free again
        String third = user.json("POST", "/api/queues/reports/jobs", REPORT, 202).get("id").asText();
        user.json("POST", "/api/queues/reports/jobs", REPORT, 429);
        for (String id : List.of(second, third, others)) reports.remove(id);
    }

    @Test
    void aUsersPayloadBytesInFlightAreBounded() throws Exception {
        TestClient user = TestClient.newUser(server);
        String big = "{\"type\":\"report\",\"payload\":{\"note\":\"" + "x".repeat(QUOTA.payloadBytes()) + "\"}}";
        assertThat(user.json("POST", "/api/queues/reports/jobs", big, 413).get("message").asText())
                .contains("REDKIT_USER_JOB_PAYLOAD_BYTES");
        String sixty = "{\"type\":\"report\",\"payload\":{\"note\":\"" + "x".repeat(50) + "\"}}"; // 61 bytes of JSON
        String id = user.json("POST", "/api/queues/reports/jobs", sixty, 202).get("id").asText();
        assertThat(user.json("POST", "/api/queues/reports/jobs", sixty, 429).get("message").asText())
                .contains("payload bytes", "REDKIT_USER_JOB_PAYLOAD_BYTES");
        reports.remove(id);
    }

    @Test
    void concurrentAddsOfOneUserNeverOvershootTheQuota() throws Exception {
        TestClient user = TestClient.newUser(server);
        int n = 12;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                calls.add(pool.submit(() -> {
                    go.await();
                    return user.send("POST", "/api/queues/reports/jobs", REPORT);
                }));
            }
            go.countDown();
            List<String> created = new ArrayList<>();
            int refused = 0;
            for (Future<HttpResponse<String>> f : calls) {
                HttpResponse<String> r = f.get();
                if (r.statusCode() == 202) created.add(io.redkit.server.http.Json.MAPPER.readTree(r.body()).get("id").asText());
                else if (r.statusCode() == 429 && r.body().contains("quota_exceeded")) refused++;
                else throw new AssertionError(r.statusCode() + ": " + r.body());
            }
            assertThat(created).hasSize(QUOTA.jobsInFlight());
            assertThat(refused).isEqualTo(n - QUOTA.jobsInFlight());
            for (String id : created) reports.remove(id);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aUsersIdempotencyKeyIsTheirsAlone() throws Exception {
        TestClient a = TestClient.newUser(server);
        TestClient b = TestClient.newUser(server);
        String body = "{\"type\":\"report\",\"idempotencyKey\":\"monthly\"}";
        String ofA = a.json("POST", "/api/queues/reports/jobs", body, 202).get("id").asText();
        assertThat(a.json("POST", "/api/queues/reports/jobs", body, 200).get("id").asText()).isEqualTo(ofA);
        String ofB = b.json("POST", "/api/queues/reports/jobs", body, 202).get("id").asText();
        assertThat(ofB).isNotEqualTo(ofA);
        reports.remove(ofA);
        reports.remove(ofB);
    }

    @Test
    void anAdminEnqueuesAnyTypeAnywhereWithoutAQuota() throws Exception {
        TestClient admin = TestClient.newAdmin(server);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < QUOTA.jobsInFlight() + 2; i++) {
            ids.add(admin.json("POST", "/api/queues/reports/jobs", REPORT, 202).get("id").asText());
        }
        String email = admin.json("POST", "/api/queues/emails/jobs",
                "{\"type\":\"email\",\"payload\":{\"to\":\"ops@example.com\"},\"priority\":10,\"maxAttempts\":5,\"delayMs\":864000000}", 202)
                .get("id").asText();
        assertThat(emails.get(email).orElseThrow().state()).isEqualTo(JobState.DELAYED);
        admin.json("POST", "/api/queues/default/jobs", "{\"type\":\"fail\",\"delayMs\":864000000}", 202);
        for (String id : ids) reports.remove(id);
        emails.remove(email);
    }
}
