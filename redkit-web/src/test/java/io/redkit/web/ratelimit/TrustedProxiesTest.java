package io.redkit.web.ratelimit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class TrustedProxiesTest {
    @Test
    void matchesAddressesAndRangesOfBothFamilies() {
        TrustedProxies t = TrustedProxies.parse("10.0.0.0/8, 192.168.1.10, fd00::/8, ::1");
        assertThat(t.isTrusted("10.200.3.4")).isTrue();
        assertThat(t.isTrusted("11.0.0.1")).isFalse();
        assertThat(t.isTrusted("192.168.1.10")).isTrue();
        assertThat(t.isTrusted("192.168.1.11")).isFalse();
        assertThat(t.isTrusted("fd12:3456::1")).isTrue();
        assertThat(t.isTrusted("fe80::1")).isFalse();
        assertThat(t.isTrusted("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(t.isTrusted("[::1]")).isTrue();
        assertThat(t.isTrusted("localhost")).as("names are never resolved, never trusted").isFalse();
        assertThat(t.isTrusted("999.1.1.1")).isFalse();
        assertThat(TrustedProxies.parse(" ").isTrusted("127.0.0.1")).isFalse();
        assertThat(TrustedProxies.of("172.16.0.0/12").isTrusted("172.31.255.255")).isTrue();
        assertThat(TrustedProxies.of("172.16.0.0/12").isTrusted("172.32.0.0")).isFalse();
    }

    /** Every spelling of one address shares one rate-limit bucket; anything that is not an unambiguous literal has none (blank: null). */
    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "0:0:0:0:0:0:0:1|::1",
            "2001:DB8:0:0:0:0:0:7|2001:db8::7",
            " 203.0.113.5 |203.0.113.5",
            "0.0.0.0|0.0.0.0",
            "255.255.255.255|255.255.255.255",
            "[::ffff:10.1.2.3]|10.1.2.3",
            "unknown|",
            // a leading zero is octal to inet_aton and decimal to others: no address at all
            "010.0.0.1|",
            "256.1.1.1|",
            "1.2.3|",
            "1.2.3.4.5|",
            "1..2.3|",
            ".1.2.3|",
            "1.2.3.|",
            "1.2.3.4 x|",
            "1.2.3.1000|",
            "١.2.3.4|",
    })
    void canonicalForm(String address, String canonical) {
        assertThat(TrustedProxies.canonical(address)).isEqualTo(canonical);
    }

    @Test
    void anAmbiguousDottedQuadIsNeverTrusted() {
        assertThat(TrustedProxies.of("10.0.0.0/8").isTrusted("010.0.0.1")).isFalse();
        assertThat(TrustedProxies.of("8.0.0.0/8").isTrusted("010.0.0.1")).isFalse();
    }
}
