package io.redkit.cache.internal;

import io.redkit.cache.CacheLoader;
import io.redkit.cache.CacheOptions;
import io.redkit.cache.CacheStats;
import io.redkit.cache.RedisCache;

import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@link RedisCache} over a {@link CacheEngine} with one value type. */
public final class TypedCache<V> implements RedisCache<V> {
    private final CacheEngine engine;
    private final Type type;

    public TypedCache(CacheEngine engine, Type type) {
        this.engine = engine;
        this.type = type;
    }

    /** The engine, for tests and the query cache. */
    public CacheEngine engine() {
        return engine;
    }

    @Override
    public String name() {
        return engine.name();
    }

    @Override
    public CacheOptions options() {
        return engine.options();
    }

    @Override
    public Optional<V> get(String key) {
        return engine.<V>lookup(key, type).value();
    }

    @Override
    public Lookup<V> lookup(String key) {
        return engine.lookup(key, type);
    }

    @Override
    public Optional<V> getOrLoad(String key, Set<String> tags, CacheLoader<? extends V> loader) {
        return engine.getOrLoad(key, tags, loader, type);
    }

    @Override
    public Map<String, V> getAll(Collection<String> keys) {
        return engine.getAll(keys, type);
    }

    @Override
    public void put(String key, V value, Set<String> tags) {
        engine.put(key, value, tags);
    }

    @Override
    public void putAbsent(String key, Set<String> tags) {
        engine.putAbsent(key, tags);
    }

    @Override
    public void delete(String key) {
        engine.delete(key);
    }

    @Override
    public void invalidateTag(String tag) {
        engine.invalidateTag(tag);
    }

    @Override
    public void clear() {
        engine.clear();
    }

    @Override
    public CacheStats stats() {
        return engine.stats();
    }

    @Override
    public String toString() {
        return "RedisCache{" + engine.name() + ", " + type.getTypeName() + "}";
    }
}
