package io.redkit.server;

import io.redkit.core.RedkitConfigException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerSettingsTest {
    @Test
    void defaults() {
        ServerSettings s = ServerSettings.fromEnv(Map.of());
        assertThat(s.port).isEqualTo(8080);
        assertThat(s.host).isEqualTo("0.0.0.0");
        assertThat(s.databaseUrl).isNull();
        assertThat(s.seed).isNull();
        assertThat(s.secureCookies).isTrue();
        assertThat(s.workerConcurrency).isEqualTo(8);
        assertThat(s.queryCache).isTrue();
        assertThat(s.adminEmails).isEmpty();
        assertThat(s.userQuota).isEqualTo(new ServerSettings.UserQuota(5, 16 * 1024, java.time.Duration.ofHours(1)));
    }

    @Test
    void theUserQuotaIsRead() {
        assertThat(ServerSettings.fromEnv(Map.of("REDKIT_USER_JOBS_IN_FLIGHT", "0", "REDKIT_USER_JOB_PAYLOAD_BYTES", "1024",
                "REDKIT_USER_JOB_MAX_DELAY", "15m")).userQuota).isEqualTo(new ServerSettings.UserQuota(0, 1024, java.time.Duration.ofMinutes(15)));
    }

    @Test
    void adminEmailsAreLowerCasedTrimmedAndDeduplicated() {
        assertThat(ServerSettings.fromEnv(Map.of("REDKIT_ADMIN_EMAILS", " Ops@Example.com, lead@example.com,,ops@example.com ")).adminEmails)
                .containsExactly("ops@example.com", "lead@example.com");
    }

    @Test
    void valuesAreRead() {
        ServerSettings s = ServerSettings.fromEnv(Map.of("PORT", "0", "HOST", "127.0.0.1", "REDKIT_SEED", "yes",
                "REDKIT_COOKIE_SECURE", "false", "REDKIT_WORKER_CONCURRENCY", "0", "REDKIT_QUERY_CACHE", "0",
                "DATABASE_URL", "postgresql://u:p@db:5432/app"));
        assertThat(s.port).isZero();
        assertThat(s.host).isEqualTo("127.0.0.1");
        assertThat(s.seed).isTrue();
        assertThat(s.secureCookies).isFalse();
        assertThat(s.workerConcurrency).isZero();
        assertThat(s.queryCache).isFalse();
        assertThat(s.databaseUrl).isEqualTo("postgresql://u:p@db:5432/app");
    }

    @Test
    void badValuesNameTheVariableAndSayWhatIsAllowed() {
        rejects("PORT", "70000", "TCP port from 1 to 65535");
        rejects("PORT", "http", "TCP port");
        rejects("REDKIT_WORKER_CONCURRENCY", "-1", "from 0");
        rejects("REDKIT_WORKER_CONCURRENCY", "1001", "to 1000");
        rejects("REDKIT_QUERY_CACHE", "maybe", "true or false");
        rejects("REDKIT_SEED", "2", "true or false");
        rejects("REDKIT_COOKIE_SECURE", "on?", "true or false");
        rejects("REDKIT_TRUSTED_PROXIES", "not-an-ip", "IP addresses or CIDR");
        rejects("REDKIT_USER_JOBS_IN_FLIGHT", "-1", "from 0");
        rejects("REDKIT_USER_JOB_PAYLOAD_BYTES", "2000000", "to 1048576");
        rejects("REDKIT_USER_JOB_MAX_DELAY", "3650d", "to 365d");
        rejects("REDKIT_USER_JOB_MAX_DELAY", "60", "a duration with a unit");
        rejects("REDKIT_ADMIN_EMAILS", "ops@example.com; lead@example.com", "comma-separated e-mail addresses");
    }

    private static void rejects(String variable, String value, String allowed) {
        assertThatThrownBy(() -> ServerSettings.fromEnv(Map.of(variable, value)))
                .isInstanceOf(RedkitConfigException.class)
                .hasMessageContaining(variable).hasMessageContaining(value).hasMessageContaining(allowed);
    }
}
