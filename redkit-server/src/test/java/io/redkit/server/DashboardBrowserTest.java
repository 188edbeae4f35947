package io.redkit.server;

import io.redkit.core.RedkitConfig;
import io.redkit.queue.JobQueue;
import io.redkit.queue.JobState;
import io.redkit.queue.Worker;
import io.redkit.queue.WorkerOptions;
import io.redkit.testkit.PostgresServer;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithPostgres;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The dashboard in real headless Chromium against a real server, Redis and PostgreSQL. */
@WithRedis
@WithPostgres
class DashboardBrowserTest {
    private static RedkitServer server;
    private static WebDriverClient browser;
    private static final Path OUT = Paths.get("target", "browser");

    @BeforeAll
    static void start(RedisServer redis, PostgresServer pg) throws Exception {
        Files.createDirectories(OUT);
        RedkitConfig config = RedkitConfig.builder().redisUrl(redis.url()).build();
        // no worker in the server: the test decides when a job fails, and a retried job stays waiting
        server = RedkitServer.start(config, pg.url(pg.createDatabase()),
                ServerSettings.fromEnv(java.util.Map.of()).withListen("127.0.0.1", 0).withWorkerConcurrency(0), false);
        browser = WebDriverClient.start(OUT);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    @Test
    void pageLoadsShowsHealthAndLogsNoConsoleErrors() throws Exception {
        browser.navigate("http://127.0.0.1:" + server.port() + "/");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(browser.text(browser.find("#overall"))).isEqualTo("ready"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(browser.script("return document.querySelectorAll('#health .card').length").asInt()).isEqualTo(4));
        browser.screenshot(OUT.resolve("dashboard.png"));
        assertThat(browser.severeConsoleEntries()).isEmpty();
    }

    private static org.awaitility.core.ConditionFactory ui() {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions();
    }

    @Test
    void aJobAddedThroughTheApiAppearsAndTheRetryButtonMovesADeadJobBackToWaiting() throws Exception {
        TestClient api = new TestClient(server.port());
        String id = api.json("POST", "/api/queues/default/jobs", "{\"type\":\"fail\",\"maxAttempts\":1}", 202).get("id").asText();
        browser.navigate("http://127.0.0.1:" + server.port() + "/");
        // the queue table shows the waiting job
        ui().untilAsserted(() -> assertThat(browser.text(
                browser.find("#queues tr[data-queue='default'] td[data-state='waiting']"))).isEqualTo("1"));

        // a worker of the test's own makes it fail once: dead
        JobQueue q = JobQueue.create(server.redkit(), "default");
        Worker w = q.worker(job -> { throw new IllegalStateException("failed on purpose"); },
                WorkerOptions.builder().concurrency(1).build());
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> q.get(id).orElseThrow().state() == JobState.DEAD);
        } finally {
            w.close();
        }
        // the tables are redrawn every 2 s: an element may go stale between find and click, so retry
        ui().untilAsserted(() -> browser.click(browser.find("#queues tr[data-queue='default'] button")));
        String row = "#jobs tr[data-job='" + id + "']";
        ui().untilAsserted(() -> assertThat(browser.text(browser.find(row))).contains("failed on purpose"));
        ui().untilAsserted(() -> browser.click(browser.find(row + " a")));
        ui().untilAsserted(() ->
                assertThat(browser.text(browser.find("#job-detail"))).contains("\"history\"", "failed on purpose"));
        browser.screenshot(OUT.resolve("dead-job.png"));

        ui().untilAsserted(() -> browser.click(browser.find(row + " button.retry")));
        await().atMost(Duration.ofSeconds(10)).until(() -> q.get(id).orElseThrow().state() == JobState.WAITING);
        ui().untilAsserted(() -> assertThat(browser.text(
                browser.find("#queues tr[data-queue='default'] td[data-state='dead']"))).isEqualTo("0"));
        browser.screenshot(OUT.resolve("retried.png"));
        assertThat(browser.severeConsoleEntries()).isEmpty();
    }
}
