package io.redkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.redkit.queue.Job;
import io.redkit.queue.JobHandler;
import io.redkit.server.http.Json;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's built-in job types, with real effects:
 * <ul>
 *   <li>{@code email}: writes the message to the {@code outbox} table, once per job even when the
 *       job is retried (the {@linkplain #outboxKey job's key} is unique there);</li>
 *   <li>{@code report}: aggregates products per category, reporting progress, and returns the
 *       aggregate as the job's result;</li>
 *   <li>{@code fail}: always throws, to show retries and the dead state.</li>
 * </ul>
 * Any other type fails with a message naming the known ones.
 */
final class ServerJobs implements JobHandler {
    static final List<String> TYPES = List.of("email", "report", "fail");

    private final DataSource db;

    ServerJobs(DataSource db) {
        this.db = db;
    }

    @Override
    public Object handle(Job job) throws Exception {
        switch (job.type()) {
            case "email":
                return email(job);
            case "report":
                return report(job);
            case "fail":
                throw new IllegalStateException("the 'fail' job always fails (attempt " + job.attempt() + " of " + job.maxAttempts() + ")");
            default:
                throw new IllegalArgumentException("unknown job type '" + job.type() + "'; known: " + TYPES);
        }
    }

    private Object email(Job job) throws Exception {
        JsonNode p = job.payloadBytes() == null || job.payloadBytes().length == 0
                ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(job.payloadBytes());
        String to = p.path("to").asText("");
        if (to.isBlank()) {
            throw new IllegalArgumentException("an email job needs payload.to");
        }
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO outbox (job_id, recipient, subject, body) VALUES (?, ?, ?, ?) ON CONFLICT (job_id) DO NOTHING")) {
            ps.setString(1, outboxKey(job));
            ps.setString(2, to);
            ps.setString(3, p.path("subject").asText("(no subject)"));
            ps.setString(4, p.path("body").asText(""));
            int inserted = ps.executeUpdate();
            return Map.of("outbox", inserted == 1 ? "written" : "already written by an earlier attempt");
        }
    }

    /**
     * The job's identity in the outbox: queue, id and creation time, the same for every attempt of
     * the job. The id alone is not enough: ids are per queue, and they start again at 1 if the
     * queue's Redis loses its data.
     */
    static String outboxKey(Job job) {
        return job.queue() + ":" + job.id() + ":" + job.createdAt().toEpochMilli();
    }

    private Object report(Job job) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        String[] categories = Seeder.CATEGORIES;
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*), coalesce(avg(price_cents), 0), coalesce(sum(stock), 0) FROM products WHERE category = ?")) {
            for (int i = 0; i < categories.length; i++) {
                ps.setString(1, categories[i]);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("category", categories[i]);
                    m.put("products", rs.getLong(1));
                    m.put("averagePriceCents", Math.round(rs.getDouble(2)));
                    m.put("stock", rs.getLong(3));
                    rows.add(m);
                }
                job.progress(Map.of("done", i + 1, "of", categories.length));
            }
        }
        return Map.of("categories", rows);
    }
}
