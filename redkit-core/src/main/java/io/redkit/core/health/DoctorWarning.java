package io.redkit.core.health;

import io.redkit.core.Namespace;

/** One thing the doctor found wrong with a namespace's Redis, and how to fix it. */
public final class DoctorWarning {
    /** What kind of problem it is. */
    public enum Code {
        /** The namespace's Redis did not answer. */
        UNREACHABLE,
        /** The queue's Redis may evict keys: jobs can silently disappear. */
        QUEUE_EVICTION,
        /** The cache's Redis never evicts: a full cache fails writes. */
        CACHE_NOEVICTION,
        /** Redis is older than 6.2, the oldest Redkit supports. */
        OLD_REDIS,
        /** No password while the server is reachable from other machines. */
        NO_PASSWORD,
        /** Neither AOF nor RDB snapshots on the queue's Redis: a restart loses every job. */
        QUEUE_NOT_PERSISTED
    }

    private final Namespace namespace;
    private final Code code;
    private final String message;
    private final String fix;

    public DoctorWarning(Namespace namespace, Code code, String message, String fix) {
        this.namespace = namespace;
        this.code = code;
        this.message = message;
        this.fix = fix;
    }

    public Namespace namespace() {
        return namespace;
    }

    public Code code() {
        return code;
    }

    /** What is wrong. */
    public String message() {
        return message;
    }

    /** What to do about it. */
    public String fix() {
        return fix;
    }

    @Override
    public String toString() {
        return "[" + namespace.id() + "] " + code + ": " + message + " Fix: " + fix;
    }
}
