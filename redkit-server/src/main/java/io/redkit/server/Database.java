package io.redkit.server;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.redkit.core.RedkitConfigException;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The server's PostgreSQL: a HikariCP pool from {@code DATABASE_URL} and the versioned schema
 * migrations in {@code db/migration/V<n>__<name>.sql}, applied in order under an advisory lock so
 * several instances can start at once.
 */
final class Database implements AutoCloseable {
    /** Migrations shipped with the server, in order. */
    static final List<String> MIGRATIONS = List.of("V1__schema.sql", "V2__admin.sql", "V3__user_jobs.sql");

    private final HikariDataSource pool;
    private final String display;

    private Database(HikariDataSource pool, String display) {
        this.pool = pool;
        this.display = display;
    }

    /**
     * Opens a pool for {@code url}: {@code postgresql://user:pass@host:port/db} (also
     * {@code postgres://}) or {@code jdbc:postgresql://host:port/db?user=...}.
     */
    static Database open(String url, int maxPoolSize) {
        HikariConfig cfg = new HikariConfig();
        String display;
        if (url.startsWith("jdbc:postgresql:")) {
            cfg.setJdbcUrl(url);
            display = url.replaceAll("password=[^&]*", "password=****");
        } else {
            URI u;
            try {
                u = new URI(url);
            } catch (URISyntaxException e) {
                throw new RedkitConfigException("DATABASE_URL", mask(url), "postgresql://user:password@host:5432/database or jdbc:postgresql://...");
            }
            if (!("postgresql".equals(u.getScheme()) || "postgres".equals(u.getScheme())) || u.getHost() == null
                    || u.getPath() == null || u.getPath().length() < 2) {
                throw new RedkitConfigException("DATABASE_URL", mask(url), "postgresql://user:password@host:5432/database or jdbc:postgresql://...");
            }
            int port = u.getPort() < 0 ? 5432 : u.getPort();
            cfg.setJdbcUrl("jdbc:postgresql://" + u.getHost() + ":" + port + u.getPath()
                    + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
            String info = u.getRawUserInfo();
            if (info != null) {
                int colon = info.indexOf(':');
                cfg.setUsername(decode(colon < 0 ? info : info.substring(0, colon)));
                if (colon >= 0) cfg.setPassword(decode(info.substring(colon + 1)));
            }
            display = mask(url);
        }
        cfg.setMaximumPoolSize(maxPoolSize);
        cfg.setPoolName("redkit-db");
        cfg.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
        cfg.setInitializationFailTimeout(Duration.ofSeconds(30).toMillis());
        return new Database(new HikariDataSource(cfg), display);
    }

    DataSource dataSource() {
        return pool;
    }

    /** The URL with the password masked. */
    String display() {
        return display;
    }

    /** Applies every migration not yet applied; returns the versions applied now. */
    List<Integer> migrate() throws SQLException {
        List<Integer> applied = new ArrayList<>();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_lock(727274)");
            try {
                s.execute("CREATE TABLE IF NOT EXISTS redkit_schema_version (version int PRIMARY KEY, name text NOT NULL, "
                        + "applied_at timestamptz NOT NULL DEFAULT now())");
                Set<Integer> done = new TreeSet<>();
                try (ResultSet rs = s.executeQuery("SELECT version FROM redkit_schema_version")) {
                    while (rs.next()) done.add(rs.getInt(1));
                }
                for (String file : MIGRATIONS) {
                    int version = Integer.parseInt(file.substring(1, file.indexOf("__")));
                    if (done.contains(version)) continue;
                    String sql = resource("/db/migration/" + file);
                    c.setAutoCommit(false);
                    try (Statement m = c.createStatement()) {
                        m.execute(sql);
                        m.execute("INSERT INTO redkit_schema_version(version, name) VALUES (" + version + ", '" + file + "')");
                        c.commit();
                    } catch (SQLException e) {
                        c.rollback();
                        throw new SQLException("migration " + file + " failed: " + e.getMessage(), e);
                    } finally {
                        c.setAutoCommit(true);
                    }
                    applied.add(version);
                }
            } finally {
                s.execute("SELECT pg_advisory_unlock(727274)");
            }
        }
        return applied;
    }

    private static String resource(String path) {
        try (InputStream in = Database.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing migration " + path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String mask(String url) {
        return url.replaceAll("(://[^:/@]*):[^@/]*@", "$1:****@");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        pool.close();
    }
}
