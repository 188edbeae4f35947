package io.redkit.ratelimit;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exact-versus-approximate trade-off in numbers, as docs/rate-limiting.md states them: the
 * sliding window counter against the exact window on the same arrivals (100 per minute, 100
 * minutes of Poisson traffic at several loads, then adversarial bursts). Runs the models, which
 * {@link AlgorithmPropertyTest} proves decision-for-decision equal to the Lua script.
 */
class CounterAccuracyTest {
    private static final long LIMIT = 100;
    private static final long WINDOW = 60_000_000L;

    private static List<Long> admitted(Models.Model m, long[] arrivals) {
        List<Long> out = new ArrayList<>();
        for (long t : arrivals) {
            if (m.offer(t, 1).allowed()) out.add(t);
        }
        return out;
    }

    private static long busiestWindow(List<Long> times) {
        long max = 0;
        int i = 0;
        for (int j = 0; j < times.size(); j++) {
            while (times.get(i) <= times.get(j) - WINDOW) i++;
            max = Math.max(max, j - i + 1);
        }
        return max;
    }

    @Test
    void poissonTrafficStaysCloseToTheExactWindow() {
        Random rnd = new Random(1);
        for (double load : new double[]{0.8, 1.0, 1.5, 3.0}) {
            long[] arrivals = new long[(int) (LIMIT * load * 100)];
            long t = WINDOW * 10;
            double mean = WINDOW / (LIMIT * load);
            for (int i = 0; i < arrivals.length; i++) {
                t += (long) (-Math.log(1 - rnd.nextDouble()) * mean) + 1;
                arrivals[i] = t;
            }
            List<Long> counter = admitted(new Models.CounterModel(LIMIT, WINDOW), arrivals);
            List<Long> exact = admitted(new Models.ExactModel(LIMIT, WINDOW), arrivals);
            double diff = 100.0 * (counter.size() - exact.size()) / exact.size();
            long busiest = busiestWindow(counter);
            System.out.printf(Locale.ROOT, "load %.1fx: counter admitted %d, exact %d (%+.2f%%); counter's busiest window %d for limit %d%n",
                    load, counter.size(), exact.size(), diff, busiest, LIMIT);
            assertThat(busiestWindow(exact)).isLessThanOrEqualTo(LIMIT);
            assertThat(Math.abs(diff)).as("admitted vs exact at load %s", load).isLessThan(2.0);
            assertThat(busiest).as("busiest window at load %s", load).isLessThanOrEqualTo(LIMIT * 115 / 100);
        }
    }

    @Test
    void adversarialBurstsStayBelowTwiceTheLimit() {
        long worst = 0;
        for (int step = 1; step < 20; step++) {
            double g = step / 20.0;
            List<Long> arrivals = new ArrayList<>();
            long base = WINDOW * 10;
            for (int i = 0; i < 200; i++) arrivals.add(base + WINDOW - 200 + i);             // end of one bucket
            for (int i = 0; i < 200; i++) arrivals.add(base + WINDOW + (long) (g * WINDOW) + i); // fraction g into the next
            List<Long> counter = admitted(new Models.CounterModel(LIMIT, WINDOW), arrivals.stream().mapToLong(x -> x).toArray());
            worst = Math.max(worst, busiestWindow(counter));
        }
        System.out.printf(Locale.ROOT, "adversarial: counter's busiest window %d for limit %d%n", worst, LIMIT);
        assertThat(worst).isGreaterThan(LIMIT).isLessThan(2 * LIMIT);
    }
}
