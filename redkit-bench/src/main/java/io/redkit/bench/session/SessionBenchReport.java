package io.redkit.bench.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the JSON results of {@link SessionBench} runs ({@code -rf json}) into the Markdown table of
 * docs/performance.md: per operation and thread count, the median of the measured rounds
 * (throughput runs) and p50/p99 (sample-time runs, in microseconds), and the ratio of each
 * Redkit variant to Spring Session in the same run.
 *
 * <pre>
 * java -cp redkit-bench/target/benchmarks.jar io.redkit.bench.session.SessionBenchReport thrpt-*.json sample-*.json
 * </pre>
 */
public final class SessionBenchReport {
    private SessionBenchReport() {}

    private record Row(String op, int threads, String impl) implements Comparable<Row> {
        @Override
        public int compareTo(Row o) {
            int c = op.compareTo(o.op);
            if (c != 0) return c;
            c = Integer.compare(threads, o.threads);
            if (c != 0) return c;
            return order(impl) - order(o.impl);
        }

        private static int order(String impl) {
            return impl.equals("spring") ? 2 : impl.equals("redkit") ? 0 : 1;
        }
    }

    public static void main(String[] args) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<Row, double[]> thrpt = new TreeMap<>();   // median, min, max of rounds
        Map<Row, double[]> sample = new TreeMap<>();  // p50, p99
        for (String file : args) {
            for (JsonNode r : json.readTree(new File(file))) {
                String op = r.get("benchmark").asText().replaceAll(".*\\.", "").replace("create_", "create");
                Row row = new Row(op, r.get("threads").asInt(), r.get("params").get("impl").asText());
                JsonNode pm = r.get("primaryMetric");
                if (r.get("mode").asText().equals("thrpt")) {
                    List<Double> rounds = new ArrayList<>();
                    for (JsonNode fork : pm.get("rawData")) {
                        for (JsonNode v : fork) {
                            rounds.add(v.asDouble());
                        }
                    }
                    double[] v = rounds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                    thrpt.put(row, new double[]{median(v), v[0], v[v.length - 1]});
                } else {
                    JsonNode p = pm.get("scorePercentiles");
                    sample.put(row, new double[]{p.get("50.0").asDouble(), p.get("99.0").asDouble()});
                }
            }
        }
        System.out.println("| operation | threads | implementation | ops/s (median of rounds) | vs Spring | p50 µs | p99 µs |");
        System.out.println("|---|---:|---|---:|---:|---:|---:|");
        for (Map.Entry<Row, double[]> e : thrpt.entrySet()) {
            Row row = e.getKey();
            double[] spring = thrpt.get(new Row(row.op, row.threads, "spring"));
            double[] lat = sample.get(row);
            String ratio = row.impl.equals("spring") || spring == null ? "1.00x"
                    : String.format(Locale.ROOT, "%.2fx", e.getValue()[0] / spring[0]);
            System.out.printf(Locale.ROOT, "| %s | %d | %s | %,.0f | %s | %s | %s |%n", row.op, row.threads, row.impl,
                    e.getValue()[0], ratio, lat == null ? "-" : String.format(Locale.ROOT, "%.0f", lat[0]),
                    lat == null ? "-" : String.format(Locale.ROOT, "%.0f", lat[1]));
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
