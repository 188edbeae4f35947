package io.redkit.core;

import java.util.Locale;

/**
 * The three namespaces Redkit keeps apart. Each resolves to a connection (its own Redis, or a
 * database of a shared one) and a key prefix {@code <REDKIT_KEY_PREFIX>:<id>}.
 */
public enum Namespace {
    /** Cached query results; wants an LRU eviction policy. */
    CACHE(0),
    /** Jobs; must never be evicted ({@code noeviction}) and should be persisted. */
    QUEUE(1),
    /** Sessions and rate-limit windows. */
    SESSION(2);

    private final int defaultDatabase;

    Namespace(int defaultDatabase) {
        this.defaultDatabase = defaultDatabase;
    }

    /** The lower-case name used in key prefixes and messages: {@code cache}, {@code queue}, {@code session}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The database used on a standalone Redis unless configured otherwise: 0, 1 and 2. */
    public int defaultDatabase() {
        return defaultDatabase;
    }

    /** The environment variable that selects this namespace's database, e.g. {@code REDIS_QUEUE_DB}. */
    public String databaseVariable() {
        return "REDIS_" + name() + "_DB";
    }

    /** The environment variable that gives this namespace a Redis of its own, e.g. {@code REDKIT_QUEUE_URL}. */
    public String urlVariable() {
        return "REDKIT_" + name() + "_URL";
    }
}
