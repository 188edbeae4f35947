package io.redkit.ratelimit;

import io.redkit.core.RedkitConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RatePoliciesTest {
    @Test
    void defaultsAreTheDocumentedRateTypes() {
        RatePolicies p = RatePolicies.defaults();
        assertThat(p.asMap().keySet()).containsExactly("api", "login", "login-ip", "register", "password-reset", "password-reset-ip");
        assertThat(p.get("api").rate()).isEqualTo("100/1m;algorithm=sliding-window;on-redis-down=open");
        assertThat(p.get("login").rate()).isEqualTo("5/15m;algorithm=sliding-window;on-redis-down=local");
        assertThat(p.get("login-ip").rate()).isEqualTo("20/15m;algorithm=sliding-window;on-redis-down=local");
        assertThat(p.get("register").rate()).isEqualTo("3/1h;algorithm=sliding-window;on-redis-down=local");
        assertThat(p.get("password-reset").rate()).isEqualTo("3/1h;algorithm=sliding-window;on-redis-down=local");
        assertThat(p.get("password-reset-ip").rate()).isEqualTo("10/1h;algorithm=sliding-window;on-redis-down=local");
        assertThat(RatePolicies.VARIABLES).containsExactly("REDKIT_RATELIMIT_API", "REDKIT_RATELIMIT_LOGIN",
                "REDKIT_RATELIMIT_LOGIN_IP", "REDKIT_RATELIMIT_REGISTER", "REDKIT_RATELIMIT_PASSWORD_RESET",
                "REDKIT_RATELIMIT_PASSWORD_RESET_IP");
        assertThat(RatePolicies.fromEnv(Map.of()).asMap()).isEqualTo(p.asMap());
    }

    @Test
    void environmentOverridesAndAddsPolicies() {
        RatePolicies p = RatePolicies.fromEnv(Map.of(
                "REDKIT_RATELIMIT_LOGIN", "10/15m",
                "REDKIT_RATELIMIT_API", "1000/1m;algorithm=gcra;burst=50",
                "REDKIT_RATELIMIT_SEARCH_HEAVY", "50/1s;algorithm=sliding-counter;on-redis-down=closed",
                "REDIS_URL", "redis://ignored"));
        assertThat(p.get("login").limit()).isEqualTo(10);
        assertThat(p.get("login").failureMode()).as("kept from the default").isEqualTo(FailureMode.LOCAL);
        assertThat(p.get("api").algorithm()).isEqualTo(Algorithm.GCRA);
        assertThat(p.get("api").burst()).isEqualTo(50);
        RatePolicy search = p.get("search-heavy");
        assertThat(search.limit()).isEqualTo(50);
        assertThat(search.window()).isEqualTo(Duration.ofSeconds(1));
        assertThat(search.algorithm()).isEqualTo(Algorithm.SLIDING_COUNTER);
        assertThat(search.failureMode()).isEqualTo(FailureMode.CLOSED);
        assertThat(RatePolicies.variable("password-reset-ip")).isEqualTo("REDKIT_RATELIMIT_PASSWORD_RESET_IP");
    }

    @Test
    void badEnvironmentValuesNameTheVariableTheValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> RatePolicies.fromEnv(Map.of("REDKIT_RATELIMIT_LOGIN", "0/15m")))
                .isInstanceOfSatisfying(RedkitConfigException.class, e -> {
                    assertThat(e.variable()).isEqualTo("REDKIT_RATELIMIT_LOGIN");
                    assertThat(e.getMessage()).contains("\"0/15m\"").contains("limit of policy login must be positive: 0")
                            .contains("<limit>/<window>");
                });
        assertThatThrownBy(() -> RatePolicies.fromEnv(Map.of("REDKIT_RATELIMIT_API", "100/-1m")))
                .isInstanceOf(RedkitConfigException.class).hasMessageContaining("REDKIT_RATELIMIT_API")
                .hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> RatePolicies.fromEnv(Map.of("REDKIT_RATELIMIT_API", "100/PT-1M")))
                .isInstanceOf(RedkitConfigException.class).hasMessageContaining("window of policy api must be positive: PT-1M");
        assertThatThrownBy(() -> RatePolicies.fromEnv(Map.of("REDKIT_RATELIMIT_API", "100/1m;algorithm=leaky")))
                .isInstanceOf(RedkitConfigException.class)
                .hasMessageContaining("unknown rate-limit algorithm \"leaky\": allowed are sliding-window, sliding-counter, gcra");
        assertThatThrownBy(() -> RatePolicies.fromEnv(Map.of("REDKIT_RATELIMIT_API", "100 per minute")))
                .isInstanceOf(RedkitConfigException.class).hasMessageContaining("not <limit>/<window>");
        assertThatThrownBy(() -> RatePolicies.fromEnv(Map.of("REDKIT_RATELIMIT_API", "lots/1m")))
                .isInstanceOf(RedkitConfigException.class).hasMessageContaining("\"lots\"").hasMessageContaining("whole number");
        assertThatThrownBy(() -> RatePolicies.fromEnv(Map.of("REDKIT_RATELIMIT_API", "100/1m;on-redis-down=maybe")))
                .isInstanceOf(RedkitConfigException.class).hasMessageContaining("allowed are open, closed, local");
        assertThatThrownBy(() -> RatePolicies.fromEnv(Map.of("REDKIT_RATELIMIT_API", "100/1m;burst=5")))
                .isInstanceOf(RedkitConfigException.class).hasMessageContaining("burst applies to gcra only");
        assertThatThrownBy(() -> RatePolicies.fromEnv(Map.of("REDKIT_RATELIMIT_API", "100/1m;colour=red")))
                .isInstanceOf(RedkitConfigException.class).hasMessageContaining("unknown option \"colour\"");
        assertThatThrownBy(() -> RatePolicies.fromEnv(Map.of("REDKIT_RATELIMIT_API", "")))
                .isInstanceOf(RedkitConfigException.class).hasMessageContaining("empty");
    }

    @Test
    void builderRejectsNonsenseWithTheValue() {
        assertThatThrownBy(() -> RatePolicy.of("x", 0, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("limit of policy x must be positive: 0");
        assertThatThrownBy(() -> RatePolicy.of("x", -3, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("limit of policy x must be positive: -3");
        assertThatThrownBy(() -> RatePolicy.of("x", 5, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("window of policy x must be positive: PT-1S");
        assertThatThrownBy(() -> RatePolicy.of("x", 5, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("window of policy x must be positive: PT0S");
        assertThatThrownBy(() -> RatePolicy.of("x", 5, Duration.ofNanos(1500)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between PT0.001S");
        assertThatThrownBy(() -> RatePolicy.of("x", 5, Duration.ofDays(400)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT8784H: PT9600H");
        assertThatThrownBy(() -> RatePolicy.of("x", 200_000, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 100000 for sliding-window: 200000");
        assertThat(RatePolicy.builder("x").limit(200_000).window(Duration.ofMinutes(1)).algorithm(Algorithm.GCRA).build().limit())
                .isEqualTo(200_000);
        assertThatThrownBy(() -> RatePolicy.of("Bad Name", 5, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"Bad Name\"");
        assertThatThrownBy(() -> RatePolicy.builder("x").window(Duration.ofMinutes(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a limit");
        assertThatThrownBy(() -> RatePolicy.builder("x").limit(1).limit(2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set to 1");
        assertThatThrownBy(() -> Algorithm.parse("token-bucket"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown rate-limit algorithm \"token-bucket\": allowed are sliding-window, sliding-counter, gcra");
        assertThatThrownBy(() -> RatePolicies.defaults().get("nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown rate-limit policy \"nope\"")
                .hasMessageContaining("login-ip");
    }

    @Test
    void parseAndRateRoundTrip() {
        RatePolicy p = RatePolicy.builder("search").limit(50).window(Duration.ofSeconds(1)).algorithm(Algorithm.GCRA).burst(7)
                .failureMode(FailureMode.CLOSED).build();
        assertThat(RatePolicy.parse(RatePolicy.of("search", 1, Duration.ofSeconds(1)), p.rate())).isEqualTo(p);
        assertThat(p.toBuilder().build()).isEqualTo(p);
        assertThat(RateLimiterOptions.defaults().toBuilder().build().deniedCacheSize())
                .isEqualTo(RateLimiterOptions.DEFAULT_DENIED_CACHE_SIZE);
    }
}
