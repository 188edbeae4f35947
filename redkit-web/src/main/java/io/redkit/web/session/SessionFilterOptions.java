package io.redkit.web.session;

import io.redkit.core.internal.Checks;

/**
 * Immutable settings of a {@link SessionFilter}: the session cookie. Build with {@link #builder()};
 * every option has a default, named {@code DEFAULT_*}. Setting an option twice is an error.
 *
 * <p>The cookie is always {@code HttpOnly} and {@code Path=/}. With the defaults it is
 * {@code __Host-session=<id>; Path=/; Max-Age=<absolute timeout>; Secure; HttpOnly; SameSite=Lax}.
 */
public final class SessionFilterOptions {
    /** Cookie name before the prefix: {@code session}. */
    public static final String DEFAULT_COOKIE_NAME = "session";
    /** Secure cookie (HTTPS only): {@code true}. Turn off only for plain-HTTP development. */
    public static final boolean DEFAULT_SECURE = true;
    /** Prefix the name with {@code __Host-} when the cookie is Secure: {@code true}. */
    public static final boolean DEFAULT_HOST_PREFIX = true;
    /** {@code SameSite=Lax}. */
    public static final SameSite DEFAULT_SAME_SITE = SameSite.LAX;
    /** Give the cookie a {@code Max-Age} equal to the store's absolute timeout: {@code true}. */
    public static final boolean DEFAULT_PERSISTENT = true;

    /** The cookie's {@code SameSite} attribute. */
    public enum SameSite {
        STRICT("Strict"), LAX("Lax"), NONE("None");

        private final String text;

        SameSite(String text) {
            this.text = text;
        }

        /** As written in the header, e.g. {@code Lax}. */
        public String text() {
            return text;
        }
    }

    private final String cookieName;
    private final boolean secure;
    private final boolean hostPrefix;
    private final SameSite sameSite;
    private final boolean persistent;

    private SessionFilterOptions(Builder b) {
        this.cookieName = b.cookieName != null ? b.cookieName : DEFAULT_COOKIE_NAME;
        this.secure = b.secure != null ? b.secure : DEFAULT_SECURE;
        this.hostPrefix = b.hostPrefix != null ? b.hostPrefix : DEFAULT_HOST_PREFIX;
        this.sameSite = b.sameSite != null ? b.sameSite : DEFAULT_SAME_SITE;
        this.persistent = b.persistent != null ? b.persistent : DEFAULT_PERSISTENT;
        if (sameSite == SameSite.NONE && !secure) {
            throw new IllegalArgumentException("sameSite NONE requires a Secure cookie (browsers reject it otherwise): secure=false");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SessionFilterOptions defaults() {
        return builder().build();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.cookieName = cookieName;
        b.secure = secure;
        b.hostPrefix = hostPrefix;
        b.sameSite = sameSite;
        b.persistent = persistent;
        b.fromExisting = true;
        return b;
    }

    /** The configured name, without prefix. */
    public String cookieName() {
        return cookieName;
    }

    /** The name on the wire: {@code __Host-<name>} when Secure with the host prefix, else the name. */
    public String effectiveCookieName() {
        return secure && hostPrefix ? "__Host-" + cookieName : cookieName;
    }

    public boolean secure() {
        return secure;
    }

    public boolean hostPrefix() {
        return hostPrefix;
    }

    public SameSite sameSite() {
        return sameSite;
    }

    public boolean persistent() {
        return persistent;
    }

    @Override
    public String toString() {
        return "SessionFilterOptions{cookie=" + effectiveCookieName() + ", secure=" + secure + ", sameSite=" + sameSite.text()
                + ", persistent=" + persistent + "}";
    }

    /** Builds {@link SessionFilterOptions}; not thread-safe. */
    public static final class Builder {
        private String cookieName;
        private Boolean secure;
        private Boolean hostPrefix;
        private SameSite sameSite;
        private Boolean persistent;
        private boolean fromExisting;

        private Builder() {}

        private void once(Object current, String name) {
            if (!fromExisting) {
                Checks.notSetYet(current, name);
            }
        }

        /**
         * The cookie name without prefix: 1 to 64 of {@code A-Z a-z 0-9 ! # $ % & ' * + - . ^ _ ` | ~},
         * not itself starting with {@code __Host-} or {@code __Secure-}. Default {@link #DEFAULT_COOKIE_NAME}.
         */
        public Builder cookieName(String cookieName) {
            once(this.cookieName, "cookieName");
            Checks.notNull(cookieName, "cookieName");
            if (cookieName.isEmpty() || cookieName.length() > 64 || !cookieName.matches("[A-Za-z0-9!#$%&'*+\\-.^_`|~]+")) {
                throw new IllegalArgumentException("cookieName must be 1 to 64 token characters (A-Z a-z 0-9 !#$%&'*+-.^_`|~): \""
                        + cookieName + "\"");
            }
            if (cookieName.regionMatches(true, 0, "__Host-", 0, 7) || cookieName.regionMatches(true, 0, "__Secure-", 0, 9)) {
                throw new IllegalArgumentException("cookieName must not carry a prefix; the filter adds __Host- itself: \""
                        + cookieName + "\"");
            }
            this.cookieName = cookieName;
            return this;
        }

        /** The Secure attribute; {@code false} only for plain-HTTP development. Default {@link #DEFAULT_SECURE}. */
        public Builder secure(boolean secure) {
            once(this.secure, "secure");
            this.secure = secure;
            return this;
        }

        /** Whether a Secure cookie gets the {@code __Host-} prefix. Default {@link #DEFAULT_HOST_PREFIX}. */
        public Builder hostPrefix(boolean hostPrefix) {
            once(this.hostPrefix, "hostPrefix");
            this.hostPrefix = hostPrefix;
            return this;
        }

        /** The SameSite attribute; {@code NONE} needs {@code secure}. Default {@link #DEFAULT_SAME_SITE}. */
        public Builder sameSite(SameSite sameSite) {
            once(this.sameSite, "sameSite");
            this.sameSite = Checks.notNull(sameSite, "sameSite");
            return this;
        }

        /**
         * {@code true}: the cookie has {@code Max-Age} = the store's absolute timeout and survives a
         * browser restart; {@code false}: a browser-session cookie. Default {@link #DEFAULT_PERSISTENT}.
         */
        public Builder persistent(boolean persistent) {
            once(this.persistent, "persistent");
            this.persistent = persistent;
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException when SameSite is NONE on a cookie that is not Secure
         */
        public SessionFilterOptions build() {
            return new SessionFilterOptions(this);
        }
    }
}
