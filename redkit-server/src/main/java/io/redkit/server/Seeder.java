package io.redkit.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Demo data: about 100,000 products in eight categories and a demo admin. Idempotent.
 *
 * <p>Only the embedded database (which holds nothing but demo data and lives as long as the
 * process) gets the demo admin with the well-known password {@link #DEMO_PASSWORD}. Seeding any
 * other database never creates an account with a known password: its demo admin gets a random
 * password, which {@link #seed} returns once, when it creates the account.
 */
final class Seeder {
    private static final Logger LOG = LoggerFactory.getLogger(Seeder.class);
    /** The demo admin's email. */
    static final String DEMO_EMAIL = "demo@redkit.dev";
    /** The demo admin's password in the embedded database only; printed at start so a new user can log in. */
    static final String DEMO_PASSWORD = "redkit-demo-password";
    /** Products the demo data creates. */
    static final int PRODUCTS = 100_000;
    static final String[] CATEGORIES = {"books", "electronics", "garden", "home", "kitchen", "outdoors", "sports", "toys"};

    /** What to seed. */
    enum Mode {
        /** Nothing. */
        NONE,
        /** The embedded database: products and the demo admin with {@link #DEMO_PASSWORD}. */
        EMBEDDED,
        /** A real database: products and the demo admin with a random password. */
        RANDOM_PASSWORD
    }

    /**
     * What a seed did: products inserted, and the demo admin's password when this call created the
     * account (empty when it existed already; its password is then whatever it was).
     */
    record Seeded(int products, Optional<String> createdAdminPassword) {}

    private Seeder() {}

    /**
     * Creates each of {@code emails} ({@code REDKIT_ADMIN_EMAILS}) that has no account, with a random
     * password: a listed address left free would make admin whoever registers it first. Returns the
     * accounts created with their passwords, to be shown once. Listed accounts are admins through
     * {@code users}' list, not their flag, so removing an address from the list revokes it.
     */
    static List<RedkitServer.Login> listedAdmins(Users users, List<String> emails) throws SQLException {
        List<RedkitServer.Login> created = new ArrayList<>();
        for (String email : emails) {
            Optional<Users.User> existing = users.byEmail(email);
            if (existing.isPresent()) {
                // no e-mail verification here: the operator must know this account is theirs
                LOG.info("{} is an admin (REDKIT_ADMIN_EMAILS); its account was registered {}", email, existing.get().createdAt());
                continue;
            }
            String password = Passwords.random();
            if (users.create(email, Passwords.hash(password), false).isPresent()) {
                LOG.info("created the admin {} (REDKIT_ADMIN_EMAILS) with a random password", email);
                created.add(new RedkitServer.Login(email, password));
            } // else another instance created it a moment ago, and showed its password
        }
        return created;
    }

    /** Seeds products when the table is empty, and the demo admin when it does not exist. */
    static Seeded seed(DataSource ds, Mode mode) throws SQLException {
        if (mode == Mode.NONE) return new Seeded(0, Optional.empty());
        int n = 0;
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            long existing;
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM products")) {
                rs.next();
                existing = rs.getLong(1);
            }
            if (existing == 0) {
                n = s.executeUpdate("INSERT INTO products (sku, name, category, price_cents, stock, description) "
                        + "SELECT 'SKU-' || lpad(g::text, 6, '0'), "
                        + "(ARRAY['Classic','Smart','Eco','Pro','Mini','Ultra','Compact','Deluxe'])[1 + g % 8] || ' ' || "
                        + "(ARRAY['lamp','chair','kettle','backpack','drill','novel','puzzle','speaker','tent','mixer','ball','planter'])[1 + (g / 8) % 12] "
                        + "|| ' ' || g, "
                        + "(ARRAY['" + String.join("','", CATEGORIES) + "'])[1 + (g * 7 + g / 13) % 8], "
                        + "199 + (g * 7919) % 50000, (g * 31) % 500, 'Demo product number ' || g "
                        + "FROM generate_series(1, " + PRODUCTS + ") g ON CONFLICT (sku) DO NOTHING");
                s.execute("ANALYZE products");
            }
        }
        String password = mode == Mode.EMBEDDED ? DEMO_PASSWORD : Passwords.random();
        boolean created = new Users(ds).create(DEMO_EMAIL, Passwords.hash(password), true).isPresent();
        return new Seeded(n, created ? Optional.of(password) : Optional.empty());
    }
}
