package io.redkit.cache;

import io.micrometer.core.instrument.FunctionCounter;
import io.redkit.cache.internal.CacheEngine;
import io.redkit.cache.internal.PgListener;
import io.redkit.cache.internal.SqlKeys;
import io.redkit.core.internal.Checks;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs SQL through a named cache: a query's rows are cached under a key made of the normalized SQL,
 * its parameters and the row type, tagged with the tables the caller says it reads; a change to one
 * of those tables invalidates every cached query over it in O(1).
 *
 * <pre>{@code
 * QueryCache queries = QueryCache.builder(caches, hikariDataSource).build();
 * queries.installTriggers(List.of("products"));   // once per table; idempotent
 * queries.startListening();                         // invalidate on changes made by anyone
 * List<Product> page = queries.query(
 *         "SELECT id, name, price FROM products WHERE category = ? ORDER BY price LIMIT 20",
 *         List.of("books"), Set.of("products"), Product.class,
 *         rs -> new Product(rs.getLong(1), rs.getString(2), rs.getBigDecimal(3)));
 * queries.update("UPDATE products SET price = ? WHERE id = ?", List.of(price, id), Set.of("products"));
 * }</pre>
 *
 * <p>Two ways invalidate a table: {@link #update} invalidates its tables once the statement has
 * committed, before it returns; and changes made over any other connection (psql, another service)
 * are reported by the triggers {@link #installTriggers} installs, through {@code NOTIFY}, to the
 * {@code LISTEN} connection {@link #startListening()} opens. See docs/cache.md for the consistency
 * this gives. Thread-safe.
 */
public final class QueryCache implements AutoCloseable {
    /** Name of the cache holding query results: {@code queries}. */
    public static final String DEFAULT_CACHE_NAME = "queries";
    /** The NOTIFY channel the triggers use: {@code redkit_cache}. */
    public static final String CHANNEL = "redkit_cache";
    /** The trigger function the setup installs: {@code redkit_cache_notify}. */
    public static final String TRIGGER_FUNCTION = "redkit_cache_notify";
    /** Longest the LISTEN thread blocks waiting for notifications at a time: 500 ms. */
    public static final Duration DEFAULT_LISTEN_POLL = Duration.ofMillis(500);
    /** Delay between attempts to reopen a broken LISTEN connection: 1 second. */
    public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofSeconds(1);


    private final CacheEngine engine;
    private final DataSource dataSource;
    private final Duration listenPoll;
    private final Duration reconnectDelay;
    private final Set<String> knownTables = ConcurrentHashMap.newKeySet();
    /** Table names as callers spell them → their tags, so a query's tags are not re-validated per call. */
    private final Map<String, String> tableTags = new ConcurrentHashMap<>();
    private static final int MAX_TABLE_SPELLINGS = 10_000;
    private final LongAdder fromCache = new LongAdder();
    private final LongAdder fromDatabase = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final Object lock = new Object();
    private volatile PgListener listener;

    private QueryCache(Builder b) {
        this.engine = b.manager.engine(b.cacheName, b.options);
        this.dataSource = b.dataSource;
        this.listenPoll = b.listenPoll;
        this.reconnectDelay = b.reconnectDelay;
        if (b.manager.registry() != null) {
            FunctionCounter.builder("redkit.cache.queries", fromCache, LongAdder::doubleValue).tag("cache", b.cacheName)
                    .tag("source", "cache").description("queries answered by the cache").register(b.manager.registry());
            FunctionCounter.builder("redkit.cache.queries", fromDatabase, LongAdder::doubleValue).tag("cache", b.cacheName)
                    .tag("source", "database").description("queries sent to the database").register(b.manager.registry());
        }
    }

    /** A builder for a query cache over {@code dataSource} (a HikariCP pool, typically). */
    public static Builder builder(RedisCacheManager manager, DataSource dataSource) {
        return new Builder(Checks.notNull(manager, "manager"), Checks.notNull(dataSource, "dataSource"));
    }

    /**
     * The rows of {@code sql} with {@code params}, from the cache or from the database, mapped by
     * {@code mapper}. Concurrent identical queries reach the database once (single flight). While
     * Redis is unreachable every call goes to the database. Same as
     * {@code queryWithSource(sql, params, tables, rowType, mapper).rows()}.
     *
     * @param sql a query with {@code ?} placeholders
     * @param params the placeholder values, in order (may contain {@code null})
     * @param tables every table the query reads (e.g. {@code products}, {@code public.products}):
     *               a change to any of them invalidates the result. A table left out here is a table
     *               whose changes this result will not see until its TTL.
     * @param rowType the mapped type (part of the key; must round-trip through the cache's codec)
     * @throws IllegalArgumentException for a blank query, no tables, or a bad table name
     * @throws CacheException wrapping the {@link SQLException} when the database fails
     */
    public <T> List<T> query(String sql, List<?> params, Set<String> tables, Class<T> rowType, RowMapper<T> mapper) {
        return queryWithSource(sql, params, tables, rowType, mapper).rows();
    }

    /**
     * {@link #query} that also says where the rows came from: {@link QueryResult.Source#CACHE} (near
     * cache or Redis), {@link QueryResult.Source#DATABASE} (a miss: the query ran, for this call or for
     * a concurrent identical call it waited for) or {@link QueryResult.Source#BYPASS} (Redis
     * unreachable: the query ran without the cache). Same arguments, exceptions and cost as
     * {@link #query}.
     */
    public <T> QueryResult<T> queryWithSource(String sql, List<?> params, Set<String> tables, Class<T> rowType,
                                              RowMapper<T> mapper) {
        Checks.notBlank(sql, "sql");
        Checks.notNull(params, "params");
        Checks.notNull(rowType, "rowType");
        Checks.notNull(mapper, "mapper");
        Set<String> tags = tags(tables);
        String key = SqlKeys.key(sql, params, rowType);
        boolean[] loaded = {false};
        CacheLoader<List<T>> load = k -> {
            loaded[0] = true;
            fromDatabase.increment();
            return runQuery(sql, params, mapper);
        };
        PgListener l = listener;
        // while the LISTEN connection is down, changes made by others go unreported: nothing cached is proven fresh
        CacheEngine.Sourced<List<T>> r = l != null && !l.isListening()
                ? engine.loadBypassing(key, load)
                : engine.<List<T>>getOrLoadWithSource(key, tags, load, SqlKeys.listOf(rowType));
        if (!loaded[0]) {
            fromCache.increment(); // this call sent nothing to the database (a hit, or it shared another call's load)
        }
        QueryResult.Source source = switch (r.source()) {
            case CACHE -> QueryResult.Source.CACHE;
            case LOADED -> QueryResult.Source.DATABASE;
            case BYPASSED -> QueryResult.Source.BYPASS;
        };
        return new QueryResult<>(r.value().orElse(List.of()), source);
    }

    /**
     * Runs a data-changing statement in its own transaction and, once it committed, invalidates
     * every cached query over {@code tables}.
     *
     * @return the update count
     * @throws CacheException wrapping the {@link SQLException} when the statement fails (nothing is invalidated)
     */
    public int update(String sql, List<?> params, Set<String> tables) {
        Checks.notBlank(sql, "sql");
        Checks.notNull(params, "params");
        Set<String> tags = tags(tables);
        int n;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            n = ps.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            throw new CacheException(engine.name(), "update failed: " + e.getMessage(), e);
        }
        writes.increment();
        for (String tag : tags) {
            engine.invalidateTag(tag);
            invalidations.increment();
        }
        return n;
    }

    /** Invalidates every cached query over {@code table}. */
    public void invalidateTable(String table) {
        engine.invalidateTag(SqlKeys.tag(table));
        invalidations.increment();
    }

    /**
     * Installs, for each table, a statement-level trigger that sends {@code NOTIFY redkit_cache, '<table>'}
     * after every INSERT, UPDATE, DELETE and TRUNCATE, plus the trigger function they share. Idempotent
     * and safe to run from several instances at once (it takes a transaction-level advisory lock);
     * needs the right to create functions and triggers on those tables. Works on PostgreSQL 11+.
     *
     * @throws CacheException wrapping the {@link SQLException}; nothing is changed then
     */
    public void installTriggers(Collection<String> tables) {
        Checks.notNull(tables, "tables");
        List<String> names = new ArrayList<>();
        for (String t : tables) {
            SqlKeys.table(t);
            names.add(t);
        }
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + CHANNEL.hashCode() + ")");
                st.execute("CREATE OR REPLACE FUNCTION " + TRIGGER_FUNCTION + "() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                        + "BEGIN\n  PERFORM pg_notify('" + CHANNEL + "', TG_TABLE_NAME);\n  RETURN NULL;\nEND\n$$");
                for (String t : names) {
                    st.execute("DROP TRIGGER IF EXISTS " + TRIGGER_FUNCTION + " ON " + t);
                    st.execute("CREATE TRIGGER " + TRIGGER_FUNCTION + " AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON " + t
                            + " FOR EACH STATEMENT EXECUTE FUNCTION " + TRIGGER_FUNCTION + "()");
                    knownTables.add(SqlKeys.table(t));
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new CacheException(engine.name(), "cannot install the invalidation triggers on " + names + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts the daemon thread that {@code LISTEN}s for the triggers' notifications and invalidates
     * the table each one names, typically a few milliseconds after the change commits. It holds one
     * connection of the data source; if that connection breaks it reconnects every
     * {@link Builder#reconnectDelay(Duration)} and, once back, invalidates every table it knows (from
     * {@link #installTriggers} and from queries), since changes made meanwhile were not reported.
     * Idempotent.
     */
    public void startListening() {
        synchronized (lock) {
            if (listener != null) {
                return;
            }
            listener = new PgListener(dataSource, CHANNEL, this::onNotify, this::invalidateKnownTables, listenPoll, reconnectDelay);
            listener.start();
        }
    }

    /** Whether the LISTEN connection is up. */
    public boolean isListening() {
        PgListener l = listener;
        return l != null && l.isListening();
    }

    /** Queries answered by the cache vs sent to the database, in this process. */
    public QueryStats stats() {
        return new QueryStats(fromCache.sum(), fromDatabase.sum(), writes.sum(), invalidations.sum());
    }

    /** The underlying cache's counters. */
    public CacheStats cacheStats() {
        return engine.stats();
    }

    /** Stops listening. Does not close the data source or the manager. */
    @Override
    public void close() {
        synchronized (lock) {
            if (listener != null) {
                listener.close();
                listener = null;
            }
        }
    }

    private void onNotify(String table) {
        engine.invalidateTag(SqlKeys.tag(table));
        invalidations.increment();
    }

    private void invalidateKnownTables() {
        for (String t : knownTables) {
            onNotify(t);
        }
    }

    private Set<String> tags(Set<String> tables) {
        if (tables == null || tables.isEmpty()) {
            throw new IllegalArgumentException("tables must name every table the statement reads or writes: " + tables);
        }
        if (tables.size() == 1) {
            return Set.of(tag(tables.iterator().next()));
        }
        Set<String> tags = new LinkedHashSet<>();
        for (String t : tables) {
            tags.add(tag(t));
        }
        return Collections.unmodifiableSet(tags);
    }

    /** The tag of a table as callers spell it, validated and remembered the first time (bounded). */
    private String tag(String table) {
        String tag = table == null ? null : tableTags.get(table);
        if (tag == null) {
            String name = SqlKeys.table(table);
            knownTables.add(name);
            tag = "table:" + name;
            if (tableTags.size() < MAX_TABLE_SPELLINGS) {
                tableTags.putIfAbsent(table, tag);
            }
        }
        return tag;
    }

    private <T> List<T> runQuery(String sql, List<?> params, RowMapper<T> mapper) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
            }
            return rows;
        }
    }

    private static void bind(PreparedStatement ps, List<?> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
    }

    /** Builds a {@link QueryCache}. Not thread-safe. */
    public static final class Builder {
        private final RedisCacheManager manager;
        private final DataSource dataSource;
        private String cacheName = DEFAULT_CACHE_NAME;
        private CacheOptions options = CacheOptions.defaults();
        private Duration listenPoll = DEFAULT_LISTEN_POLL;
        private Duration reconnectDelay = DEFAULT_RECONNECT_DELAY;

        private Builder(RedisCacheManager manager, DataSource dataSource) {
            this.manager = manager;
            this.dataSource = dataSource;
        }

        /** The cache holding results. Default {@link #DEFAULT_CACHE_NAME}. */
        public Builder cacheName(String name) {
            this.cacheName = Checks.notBlank(name, "cacheName");
            return this;
        }

        /** Options of that cache (TTL, soft TTL, compression...). Default {@link CacheOptions#defaults()}. */
        public Builder options(CacheOptions options) {
            this.options = Checks.notNull(options, "options");
            return this;
        }

        /** Longest single wait of the LISTEN thread. Default {@link #DEFAULT_LISTEN_POLL}. */
        public Builder listenPoll(Duration poll) {
            Checks.positive(poll, "listenPoll");
            this.listenPoll = poll;
            return this;
        }

        /** Delay between reconnect attempts of the LISTEN connection. Default {@link #DEFAULT_RECONNECT_DELAY}. */
        public Builder reconnectDelay(Duration delay) {
            this.reconnectDelay = Checks.positive(delay, "reconnectDelay");
            return this;
        }

        public QueryCache build() {
            return new QueryCache(this);
        }
    }

}
