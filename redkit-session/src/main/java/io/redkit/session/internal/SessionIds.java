package io.redkit.session.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Session ids, tags and handles.
 *
 * <ul>
 * <li>id (the cookie value): {@code <tag>.<secret>}, 16 + 1 + 43 characters;</li>
 * <li>secret: 32 bytes (256 bits) from {@link SecureRandom}, base64url without padding;</li>
 * <li>tag: before login 12 random bytes, after login the first 12 bytes of
 *     SHA-256("redkit-session-user:" + user id), base64url; it is the hash tag of the keys;</li>
 * <li>handle: the first 16 bytes of SHA-256(id), base64url (22 characters): the Redis key and the
 *     public handle. Binding the tag into the hash means an edited tag finds nothing.</li>
 * </ul>
 */
public final class SessionIds {
    public static final int TAG_LENGTH = 16;
    public static final int SECRET_LENGTH = 43;
    public static final int HANDLE_LENGTH = 22;
    public static final int ID_LENGTH = TAG_LENGTH + 1 + SECRET_LENGTH;
    /** Longest user id accepted, in characters. */
    public static final int MAX_USER_ID_LENGTH = 256;

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    private SessionIds() {}

    /** A parsed, well-formed id. */
    public record Parsed(String id, String tag) {}

    /** A new id under {@code tag}. */
    public static String newId(String tag) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return tag + "." + B64.encodeToString(secret);
    }

    /** A random tag, for sessions before login. */
    public static String randomTag() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return B64.encodeToString(b);
    }

    /** The tag of {@code userId}'s sessions and index. */
    public static String userTag(String userId) {
        byte[] d = sha256("redkit-session-user:" + userId);
        byte[] b = new byte[12];
        System.arraycopy(d, 0, b, 0, 12);
        return B64.encodeToString(b);
    }

    /** The handle of a well-formed id. */
    public static String handle(String id) {
        byte[] d = sha256(id);
        byte[] b = new byte[16];
        System.arraycopy(d, 0, b, 0, 16);
        return B64.encodeToString(b);
    }

    /**
     * Parses an id strictly: exact lengths, base64url alphabet, and the canonical encoding of 12
     * and 32 bytes (so no two strings name the same id).
     *
     * @return null when {@code id} is not a well-formed id
     */
    public static Parsed parse(String id) {
        if (id == null || id.length() != ID_LENGTH || id.charAt(TAG_LENGTH) != '.') {
            return null;
        }
        for (int i = 0; i < ID_LENGTH; i++) {
            if (i != TAG_LENGTH && !isB64(id.charAt(i))) {
                return null;
            }
        }
        // 43 characters carry 258 bits; the last character's low 2 bits must be 0 in the canonical form
        if ((decode(id.charAt(ID_LENGTH - 1)) & 0x3) != 0) {
            return null;
        }
        return new Parsed(id, id.substring(0, TAG_LENGTH));
    }

    /** True when {@code handle} is well-formed (22 base64url characters, canonical). */
    public static boolean isHandle(String handle) {
        if (handle == null || handle.length() != HANDLE_LENGTH) {
            return false;
        }
        for (int i = 0; i < HANDLE_LENGTH; i++) {
            if (!isB64(handle.charAt(i))) {
                return false;
            }
        }
        return (decode(handle.charAt(HANDLE_LENGTH - 1)) & 0xF) == 0;
    }

    /** Checks a user id and returns it. */
    public static String validateUserId(String userId) {
        if (userId == null) {
            throw new IllegalArgumentException("userId must not be null");
        }
        if (userId.isBlank() || userId.length() > MAX_USER_ID_LENGTH) {
            throw new IllegalArgumentException("userId must have 1 to " + MAX_USER_ID_LENGTH
                    + " characters and not be blank: \"" + (userId.length() > 40 ? userId.substring(0, 40) + "..." : userId)
                    + "\" (" + userId.length() + " characters)");
        }
        for (int i = 0; i < userId.length(); i++) {
            if (Character.isISOControl(userId.charAt(i))) {
                throw new IllegalArgumentException("userId must not contain control characters: \""
                        + userId.replaceAll("\\p{Cntrl}", "?") + "\"");
            }
        }
        return userId;
    }

    private static boolean isB64(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private static int decode(char c) {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        return c == '-' ? 62 : 63;
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
