package io.redkit.ratelimit;

import io.redkit.core.RedkitConfigException;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A set of named {@link RatePolicy} values ("rate types"), with Redkit's defaults and overrides from
 * the environment. Immutable.
 *
 * <p>Defaults ({@link #defaults()}):
 * <table>
 * <caption>Default policies</caption>
 * <tr><th>name</th><th>rate</th><th>applied per</th><th>when Redis is down</th></tr>
 * <tr><td>{@code api}</td><td>100 / 1 min</td><td>client</td><td>open</td></tr>
 * <tr><td>{@code login}</td><td>5 / 15 min</td><td>account and IP (failed attempts)</td><td>local</td></tr>
 * <tr><td>{@code login-ip}</td><td>20 / 15 min</td><td>IP (failed attempts)</td><td>local</td></tr>
 * <tr><td>{@code register}</td><td>3 / 1 h</td><td>IP</td><td>local</td></tr>
 * <tr><td>{@code password-reset}</td><td>3 / 1 h</td><td>account</td><td>local</td></tr>
 * <tr><td>{@code password-reset-ip}</td><td>10 / 1 h</td><td>IP</td><td>local</td></tr>
 * </table>
 * All use the exact {@link Algorithm#SLIDING_WINDOW}.
 *
 * <p>Environment: {@code REDKIT_RATELIMIT_<NAME>=<limit>/<window>} overrides or adds the policy
 * {@code <name>} (upper case and {@code _} in the variable, lower case and {@code -} in the name):
 * {@code REDKIT_RATELIMIT_LOGIN=10/15m}, {@code REDKIT_RATELIMIT_PASSWORD_RESET_IP=20/1h},
 * {@code REDKIT_RATELIMIT_SEARCH=50/1s;algorithm=gcra;burst=10;on-redis-down=closed}. Parts the
 * value leaves out keep the default policy's values.
 */
public final class RatePolicies {
    /** The prefix of the environment variables read by {@link #fromEnv(Map)}. */
    public static final String ENV_PREFIX = "REDKIT_RATELIMIT_";

    /** Default {@code api}: 100 per minute per client, fails open. */
    public static final RatePolicy DEFAULT_API = RatePolicy.builder("api").limit(100).window(Duration.ofMinutes(1))
            .failureMode(FailureMode.OPEN).build();
    /** Default {@code login}: 5 failed attempts per 15 minutes per account and IP, local fallback. */
    public static final RatePolicy DEFAULT_LOGIN = RatePolicy.builder("login").limit(5).window(Duration.ofMinutes(15))
            .failureMode(FailureMode.LOCAL).build();
    /** Default {@code login-ip}: 20 failed attempts per 15 minutes per IP, local fallback. */
    public static final RatePolicy DEFAULT_LOGIN_IP = RatePolicy.builder("login-ip").limit(20).window(Duration.ofMinutes(15))
            .failureMode(FailureMode.LOCAL).build();
    /** Default {@code register}: 3 per hour per IP, local fallback. */
    public static final RatePolicy DEFAULT_REGISTER = RatePolicy.builder("register").limit(3).window(Duration.ofHours(1))
            .failureMode(FailureMode.LOCAL).build();
    /** Default {@code password-reset}: 3 per hour per account, local fallback. */
    public static final RatePolicy DEFAULT_PASSWORD_RESET = RatePolicy.builder("password-reset").limit(3)
            .window(Duration.ofHours(1)).failureMode(FailureMode.LOCAL).build();
    /** Default {@code password-reset-ip}: 10 per hour per IP, local fallback. */
    public static final RatePolicy DEFAULT_PASSWORD_RESET_IP = RatePolicy.builder("password-reset-ip").limit(10)
            .window(Duration.ofHours(1)).failureMode(FailureMode.LOCAL).build();

    private static final List<RatePolicy> DEFAULT_LIST = List.of(DEFAULT_API, DEFAULT_LOGIN, DEFAULT_LOGIN_IP,
            DEFAULT_REGISTER, DEFAULT_PASSWORD_RESET, DEFAULT_PASSWORD_RESET_IP);

    /**
     * The variables of the default policies, one per policy, e.g. {@code REDKIT_RATELIMIT_LOGIN_IP}.
     * Any other {@code REDKIT_RATELIMIT_<NAME>} adds a policy.
     */
    public static final List<String> VARIABLES = DEFAULT_LIST.stream().map(p -> variable(p.name())).toList();

    private final Map<String, RatePolicy> policies;

    private RatePolicies(Map<String, RatePolicy> policies) {
        this.policies = Collections.unmodifiableMap(new LinkedHashMap<>(policies));
    }

    /** Redkit's default policies (see the class comment). */
    public static RatePolicies defaults() {
        Map<String, RatePolicy> m = new LinkedHashMap<>();
        DEFAULT_LIST.forEach(p -> m.put(p.name(), p));
        return new RatePolicies(m);
    }

    /** No policies; add them with {@link #with(RatePolicy)}. */
    public static RatePolicies empty() {
        return new RatePolicies(Map.of());
    }

    /** The defaults with overrides from the process environment. */
    public static RatePolicies fromEnv() {
        return fromEnv(System.getenv());
    }

    /**
     * The defaults with overrides from {@code env}: every {@code REDKIT_RATELIMIT_<NAME>} sets the
     * policy {@code <name>}.
     *
     * @throws RedkitConfigException naming the variable, its value and the allowed form
     */
    public static RatePolicies fromEnv(Map<String, String> env) {
        Map<String, RatePolicy> m = new LinkedHashMap<>();
        DEFAULT_LIST.forEach(p -> m.put(p.name(), p));
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String var = e.getKey();
            if (!var.startsWith(ENV_PREFIX) || var.length() == ENV_PREFIX.length()) {
                continue;
            }
            String name = var.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
            try {
                RatePolicy base = m.get(name);
                if (base == null) {
                    base = RatePolicy.builder(name).limit(1).window(Duration.ofSeconds(1)).build();
                }
                m.put(name, RatePolicy.parse(base, e.getValue()));
            } catch (IllegalArgumentException ex) {
                throw new RedkitConfigException(var, e.getValue(), ex.getMessage() + "; expected " + RatePolicy.FORMAT);
            }
        }
        return new RatePolicies(m);
    }

    /** The environment variable of policy {@code name}: {@code password-reset} gives {@code REDKIT_RATELIMIT_PASSWORD_RESET}. */
    public static String variable(String name) {
        return ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    /** These policies plus {@code policy}, replacing one of the same name. */
    public RatePolicies with(RatePolicy policy) {
        Objects.requireNonNull(policy, "policy");
        Map<String, RatePolicy> m = new LinkedHashMap<>(policies);
        m.put(policy.name(), policy);
        return new RatePolicies(m);
    }

    /**
     * The policy named {@code name}.
     *
     * @throws IllegalArgumentException when there is none, listing the known names
     */
    public RatePolicy get(String name) {
        RatePolicy p = policies.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown rate-limit policy \"" + name + "\": known are " + policies.keySet());
        }
        return p;
    }

    /** Every policy by name, in definition order. */
    public Map<String, RatePolicy> asMap() {
        return policies;
    }

    @Override
    public String toString() {
        return "RatePolicies" + policies.values();
    }
}
