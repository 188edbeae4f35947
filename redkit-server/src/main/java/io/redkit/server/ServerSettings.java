package io.redkit.server;

import io.redkit.core.RedkitConfigException;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The server's own settings (Redis settings are {@link io.redkit.core.RedkitConfig}'s):
 * {@code PORT} (default 8080, 0 = any free port), {@code HOST} (default 0.0.0.0),
 * {@code DATABASE_URL} (unset: embedded PostgreSQL), {@code REDKIT_SEED} (seed demo data; default
 * true with the embedded database, false otherwise).
 */
final class ServerSettings {
    /** Default of {@code PORT}. */
    static final int DEFAULT_PORT = 8080;
    /** Default of {@code HOST}. */
    static final String DEFAULT_HOST = "0.0.0.0";
    /** The variables the server reads, for docs/configuration.md. */
    static final List<String> VARIABLES = List.of("PORT", "HOST", "DATABASE_URL", "REDKIT_SEED");

    final int port;
    final String host;
    final String databaseUrl;
    final Boolean seed;

    ServerSettings(int port, String host, String databaseUrl, Boolean seed) {
        this.port = port;
        this.host = host;
        this.databaseUrl = databaseUrl;
        this.seed = seed;
    }

    static ServerSettings fromEnv(Map<String, String> env) {
        String p = blankToNull(env.get("PORT"));
        int port = DEFAULT_PORT;
        if (p != null) {
            try {
                port = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new RedkitConfigException("PORT", p, "a TCP port from 1 to 65535 (0 picks a free one)");
            }
        }
        String host = blankToNull(env.get("HOST"));
        String db = blankToNull(env.get("DATABASE_URL"));
        String seed = blankToNull(env.get("REDKIT_SEED"));
        Boolean s = null;
        if (seed != null) {
            switch (seed.toLowerCase(Locale.ROOT)) {
                case "true": case "1": case "yes": s = true; break;
                case "false": case "0": case "no": s = false; break;
                default: throw new RedkitConfigException("REDKIT_SEED", seed, "true or false");
            }
        }
        return new ServerSettings(port, host == null ? DEFAULT_HOST : host, db, s);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
