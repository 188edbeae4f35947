package io.redkit.session.internal;

import io.redkit.core.codec.CodecException;
import io.redkit.core.codec.PayloadTooLargeException;
import io.redkit.core.codec.RedkitCodec;
import io.redkit.session.AttributeKey;
import io.redkit.session.ClientInfo;
import io.redkit.session.Session;
import io.redkit.session.SessionException;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The {@link Session} of {@link RedisSessionStore}. Thread-safe (every method locks the instance). */
public final class SessionImpl implements Session {
    static final String ATTRIBUTE_PREFIX = "a:";

    private final RedisSessionStore store;
    private final RedkitCodec codec;

    private String id;
    /** tag and handle of the stored session (the rotated one when loaded through an alias) */
    private String tag;
    private String handle;
    private boolean alias;
    private boolean isNew;
    private boolean gone;
    private String userId;
    private Instant createdAt;
    private Instant lastAccessedAt;
    private Instant absoluteDeadline;
    private Duration idleTimeout;
    private ClientInfo createdBy;
    private ClientInfo lastAccessBy;
    private String deviceLabel;
    /** attribute name -> encoded value as stored */
    private final Map<String, byte[]> stored = new HashMap<>();
    /** attribute name -> new encoded value, or null when removed; not yet saved */
    private final Map<String, byte[]> changes = new LinkedHashMap<>();

    SessionImpl(RedisSessionStore store, RedkitCodec codec, String id, String tag, String handle, boolean isNew) {
        this.store = store;
        this.codec = codec;
        this.id = id;
        this.tag = tag;
        this.handle = handle;
        this.isNew = isNew;
    }

    // ---- identity and metadata -----------------------------------------------------------------

    @Override
    public synchronized String id() {
        return id;
    }

    @Override
    public synchronized String handle() {
        return handle;
    }

    synchronized String tag() {
        return tag;
    }

    RedisSessionStore store() {
        return store;
    }

    @Override
    public synchronized Optional<String> userId() {
        return Optional.ofNullable(userId);
    }

    synchronized String userIdOrNull() {
        return userId;
    }

    @Override
    public synchronized boolean isNew() {
        return isNew;
    }

    @Override
    public synchronized boolean isAlias() {
        return alias;
    }

    synchronized boolean isGone() {
        return gone;
    }

    @Override
    public synchronized Instant createdAt() {
        return createdAt;
    }

    @Override
    public synchronized Instant lastAccessedAt() {
        return lastAccessedAt;
    }

    @Override
    public synchronized Instant expiresAt() {
        Instant idle = lastAccessedAt.plus(idleTimeout);
        return idle.isBefore(absoluteDeadline) ? idle : absoluteDeadline;
    }

    @Override
    public synchronized Duration idleTimeout() {
        return idleTimeout;
    }

    @Override
    public synchronized Instant absoluteDeadline() {
        return absoluteDeadline;
    }

    @Override
    public synchronized ClientInfo createdBy() {
        return createdBy;
    }

    @Override
    public synchronized ClientInfo lastAccessBy() {
        return lastAccessBy;
    }

    @Override
    public synchronized String deviceLabel() {
        return deviceLabel;
    }

    synchronized void metadata(String userId, Instant createdAt, Instant lastAccessedAt, Instant absoluteDeadline,
                               Duration idleTimeout, ClientInfo createdBy, ClientInfo lastAccessBy, String deviceLabel) {
        this.userId = userId;
        this.createdAt = createdAt;
        this.lastAccessedAt = lastAccessedAt;
        this.absoluteDeadline = absoluteDeadline;
        this.idleTimeout = idleTimeout;
        this.createdBy = createdBy;
        this.lastAccessBy = lastAccessBy;
        this.deviceLabel = deviceLabel;
    }

    synchronized void persisted(Instant createdAt, Instant now, Instant absoluteDeadline) {
        this.isNew = false;
        this.createdAt = createdAt;
        this.lastAccessedAt = now;
        this.absoluteDeadline = absoluteDeadline;
    }

    synchronized void reassign(String id, String tag, String handle, String userId) {
        this.id = id;
        this.tag = tag;
        this.handle = handle;
        this.userId = userId;
        this.alias = false;
    }

    synchronized void accessed(Instant now) {
        this.lastAccessedAt = now;
    }

    /** Follows an alias: this object keeps the id it was loaded with but reads and writes {@code tag/handle}. */
    synchronized void retarget(String tag, String handle) {
        this.tag = tag;
        this.handle = handle;
        this.alias = true;
    }

    synchronized void markGone() {
        this.gone = true;
    }

    // ---- attributes ----------------------------------------------------------------------------

    synchronized void putStored(String name, byte[] value) {
        stored.put(name, value);
    }

    synchronized void replaceStored(Map<String, byte[]> attributes) {
        stored.clear();
        stored.putAll(attributes);
    }

    private byte[] current(String name) {
        if (changes.containsKey(name)) {
            return changes.get(name);
        }
        return stored.get(name);
    }

    @Override
    public <T> Optional<T> get(AttributeKey<T> key) {
        byte[] raw;
        synchronized (this) {
            raw = current(key.name());
        }
        if (raw == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(codec.decode(raw, key.type()));
        } catch (CodecException e) {
            throw new SessionException("session attribute '" + key.name() + "' cannot be read as " + key.type().getTypeName()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Object> get(String name) {
        return get(new AttributeKey<>(name, Object.class));
    }

    @Override
    public <T> void set(AttributeKey<T> key, T value) {
        set(key.name(), value);
    }

    @Override
    public void set(String name, Object value) {
        AttributeKey.validateName(name);
        if (value == null) {
            remove(name);
            return;
        }
        byte[] encoded;
        try {
            encoded = codec.encode(value);
        } catch (PayloadTooLargeException e) {
            throw new PayloadTooLargeException("session attribute '" + name + "'", e.size(), e.limit());
        } catch (CodecException e) {
            throw new SessionException("session attribute '" + name + "' cannot be stored: " + e.getMessage(), e);
        }
        synchronized (this) {
            changes.put(name, encoded);
        }
    }

    @Override
    public void remove(String name) {
        AttributeKey.validateName(name);
        synchronized (this) {
            if (current(name) != null) {
                changes.put(name, null);
            }
        }
    }

    @Override
    public synchronized Set<String> attributeNames() {
        Set<String> names = new LinkedHashSet<>(stored.keySet());
        for (Map.Entry<String, byte[]> e : changes.entrySet()) {
            if (e.getValue() == null) {
                names.remove(e.getKey());
            } else {
                names.add(e.getKey());
            }
        }
        return Collections.unmodifiableSet(names);
    }

    @Override
    public synchronized boolean hasChanges() {
        return isNew || !changes.isEmpty();
    }

    /** The pending changes (a copy), in the order they were made. */
    synchronized Map<String, byte[]> pendingChanges() {
        return new LinkedHashMap<>(changes);
    }

    /** The attributes as they would be after saving (a copy). */
    synchronized Map<String, byte[]> effectiveAttributes() {
        Map<String, byte[]> m = new LinkedHashMap<>(stored);
        for (Map.Entry<String, byte[]> e : changes.entrySet()) {
            if (e.getValue() == null) {
                m.remove(e.getKey());
            } else {
                m.put(e.getKey(), e.getValue());
            }
        }
        return m;
    }

    /** Moves the saved changes into the stored state; changes made meanwhile stay pending. */
    synchronized void committed(Map<String, byte[]> saved) {
        for (Map.Entry<String, byte[]> e : saved.entrySet()) {
            if (changes.containsKey(e.getKey()) && changes.get(e.getKey()) == e.getValue()) {
                changes.remove(e.getKey());
            }
            if (e.getValue() == null) {
                stored.remove(e.getKey());
            } else {
                stored.put(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    public synchronized String toString() {
        // never the id
        return "Session{handle=" + handle + (userId != null ? ", user=" + userId : "") + (isNew ? ", new" : "")
                + (alias ? ", alias" : "") + ", attributes=" + attributeNames() + "}";
    }
}
