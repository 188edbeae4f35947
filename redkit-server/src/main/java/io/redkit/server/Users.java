package io.redkit.server;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The users table, and who of them is an admin: an account is an admin when its {@code is_admin}
 * flag is set ({@code redkit user grant-admin}) or its e-mail is one of the {@code adminEmails}
 * this instance was given ({@code REDKIT_ADMIN_EMAILS}). The role is read with the row, on every
 * request that needs it, so a grant or a revoke takes effect on the next request on every instance.
 */
final class Users {
    /**
     * A user row; the hash never leaves the server. {@code admin}: may manage and inspect operations
     * (the flag, or listed in {@code REDKIT_ADMIN_EMAILS}); {@code adminFlag}: the flag alone.
     */
    record User(long id, String email, String passwordHash, Instant createdAt, boolean admin, boolean adminFlag) {}

    private static final String COLUMNS = "id, email, password_hash, created_at, is_admin";

    private final DataSource db;
    private final Set<String> adminEmails;

    /** Users whose role is their {@code is_admin} flag alone. */
    Users(DataSource db) {
        this(db, List.of());
    }

    /** Users of whom {@code adminEmails} (lower case) are admins whatever their flag says. */
    Users(DataSource db, Collection<String> adminEmails) {
        this.db = db;
        this.adminEmails = Set.copyOf(adminEmails);
    }

    /** Inserts an ordinary user; empty when the email is taken. */
    Optional<User> create(String email, String passwordHash) throws SQLException {
        return create(email, passwordHash, false);
    }

    /** Inserts a user; empty when the email is taken (the existing account is left as it is). */
    Optional<User> create(String email, String passwordHash, boolean admin) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(
                "INSERT INTO users (email, password_hash, is_admin) VALUES (?, ?, ?) ON CONFLICT (email) DO NOTHING "
                        + "RETURNING " + COLUMNS)) {
            p.setString(1, email);
            p.setString(2, passwordHash);
            p.setBoolean(3, admin);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    /**
     * Sets or clears the account's admin flag; false when there is no account with this email. (An
     * address in {@code REDKIT_ADMIN_EMAILS} stays an admin while it is listed, whatever the flag.)
     */
    boolean setAdmin(String email, boolean admin) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(
                "UPDATE users SET is_admin = ? WHERE email = ?")) {
            p.setBoolean(1, admin);
            p.setString(2, email);
            return p.executeUpdate() > 0;
        }
    }

    Optional<User> byEmail(String email) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM users WHERE email = ?")) {
            p.setString(1, email);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    Optional<User> byId(long id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM users WHERE id = ?")) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private User row(ResultSet rs) throws SQLException {
        String email = rs.getString(2);
        boolean flag = rs.getBoolean(5);
        return new User(rs.getLong(1), email, rs.getString(3), rs.getTimestamp(4).toInstant(), flag || adminEmails.contains(email), flag);
    }
}
