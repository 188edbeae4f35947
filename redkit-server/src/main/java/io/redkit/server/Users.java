package io.redkit.server;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** The users table. */
final class Users {
    /** A user row; the hash never leaves the server. {@code admin}: may manage and inspect operations. */
    record User(long id, String email, String passwordHash, Instant createdAt, boolean admin) {}

    private static final String COLUMNS = "id, email, password_hash, created_at, is_admin";

    private final DataSource db;

    Users(DataSource db) {
        this.db = db;
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

    /** Makes the account an admin or an ordinary user; false when there is no account with this email. */
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

    private static User row(ResultSet rs) throws SQLException {
        return new User(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(), rs.getBoolean(5));
    }
}
