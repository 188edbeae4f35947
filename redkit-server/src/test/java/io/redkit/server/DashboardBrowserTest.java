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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in real headless Chromium against a real server, Redis and PostgreSQL: it asks for
 * an admin login and shows nothing before it; logged in as the admin the server printed, it drives
 * the queues.
 */
@WithRedis
@WithPostgres
class DashboardBrowserTest {
    private static final String ADMIN = "admin@example.com";
    private static RedkitServer server;
    private static WebDriverClient browser;
    private static String adminPassword;
    private static final Path OUT = Paths.get("target", "browser");

    @BeforeAll
    static void start(RedisServer redis, PostgresServer pg) throws Exception {
        Files.createDirectories(OUT);
        RedkitConfig config = RedkitConfig.builder().redisUrl(redis.url()).build();
        // no worker in the server: the test decides when a job fails, and a retried job stays waiting
        // the admin is created at start with a random password, as serve prints it for REDKIT_ADMIN_EMAILS
        server = RedkitServer.start(config, pg.url(pg.createDatabase()),
                ServerSettings.fromEnv(java.util.Map.of()).withListen("127.0.0.1", 0).withWorkerConcurrency(0)
                        .withAdminEmails(java.util.List.of(ADMIN)), false);
        adminPassword = server.createdLogins().stream().filter(l -> l.email().equals(ADMIN)).findFirst().orElseThrow().password();
        browser = WebDriverClient.start(OUT);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (server != null) server.close();
    }

    private String url() {
        return "http://127.0.0.1:" + server.port() + "/";
    }

    /** Console errors, less the 401s the page expects: its first look at /api/me and a refused login. */
    private static List<String> unexpectedConsoleErrors() throws Exception {
        return browser.severeConsoleEntries().stream()
                .filter(e -> !(e.contains("401") && (e.contains("/api/me") || e.contains("/api/auth/login"))))
                .toList();
    }

    private static boolean visible(String css) throws Exception {
        return browser.script("const e = document.querySelector(\"" + css + "\"); return !!e && e.offsetParent !== null").asBoolean();
    }

    private void logIn(String email, String password) throws Exception {
        String e = browser.find("#login-email");
        browser.clear(e);
        browser.type(e, email);
        String p = browser.find("#login-password");
        browser.clear(p);
        browser.type(p, password);
        browser.click(browser.find("#login-submit"));
    }

    /** A fresh page, logged in as the admin (whatever session the browser had). */
    private void openAsAdmin() throws Exception {
        browser.navigate(url());
        ui().until(() -> visible("#login-section") || visible("#dashboard"));
        if (visible("#login-section")) logIn(ADMIN, adminPassword);
        ui().until(() -> visible("#dashboard"));
    }

    @Test
    void beforeAnAdminLogsInThePageShowsOnlyALoginFormThenTheDashboard() throws Exception {
        browser.navigate(url());
        browser.deleteCookies(); // as a new visitor, whatever the other test left
        browser.navigate(url());
        ui().until(() -> visible("#login-section"));
        assertThat(visible("#dashboard")).isFalse();
        assertThat(visible("#overall")).isFalse();
        // nothing was fetched: no table has a row
        assertThat(browser.script("return document.querySelectorAll('main tbody tr, #health .card').length").asInt()).isZero();
        browser.screenshot(OUT.resolve("login.png"));

        logIn(ADMIN, "not the password");
        ui().untilAsserted(() -> assertThat(browser.text(browser.find("#login-error"))).contains("email or password is wrong"));
        assertThat(visible("#dashboard")).isFalse();

        TestClient user = TestClient.newUser(server);
        logIn(user.email, TestClient.PASSWORD);
        ui().untilAsserted(() -> assertThat(browser.text(browser.find("#login-error"))).contains("not an admin"));
        assertThat(visible("#dashboard")).isFalse();

        logIn(ADMIN, adminPassword);
        ui().untilAsserted(() -> assertThat(browser.text(browser.find("#overall"))).isEqualTo("ready"));
        ui().untilAsserted(() ->
                assertThat(browser.script("return document.querySelectorAll('#health .card').length").asInt()).isEqualTo(4));
        assertThat(browser.text(browser.find("#who"))).isEqualTo(ADMIN);
        browser.screenshot(OUT.resolve("dashboard.png"));

        browser.click(browser.find("#logout"));
        ui().until(() -> visible("#login-section"));
        assertThat(visible("#dashboard")).isFalse();
        assertThat(unexpectedConsoleErrors()).isEmpty();
    }

    private static org.awaitility.core.ConditionFactory ui() {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions();
    }

    @Test
    void theAdminSeesAJobAddedThroughTheApiAndTheRetryButtonMovesADeadJobBackToWaiting() throws Exception {
        TestClient api = new TestClient(server.port());
        api.login(ADMIN, adminPassword);
        String id = api.json("POST", "/api/queues/default/jobs", "{\"type\":\"fail\",\"maxAttempts\":1}", 202).get("id").asText();
        openAsAdmin();
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
        assertThat(unexpectedConsoleErrors()).isEmpty();
    }
}
