package io.redkit.bench.ratelimit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the JSON of a {@link RateLimitBenchmark} run into the Markdown table of
 * docs/performance.md: per contender, key count and thread count, the median of the measurement
 * rounds in checks per second, the latency percentiles, and the throughput ratio against Bucket4j
 * measured in the same run.
 *
 * <pre>{@code
 * java -cp redkit-bench/target/benchmarks.jar io.redkit.bench.ratelimit.RateLimitReport ratelimit.json
 * }</pre>
 */
public final class RateLimitReport {
    private RateLimitReport() {}

    private record Row(String impl, int keys, int threads) {}

    public static void main(String[] args) throws IOException {
        JsonNode root = new ObjectMapper().readTree(Path.of(args[0]).toFile());
        Map<Row, Double> throughput = new LinkedHashMap<>();
        Map<Row, double[]> latency = new LinkedHashMap<>();
        for (JsonNode r : root) {
            Row row = new Row(r.at("/params/impl").asText(), r.at("/params/keys").asInt(), r.get("threads").asInt());
            JsonNode metric = r.get("primaryMetric");
            if (r.get("mode").asText().equals("thrpt")) {
                List<Double> rounds = new ArrayList<>();
                for (JsonNode fork : metric.get("rawData")) {
                    for (JsonNode v : fork) rounds.add(v.asDouble());
                }
                throughput.put(row, median(rounds) * 1000);   // ops/ms -> checks per second
            } else {
                JsonNode p = metric.get("scorePercentiles");
                latency.put(row, new double[]{p.get("50.0").asDouble(), p.get("99.0").asDouble(), p.get("99.9").asDouble()});
            }
        }
        System.out.println("| contender | keys | threads | checks/s (median) | vs Bucket4j | p50 ms | p99 ms | p99.9 ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        List<Row> rows = new ArrayList<>(throughput.keySet());
        rows.sort((a, b) -> a.keys != b.keys ? Integer.compare(a.keys, b.keys)
                : a.threads != b.threads ? Integer.compare(a.threads, b.threads)
                : Integer.compare(order(a.impl), order(b.impl)));
        for (Row row : rows) {
            double t = throughput.get(row);
            Double base = throughput.get(new Row("bucket4j", row.keys, row.threads));
            double[] l = latency.getOrDefault(row, new double[]{Double.NaN, Double.NaN, Double.NaN});
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %,.0f | %s | %.2f | %.2f | %.2f |%n", row.impl, row.keys, row.threads, t,
                    base == null ? "" : String.format(Locale.ROOT, "%.2fx", t / base), l[0], l[1], l[2]);
        }
    }

    private static int order(String impl) {
        int i = Arrays.asList(Contender.NAMES).indexOf(impl);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
