package io.redkit.bench;

import java.util.Arrays;

/** Small statistics shared by the benchmark harnesses. */
public final class Stats {
    private Stats() {}

    /** The median of {@code values} (the mean of the two middle ones for an even count); the array is not changed. */
    public static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the median of no values");
        }
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
