package io.redkit.session;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionOptionsTest {
    @Test
    void defaultsAreTheDocumentedConstants() {
        SessionOptions o = SessionOptions.defaults();
        assertThat(o.idleTimeout()).isEqualTo(SessionOptions.DEFAULT_IDLE_TIMEOUT).isEqualTo(Duration.ofMinutes(30));
        assertThat(o.absoluteTimeout()).isEqualTo(SessionOptions.DEFAULT_ABSOLUTE_TIMEOUT).isEqualTo(Duration.ofHours(12));
        assertThat(o.touchInterval()).isEqualTo(SessionOptions.DEFAULT_TOUCH_INTERVAL).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.rotationGrace()).isEqualTo(SessionOptions.DEFAULT_ROTATION_GRACE);
        assertThat(o.maxSessionsPerUser()).isEqualTo(SessionOptions.DEFAULT_MAX_SESSIONS_PER_USER).isZero();
        assertThat(o.eventStreamMaxLength()).isEqualTo(SessionOptions.DEFAULT_EVENT_STREAM_MAX_LENGTH);
        assertThat(o.sweepScanCount()).isEqualTo(SessionOptions.DEFAULT_SWEEP_SCAN_COUNT);
        assertThat(o.clock()).isEmpty();
    }

    @Test
    void badValuesAreRejectedWithTheValueInTheMessage() {
        assertThatThrownBy(() -> SessionOptions.builder().idleTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("idleTimeout must be positive: PT-1S");
        assertThatThrownBy(() -> SessionOptions.builder().idleTimeout(Duration.ofNanos(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1ms");
        assertThatThrownBy(() -> SessionOptions.builder().idleTimeout(Duration.ofHours(13)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT13H > PT12H");
        assertThatThrownBy(() -> SessionOptions.builder().idleTimeout(Duration.ofSeconds(30)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("touchInterval must be shorter");
        assertThatThrownBy(() -> SessionOptions.builder().rotationGrace(Duration.ofMinutes(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT2M");
        assertThatThrownBy(() -> SessionOptions.builder().maxSessionsPerUser(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxSessionsPerUser must be between 0 and 10000: -1");
        assertThatThrownBy(() -> SessionOptions.builder().sweepScanCount(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(": 1");
    }

    @Test
    void anOptionSetTwiceIsAnError() {
        assertThatThrownBy(() -> SessionOptions.builder().idleTimeout(Duration.ofMinutes(5)).idleTimeout(Duration.ofMinutes(6)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("idleTimeout was already set to PT5M");
    }

    @Test
    void toBuilderKeepsValuesAndAllowsChangingThem() {
        SessionOptions o = SessionOptions.builder().maxSessionsPerUser(4).build();
        SessionOptions p = o.toBuilder().idleTimeout(Duration.ofMinutes(10)).build();
        assertThat(p.maxSessionsPerUser()).isEqualTo(4);
        assertThat(p.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
    }
}
