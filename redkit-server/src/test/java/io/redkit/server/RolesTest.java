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
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Roles over real HTTP, PostgreSQL and Redis: who is an admin (the flag, {@code REDKIT_ADMIN_EMAILS},
 * the seeded demo admin) and that seeding a real database never creates a known password.
 */
@WithRedis
@WithPostgres
class RolesTest {
    private static final String LISTED_NEW = "ops-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    private static final String LISTED_EXISTING = "lead-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    private static final String EXISTING_PASSWORD = "the lead's own password";

    private static RedkitServer server;
    private static RedkitConfig config;
    private static String dbUrl;

    @BeforeAll
    static void start(RedisServer redis, PostgresServer pg) throws Exception {
        config = RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofSeconds(2)).commandTimeout(Duration.ofSeconds(2)).build();
        dbUrl = pg.url(pg.createDatabase());
        try (Database db = Database.open(dbUrl, 1)) {
            db.migrate();
            new Users(db.dataSource()).create(LISTED_EXISTING, Passwords.hash(EXISTING_PASSWORD)).orElseThrow();
        }
        server = RedkitServer.start(config, dbUrl, settings(), Seeder.Mode.RANDOM_PASSWORD);
    }

    private static ServerSettings settings() {
        return TestClient.testSettings().withWorkerConcurrency(0).withAdminEmails(List.of(LISTED_NEW, LISTED_EXISTING));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static TestClient client() {
        return new TestClient(server.port());
    }

    private static String creds(String email, String password) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    }

    private static Optional<String> createdPassword(RedkitServer s, String email) {
        return s.createdLogins().stream().filter(l -> l.email().equals(email)).map(RedkitServer.Login::password).findFirst();
    }

    @Test
    void seedingARealDatabaseGivesTheDemoAdminARandomPasswordShownOnlyWhenCreated() throws Exception {
        String password = createdPassword(server, Seeder.DEMO_EMAIL).orElseThrow();
        assertThat(password).isNotEqualTo(Seeder.DEMO_PASSWORD).hasSizeGreaterThanOrEqualTo(20);
        TestClient c = client();
        assertThat(c.json("POST", "/api/auth/login", creds(Seeder.DEMO_EMAIL, Seeder.DEMO_PASSWORD), 401).get("error").asText())
                .isEqualTo("invalid_credentials");
        c.login(Seeder.DEMO_EMAIL, password);
        assertThat(c.json("GET", "/api/me", null, 200).at("/user/admin").asBoolean()).isTrue();

        // a second start on the same database creates nothing, so it has no password to show
        try (RedkitServer again = RedkitServer.start(config, dbUrl, settings(), Seeder.Mode.RANDOM_PASSWORD)) {
            assertThat(again.createdLogins()).isEmpty();
            new TestClient(again.port()).login(Seeder.DEMO_EMAIL, password);
        }
    }

    @Test
    void aListedAddressWithoutAnAccountGetsOneWithARandomPasswordSoNobodyElseCanRegisterIt() throws Exception {
        String password = createdPassword(server, LISTED_NEW).orElseThrow();
        assertThat(password).hasSizeGreaterThanOrEqualTo(20);
        assertThat(client().json("POST", "/api/auth/register", creds(LISTED_NEW, "an attacker's password"), 409)
                .get("error").asText()).isEqualTo("email_taken");
        TestClient c = client();
        c.login(LISTED_NEW, password);
        assertThat(c.json("GET", "/api/me", null, 200).at("/user/admin").asBoolean()).isTrue();
    }

    @Test
    void aListedExistingAccountIsAnAdminWithItsOwnPasswordAndNoFlag() throws Exception {
        assertThat(createdPassword(server, LISTED_EXISTING)).isEmpty();
        TestClient c = client();
        c.login(LISTED_EXISTING, EXISTING_PASSWORD);
        assertThat(c.json("GET", "/api/me", null, 200).at("/user/admin").asBoolean()).isTrue();
        Users.User u = server.users().byEmail(LISTED_EXISTING).orElseThrow();
        assertThat(u.admin()).isTrue();
        assertThat(u.adminFlag()).isFalse();
    }

    @Test
    void aRegisteredUserIsOrdinaryAndAGrantOrRevokeHoldsFromTheNextRequestWithoutANewLogin() throws Exception {
        String email = "u" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        TestClient c = client();
        assertThat(c.json("POST", "/api/auth/register", creds(email, "correct horse battery"), 201).get("admin").asBoolean()).isFalse();
        c.login(email, "correct horse battery");
        assertThat(c.json("GET", "/api/me", null, 200).at("/user/admin").asBoolean()).isFalse();
        assertThat(server.users().setAdmin(email, true)).isTrue();
        assertThat(c.json("GET", "/api/me", null, 200).at("/user/admin").asBoolean()).isTrue();
        assertThat(server.users().setAdmin(email, false)).isTrue();
        assertThat(c.json("GET", "/api/me", null, 200).at("/user/admin").asBoolean()).isFalse();
        assertThat(server.users().setAdmin("nobody-" + email, true)).isFalse();
    }

    @Test
    void theEmbeddedDatabasesDemoUserIsAnAdminWithTheWellKnownPassword(PostgresServer pg) throws Exception {
        try (Database db = Database.open(pg.url(pg.createDatabase()), 2)) {
            db.migrate();
            Seeder.Seeded seeded = Seeder.seed(db.dataSource(), Seeder.Mode.EMBEDDED);
            assertThat(seeded.createdAdminPassword()).contains(Seeder.DEMO_PASSWORD);
            Users.User demo = new Users(db.dataSource()).byEmail(Seeder.DEMO_EMAIL).orElseThrow();
            assertThat(demo.adminFlag()).isTrue();
            assertThat(Passwords.verify(Seeder.DEMO_PASSWORD, demo.passwordHash())).isTrue();
            // seeding again changes nothing and shows nothing
            assertThat(Seeder.seed(db.dataSource(), Seeder.Mode.EMBEDDED)).isEqualTo(new Seeder.Seeded(0, Optional.empty()));
        }
    }
}
