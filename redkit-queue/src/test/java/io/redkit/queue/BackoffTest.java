package io.redkit.queue;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Backoff against a simple model: full jitter in [0, min(cap, base * 2^(n-1))]. */
class BackoffTest {

    @Test
    void exponentialFullJitterStaysWithinTheModelAndCoversTheRange() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            long base = 1 + random.nextInt(5000);
            long cap = base + random.nextInt(1_000_000);
            Backoff b = Backoff.exponential(Duration.ofMillis(base), Duration.ofMillis(cap));
            for (int attempt = 1; attempt <= 70; attempt++) {
                double model = Math.min((double) cap, base * Math.pow(2, attempt - 1));
                assertThat((double) b.exponentialCeiling(attempt)).isEqualTo(model);
                long d = b.delayAfter(attempt, random).toMillis();
                assertThat(d).isBetween(0L, (long) model);
            }
        }
        // the jitter is spread over the whole range, not clustered at the top
        Backoff b = Backoff.exponential(Duration.ofMillis(1000), Duration.ofMillis(1000));
        long low = 0;
        long high = 0;
        for (int i = 0; i < 10_000; i++) {
            long d = b.delayAfter(1, random).toMillis();
            if (d < 250) low++;
            if (d > 750) high++;
        }
        assertThat(low).isBetween(2000L, 3000L);
        assertThat(high).isBetween(2000L, 3000L);
    }

    @Test
    void fixedAndNoneAndTheStoredFormRoundTrip() {
        Random r = new Random(1);
        assertThat(Backoff.fixed(Duration.ofSeconds(3)).delayAfter(9, r)).isEqualTo(Duration.ofSeconds(3));
        assertThat(Backoff.none().delayAfter(1, r)).isZero();
        for (Backoff b : new Backoff[]{Backoff.none(), Backoff.fixed(Duration.ofMillis(5)),
                Backoff.exponential(Duration.ofMillis(100), Duration.ofMinutes(3)), Backoff.custom("mine")}) {
            assertThat(Backoff.parse(b.spec())).isEqualTo(b);
        }
        assertThat(Backoff.parse("garbage")).isEqualTo(JobOptions.DEFAULT_BACKOFF);
    }
}
