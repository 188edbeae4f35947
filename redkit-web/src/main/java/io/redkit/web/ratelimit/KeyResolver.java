package io.redkit.web.ratelimit;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Finds the subject a limit applies to in a request: a client IP, a user id, an API key. Built-in
 * resolvers are in {@link KeyResolvers}. Called on the request thread for every limited request;
 * must be fast and thread-safe.
 */
@FunctionalInterface
public interface KeyResolver {
    /**
     * The key for {@code request}, or {@code null} when this request has none (e.g. no API key
     * header), in which case the route's limits are not applied to it.
     */
    String resolve(HttpServletRequest request);
}
