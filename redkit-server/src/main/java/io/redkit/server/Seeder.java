package io.redkit.server;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Demo data: about 100,000 products in eight categories and a demo user. Idempotent. */
final class Seeder {
    /** The demo user's email. */
    static final String DEMO_EMAIL = "demo@redkit.dev";
    /** The demo user's password; printed at start so a new user can log in. */
    static final String DEMO_PASSWORD = "redkit-demo-password";
    /** Products the demo data creates. */
    static final int PRODUCTS = 100_000;
    static final String[] CATEGORIES = {"books", "electronics", "garden", "home", "kitchen", "outdoors", "sports", "toys"};

    private Seeder() {}

    /** Seeds when the products table is empty; returns the number of products inserted. */
    static int seed(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM products")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return 0;
                }
            }
            int n = s.executeUpdate("INSERT INTO products (sku, name, category, price_cents, stock, description) "
                    + "SELECT 'SKU-' || lpad(g::text, 6, '0'), "
                    + "(ARRAY['Classic','Smart','Eco','Pro','Mini','Ultra','Compact','Deluxe'])[1 + g % 8] || ' ' || "
                    + "(ARRAY['lamp','chair','kettle','backpack','drill','novel','puzzle','speaker','tent','mixer','ball','planter'])[1 + (g / 8) % 12] "
                    + "|| ' ' || g, "
                    + "(ARRAY['" + String.join("','", CATEGORIES) + "'])[1 + (g * 7 + g / 13) % 8], "
                    + "199 + (g * 7919) % 50000, (g * 31) % 500, 'Demo product number ' || g "
                    + "FROM generate_series(1, " + PRODUCTS + ") g ON CONFLICT (sku) DO NOTHING");
            s.execute("ANALYZE products");
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO users (email, password_hash) VALUES (?, ?) ON CONFLICT (email) DO NOTHING")) {
                p.setString(1, DEMO_EMAIL);
                p.setString(2, Passwords.hash(DEMO_PASSWORD));
                p.executeUpdate();
            }
            return n;
        }
    }
}
