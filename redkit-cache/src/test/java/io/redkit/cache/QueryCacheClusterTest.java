package io.redkit.cache;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.redkit.core.Namespace;
import io.redkit.core.RedkitConfig;
import io.redkit.core.Redkit;
import io.redkit.testkit.PostgresServer;
import io.redkit.testkit.RedisCluster;
import io.redkit.testkit.junit.WithPostgres;
import io.redkit.testkit.junit.WithRedisCluster;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The query cache on a three-master Cluster: table tags live in other slots than the cached results. */
@WithPostgres
@WithRedisCluster
class QueryCacheClusterTest {

    @Test
    void triggerAndUpdateInvalidationsWorkOnCluster(PostgresServer postgres, RedisCluster cluster) throws Exception {
        String db = postgres.createDatabase();
        try (Connection c = postgres.connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL)");
            st.execute("INSERT INTO products SELECT i, 'product ' || i, i FROM generate_series(1, 100) i");
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(postgres.jdbcUrl(db));
        hc.setMaximumPoolSize(4);
        try (HikariDataSource pool = new HikariDataSource(hc);
             Redkit redkit = Redkit.create(RedkitConfig.fromEnv(Map.of("REDIS_CLUSTER_NODES", cluster.nodesSpec(),
                     "REDIS_COMMAND_TIMEOUT", "5s")));
             RedisCacheManager manager = RedisCacheManager.create(redkit);
             QueryCache queries = QueryCache.builder(manager, pool).build()) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> redkit.namespace(Namespace.CACHE).connection().isOpen());
            queries.installTriggers(List.of("products"));
            queries.startListening();
            await().atMost(Duration.ofSeconds(10)).until(queries::isListening);

            for (int id = 1; id <= 30; id++) { // results on every master
                long key = id;
                String name = nameOf(queries, key);
                assertThat(nameOf(queries, key)).isEqualTo(name);
            }
            assertThat(queries.stats().fromCache()).isEqualTo(30);

            try (Connection c = postgres.connect(db); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE products SET name = name || ' (new)'");
            }
            Coherence.within(Duration.ofMillis(100), () -> nameOf(queries, 1).endsWith("(new)"));
            for (long id = 1; id <= 30; id++) {
                assertThat(nameOf(queries, id)).endsWith("(new)");
            }

            queries.update("UPDATE products SET name = 'through the api' WHERE id = ?", List.of(7), Set.of("products"));
            assertThat(nameOf(queries, 7)).isEqualTo("through the api");
        }
    }

    private static String nameOf(QueryCache queries, long id) {
        return queries.query("SELECT name FROM products WHERE id = ?", List.of(id), Set.of("products"), String.class,
                rs -> rs.getString(1)).get(0);
    }
}
