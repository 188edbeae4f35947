package io.redkit.session;

import io.redkit.core.internal.Checks;

/**
 * Where a request came from: its IP address and user agent, as recorded at creation and at last
 * access. Both may be empty strings (unknown); neither is {@code null}. The user agent is cut to
 * {@link #MAX_USER_AGENT_LENGTH} characters and the address to {@link #MAX_ADDRESS_LENGTH}.
 *
 * @param ipAddress the client's address as the server sees it
 * @param userAgent the {@code User-Agent} header
 */
public record ClientInfo(String ipAddress, String userAgent) {
    /** Longest user agent kept, in characters. */
    public static final int MAX_USER_AGENT_LENGTH = 256;
    /** Longest address kept, in characters. */
    public static final int MAX_ADDRESS_LENGTH = 64;
    /** Nothing known about the client. */
    public static final ClientInfo UNKNOWN = new ClientInfo("", "");

    public ClientInfo {
        ipAddress = cut(Checks.notNull(ipAddress, "ipAddress"), MAX_ADDRESS_LENGTH);
        userAgent = cut(Checks.notNull(userAgent, "userAgent"), MAX_USER_AGENT_LENGTH);
    }

    /** A client info where {@code null} means unknown. */
    public static ClientInfo of(String ipAddress, String userAgent) {
        return new ClientInfo(ipAddress == null ? "" : ipAddress, userAgent == null ? "" : userAgent);
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
