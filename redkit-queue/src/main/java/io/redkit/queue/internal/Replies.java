package io.redkit.queue.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reading script replies (Lettuce gives integers as Long, bulk strings as byte[], arrays as List). */
final class Replies {
    private Replies() {}

    static String str(Object o) {
        if (o == null) return null;
        if (o instanceof byte[]) return new String((byte[]) o, StandardCharsets.UTF_8);
        return o.toString();
    }

    static long lng(Object o) {
        if (o instanceof Long) return (Long) o;
        if (o instanceof Number) return ((Number) o).longValue();
        String s = str(o);
        if (s == null || s.isEmpty()) return 0;
        int dot = s.indexOf('.');
        return Long.parseLong(dot >= 0 ? s.substring(0, dot) : s);
    }

    static byte[] bytes(Object o) {
        if (o == null) return null;
        if (o instanceof byte[]) return (byte[]) o;
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        for (Object e : list(o)) {
            out.add(str(e));
        }
        return out;
    }
}
