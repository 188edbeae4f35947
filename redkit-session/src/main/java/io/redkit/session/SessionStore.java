package io.redkit.session;

import io.redkit.core.Namespace;
import io.redkit.core.Redkit;
import io.redkit.session.internal.RedisSessionStore;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Sessions in Redis: create, load, save (as deltas), rotate, revoke, list a user's devices, sweep.
 *
 * <pre>{@code
 * SessionStore store = SessionStore.create(redkit, SessionOptions.defaults());
 * Session s = store.newSession(ClientInfo.of(ip, userAgent));
 * s.set("theme", "dark");
 * store.save(s);                                  // first save writes the whole session
 * store.login(s, "user-42");                      // new id, data kept; the old id stops working at once
 * store.list("user-42");                          // the user's devices
 * store.revokeAllExcept(s);                       // "log out everywhere else"
 * }</pre>
 *
 * <p>Sessions live in the {@link Namespace#SESSION} namespace. Every change is one Lua script, so
 * a revocation is effective at once for every instance, and every script's keys share one hash
 * tag, so the store runs unchanged on Redis Cluster. Expiry decisions use the Redis server's
 * clock.
 *
 * <p>Thread-safe; create one per process and share it. Methods block for at most about the
 * command timeout. Failures: {@link io.redkit.core.RedisUnavailableException} when Redis cannot
 * be reached in time, {@link io.redkit.core.RedisCommandException} when it refuses a command,
 * {@link SessionException} for session-specific refusals. Arguments are never {@code null}
 * unless stated.
 */
public interface SessionStore extends AutoCloseable {

    /** A store in {@code redkit}'s session namespace with {@code options}. Does not connect. */
    static SessionStore create(Redkit redkit, SessionOptions options) {
        return new RedisSessionStore(redkit.namespace(Namespace.SESSION), options);
    }

    /** A store with {@link SessionOptions#defaults()}. */
    static SessionStore create(Redkit redkit) {
        return create(redkit, SessionOptions.defaults());
    }

    /** The options this store was built with. */
    SessionOptions options();

    /**
     * A new anonymous session with a fresh id; nothing is written to Redis until {@link #save}, so
     * visitors who store nothing cost nothing.
     */
    Session newSession(ClientInfo client);

    /**
     * The session with this id, recording the access (at most once per touch interval). A
     * malformed, unknown, revoked or expired id gives an empty result, never an exception; so does
     * an id replaced by a login or another {@linkplain Rotation#PRIVILEGE_CHANGE privilege change},
     * from the moment that call returned. Only an id replaced by a {@linkplain Rotation#ROUTINE
     * routine rotation} of a logged-in session less than {@link SessionOptions#rotationGrace()} ago
     * gives the rotated session ({@link Session#isAlias()}), and only while that session still has
     * the same user and has had no privilege change since.
     *
     * @param id     the cookie value; may be {@code null} (then empty)
     * @param client who is asking, recorded as last access
     */
    Optional<Session> load(String id, ClientInfo client);

    /**
     * {@link #load}, also saying why there is no session: {@link SessionLookup#replaced()} is true
     * for an id that a login or another {@linkplain Rotation#PRIVILEGE_CHANGE privilege change}
     * replaced less than {@link SessionOptions#rotationGrace()} ago (and after a routine rotation
     * of an anonymous session). Such an id gives no session either, but the client may already
     * hold the new id, so a web layer should not clear its cookie nor give it a new one. With a
     * rotation grace of 0, no id is reported as replaced.
     *
     * @param id     the cookie value; may be {@code null} (then no session, not replaced)
     * @param client who is asking, recorded as last access
     */
    SessionLookup lookup(String id, ClientInfo client);

    /**
     * Writes the session: all of it when new, otherwise only the attributes that changed.
     *
     * @return false when the session no longer exists (revoked or expired meanwhile): nothing was
     * written, a revoked session is never brought back
     */
    boolean save(Session session);

    /**
     * Logs {@code userId} in: gives the session a new id (session-fixation protection) under the
     * user's hash tag, keeps its data, sets the user, adds it to the user's index and evicts the
     * user's oldest sessions beyond {@link SessionOptions#maxSessionsPerUser()}. A session not yet
     * saved is saved. A login is a {@linkplain Rotation#PRIVILEGE_CHANGE privilege change}: the old
     * id stops working at once, whatever {@link SessionOptions#rotationGrace()} is (no alias), also
     * for a request that loaded the session through it before the login (its save returns false).
     * The session object is updated in place: send the client its new {@link Session#id()}.
     *
     * @return the same session, with its new id
     * @throws SessionException when the session expired or was revoked meanwhile, or when it was
     *                          loaded through an already rotated id ({@link Session#isAlias()})
     * @throws IllegalArgumentException when {@code userId} is blank, longer than 256 characters or
     *                                  has control characters
     */
    Session login(Session session, String userId);

    /**
     * Gives the session a new id after a privilege change (a role or permission granted or taken
     * away, a step-up authentication): {@link #rotate(Session, Rotation) rotate(session,
     * Rotation.PRIVILEGE_CHANGE)}. The old id stops working at once.
     *
     * <p>Change the privileges in the session's attributes, then rotate, then save (the web filter
     * saves after the handler): the attributes are then written under the new id only, and the old
     * id never carries the new privileges.
     */
    default Session rotate(Session session) {
        return rotate(session, Rotation.PRIVILEGE_CHANGE);
    }

    /**
     * Gives the session a new id and keeps everything else (user, data, timeouts). With
     * {@link Rotation#PRIVILEGE_CHANGE} the old id stops working at once; with
     * {@link Rotation#ROUTINE} the old id of a logged-in session stays an alias for
     * {@link SessionOptions#rotationGrace()} (see {@link Rotation}). The session object is updated
     * in place: send the client its new {@link Session#id()}.
     *
     * @return the same session, with its new id
     * @throws SessionException when the session expired or was revoked meanwhile, or when it was
     *                          loaded through an already rotated id ({@link Session#isAlias()})
     */
    Session rotate(Session session, Rotation rotation);

    /**
     * Deletes the session (logout); its id is invalid at once for every instance.
     *
     * @return false when it did not exist any more
     */
    boolean invalidate(Session session);

    /**
     * Revokes one of {@code userId}'s sessions by its public handle (from {@link #list}).
     *
     * @return false when the user has no such session; a malformed handle is also simply false
     */
    boolean revoke(String userId, String handle);

    /**
     * Revokes every session of {@code userId}.
     *
     * @return how many were revoked
     */
    int revokeAll(String userId);

    /**
     * Revokes every session of the current session's user except the current one ("log out
     * everywhere else").
     *
     * @return how many were revoked
     * @throws SessionException when the session has no user
     */
    int revokeAllExcept(Session current);

    /** The user's live sessions, soonest to expire first; prunes entries of sessions that ended. */
    List<SessionInfo> list(String userId);

    /** {@link #list(String)} for the current session's user, marking the current session; empty before login. */
    List<SessionInfo> list(Session current);

    /**
     * One full incremental sweep: {@code SCAN}s the user indexes (a batch at a time) and removes
     * the entries of sessions that expired. Safe while other instances sweep too.
     */
    SweepResult sweep();

    /**
     * Runs {@link #sweep()} every {@code interval} on a daemon thread of its own until the returned
     * handle or the store is closed. Failures are logged and the next run goes on.
     */
    AutoCloseable startSweeper(Duration interval);

    /**
     * About how many sessions are live in Redis, across every instance sharing it: saved sessions
     * that have not expired, been invalidated, revoked or evicted. Cheap enough for a dashboard or a
     * metrics gauge: one {@code TIME} and one {@code MGET} of about 180 small counters (one
     * {@code MGET} with a test clock), whatever the number of sessions; never a {@code SCAN}.
     *
     * <p>How it is kept: one counter per expiry bucket (the idle timeout split into 180 buckets of at
     * least one second: 10 s with the default 30 minutes), under the hash tag {@code {active}}.
     * Creating a session adds it to the bucket of its expiry; writing its last access (at most once
     * per touch interval) or rotating it moves it to its new bucket; invalidating, revoking or evicting
     * it takes it out; expiry needs nothing, since the count only sums the buckets from now on. Each
     * change is one extra command sent without waiting for it, after the operation it follows
     * (pipelined; a separate command because on Cluster the counters live in another slot than the
     * sessions); loads that do not write the last access send nothing. The counters expire one bucket
     * after their bucket, so they never outlive the sessions they count.
     *
     * <p>Accuracy: exact, except that (1) sessions that expired within the current bucket are still
     * counted, at most one bucket's worth of expiries (about 0.6% of the sessions in steady state);
     * (2) a counter change that is lost (Redis failing right after the operation, the process dying
     * between the two) or sessions removed behind the store's back (eviction under memory pressure,
     * {@code DEL} by hand) leave an error until the affected bucket passes, at most the idle timeout;
     * (3) after this count is first deployed, sessions created before are not counted until they
     * expire or one idle timeout has passed; (4) stores with another idle timeout keep other counters.
     * Changes made by this instance may take a moment to show (they are sent asynchronously).
     *
     * @return the estimated number of live sessions, never negative
     * @throws io.redkit.core.RedisUnavailableException when Redis cannot be reached in time
     */
    long estimatedActiveSessions();

    /** Adds a listener for this store's events. */
    void addListener(SessionListener listener);

    /** Removes a listener; does nothing when it was not added. */
    void removeListener(SessionListener listener);

    /**
     * Stops the sweepers, if started, and waits (at most about the command timeout) for event-stream
     * writes and active-session counter changes already sent. Does not close the {@link Redkit} it uses: close the store first. Idempotent.
     */
    @Override
    void close();
}
