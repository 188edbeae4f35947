package io.redkit.server;

import io.redkit.core.RedkitConfig;
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
        server = RedkitServer.start(config, pg.url(pg.createDatabase()), "127.0.0.1", 0, false);
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
}
