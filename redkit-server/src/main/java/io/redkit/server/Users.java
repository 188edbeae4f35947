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
    /** A user row; the hash never leaves the server. */
    record User(long id, String email, String passwordHash, Instant createdAt) {}

    private final DataSource db;

    Users(DataSource db) {
        this.db = db;
    }

    /** Inserts a user; empty when the email is taken. */
    Optional<User> create(String email, String passwordHash) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(
                "INSERT INTO users (email, password_hash) VALUES (?, ?) ON CONFLICT (email) DO NOTHING "
                        + "RETURNING id, email, password_hash, created_at")) {
            p.setString(1, email);
            p.setString(2, passwordHash);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    Optional<User> byEmail(String email) throws SQLException {
        return one("SELECT id, email, password_hash, created_at FROM users WHERE email = ?", email);
    }

    Optional<User> byId(long id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(
                "SELECT id, email, password_hash, created_at FROM users WHERE id = ?")) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private Optional<User> one(String sql, String arg) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, arg);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static User row(ResultSet rs) throws SQLException {
        return new User(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant());
    }
}
