package io.redkit.ratelimit.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * State keys known to be denied until an instant (of the limiter's ticker), for a request of at
 * least a given cost. No algorithm frees room earlier than the retry-after it reported (other
 * processes only add usage), so answering "denied" from here is what Redis would answer, without
 * the round trip. A {@linkplain io.redkit.ratelimit.Reservation#release() release} is the exception:
 * it gives room back, so it forgets its keys ({@link #released}) and a denial decided before it
 * is not kept ({@link #deny}). Bounded: at most {@code capacity} entries; when full, expired entries
 * are dropped, then arbitrary ones. Thread-safe.
 */
final class DeniedCache {
    private final int capacity;
    private final Map<String, long[]> entries = new ConcurrentHashMap<>();
    /** Releases so far; a denial is cached only when none came between its call and its caching. */
    private final AtomicLong releases = new AtomicLong();

    DeniedCache(int capacity) {
        this.capacity = capacity;
    }

    /** Nanoseconds (of the ticker) until which a request of {@code cost} on {@code key} is denied, or -1. */
    long deniedUntil(String key, long cost, long nowNanos) {
        long[] e = entries.get(key);
        if (e == null) {
            return -1;
        }
        if (e[0] - nowNanos <= 0) {
            entries.remove(key, e);
            return -1;
        }
        return cost >= e[1] ? e[0] : -1;
    }

    /** The number of releases so far: read before the call whose denial may be cached. */
    long releases() {
        return releases.get();
    }

    /**
     * Caches a denial, unless a release happened since {@code releasesBefore} was read (the denial
     * may have been decided before room was given back). Put first, then checked: a release counts
     * itself before it forgets its keys, so either this sees the release and takes its entry back,
     * or the release comes after the put and forgets it.
     */
    void deny(String key, long cost, long untilNanos, long nowNanos, long releasesBefore) {
        long[] e = put(key, cost, untilNanos, nowNanos);
        if (releases.get() != releasesBefore) {
            entries.remove(key, e);
        }
    }

    /** A release gave room back on {@code key}: counted, then the key forgotten. */
    void released(String key) {
        releases.incrementAndGet();
        entries.remove(key);
    }

    private long[] put(String key, long cost, long untilNanos, long nowNanos) {
        if (entries.size() >= capacity && !entries.containsKey(key)) {
            entries.values().removeIf(e -> e[0] - nowNanos <= 0);
            Iterator<String> it = entries.keySet().iterator();
            while (entries.size() >= capacity && it.hasNext()) {
                it.next();
                it.remove();
            }
        }
        long[] e = {untilNanos, cost};
        entries.put(key, e);
        return e;
    }

    void remove(String key) {
        entries.remove(key);
    }

    int size() {
        return entries.size();
    }
}
