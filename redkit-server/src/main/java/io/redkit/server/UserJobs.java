package io.redkit.server;

import io.redkit.queue.JobInfo;
import io.redkit.queue.JobOptions;
import io.redkit.queue.JobQueue;
import io.redkit.queue.JobState;
import io.redkit.server.http.ApiException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Adds jobs for ordinary users within their {@link ServerSettings.UserQuota}: at most so many jobs
 * in flight (not completed or dead) and so many payload bytes among them. The jobs a user added are
 * rows of {@code user_jobs}; an add locks the user's row ({@code SELECT ... FOR UPDATE}), so adds of
 * one user run one at a time on every instance and concurrent adds cannot overshoot the quota. The
 * queue itself says which jobs are still in flight: rows of jobs that completed, died or are gone
 * are deleted at the user's next add. (Should the commit fail after the job was added, that one job
 * goes uncounted; it cannot make a user's jobs unbounded.)
 */
final class UserJobs {
    private final DataSource db;
    private final Map<String, JobQueue> queues;
    private final ServerSettings.UserQuota quota;

    UserJobs(DataSource db, Map<String, JobQueue> queues, ServerSettings.UserQuota quota) {
        this.db = db;
        this.queues = queues;
        this.quota = quota;
    }

    ServerSettings.UserQuota quota() {
        return quota;
    }

    /**
     * Adds the job for {@code userId} in {@code queue}, or throws 429 {@code quota_exceeded} when the
     * user's jobs in flight or their payload bytes are at the quota.
     */
    JobQueue.Added add(long userId, JobQueue queue, String type, byte[] payload, JobOptions options) throws SQLException {
        int bytes = payload == null ? 0 : payload.length;
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT id FROM users WHERE id = ? FOR UPDATE")) {
                    lock.setLong(1, userId);
                    try (ResultSet rs = lock.executeQuery()) {
                        if (!rs.next()) throw new ApiException(401, "unauthenticated", "the account no longer exists");
                    }
                }
                int jobs = 0;
                long inFlightBytes = 0;
                List<Long> finished = new ArrayList<>();
                try (PreparedStatement p = c.prepareStatement("SELECT id, queue, job_id, payload_bytes FROM user_jobs WHERE user_id = ?")) {
                    p.setLong(1, userId);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            JobQueue q = queues.get(rs.getString(2));
                            Optional<JobInfo> j = q == null ? Optional.empty() : q.get(rs.getString(3));
                            if (j.isEmpty() || j.get().state() == JobState.COMPLETED || j.get().state() == JobState.DEAD) {
                                finished.add(rs.getLong(1));
                            } else {
                                jobs++;
                                inFlightBytes += rs.getInt(4);
                            }
                        }
                    }
                }
                if (!finished.isEmpty()) {
                    try (PreparedStatement d = c.prepareStatement("DELETE FROM user_jobs WHERE id = ANY (?)")) {
                        d.setArray(1, c.createArrayOf("bigint", finished.toArray()));
                        d.executeUpdate();
                    }
                }
                if (jobs >= quota.jobsInFlight()) {
                    throw new ApiException(429, "quota_exceeded", "you have " + jobs + " jobs in flight, the most an account may have"
                            + " (REDKIT_USER_JOBS_IN_FLIGHT=" + quota.jobsInFlight() + "); add more when they have finished");
                }
                if (inFlightBytes + bytes > quota.payloadBytes()) {
                    throw new ApiException(429, "quota_exceeded", "your jobs in flight would hold " + (inFlightBytes + bytes)
                            + " payload bytes; an account may have " + quota.payloadBytes() + " (REDKIT_USER_JOB_PAYLOAD_BYTES)");
                }
                JobQueue.Added added = queue.addReportingDuplicate(type, payload, options);
                if (added.created()) {
                    try (PreparedStatement i = c.prepareStatement(
                            "INSERT INTO user_jobs (user_id, queue, job_id, payload_bytes) VALUES (?, ?, ?, ?)")) {
                        i.setLong(1, userId);
                        i.setString(2, queue.name());
                        i.setString(3, added.id());
                        i.setInt(4, bytes);
                        i.executeUpdate();
                    }
                }
                c.commit();
                return added;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }
}
