package io.redkit.server;

import io.redkit.server.http.ApiException;
import io.redkit.server.http.Exchange;
import io.redkit.server.http.Router;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /api/products} (a category page) and {@code GET /api/products/{id}}. */
final class ProductsApi {
    /** Largest page size. */
    static final int MAX_PAGE_SIZE = 100;
    static final String LIST_SQL = "SELECT id, sku, name, category, price_cents, stock, description, updated_at FROM products "
            + "WHERE (?::text IS NULL OR category = ?) ORDER BY name, id LIMIT ? OFFSET ?";
    static final String GET_SQL = "SELECT id, sku, name, category, price_cents, stock, description, updated_at FROM products WHERE id = ?";

    private final DataSource db;

    ProductsApi(DataSource db) {
        this.db = db;
    }

    void register(Router r) {
        r.get("/api/products", this::list);
        r.get("/api/products/{id}", this::get);
    }

    private void list(Exchange ex) throws SQLException {
        String category = ex.query("category");
        int page = ex.queryInt("page", 1, 1, 100_000);
        int size = ex.queryInt("size", 20, 1, MAX_PAGE_SIZE);
        List<Map<String, Object>> items = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(LIST_SQL)) {
            p.setString(1, category);
            p.setString(2, category);
            p.setInt(3, size);
            p.setInt(4, (page - 1) * size);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) items.add(row(rs));
            }
        }
        ex.response().setHeader("X-Cache", "BYPASS");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("category", category);
        body.put("page", page);
        body.put("size", size);
        body.put("items", items);
        ex.json(200, body);
    }

    private void get(Exchange ex) throws SQLException {
        long id = ex.pathId("id");
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(GET_SQL)) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) throw ApiException.notFound("no product with id " + id);
                ex.response().setHeader("X-Cache", "BYPASS");
                ex.json(200, row(rs));
            }
        }
    }

    static Map<String, Object> row(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getLong("id"));
        m.put("sku", rs.getString("sku"));
        m.put("name", rs.getString("name"));
        m.put("category", rs.getString("category"));
        m.put("priceCents", rs.getInt("price_cents"));
        m.put("stock", rs.getInt("stock"));
        m.put("description", rs.getString("description"));
        m.put("updatedAt", rs.getTimestamp("updated_at").toInstant().toString());
        return m;
    }
}
