package io.redkit.cache.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The memoized parts of a query key: same keys as computing them afresh, bounded memory, thread-safe. */
class SqlKeysTest {
    @Test
    void aMemoizedStatementGivesTheKeyOfItsNormalizedForm() {
        String sql = "SELECT  id,\n name FROM products WHERE id = ?";
        assertThat(SqlKeys.normalized(sql)).isEqualTo(SqlKeys.normalize(sql));
        assertThat(SqlKeys.normalized(sql)).as("from the memo").isEqualTo("SELECT id, name FROM products WHERE id = ?");
        assertThat(SqlKeys.key(sql, List.of(7L), String.class))
                .isEqualTo(SqlKeys.key("SELECT id, name FROM products WHERE id = ?", List.of(7L), String.class))
                .isNotEqualTo(SqlKeys.key(sql, List.of(8L), String.class))
                .startsWith("q:").hasSize(2 + 64);
    }

    @Test
    void statementsBuiltWithInlinedValuesDoNotFillMemory() {
        for (int i = 0; i < SqlKeys.MAX_MEMOIZED + 500; i++) {
            assertThat(SqlKeys.normalized("SELECT  " + i)).isEqualTo("SELECT " + i);
        }
        assertThat(SqlKeys.memoized()).isLessThanOrEqualTo(SqlKeys.MAX_MEMOIZED);
    }

    @Test
    void threadsComputingKeysAtOnceGetTheSameKeys() throws Exception {
        String expected = SqlKeys.key("SELECT * FROM t WHERE a = ? AND b = ?", List.of(1, "x"), Object.class);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> all = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                all.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        if (!SqlKeys.key("SELECT * FROM t WHERE a = ? AND b = ?", List.of(1, "x"), Object.class).equals(expected)) {
                            return false;
                        }
                        SqlKeys.key("SELECT " + i, List.of(i), Object.class); // other digests on the same thread in between
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : all) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
