package io.redkit.session.internal;

import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class SessionIdsTest {
    @Test
    void newIdsParseAndKeepTheirTag() {
        String tag = SessionIds.randomTag();
        assertThat(tag).hasSize(SessionIds.TAG_LENGTH);
        String id = SessionIds.newId(tag);
        SessionIds.Parsed p = SessionIds.parse(id);
        assertThat(p).isNotNull();
        assertThat(p.tag()).isEqualTo(tag);
        assertThat(Base64.getUrlDecoder().decode(id.substring(SessionIds.TAG_LENGTH + 1))).hasSize(32);
    }

    @Test
    void onlyTheCanonicalEncodingIsAccepted() {
        String id = SessionIds.newId(SessionIds.randomTag());
        // 43 characters carry 258 bits: a last character with either low bit set decodes to the same 32 bytes
        char last = id.charAt(id.length() - 1);
        String alias = id.substring(0, id.length() - 1) + (char) (last + 1);
        assertThat(SessionIds.parse(alias)).isNull();
        assertThat(SessionIds.parse(id.replace('.', '-'))).isNull();
        assertThat(SessionIds.parse(id.substring(0, 16) + "." + "=".repeat(43))).isNull();
    }

    @Test
    void userTagsAreStableAndDistinct() {
        assertThat(SessionIds.userTag("alice")).isEqualTo(SessionIds.userTag("alice")).hasSize(16)
                .isNotEqualTo(SessionIds.userTag("bob"));
    }

    @Test
    void handlesAreHashesOfTheWholeId() {
        String id = SessionIds.newId(SessionIds.randomTag());
        String handle = SessionIds.handle(id);
        assertThat(SessionIds.isHandle(handle)).isTrue();
        assertThat(handle).isNotEqualTo(SessionIds.handle(SessionIds.randomTag() + id.substring(16)));
        assertThat(SessionIds.isHandle(handle.substring(1))).isFalse();
        assertThat(SessionIds.isHandle(handle.substring(0, 21) + "/")).isFalse();
    }
}
