package io.redkit.bench.cache;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.redkit.testkit.PostgresServer;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** An embedded PostgreSQL with a 100,000-row {@code products} table and a HikariCP pool over it. */
final class BenchDatabase implements AutoCloseable {
    static final int ROWS = 100_000;

    final PostgresServer server;
    final HikariDataSource pool;

    BenchDatabase() {
        server = PostgresServer.start();
        String db = server.createDatabase();
        try (Connection c = server.connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, category int NOT NULL, "
                    + "price numeric(10,2) NOT NULL, stock int NOT NULL, description text NOT NULL)");
            st.execute("INSERT INTO products SELECT i, 'product ' || i, i % 100, (i * 7919 % 100000) / 100.0, i % 37, "
                    + "repeat('lorem ipsum ', 8) FROM generate_series(1, " + ROWS + ") i");
            st.execute("CREATE INDEX products_category ON products (category)");
            st.execute("ANALYZE products");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the benchmark table", e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl(db));
        config.setMaximumPoolSize(8);
        pool = new HikariDataSource(config);
    }

    @Override
    public void close() {
        pool.close();
        server.close();
    }
}
