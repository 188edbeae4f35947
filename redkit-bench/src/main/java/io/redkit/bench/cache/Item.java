package io.redkit.bench.cache;

import java.math.BigDecimal;
import java.util.List;

/** A typical cached value: a catalogue row of about 400 bytes as JSON. */
public record Item(long id, String name, String description, int category, BigDecimal price, List<String> labels) {
    static Item sample(long id) {
        return new Item(id, "item " + id, ("A sturdy, well-made item number " + id + " for everyday use. ").repeat(4),
                (int) (id % 100), new BigDecimal("19.99"), List.of("new", "popular", "in-stock"));
    }
}
