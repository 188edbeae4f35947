package io.redkit.web.ratelimit;

import io.redkit.core.internal.Checks;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The built-in {@link KeyResolver}s. */
public final class KeyResolvers {
    /** Forwarded addresses read from {@code X-Forwarded-For} at most: 20 hops. */
    public static final int MAX_FORWARDED_HOPS = 20;

    private KeyResolvers() {}

    /**
     * The client's IP address. The TCP peer, unless the peer is one of {@code trusted}: then the
     * {@code X-Forwarded-For} chain is read from the right, skipping trusted proxies, and the first
     * address that is not one is the client. A client therefore cannot choose its key by sending
     * the header itself: from an untrusted peer the header is ignored. If every hop is trusted the
     * leftmost one is the client; a malformed hop ends the walk at the last good address.
     */
    public static KeyResolver clientIp(TrustedProxies trusted) {
        Checks.notNull(trusted, "trusted");
        return request -> clientIp(request, trusted);
    }

    /** {@link #clientIp(TrustedProxies)} with no trusted proxy: always the TCP peer. */
    public static KeyResolver clientIp() {
        return clientIp(TrustedProxies.none());
    }

    static String clientIp(HttpServletRequest request, TrustedProxies trusted) {
        String peer = request.getRemoteAddr();
        byte[] peerBytes = TrustedProxies.parseLiteral(peer); // parsed once: this runs on every request
        String client = peerBytes == null ? peer : TrustedProxies.canonical(peerBytes);
        if (peerBytes == null || !trusted.isTrusted(peerBytes)) {
            return client;
        }
        List<String> hops = new ArrayList<>();
        for (String header : Collections.list(request.getHeaders("X-Forwarded-For"))) {
            for (String hop : header.split(",")) {
                if (!hop.isBlank()) hops.add(hop.trim());
            }
        }
        int seen = 0;
        for (int i = hops.size() - 1; i >= 0 && seen < MAX_FORWARDED_HOPS; i--, seen++) {
            String hop = TrustedProxies.canonical(hops.get(i));
            if (hop == null) {
                return client;   // malformed: stop at the last address we could verify
            }
            client = hop;
            if (!trusted.isTrusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    private static String canonicalOr(String address) {
        String c = TrustedProxies.canonical(address);
        return c == null ? address : c;
    }

    /** The value of request header {@code name} (e.g. {@code X-API-Key}), or no key when it is absent or blank. */
    public static KeyResolver header(String name) {
        Checks.notBlank(name, "header name");
        return request -> {
            String v = request.getHeader(name);
            return v == null || v.isBlank() ? null : v.trim();
        };
    }

    /**
     * The request attribute {@code name} as text (e.g. a user id an authentication filter set), or
     * no key when absent.
     */
    public static KeyResolver requestAttribute(String name) {
        Checks.notBlank(name, "attribute name");
        return request -> {
            Object v = request.getAttribute(name);
            return v == null ? null : v.toString();
        };
    }

    /** The attribute {@code name} of the existing HTTP session as text; never creates a session. */
    public static KeyResolver sessionAttribute(String name) {
        Checks.notBlank(name, "attribute name");
        return request -> {
            HttpSession s = request.getSession(false);
            Object v = s == null ? null : s.getAttribute(name);
            return v == null ? null : v.toString();
        };
    }

    /** The authenticated user's name ({@link HttpServletRequest#getUserPrincipal()}), or no key. */
    public static KeyResolver userPrincipal() {
        return request -> {
            Principal p = request.getUserPrincipal();
            return p == null ? null : p.getName();
        };
    }

    /**
     * {@code first}'s key, or {@code fallback}'s when {@code first} has none (e.g. user id, else
     * IP). The keys are prefixed {@code 1:} and {@code 2:} so a user named like an address never
     * shares a bucket with that address.
     */
    public static KeyResolver firstOf(KeyResolver first, KeyResolver fallback) {
        Checks.notNull(first, "first");
        Checks.notNull(fallback, "fallback");
        return request -> {
            String k = first.resolve(request);
            if (k != null) {
                return "1:" + k;
            }
            String f = fallback.resolve(request);
            return f == null ? null : "2:" + f;
        };
    }
}
