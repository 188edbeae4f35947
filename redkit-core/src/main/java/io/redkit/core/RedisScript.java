package io.redkit.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Lua script loaded from a {@code .lua} resource, with its SHA-1 computed locally. Run it with
 * {@link RedisNamespace#eval}: Redkit calls {@code EVALSHA}, loads the script on its first use and
 * re-sends calls that found it missing ({@code NOSCRIPT}: after a restart, a failover or
 * {@code SCRIPT FLUSH}) in the order they were sent; see {@link RedisNamespace#eval}.
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
     * <p>A line {@code --#include other.lua} is replaced by that resource's text (resolved the same
     * way, itself expanded; each file at most once per script), so scripts share helper functions
     * without copying them. Redis sees one flat script; its SHA is that of the expanded text.
     *
     * @throws IllegalArgumentException when the resource, or one it includes, does not exist
     */
    public static RedisScript load(Class<?> anchor, String resource) {
        String key = anchor.getName() + "#" + resource;
        return REGISTRY.computeIfAbsent(key, k -> new RedisScript(resource, expand(anchor, resource, new HashSet<>())));
    }

    private static final String INCLUDE = "--#include ";

    private static String expand(Class<?> anchor, String resource, Set<String> seen) {
        if (!seen.add(resource)) {
            return "-- (" + resource + " already included)\n";
        }
        String text;
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no script resource '" + resource + "' next to " + anchor.getName());
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read script resource " + resource, e);
        }
        if (!text.contains(INCLUDE)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() * 2);
        for (String line : text.split("\n", -1)) {
            if (line.startsWith(INCLUDE)) {
                String included = expand(anchor, line.substring(INCLUDE.length()).strip(), seen);
                out.append(included);
                if (!included.endsWith("\n")) out.append('\n');
            } else {
                out.append(line).append('\n');
            }
        }
        out.setLength(out.length() - 1); // the split's last element had no newline after it
        return out.toString();
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
