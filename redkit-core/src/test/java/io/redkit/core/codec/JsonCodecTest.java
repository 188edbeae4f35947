package io.redkit.core.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonCodecTest {
    public static final class Order {
        public String id;
        public int quantity;
        public Instant placedAt;
    }

    @Test
    void roundTripWithJavaTimeAsIsoText() {
        JsonCodec codec = JsonCodec.create();
        Order o = new Order();
        o.id = "A-1";
        o.quantity = 3;
        o.placedAt = Instant.parse("2026-11-25T10:15:30Z");
        byte[] bytes = codec.encode(o);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"2026-11-25T10:15:30Z\"");
        Order back = codec.decode(bytes, Order.class);
        assertThat(back.id).isEqualTo("A-1");
        assertThat(back.placedAt).isEqualTo(o.placedAt);
        Map<?, ?> generic = codec.decode("{\"a\":[1,2],\"unknownLater\":true}".getBytes(StandardCharsets.UTF_8), Map.class);
        assertThat(generic.get("a")).isEqualTo(List.of(1, 2));
    }

    @Test
    void unknownPropertiesAreIgnoredSoNewFieldsNeverBreakOldValues() {
        Order o = JsonCodec.create().decode("{\"id\":\"x\",\"addedInV2\":1}".getBytes(StandardCharsets.UTF_8), Order.class);
        assertThat(o.id).isEqualTo("x");
    }

    @Test
    void payloadOverTheLimitIsRejected() {
        JsonCodec codec = JsonCodec.create().withMaxEncodedSize(100);
        assertThat(codec.maxEncodedSize()).isEqualTo(100);
        assertThatThrownBy(() -> codec.encode("x".repeat(200)))
                .isInstanceOf(PayloadTooLargeException.class).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("202 bytes").hasMessageContaining("limit is 100");
        assertThat(JsonCodec.create().maxEncodedSize()).isEqualTo(JsonCodec.DEFAULT_MAX_ENCODED_SIZE).isEqualTo(512 * 1024);
        assertThatThrownBy(() -> JsonCodec.create().withMaxEncodedSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive: 0");
    }

    @Test
    void malformedBytesAreACodecException() {
        assertThatThrownBy(() -> JsonCodec.create().decode("{nope".getBytes(StandardCharsets.UTF_8), Order.class))
                .isInstanceOf(CodecException.class).hasMessageContaining("Order");
    }
}
