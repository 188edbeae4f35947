package io.redkit.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * One user session: metadata and attributes, as loaded by a {@link SessionStore} or made by
 * {@link SessionStore#newSession(ClientInfo)}.
 *
 * <p>Attribute changes are kept in this object until {@link SessionStore#save(Session)}, which
 * writes only the attributes that changed. Values are stored as JSON with the store's codec: a
 * value that cannot be encoded, or is larger than the codec allows, is rejected by {@code set}.
 *
 * <p>Thread-safe: a request may use its session from several threads. Never log {@link #id()}.
 */
public interface Session {
    /**
     * The secret id: the cookie value, {@code <tag>.<secret>}. Whoever holds it holds the session;
     * never log it or show it. Redis never stores it (keys use a SHA-256 of it).
     */
    String id();

    /** The public handle: identifies the session on device lists and in events, grants nothing. */
    String handle();

    /** The logged-in user, empty before login. */
    Optional<String> userId();

    /** True until the session is first saved. */
    boolean isNew();

    /**
     * True when it was loaded through an id replaced moments ago by a {@linkplain Rotation#ROUTINE
     * routine rotation} (a request in flight with the old id). Such a session has the same user as
     * its old id had, never reveals the new {@link #id()}, and cannot log in or be rotated.
     */
    boolean isAlias();

    /** When it was created (the Redis server's clock; the request's local clock while new). */
    Instant createdAt();

    /** The last recorded access (recorded at most once per {@link SessionOptions#touchInterval()}). */
    Instant lastAccessedAt();

    /** When it expires unless used again: the earlier of last access + idle timeout and the absolute deadline. */
    Instant expiresAt();

    /** The sliding idle timeout. */
    Duration idleTimeout();

    /** The deadline no activity extends: creation + absolute timeout. */
    Instant absoluteDeadline();

    /** Address and user agent at creation. */
    ClientInfo createdBy();

    /** Address and user agent at the last recorded access. */
    ClientInfo lastAccessBy();

    /** A short label from the creation user agent, e.g. {@code "Chrome on Android"}. */
    String deviceLabel();

    /**
     * The attribute's value, empty when absent.
     *
     * @throws SessionException when the stored JSON cannot be read as the key's type
     */
    <T> Optional<T> get(AttributeKey<T> key);

    /**
     * The attribute as plain JSON values ({@code Map}, {@code List}, {@code String}, a
     * {@code Number}, {@code Boolean}), empty when absent; for code that does not know its type.
     */
    Optional<Object> get(String name);

    /** {@link #get(AttributeKey)} with a name and a class. */
    default <T> Optional<T> get(String name, Class<T> type) {
        return get(AttributeKey.of(name, type));
    }

    /**
     * Sets an attribute; {@code null} removes it.
     *
     * @throws SessionException when the value cannot be encoded as JSON
     * @throws io.redkit.core.codec.PayloadTooLargeException when its encoding is larger than the codec allows
     * @throws IllegalArgumentException when the name is invalid ({@link AttributeKey#validateName})
     */
    <T> void set(AttributeKey<T> key, T value);

    /** {@link #set(AttributeKey, Object)} with a name; the value is read back with its own class. */
    void set(String name, Object value);

    /** Removes an attribute; does nothing when absent. */
    void remove(String name);

    /** The names of the attributes currently set. */
    Set<String> attributeNames();

    /** True when attributes changed since the session was loaded or last saved (or it is new). */
    boolean hasChanges();
}
