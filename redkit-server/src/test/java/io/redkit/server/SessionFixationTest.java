package io.redkit.server;

import io.redkit.core.RedkitConfig;
import io.redkit.testkit.PostgresServer;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithPostgres;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's login and logout end the cookie they replace at once (issue 13 item 9), with the
 * server's default session options (a 5 s rotation grace, which only a routine rotation may use).
 */
@WithRedis
@WithPostgres
class SessionFixationTest {
    private static RedkitServer server;

    @BeforeAll
    static void start(RedisServer redis, PostgresServer pg) throws Exception {
        RedkitConfig config = RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofSeconds(5)).commandTimeout(Duration.ofSeconds(5)).build();
        server = RedkitServer.start(config, pg.url(pg.createDatabase()), TestClient.testSettings(), false);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static String register() throws Exception {
        String email = "u" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        new TestClient(server.port()).json("POST", "/api/auth/register",
                "{\"email\":\"" + email + "\",\"password\":\"correct horse battery\"}", 201);
        return email;
    }

    /** Another browser that presents {@code cookie} (e.g. an attacker who knows it). */
    private static int meWith(String cookie) throws Exception {
        TestClient other = new TestClient(server.port());
        other.cookie = cookie;
        return other.send("GET", "/api/me", null).statusCode();
    }

    @Test
    void theCookieFromBeforeALoginNeverOpensTheLoggedInSession() throws Exception {
        String alice = register();
        String bob = register();
        TestClient browser = new TestClient(server.port());
        browser.login(alice, "correct horse battery");
        String asAlice = browser.cookie;
        assertThat(meWith(asAlice)).isEqualTo(200);

        browser.login(bob, "correct horse battery"); // a login from a logged-in session: another user
        String asBob = browser.cookie;
        assertThat(asBob).isNotEqualTo(asAlice);
        assertThat(meWith(asAlice)).as("the cookie from before the login, right after it").isEqualTo(401);
        assertThat(browser.json("GET", "/api/me", null, 200).at("/user/email").asText()).isEqualTo(bob);

        browser.login(bob, "correct horse battery"); // the same user again
        assertThat(meWith(asBob)).isEqualTo(401);
        assertThat(meWith(browser.cookie)).isEqualTo(200);

        String last = browser.cookie;
        assertThat(browser.send("POST", "/api/auth/logout", null).statusCode()).isEqualTo(204);
        assertThat(meWith(last)).as("logged out").isEqualTo(401);
    }
}
