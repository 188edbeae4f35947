package io.redkit.web.session;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionFilterOptionsTest {
    @Test
    void defaultsAreSecure() {
        SessionFilterOptions o = SessionFilterOptions.defaults();
        assertThat(o.effectiveCookieName()).isEqualTo("__Host-session");
        assertThat(o.secure()).isTrue();
        assertThat(o.sameSite()).isEqualTo(SessionFilterOptions.SameSite.LAX);
        assertThat(o.persistent()).isTrue();
        assertThat(SessionFilterOptions.builder().secure(false).build().effectiveCookieName()).isEqualTo("session");
        assertThat(SessionFilterOptions.builder().hostPrefix(false).build().effectiveCookieName()).isEqualTo("session");
    }

    @Test
    void badCookieSettingsAreRejectedWithTheValue() {
        assertThatThrownBy(() -> SessionFilterOptions.builder().cookieName("my session"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"my session\"");
        assertThatThrownBy(() -> SessionFilterOptions.builder().cookieName("__Host-x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not carry a prefix");
        assertThatThrownBy(() -> SessionFilterOptions.builder().secure(false).sameSite(SessionFilterOptions.SameSite.NONE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("secure=false");
        assertThatThrownBy(() -> SessionFilterOptions.builder().secure(true).secure(false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("secure was already set");
    }
}
