package io.redkit.bench.cache;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;

/** One row of the benchmark's product page. */
public record Row(long id, String name, int category, BigDecimal price, int stock) {
    static Row map(ResultSet rs) throws SQLException {
        return new Row(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getBigDecimal(4), rs.getInt(5));
    }
}
