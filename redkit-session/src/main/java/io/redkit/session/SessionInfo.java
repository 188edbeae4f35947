package io.redkit.session;

import java.time.Instant;

/**
 * One of a user's live sessions, as shown on a "your devices" page. Carries the public
 * {@link #handle()} (enough to revoke it with {@link SessionStore#revoke(String, String)}), never
 * the secret id.
 *
 * @param handle       public handle of the session
 * @param deviceLabel  short label derived from the user agent at creation, e.g. "Firefox on Windows"
 * @param createdBy    address and user agent at creation
 * @param lastAccessBy address and user agent at the last recorded access
 * @param createdAt    creation time
 * @param lastSeenAt   last recorded access (recorded at most once per {@link SessionOptions#touchInterval()})
 * @param expiresAt    when it expires unless used again
 * @param current      whether it is the session the list was asked for from
 */
public record SessionInfo(String handle, String deviceLabel, ClientInfo createdBy, ClientInfo lastAccessBy,
                          Instant createdAt, Instant lastSeenAt, Instant expiresAt, boolean current) {
}
