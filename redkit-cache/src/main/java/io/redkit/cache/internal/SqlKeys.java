package io.redkit.cache.internal;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** Query-cache keys, table tags and the {@code List<T>} type of cached results. */
public final class SqlKeys {
    private static final Pattern TABLE = Pattern.compile("([A-Za-z_][A-Za-z0-9_$]*\\.)?[A-Za-z_][A-Za-z0-9_$]*");
    /**
     * Statements seen so far, normalized: an application's statements are mostly constants, so each
     * is normalized once. Bounded: past this many distinct statements (SQL built with inlined values),
     * the rest are normalized on every call instead of filling memory.
     */
    static final int MAX_MEMOIZED = 10_000;
    private static final ConcurrentHashMap<String, String> NORMALIZED = new ConcurrentHashMap<>();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    });

    private SqlKeys() {}

    /**
     * Collapses whitespace runs outside quotes ('...', "...") into one space and trims, so queries
     * that differ only in layout share a key; literals and quoted identifiers are kept exactly.
     */
    public static String normalize(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        char quote = 0;
        boolean space = false;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (Character.isWhitespace(c)) {
                space = true;
                continue;
            }
            if (space && out.length() > 0) {
                out.append(' ');
            }
            space = false;
            if (c == '\'' || c == '"') {
                quote = c;
            }
            out.append(c);
        }
        return out.toString();
    }

    /** {@link #normalize}, memoized for up to {@link #MAX_MEMOIZED} distinct statements. */
    static String normalized(String sql) {
        String n = NORMALIZED.get(sql);
        if (n == null) {
            n = normalize(sql);
            if (NORMALIZED.size() < MAX_MEMOIZED) {
                NORMALIZED.putIfAbsent(sql, n);
            }
        }
        return n;
    }

    /** Statements memoized so far; for tests. */
    static int memoized() {
        return NORMALIZED.size();
    }

    /** A key for {@code sql} with {@code params} and the row type: SHA-256 of all three, hex. */
    public static String key(String sql, List<?> params, Class<?> rowType) {
        StringBuilder sb = new StringBuilder(normalized(sql)).append('\u0000').append(rowType.getName());
        for (Object p : params) {
            sb.append('\u0000');
            if (p == null) {
                sb.append("null");
            } else if (p instanceof byte[]) {
                sb.append("bytes:").append(Base64.getEncoder().encodeToString((byte[]) p));
            } else if (p instanceof Object[]) {
                sb.append(p.getClass().getSimpleName()).append(':').append(Arrays.deepToString((Object[]) p));
            } else {
                sb.append(p.getClass().getSimpleName()).append(':').append(p);
            }
        }
        // digest() resets the per-thread instance, so each call starts from a fresh state
        return "q:" + HexFormat.of().formatHex(SHA256.get().digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The unqualified lower-case name of a table ({@code public.Products} gives {@code products}),
     * which is what the triggers report.
     *
     * @throws IllegalArgumentException for anything but a plain, optionally schema-qualified identifier
     */
    public static String table(String table) {
        if (table == null || !TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("table must be an unquoted identifier, optionally schema-qualified (e.g. "
                    + "products or public.products): " + (table == null ? "null" : "\"" + table + "\""));
        }
        int dot = table.indexOf('.');
        return (dot < 0 ? table : table.substring(dot + 1)).toLowerCase(Locale.ROOT);
    }

    /** The tag of a table's values. */
    public static String tag(String table) {
        return "table:" + table(table);
    }

    /** {@code List<element>} as a reflective type, for codecs. */
    public static Type listOf(Class<?> element) {
        return new ParameterizedType() {
            @Override
            public Type[] getActualTypeArguments() {
                return new Type[]{element};
            }

            @Override
            public Type getRawType() {
                return List.class;
            }

            @Override
            public Type getOwnerType() {
                return null;
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof ParameterizedType && ((ParameterizedType) o).getRawType() == List.class
                        && Arrays.equals(((ParameterizedType) o).getActualTypeArguments(), getActualTypeArguments())
                        && ((ParameterizedType) o).getOwnerType() == null;
            }

            @Override
            public int hashCode() {
                return Objects.hash(List.class, element);
            }

            @Override
            public String getTypeName() {
                return "java.util.List<" + element.getName() + ">";
            }
        };
    }
}
