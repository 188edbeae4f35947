package io.redkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.redkit.cache.QueryCache;
import io.redkit.cache.QueryResult;
import io.redkit.server.http.ApiException;
import io.redkit.server.http.Exchange;
import io.redkit.server.http.Router;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/products} (a category page), {@code GET /api/products/{id}} — both through the
 * query cache, with {@code X-Cache: HIT}, {@code MISS} or {@code BYPASS} (Redis unreachable, or the
 * cache switched off) — and {@code PUT /api/products/{id}} for admins. A write through the
 * API invalidates the cached queries over {@code products} as soon as it commits; a write made
 * anywhere else (psql) reaches the cache through the table's trigger and {@code LISTEN}.
 */
final class ProductsApi {
    /** Largest page size. */
    static final int MAX_PAGE_SIZE = 100;
    static final Set<String> TABLES = Set.of("products");
    static final String COLUMNS = "id, sku, name, category, price_cents, stock, description, updated_at";
    static final String LIST_SQL = "SELECT " + COLUMNS + " FROM products "
            + "WHERE (?::text IS NULL OR category = ?) ORDER BY name, id LIMIT ? OFFSET ?";
    /** The category's (or the catalogue's) size, for pagination: a count over thousands of rows, cached like the page. */
    static final String COUNT_SQL = "SELECT count(*) AS n FROM products WHERE (?::text IS NULL OR category = ?)";
    static final String GET_SQL = "SELECT " + COLUMNS + " FROM products WHERE id = ?";
    static final String UPDATE_SQL = "UPDATE products SET name = coalesce(?, name), price_cents = coalesce(?, price_cents), "
            + "stock = coalesce(?, stock), description = coalesce(?, description), updated_at = now() WHERE id = ?";

    /** One product, as cached and as served. */
    record Product(long id, String sku, String name, String category, int priceCents, int stock, String description,
                   String updatedAt) {
        static Product of(ResultSet rs) throws SQLException {
            return new Product(rs.getLong("id"), rs.getString("sku"), rs.getString("name"), rs.getString("category"),
                    rs.getInt("price_cents"), rs.getInt("stock"), rs.getString("description"),
                    rs.getTimestamp("updated_at").toInstant().toString());
        }
    }

    private final DataSource db;
    private final QueryCache cache;
    private final Access access;

    /** @param cache the query cache, or null to always read the database ({@code X-Cache: BYPASS}) */
    ProductsApi(DataSource db, QueryCache cache, Access access) {
        this.db = db;
        this.cache = cache;
        this.access = access;
    }

    void register(Router r) {
        r.get("/api/products", this::list);
        r.get("/api/products/{id}", this::get);
        r.put("/api/products/{id}", access.adminOnly(this::update));
    }

    private void list(Exchange ex) throws SQLException {
        String category = ex.query("category");
        if (category != null && !Arrays.asList(Seeder.CATEGORIES).contains(category)) {
            // any string would do for SQL, but an unknown category would only fill the cache with empty pages
            throw ApiException.badRequest("unknown category '" + category + "'; categories: " + Arrays.toString(Seeder.CATEGORIES));
        }
        int page = ex.queryInt("page", 1, 1, 100_000);
        int size = ex.queryInt("size", 20, 1, MAX_PAGE_SIZE);
        List<Product> items = rows(ex, LIST_SQL, Arrays.asList(category, category, size, (page - 1) * size));
        long total = count(category);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("category", category);
        body.put("page", page);
        body.put("size", size);
        body.put("total", total);
        body.put("pages", (total + size - 1) / size);
        body.put("items", items);
        ex.json(200, body);
    }

    private void get(Exchange ex) throws SQLException {
        long id = ex.pathId("id");
        List<Product> rows = rows(ex, GET_SQL, List.of(id));
        if (rows.isEmpty()) throw ApiException.notFound("no product with id " + id);
        ex.json(200, rows.get(0));
    }

    private void update(Exchange ex) throws SQLException {
        long id = ex.pathId("id");
        JsonNode body = ex.body();
        if (!body.isObject()) throw ApiException.badRequest("the body must be a JSON object with name, priceCents, stock and/or description");
        String name = text(body, "name", 200);
        Integer price = nonNegativeInt(body, "priceCents");
        Integer stock = nonNegativeInt(body, "stock");
        String description = text(body, "description", 4000);
        if (name == null && price == null && stock == null && description == null) {
            throw ApiException.badRequest("nothing to change: give name, priceCents, stock and/or description");
        }
        List<Object> params = Arrays.asList(name, price, stock, description, id);
        int n;
        if (cache != null) {
            n = cache.update(UPDATE_SQL, params, TABLES);
        } else {
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(UPDATE_SQL)) {
                for (int i = 0; i < params.size(); i++) ps.setObject(i + 1, params.get(i));
                n = ps.executeUpdate();
            }
        }
        if (n == 0) throw ApiException.notFound("no product with id " + id);
        ex.json(200, readDirect(GET_SQL, List.of(id)).get(0));
    }

    private List<Product> rows(Exchange ex, String sql, List<Object> params) throws SQLException {
        if (cache == null) {
            ex.response().setHeader("X-Cache", "BYPASS");
            return readDirect(sql, params);
        }
        QueryResult<Product> r = cache.queryWithSource(sql, params, TABLES, Product.class, Product::of);
        ex.response().setHeader("X-Cache", switch (r.source()) {
            case CACHE -> "HIT";
            case DATABASE -> "MISS";
            case BYPASS -> "BYPASS";
        });
        return r.rows();
    }

    /** The number of products in {@code category} (null: all), through the cache like the page itself. */
    private long count(String category) throws SQLException {
        List<Object> params = Arrays.asList(category, category);
        if (cache == null) {
            try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(COUNT_SQL)) {
                for (int i = 0; i < params.size(); i++) p.setObject(i + 1, params.get(i));
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }
        List<Long> n = cache.query(COUNT_SQL, params, TABLES, Long.class, rs -> rs.getLong("n"));
        return n.isEmpty() ? 0 : n.get(0);
    }

    private List<Product> readDirect(String sql, List<Object> params) throws SQLException {
        List<Product> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) p.setObject(i + 1, params.get(i));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) out.add(Product.of(rs));
            }
        }
        return out;
    }

    private static String text(JsonNode body, String field, int max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual() || n.asText().isBlank() && field.equals("name") || n.asText().length() > max) {
            throw ApiException.badRequest(field + " must be a string of at most " + max + " characters"
                    + (field.equals("name") ? ", not blank" : "") + ": " + abbreviate(n.toString()));
        }
        return n.asText();
    }

    private static Integer nonNegativeInt(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
            throw ApiException.badRequest(field + " must be an integer from 0 to " + Integer.MAX_VALUE + ": " + abbreviate(n.toString()));
        }
        return n.intValue();
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
