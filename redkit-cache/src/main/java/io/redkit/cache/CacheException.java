package io.redkit.cache;

import io.redkit.core.RedkitException;

/**
 * The one exception of the cache module: a loader threw a checked exception (it is the cause), or a
 * cache or query cache was used in a way it does not support. Redis failures never surface as this
 * exception: while Redis is unreachable the cache reads through to the loader instead.
 */
public class CacheException extends RedkitException {
    private static final long serialVersionUID = 1L;

    private final String cacheName;

    public CacheException(String cacheName, String message, Throwable cause) {
        super("cache '" + cacheName + "': " + message, cause);
        this.cacheName = cacheName;
    }

    public CacheException(String cacheName, String message) {
        this(cacheName, message, null);
    }

    /** The cache the failure happened in. */
    public String cacheName() {
        return cacheName;
    }
}
