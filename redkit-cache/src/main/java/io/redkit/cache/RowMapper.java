package io.redkit.cache;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Maps the current row of a {@link ResultSet} to a value; called once per row, on the calling thread,
 * only when the query goes to the database. The value must be encodable by the cache's codec (JSON
 * by default), since that is what the cache stores.
 */
@FunctionalInterface
public interface RowMapper<T> {
    /** The value of the current row; do not move the cursor. */
    T map(ResultSet row) throws SQLException;
}
