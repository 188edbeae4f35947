package io.redkit.ratelimit.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * State keys known to be denied until an instant (of the limiter's ticker), for a request of at
 * least a given cost. No algorithm frees room earlier than the retry-after it reported (other
 * processes only add usage), so answering "denied" from here is what Redis would answer, without
 * the round trip. Bounded: at most {@code capacity} entries; when full, expired entries are
 * dropped, then arbitrary ones. Thread-safe.
 */
final class DeniedCache {
    private final int capacity;
    private final Map<String, long[]> entries = new ConcurrentHashMap<>();

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

    void deny(String key, long cost, long untilNanos, long nowNanos) {
        if (entries.size() >= capacity && !entries.containsKey(key)) {
            entries.values().removeIf(e -> e[0] - nowNanos <= 0);
            Iterator<String> it = entries.keySet().iterator();
            while (entries.size() >= capacity && it.hasNext()) {
                it.next();
                it.remove();
            }
        }
        entries.put(key, new long[]{untilNanos, cost});
    }

    void remove(String key) {
        entries.remove(key);
    }

    int size() {
        return entries.size();
    }
}
