package io.redkit.core.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {
    @Test
    void parsesUnitsAndIso() {
        assertThat(Durations.parse("500ms", "x")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("2s", "x")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Durations.parse("15m", "x")).isEqualTo(Duration.ofMinutes(15));
        assertThat(Durations.parse("1h", "x")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("7d", "x")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("PT1.5S", "x")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.format(Duration.ofMinutes(15))).isEqualTo("15m");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void bareNumbersAndJunkAreRejectedWithTheAllowedForms() {
        assertThatThrownBy(() -> Durations.parse("5", "window")).hasMessageContaining("window \"5\"").hasMessageContaining("500ms");
        assertThatThrownBy(() -> Durations.parse("", "window")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Durations.parse("Pxyz", "window")).hasMessageContaining("not a duration");
    }
}
