package io.redkit.cache.internal;

import io.redkit.core.RedisNamespace;

import java.util.List;

/**
 * Every Redis key name of the cache module. No other class builds key strings.
 *
 * <pre>
 *   &lt;prefix&gt;:v:&lt;cache&gt;:&lt;key&gt;   a value of a cache without near cache (envelope, PX = TTL)
 *   &lt;prefix&gt;:n:&lt;cache&gt;:&lt;key&gt;   a value of a cache with a near cache (tracked by BCAST on ":n:")
 *   &lt;prefix&gt;:l:&lt;cache&gt;:&lt;key&gt;   the cross-process load lock of a key (token, PX = lock TTL)
 *   &lt;prefix&gt;:t:&lt;tag&gt;           a tag's version counter (no TTL)
 *   &lt;prefix&gt;:g:&lt;cache&gt;         a cache's generation counter (no TTL), raised by clear()
 * </pre>
 *
 * <p>No script touches two keys, so none needs a hash tag: on Cluster, values spread over every
 * slot and bulk reads are split per slot. {@code prefix} is the namespace prefix, e.g.
 * {@code redkit:cache}. Cache names never contain {@code :}, so tracked prefixes never overlap.
 */
public final class KeySpace {
    private final String prefix;
    private final String valuePrefix;
    private final String nearPrefix;
    private final String lockPrefix;
    private final String tagPrefix;
    private final String generationPrefix;

    public KeySpace(RedisNamespace ns) {
        this(ns.keyPrefix());
    }

    public KeySpace(String prefix) {
        this.prefix = prefix;
        this.valuePrefix = prefix + ":v:";
        this.nearPrefix = prefix + ":n:";
        this.lockPrefix = prefix + ":l:";
        this.tagPrefix = prefix + ":t:";
        this.generationPrefix = prefix + ":g:";
    }

    public String prefix() {
        return prefix;
    }

    public String value(String cache, boolean near, String key) {
        return (near ? nearPrefix : valuePrefix) + cache + ':' + key;
    }

    public String lock(String cache, String key) {
        return lockPrefix + cache + ':' + key;
    }

    public String tag(String tag) {
        return tagPrefix + tag;
    }

    public String generation(String cache) {
        return generationPrefix + cache;
    }

    /** Prefixes the tracking connections watch in BCAST mode: versions, generations, near-cached values. */
    public List<String> trackedPrefixes() {
        return List.of(tagPrefix, generationPrefix, nearPrefix);
    }

    /** Whether {@code redisKey} is a version key (tag or generation). */
    public boolean isVersionKey(String redisKey) {
        return redisKey.startsWith(tagPrefix) || redisKey.startsWith(generationPrefix);
    }

    /** Whether {@code redisKey} is a near-cached value key. */
    public boolean isNearValueKey(String redisKey) {
        return redisKey.startsWith(nearPrefix);
    }
}
