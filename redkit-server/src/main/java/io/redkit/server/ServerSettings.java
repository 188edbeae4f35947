package io.redkit.server;

import io.redkit.core.RedkitConfigException;
import io.redkit.core.internal.Durations;
import io.redkit.server.http.Exchange;
import io.redkit.web.ratelimit.TrustedProxies;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The server's own settings (Redis settings are {@link io.redkit.core.RedkitConfig}'s):
 * {@code PORT} (default 8080, 0 = any free port), {@code HOST} (default 0.0.0.0),
 * {@code DATABASE_URL} (unset: embedded PostgreSQL), {@code REDKIT_SEED} (seed demo data; default
 * true with the embedded database, false otherwise), {@code REDKIT_COOKIE_SECURE},
 * {@code REDKIT_TRUSTED_PROXIES}, {@code REDKIT_WORKER_CONCURRENCY} (jobs run at once by
 * {@code serve}'s and {@code worker}'s worker; 0 = {@code serve} runs no worker) and
 * {@code REDKIT_QUERY_CACHE} (serve products through the query cache; default true) and
 * {@code REDKIT_ADMIN_EMAILS} (accounts that are admins while listed).
 */
final class ServerSettings {
    /** Default of {@code PORT}. */
    static final int DEFAULT_PORT = 8080;
    /** Default of {@code HOST}. */
    static final String DEFAULT_HOST = "0.0.0.0";
    /** The variables the server reads, for docs/configuration.md. */
    static final List<String> VARIABLES = List.of("PORT", "HOST", "DATABASE_URL", "REDKIT_SEED",
            "REDKIT_COOKIE_SECURE", "REDKIT_TRUSTED_PROXIES", "REDKIT_WORKER_CONCURRENCY", "REDKIT_QUERY_CACHE", "REDKIT_ADMIN_EMAILS",
            "REDKIT_USER_JOBS_IN_FLIGHT", "REDKIT_USER_JOB_PAYLOAD_BYTES", "REDKIT_USER_JOB_MAX_DELAY");
    /** Default of {@code REDKIT_WORKER_CONCURRENCY}. */
    static final int DEFAULT_WORKER_CONCURRENCY = 8;
    /** Largest {@code REDKIT_WORKER_CONCURRENCY}. */
    static final int MAX_WORKER_CONCURRENCY = 1000;

    final int port;
    final String host;
    final String databaseUrl;
    final Boolean seed;
    /** {@code REDKIT_COOKIE_SECURE}: the session cookie's Secure flag; default true (off only for plain-HTTP development). */
    final boolean secureCookies;
    /** {@code REDKIT_TRUSTED_PROXIES}: proxies whose X-Forwarded-For is believed; default none. */
    final TrustedProxies trustedProxies;
    /** {@code REDKIT_WORKER_CONCURRENCY}: jobs the worker runs at once; 0 = {@code serve} starts no worker. */
    final int workerConcurrency;
    /** {@code REDKIT_QUERY_CACHE}: products through the query cache (false: always the database, {@code X-Cache: BYPASS}). */
    final boolean queryCache;
    /**
     * {@code REDKIT_ADMIN_EMAILS}: accounts that are admins while listed (lower case), whatever their
     * flag; one that does not exist is created at start with a random password, printed once.
     * Default none.
     */
    final List<String> adminEmails;
    /** What an ordinary user may have queued: {@code REDKIT_USER_JOBS_IN_FLIGHT}, {@code REDKIT_USER_JOB_PAYLOAD_BYTES}, {@code REDKIT_USER_JOB_MAX_DELAY}. */
    final UserQuota userQuota;

    /**
     * What one ordinary user may have queued at a time: at most {@code jobsInFlight} jobs not yet
     * completed or dead, whose payloads add up to at most {@code payloadBytes}, none delayed by more
     * than {@code maxDelay}. Admins have no quota.
     */
    record UserQuota(int jobsInFlight, int payloadBytes, Duration maxDelay) {
        /** Default of {@code REDKIT_USER_JOBS_IN_FLIGHT}. */
        static final int DEFAULT_JOBS_IN_FLIGHT = 5;
        /** Default of {@code REDKIT_USER_JOB_PAYLOAD_BYTES}: 16 KiB. */
        static final int DEFAULT_PAYLOAD_BYTES = 16 * 1024;
        /** Default of {@code REDKIT_USER_JOB_MAX_DELAY}: one hour. */
        static final Duration DEFAULT_MAX_DELAY = Duration.ofHours(1);

        static UserQuota defaults() {
            return new UserQuota(DEFAULT_JOBS_IN_FLIGHT, DEFAULT_PAYLOAD_BYTES, DEFAULT_MAX_DELAY);
        }
    }

    ServerSettings(int port, String host, String databaseUrl, Boolean seed, boolean secureCookies, TrustedProxies trustedProxies,
                   int workerConcurrency, boolean queryCache, List<String> adminEmails, UserQuota userQuota) {
        this.port = port;
        this.host = host;
        this.databaseUrl = databaseUrl;
        this.seed = seed;
        this.secureCookies = secureCookies;
        this.trustedProxies = trustedProxies;
        this.workerConcurrency = workerConcurrency;
        this.queryCache = queryCache;
        this.adminEmails = List.copyOf(adminEmails);
        this.userQuota = userQuota;
    }

    ServerSettings withListen(String host, int port) {
        return new ServerSettings(port, host, databaseUrl, seed, secureCookies, trustedProxies, workerConcurrency, queryCache, adminEmails, userQuota);
    }

    ServerSettings withSecureCookies(boolean secure) {
        return new ServerSettings(port, host, databaseUrl, seed, secure, trustedProxies, workerConcurrency, queryCache, adminEmails, userQuota);
    }

    ServerSettings withTrustedProxies(TrustedProxies proxies) {
        return new ServerSettings(port, host, databaseUrl, seed, secureCookies, proxies, workerConcurrency, queryCache, adminEmails, userQuota);
    }

    ServerSettings withWorkerConcurrency(int concurrency) {
        return new ServerSettings(port, host, databaseUrl, seed, secureCookies, trustedProxies, concurrency, queryCache, adminEmails, userQuota);
    }

    ServerSettings withQueryCache(boolean enabled) {
        return new ServerSettings(port, host, databaseUrl, seed, secureCookies, trustedProxies, workerConcurrency, enabled, adminEmails, userQuota);
    }

    ServerSettings withUserQuota(UserQuota quota) {
        return new ServerSettings(port, host, databaseUrl, seed, secureCookies, trustedProxies, workerConcurrency, queryCache, adminEmails, quota);
    }

    ServerSettings withAdminEmails(List<String> emails) {
        return new ServerSettings(port, host, databaseUrl, seed, secureCookies, trustedProxies, workerConcurrency, queryCache, emails, userQuota);
    }

    static ServerSettings fromEnv(Map<String, String> env) {
        int port = intVariable(env, "PORT", DEFAULT_PORT, 0, 65535, "a TCP port from 1 to 65535 (0 picks a free one)");
        String host = blankToNull(env.get("HOST"));
        String db = blankToNull(env.get("DATABASE_URL"));
        String seed = blankToNull(env.get("REDKIT_SEED"));
        Boolean s = seed == null ? null : bool("REDKIT_SEED", seed);
        String secure = blankToNull(env.get("REDKIT_COOKIE_SECURE"));
        String proxies = blankToNull(env.get("REDKIT_TRUSTED_PROXIES"));
        TrustedProxies trusted;
        try {
            trusted = proxies == null ? TrustedProxies.none() : TrustedProxies.parse(proxies);
        } catch (IllegalArgumentException e) {
            throw new RedkitConfigException("REDKIT_TRUSTED_PROXIES", proxies, "comma-separated IP addresses or CIDR ranges (" + e.getMessage() + ")");
        }
        int concurrency = intVariable(env, "REDKIT_WORKER_CONCURRENCY", DEFAULT_WORKER_CONCURRENCY, 0, MAX_WORKER_CONCURRENCY,
                "an integer from 0 (serve runs no worker) to " + MAX_WORKER_CONCURRENCY);
        String qc = blankToNull(env.get("REDKIT_QUERY_CACHE"));
        return new ServerSettings(port, host == null ? DEFAULT_HOST : host, db, s,
                secure == null || bool("REDKIT_COOKIE_SECURE", secure), trusted, concurrency,
                qc == null || bool("REDKIT_QUERY_CACHE", qc), adminEmails(blankToNull(env.get("REDKIT_ADMIN_EMAILS"))),
                new UserQuota(intVariable(env, "REDKIT_USER_JOBS_IN_FLIGHT", UserQuota.DEFAULT_JOBS_IN_FLIGHT, 0, 1000,
                        "an integer from 0 (ordinary users enqueue nothing) to 1000"),
                        intVariable(env, "REDKIT_USER_JOB_PAYLOAD_BYTES", UserQuota.DEFAULT_PAYLOAD_BYTES, 0, Exchange.MAX_BODY_BYTES,
                                "an integer from 0 to " + Exchange.MAX_BODY_BYTES),
                        duration(env, "REDKIT_USER_JOB_MAX_DELAY", UserQuota.DEFAULT_MAX_DELAY, Duration.ofDays(365))));
    }

    /** {@code variable}'s duration, {@code def} when unset; zero to {@code max}. */
    private static Duration duration(Map<String, String> env, String variable, Duration def, Duration max) {
        String v = blankToNull(env.get(variable));
        if (v == null) return def;
        String allowed = Durations.ALLOWED + ", from 0s to " + Durations.format(max);
        Duration d;
        try {
            d = Durations.parse(v, variable);
        } catch (IllegalArgumentException e) {
            throw new RedkitConfigException(variable, v, allowed);
        }
        if (d.isNegative() || d.compareTo(max) > 0) throw new RedkitConfigException(variable, v, allowed);
        return d;
    }

    private static final Pattern EMAIL = Pattern.compile("[^@\\s,]{1,64}@[^@\\s,]{1,189}\\.[^@\\s,]{1,63}");

    /** {@code REDKIT_ADMIN_EMAILS}: comma-separated addresses, lower-cased; none when unset. */
    private static List<String> adminEmails(String value) {
        if (value == null) return List.of();
        List<String> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String e = part.trim().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) continue;
            if (!EMAIL.matcher(e).matches()) {
                throw new RedkitConfigException("REDKIT_ADMIN_EMAILS", value, "comma-separated e-mail addresses ('" + part.trim() + "' is not one)");
            }
            if (!out.contains(e)) out.add(e);
        }
        return out;
    }

    /** {@code variable}'s integer value, {@code def} when unset, else an error saying what {@code allowed} is. */
    private static int intVariable(Map<String, String> env, String variable, int def, int min, int max, String allowed) {
        String v = blankToNull(env.get(variable));
        if (v == null) return def;
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new RedkitConfigException(variable, v, allowed);
    }

    private static boolean bool(String variable, String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "true": case "1": case "yes": return true;
            case "false": case "0": case "no": return false;
            default: throw new RedkitConfigException(variable, value, "true or false");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
