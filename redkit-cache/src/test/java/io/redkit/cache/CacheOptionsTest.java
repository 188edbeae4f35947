package io.redkit.cache;

import io.redkit.cache.internal.SqlKeys;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CacheOptionsTest {

    @Test
    void defaultsAreTheDocumentedConstants() {
        CacheOptions o = CacheOptions.defaults();
        assertThat(o.ttl()).isEqualTo(CacheOptions.DEFAULT_TTL);
        assertThat(o.jitter()).isEqualTo(CacheOptions.DEFAULT_JITTER);
        assertThat(o.negativeTtl()).isEqualTo(CacheOptions.DEFAULT_NEGATIVE_TTL);
        assertThat(o.softTtl()).isEqualTo(Duration.ZERO);
        assertThat(o.earlyRefreshBeta()).isZero();
        assertThat(o.maxValueSize()).isEqualTo(CacheOptions.DEFAULT_MAX_VALUE_SIZE);
        assertThat(o.compressionThreshold()).isEqualTo(CacheOptions.DEFAULT_COMPRESSION_THRESHOLD);
        assertThat(o.lockTtl()).isEqualTo(CacheOptions.DEFAULT_LOCK_TTL);
        assertThat(o.lockWait()).isEqualTo(CacheOptions.DEFAULT_LOCK_WAIT);
        assertThat(o.nearCache()).isFalse();
        assertThat(o.nearCacheMaxEntries()).isEqualTo(CacheOptions.DEFAULT_NEAR_CACHE_MAX_ENTRIES);
    }

    @Test
    void toBuilderKeepsEverySettingAndChangesOnlyWhatIsSet() {
        CacheOptions a = CacheOptions.builder().ttl(Duration.ofMinutes(3)).softTtl(Duration.ofMinutes(1)).nearCache(true)
                .jitter(0.25).compressionThreshold(4096).build();
        CacheOptions b = a.toBuilder().negativeTtl(Duration.ofSeconds(5)).build();
        assertThat(b.ttl()).isEqualTo(Duration.ofMinutes(3));
        assertThat(b.softTtl()).isEqualTo(Duration.ofMinutes(1));
        assertThat(b.nearCache()).isTrue();
        assertThat(b.jitter()).isEqualTo(0.25);
        assertThat(b.compressionThreshold()).isEqualTo(4096);
        assertThat(b.negativeTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(a.negativeTtl()).isEqualTo(CacheOptions.DEFAULT_NEGATIVE_TTL);
    }

    @Test
    void badValuesAreRejectedWithTheValueInTheMessage() {
        assertThatThrownBy(() -> CacheOptions.builder().ttl(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ttl must be positive: PT-1S");
        assertThatThrownBy(() -> CacheOptions.builder().ttl(Duration.ofNanos(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> CacheOptions.builder().jitter(1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("jitter must be at least 0 and below 1: 1.0");
        assertThatThrownBy(() -> CacheOptions.builder().jitter(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CacheOptions.builder().negativeTtl(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.005S");
        assertThatThrownBy(() -> CacheOptions.builder().maxValueSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxValueSize").hasMessageContaining(": 0");
        assertThatThrownBy(() -> CacheOptions.builder().earlyRefreshBeta(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1.0");
        assertThatThrownBy(() -> CacheOptions.builder().ttl(Duration.ofMinutes(1)).softTtl(Duration.ofMinutes(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("softTtl must be below ttl (PT1M): PT1M");
        assertThatThrownBy(() -> CacheOptions.builder().codec(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("codec must not be null");
    }

    @Test
    void sqlNormalizationCollapsesLayoutButNotLiterals() {
        assertThat(SqlKeys.normalize("  SELECT  a,\n\tb FROM t  ")).isEqualTo("SELECT a, b FROM t");
        assertThat(SqlKeys.normalize("SELECT 'a  b',  \"x  y\"")).isEqualTo("SELECT 'a  b', \"x  y\"");
        assertThat(SqlKeys.key("SELECT 1", List.of(1), Long.class)).isEqualTo(SqlKeys.key("SELECT\n1", List.of(1), Long.class))
                .isNotEqualTo(SqlKeys.key("SELECT 1", List.of(2), Long.class))
                .isNotEqualTo(SqlKeys.key("SELECT 1", List.of("1"), Long.class))
                .isNotEqualTo(SqlKeys.key("SELECT 1", List.of(1), Integer.class));
        assertThat(SqlKeys.table("public.Products")).isEqualTo("products");
        assertThatThrownBy(() -> SqlKeys.table("a b")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"a b\"");
    }
}
