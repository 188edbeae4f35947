package io.redkit.core.health;

import io.redkit.core.Namespace;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedisUnavailableException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks namespaces: PING round trip and {@code INFO}. A check never takes much longer than its
 * deadline: an unreachable Redis is reported DOWN when the deadline passes.
 */
public final class HealthChecker {
    private HealthChecker() {}

    /** Checks one namespace within {@code deadline}. */
    public static NamespaceHealth check(RedisNamespace ns, Duration deadline) {
        return checkAll(List.of(ns), deadline).get(0);
    }

    /** Checks the namespaces in parallel; the whole call takes about {@code deadline} at most. */
    public static List<NamespaceHealth> checkAll(List<RedisNamespace> namespaces, Duration deadline) {
        List<CompletableFuture<NamespaceHealth>> futures = new ArrayList<>();
        for (RedisNamespace ns : namespaces) {
            CompletableFuture<NamespaceHealth> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    f.complete(probe(ns, deadline));
                } catch (Throwable e) {
                    f.complete(NamespaceHealth.down(ns.namespace(), ns.target().toString(), message(e)));
                }
            }, "redkit-health-" + ns.namespace().id());
            t.setDaemon(true);
            t.start();
            futures.add(f);
        }
        long end = System.nanoTime() + deadline.toNanos() + TimeUnit.MILLISECONDS.toNanos(200);
        List<NamespaceHealth> out = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            RedisNamespace ns = namespaces.get(i);
            try {
                long left = Math.max(0, end - System.nanoTime());
                out.add(futures.get(i).get(left, TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                out.add(NamespaceHealth.down(ns.namespace(), ns.target().toString(),
                        "no answer within " + deadline.toMillis() + " ms"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.add(NamespaceHealth.down(ns.namespace(), ns.target().toString(), "interrupted"));
            } catch (ExecutionException e) {
                out.add(NamespaceHealth.down(ns.namespace(), ns.target().toString(), message(e.getCause())));
            }
        }
        return out;
    }

    private static NamespaceHealth probe(RedisNamespace ns, Duration deadline) throws Exception {
        Namespace id = ns.namespace();
        long start = System.nanoTime();
        var cmd = ns.async();
        long t0 = System.nanoTime();
        long budget = Math.max(1, deadline.toNanos() - (t0 - start));
        String pong = cmd.ping().get(budget, TimeUnit.NANOSECONDS);
        Duration ping = Duration.ofNanos(System.nanoTime() - t0);
        if (!"PONG".equalsIgnoreCase(pong)) {
            return NamespaceHealth.down(id, ns.target().toString(), "unexpected PING reply: " + pong);
        }
        Map<String, String> info = new HashMap<>();
        try {
            budget = Math.max(1, deadline.toNanos() - (System.nanoTime() - start));
            info.putAll(parseInfo(cmd.info().get(budget, TimeUnit.NANOSECONDS)));
        } catch (ExecutionException | TimeoutException e) {
            // INFO may be denied by an ACL or slow: still UP (PING answered), with fewer details
        }
        String save = null;
        try {
            budget = Math.max(1, deadline.toNanos() - (System.nanoTime() - start));
            Map<String, String> cfg = cmd.configGet("save").get(budget, TimeUnit.NANOSECONDS);
            save = cfg.get("save");
        } catch (ExecutionException | TimeoutException e) {
            // CONFIG is often disabled in production: leave unknown
        }
        return new NamespaceHealth(id, HealthStatus.UP, ns.target().toString(), ping, null, info, save);
    }

    /** Parses {@code INFO} text into field → value. */
    public static Map<String, String> parseInfo(String text) {
        Map<String, String> m = new HashMap<>();
        if (text == null) return m;
        for (String line : text.split("\r?\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            int c = line.indexOf(':');
            if (c > 0) m.put(line.substring(0, c), line.substring(c + 1).trim());
        }
        return m;
    }

    private static String message(Throwable e) {
        if (e instanceof RedisUnavailableException && e.getCause() != null) {
            return e.getMessage();
        }
        return e == null ? "unknown" : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
