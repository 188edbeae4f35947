package io.redkit.server;

import io.redkit.core.Redkit;
import io.redkit.core.health.NamespaceHealth;
import io.redkit.server.http.Exchange;
import io.redkit.server.http.Router;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /health/live} (the process answers) and {@code GET /health/ready} (every Redis
 * namespace and the database answer: 200, else 503 naming what is down).
 */
final class HealthApi {
    private final Redkit redkit;
    private final DataSource db;

    HealthApi(Redkit redkit, DataSource db) {
        this.redkit = redkit;
        this.db = db;
    }

    void register(Router r) {
        r.get("/health/live", ex -> ex.json(200, Map.of("status", "UP")));
        r.get("/health/ready", this::ready);
    }

    private void ready(Exchange ex) {
        List<Map<String, Object>> checks = new ArrayList<>();
        boolean up = true;
        for (NamespaceHealth h : redkit.health()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", "redis:" + h.namespace().id());
            m.put("status", h.status().name());
            h.pingTime().ifPresent(d -> m.put("latencyMillis", d.toNanos() / 1e6));
            h.error().ifPresent(e -> m.put("error", e));
            checks.add(m);
            up &= h.isUp();
        }
        Map<String, Object> dbCheck = new LinkedHashMap<>();
        dbCheck.put("name", "database");
        long t0 = System.nanoTime();
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(2);
            s.execute("SELECT 1");
            dbCheck.put("status", "UP");
            dbCheck.put("latencyMillis", (System.nanoTime() - t0) / 1e6);
        } catch (Exception e) {
            dbCheck.put("status", "DOWN");
            dbCheck.put("error", e.getMessage());
            up = false;
        }
        checks.add(dbCheck);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", checks);
        ex.json(up ? 200 : 503, body);
    }
}
