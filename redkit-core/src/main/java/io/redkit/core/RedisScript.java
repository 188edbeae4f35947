package io.redkit.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Lua script loaded from a {@code .lua} resource, with its SHA-1 computed locally. Run it with
 * {@link RedisNamespace#eval}: Redkit calls {@code EVALSHA} and, when the server answers
 * {@code NOSCRIPT} (after a restart, a failover or {@code SCRIPT FLUSH}, or on a Cluster node that
 * has not seen it yet), sends the script once with {@code EVAL}, which also caches it there.
 *
 * <p>Scripts are registered once per resource and shared: {@link #load} returns the same instance
 * for the same resource.
 */
public final class RedisScript {
    private static final Map<String, RedisScript> REGISTRY = new ConcurrentHashMap<>();

    private final String name;
    private final String body;
    private final String sha1;

    private RedisScript(String name, String body) {
        this.name = name;
        this.body = body;
        this.sha1 = sha1(body);
    }

    /**
     * Loads {@code resource} relative to {@code anchor}'s package (e.g. {@code "enqueue.lua"}), or
     * absolute when it starts with {@code /}.
     *
     * @throws IllegalArgumentException when the resource does not exist
     */
    public static RedisScript load(Class<?> anchor, String resource) {
        String key = anchor.getName() + "#" + resource;
        return REGISTRY.computeIfAbsent(key, k -> {
            try (InputStream in = anchor.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalArgumentException("no script resource '" + resource + "' next to " + anchor.getName());
                }
                return new RedisScript(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read script resource " + resource, e);
            }
        });
    }

    /** A script from source text, for tests and one-off tools. Not registered. */
    public static RedisScript of(String name, String body) {
        return new RedisScript(name, body);
    }

    /** The resource name, for messages. */
    public String name() {
        return name;
    }

    /** The Lua source. */
    public String body() {
        return body;
    }

    /** The lower-case hex SHA-1 Redis uses to identify the script. */
    public String sha1() {
        return sha1;
    }

    @Override
    public String toString() {
        return "RedisScript{" + name + ", " + sha1 + "}";
    }

    private static String sha1(String body) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(md.digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
    }
}
