package io.redkit.core;

import java.util.Objects;

/** A Redis node address. IPv6 literals are written in brackets: {@code [::1]:7000}. */
public final class HostAndPort {
    private final String host;
    private final int port;

    private HostAndPort(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public static HostAndPort of(String host, int port) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
        }
        return new HostAndPort(host, port);
    }

    /** Parses {@code host:port}, {@code host} (port {@code defaultPort}) or {@code [v6]:port}. */
    public static HostAndPort parse(String text, int defaultPort) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty node address");
        }
        String host;
        String portText = null;
        if (t.startsWith("[")) {
            int end = t.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("unclosed '[' in node address \"" + t + "\"");
            }
            host = t.substring(1, end);
            String rest = t.substring(end + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("expected ':port' after ']' in \"" + t + "\"");
                }
                portText = rest.substring(1);
            }
        } else {
            int colon = t.lastIndexOf(':');
            if (colon >= 0 && t.indexOf(':') != colon) {
                throw new IllegalArgumentException("IPv6 address must be in brackets, e.g. [::1]:6379: \"" + t + "\"");
            }
            host = colon < 0 ? t : t.substring(0, colon);
            portText = colon < 0 ? null : t.substring(colon + 1);
        }
        int port = defaultPort;
        if (portText != null) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port is not a number in \"" + t + "\"");
            }
        }
        return of(host, port);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** True for localhost, 127.0.0.0/8 and ::1. */
    public boolean isLoopback() {
        return host.equalsIgnoreCase("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostAndPort && ((HostAndPort) o).host.equals(host) && ((HostAndPort) o).port == port;
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
