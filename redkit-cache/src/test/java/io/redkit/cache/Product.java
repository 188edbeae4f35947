package io.redkit.cache;

import java.math.BigDecimal;

/** A value type for tests. */
public record Product(long id, String name, BigDecimal price) {
}
