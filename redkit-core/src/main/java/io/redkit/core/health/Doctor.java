package io.redkit.core.health;

import io.redkit.core.Namespace;
import io.redkit.core.Redkit;
import io.redkit.core.RedisTarget;

import java.util.ArrayList;
import java.util.List;

/**
 * Inspects each namespace's Redis and says what is wrong for the job it does: a queue that can be
 * evicted or is not persisted, a cache that can never evict, a Redis older than 6.2, no password on
 * a server other machines can reach.
 */
public final class Doctor {
    private Doctor() {}

    /** Checks every namespace (within about the connect timeout) and returns the report. */
    public static DoctorReport inspect(Redkit redkit) {
        List<NamespaceHealth> health = redkit.health();
        List<DoctorWarning> warnings = new ArrayList<>();
        for (NamespaceHealth h : health) {
            warnings.addAll(diagnose(h, redkit.config().target(h.namespace())));
        }
        return new DoctorReport(redkit.config(), health, warnings);
    }

    /** The warnings for one namespace's health result. */
    public static List<DoctorWarning> diagnose(NamespaceHealth h, RedisTarget target) {
        List<DoctorWarning> out = new ArrayList<>();
        Namespace ns = h.namespace();
        if (!h.isUp()) {
            out.add(new DoctorWarning(ns, DoctorWarning.Code.UNREACHABLE,
                    "Redis at " + h.target() + " did not answer: " + h.error().orElse("unknown") + ".",
                    "check that Redis runs and that the URL, password and TLS settings are right"));
            return out;
        }
        String policy = h.evictionPolicy().orElse(null);
        if (ns == Namespace.QUEUE && policy != null && !policy.equals("noeviction")) {
            out.add(new DoctorWarning(ns, DoctorWarning.Code.QUEUE_EVICTION,
                    "maxmemory-policy is " + policy + ": when memory is full Redis evicts keys, and an evicted job is lost without a trace.",
                    "give the queue its own Redis with maxmemory-policy noeviction (REDKIT_QUEUE_URL), see deploy/redis.conf"));
        }
        if (ns == Namespace.CACHE && "noeviction".equals(policy)) {
            out.add(new DoctorWarning(ns, DoctorWarning.Code.CACHE_NOEVICTION,
                    "maxmemory-policy is noeviction: when memory is full every cache write fails with 'OOM command not allowed'"
                            + h.maxMemoryBytes().filter(m -> m == 0).map(m -> ", and with maxmemory 0 the cache grows until the machine runs out").orElse("") + ".",
                    "give the cache its own Redis with maxmemory set and maxmemory-policy allkeys-lru (REDKIT_CACHE_URL), see deploy/redis-cache.conf"));
        }
        h.version().ifPresent(v -> {
            if (olderThan(v, 6, 2)) {
                out.add(new DoctorWarning(ns, DoctorWarning.Code.OLD_REDIS,
                        "Redis " + v + " is older than 6.2, the oldest version Redkit supports.",
                        "upgrade Redis to 6.2 or later (7.x recommended)"));
            }
        });
        if (!target.hasPassword() && !target.isLoopback()) {
            out.add(new DoctorWarning(ns, DoctorWarning.Code.NO_PASSWORD,
                    "connected without a password to " + h.target() + ", an address other machines can reach.",
                    "create ACL users (see deploy/redis.conf) and set REDIS_USERNAME and REDIS_PASSWORD, or bind Redis to loopback"));
        }
        if (ns == Namespace.QUEUE && h.aofEnabled().orElse(true) == Boolean.FALSE
                && h.rdbSaveConfig().map(String::isBlank).orElse(false)) {
            out.add(new DoctorWarning(ns, DoctorWarning.Code.QUEUE_NOT_PERSISTED,
                    "AOF is off and no RDB snapshots are configured: a restart of Redis loses every job, including acknowledged ones.",
                    "set appendonly yes with appendfsync everysec (and keep RDB snapshots) on the queue's Redis"));
        }
        return out;
    }

    static boolean olderThan(String version, int major, int minor) {
        String[] p = version.split("\\.");
        try {
            int ma = Integer.parseInt(p[0]);
            int mi = p.length > 1 ? Integer.parseInt(p[1]) : 0;
            return ma < major || (ma == major && mi < minor);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
