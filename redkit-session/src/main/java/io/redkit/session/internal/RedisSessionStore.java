package io.redkit.session.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.XAddArgs;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedisScript;
import io.redkit.core.codec.JsonCodec;
import io.redkit.core.internal.Checks;
import io.redkit.session.ClientInfo;
import io.redkit.session.Rotation;
import io.redkit.session.Session;
import io.redkit.session.SessionEvent;
import io.redkit.session.SessionException;
import io.redkit.session.SessionInfo;
import io.redkit.session.SessionListener;
import io.redkit.session.SessionLookup;
import io.redkit.session.SessionOptions;
import io.redkit.session.SessionStore;
import io.redkit.session.SweepResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The {@link SessionStore} on Redis. See the scripts beside this class for what each operation does. */
public final class RedisSessionStore implements SessionStore {
    private static final Logger log = LoggerFactory.getLogger(RedisSessionStore.class);

    private static final RedisScript LOAD = RedisScript.load(RedisSessionStore.class, "load.lua");
    private static final RedisScript CREATE = RedisScript.load(RedisSessionStore.class, "create.lua");
    private static final RedisScript SAVE = RedisScript.load(RedisSessionStore.class, "save.lua");
    private static final RedisScript ROTATE = RedisScript.load(RedisSessionStore.class, "rotate.lua");
    private static final RedisScript RETIRE = RedisScript.load(RedisSessionStore.class, "retire.lua");
    private static final RedisScript REVOKE = RedisScript.load(RedisSessionStore.class, "revoke.lua");
    private static final RedisScript REVOKE_ALL = RedisScript.load(RedisSessionStore.class, "revoke_all.lua");
    private static final RedisScript LIST = RedisScript.load(RedisSessionStore.class, "list.lua");
    private static final RedisScript PRUNE = RedisScript.load(RedisSessionStore.class, "prune.lua");

    /** Entries one prune call removes at most. */
    private static final int PRUNE_BATCH = 1_000;
    /** Alias hops followed at most when loading. */
    private static final int MAX_ALIAS_HOPS = 2;
    private static final ObjectMapper JSON = JsonCodec.defaultMapper();

    private final RedisNamespace ns;
    private final SessionOptions options;
    private final KeySpace keys;
    private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
    private final List<ScheduledExecutorService> sweepers = new CopyOnWriteArrayList<>();
    /** event-stream and counter writes not yet answered; close() waits for them (bounded by the command timeout) */
    private final Set<CompletableFuture<?>> pendingWrites = ConcurrentHashMap.newKeySet();
    private final ActiveSessions active;
    private final long idleMs;
    private final long absoluteMs;
    private final long touchMs;
    private final long graceMs;

    public RedisSessionStore(RedisNamespace ns, SessionOptions options) {
        this.ns = Checks.notNull(ns, "namespace");
        this.options = Checks.notNull(options, "options");
        this.keys = new KeySpace(ns);
        this.idleMs = options.idleTimeout().toMillis();
        this.absoluteMs = options.absoluteTimeout().toMillis();
        this.touchMs = options.touchInterval().toMillis();
        this.graceMs = options.rotationGrace().toMillis();
        this.active = new ActiveSessions(ns, keys, options.clock(), idleMs, pendingWrites);
    }

    /** The key names (for tests and tools). */
    public KeySpace keys() {
        return keys;
    }

    @Override
    public SessionOptions options() {
        return options;
    }

    // ---- create, load, save --------------------------------------------------------------------

    @Override
    public Session newSession(ClientInfo client) {
        Checks.notNull(client, "client");
        String tag = SessionIds.randomTag();
        String id = SessionIds.newId(tag);
        SessionImpl s = new SessionImpl(this, options.codec(), id, tag, SessionIds.handle(id), true);
        Instant now = options.clock().map(c -> c.instant()).orElseGet(Instant::now);
        s.metadata(null, now, now, now.plus(options.absoluteTimeout()), options.idleTimeout(), client, client,
                UserAgents.label(client.userAgent()));
        return s;
    }

    @Override
    public Optional<Session> load(String id, ClientInfo client) {
        return lookup(id, client).session();
    }

    @Override
    public SessionLookup lookup(String id, ClientInfo client) {
        Checks.notNull(client, "client");
        SessionIds.Parsed p = SessionIds.parse(id);
        if (p == null) {
            return SessionLookup.none();
        }
        return find(id, p.tag(), SessionIds.handle(id), client, "", 0);
    }

    /**
     * Loads the session at {@code tag/handle}; {@code aliasUser} is "" for a load by id, or the user
     * the alias being followed was made for (the key must then belong to exactly that user).
     */
    private SessionLookup find(String id, String tag, String handle, ClientInfo client, String aliasUser, int hops) {
        List<Object> r = ns.evalSync(LOAD, ScriptOutputType.MULTI, new String[]{keys.session(tag, handle), keys.index(tag)},
                nowArg(), touchMs, handle, lastJson(client), aliasUser);
        int code = (int) num(r.get(0));
        switch (code) {
            case 0:
                return SessionLookup.none();
            case 4:
                return SessionLookup.replacedId();
            case 1: {
                if (hops >= MAX_ALIAS_HOPS) {
                    return SessionLookup.none();
                }
                String[] ref = parseRef(str(r.get(1)));
                String user = str(r.get(2));
                if (ref == null || user == null || user.isEmpty()) {
                    return SessionLookup.none();
                }
                SessionLookup target = find(id, ref[0], ref[1], client, user, hops + 1);
                target.session().ifPresent(s -> ((SessionImpl) s).retarget(ref[0], ref[1]));
                return target;
            }
            case 2: {
                String user = str(r.get(2));
                emit(new SessionEvent(SessionEvent.Type.EXPIRED, handle, null, user.isEmpty() ? null : user, null,
                        Instant.ofEpochMilli(num(r.get(1)))));
                return SessionLookup.none();
            }
            case 3:
                break;
            default:
                throw new SessionException("unexpected reply from load.lua: " + code);
        }
        long now = num(r.get(1));
        boolean touched = num(r.get(2)) == 1;
        Map<String, byte[]> fields = new HashMap<>();
        for (int i = 3; i + 1 < r.size(); i += 2) {
            fields.put(str(r.get(i)), (byte[]) r.get(i + 1));
        }
        SessionImpl s = new SessionImpl(this, options.codec(), id, tag, handle, false);
        fill(s, fields);
        if (touched) {
            s.accessed(Instant.ofEpochMilli(now));
            long idle = longField(fields, "_i");
            long deadline = longField(fields, "_x");
            active.changes().move(Math.min(longField(fields, "_a") + idle, deadline), Math.min(now + idle, deadline))
                    .send(nowArg());
        }
        return SessionLookup.found(s);
    }

    private void fill(SessionImpl s, Map<String, byte[]> fields) {
        JsonNode meta = json(fields.get("_m"));
        JsonNode last = json(fields.get("_l"));
        ClientInfo createdBy = ClientInfo.of(text(meta, "ip"), text(meta, "ua"));
        ClientInfo lastBy = last == null ? createdBy : ClientInfo.of(text(last, "ip"), text(last, "ua"));
        String device = text(meta, "dev");
        String user = fields.containsKey("_u") ? new String(fields.get("_u"), StandardCharsets.UTF_8) : null;
        s.metadata(user, Instant.ofEpochMilli(longField(fields, "_c")), Instant.ofEpochMilli(longField(fields, "_a")),
                Instant.ofEpochMilli(longField(fields, "_x")), Duration.ofMillis(longField(fields, "_i")), createdBy, lastBy,
                device.isEmpty() ? UserAgents.label(createdBy.userAgent()) : device);
        Map<String, byte[]> attrs = new HashMap<>();
        for (Map.Entry<String, byte[]> e : fields.entrySet()) {
            if (e.getKey().startsWith(SessionImpl.ATTRIBUTE_PREFIX)) {
                attrs.put(e.getKey().substring(SessionImpl.ATTRIBUTE_PREFIX.length()), e.getValue());
            }
        }
        s.replaceStored(attrs);
    }

    @Override
    public boolean save(Session session) {
        SessionImpl s = own(session);
        if (s.isGone()) {
            return false;
        }
        if (s.isNew()) {
            create(s, null);
            return true;
        }
        Map<String, byte[]> delta = s.pendingChanges();
        if (delta.isEmpty()) {
            return true;
        }
        List<Object> args = new ArrayList<>();
        List<String> dels = new ArrayList<>();
        int sets = 0;
        String user = s.userIdOrNull();
        args.add(user == null ? "" : user); // a save never writes into another user's session, nor through its alias
        args.add(0); // placeholder for the count
        for (Map.Entry<String, byte[]> e : delta.entrySet()) {
            if (e.getValue() == null) {
                dels.add(SessionImpl.ATTRIBUTE_PREFIX + e.getKey());
            } else {
                args.add(SessionImpl.ATTRIBUTE_PREFIX + e.getKey());
                args.add(e.getValue());
                sets++;
            }
        }
        args.set(1, sets);
        args.addAll(dels);
        for (int hop = 0; hop <= MAX_ALIAS_HOPS; hop++) {
            List<Object> r = ns.evalSync(SAVE, ScriptOutputType.MULTI, new String[]{keys.session(s.tag(), s.handle())},
                    args.toArray());
            int code = (int) num(r.get(0));
            if (code == 1) {
                s.committed(delta);
                return true;
            }
            if (code == 0) {
                s.markGone();
                return false;
            }
            String[] ref = parseRef(str(r.get(1)));
            if (ref == null) {
                s.markGone();
                return false;
            }
            s.retarget(ref[0], ref[1]);
        }
        s.markGone();
        return false;
    }

    /**
     * Writes {@code s} under its current id with create.lua. {@code retired} is the data of a
     * session retired by a cross-tag rotation (then its timestamps and attributes are carried
     * over), or null for a brand-new session.
     */
    private void create(SessionImpl s, Map<String, byte[]> retired) {
        String tag = s.tag();
        String handle = s.handle();
        String user = s.userIdOrNull();
        Map<String, byte[]> attrs;
        String meta;
        String last;
        long created = -1;
        long deadline = -1;
        long idle = idleMs;
        if (retired == null) {
            attrs = s.effectiveAttributes();
            meta = metaJson(s.createdBy(), s.deviceLabel());
            last = lastJson(s.lastAccessBy());
        } else {
            attrs = new LinkedHashMap<>();
            for (Map.Entry<String, byte[]> e : retired.entrySet()) {
                if (e.getKey().startsWith(SessionImpl.ATTRIBUTE_PREFIX)) {
                    attrs.put(e.getKey().substring(SessionImpl.ATTRIBUTE_PREFIX.length()), e.getValue());
                }
            }
            meta = utf8(retired.get("_m"));
            last = utf8(retired.get("_l"));
            created = longField(retired, "_c");
            deadline = longField(retired, "_x");
            idle = longField(retired, "_i");
        }
        List<Object> args = new ArrayList<>(12 + attrs.size() * 2);
        args.add(nowArg());
        args.add(idle);
        args.add(created);
        args.add(deadline);
        args.add(absoluteMs);
        args.add(user == null ? "" : user);
        args.add(handle);
        args.add(options.maxSessionsPerUser());
        args.add(keys.sessionPrefix(tag));
        args.add(meta);
        args.add(last);
        for (Map.Entry<String, byte[]> e : attrs.entrySet()) {
            args.add(SessionImpl.ATTRIBUTE_PREFIX + e.getKey());
            args.add(e.getValue());
        }
        List<Object> r = ns.evalSync(CREATE, ScriptOutputType.MULTI, new String[]{keys.session(tag, handle), keys.index(tag)},
                args.toArray());
        int code = (int) num(r.get(0));
        ActiveSessions.Changes counted = active.changes();
        if (retired != null) {
            // retire.lua has removed the old id: the session leaves its old bucket whatever happens here
            counted.add(Math.min(longField(retired, "_a") + idle, deadline), -1);
        }
        if (code == 0) {
            counted.send(nowArg());
            throw new SessionException("session id collision (256 random bits): the random source is broken");
        }
        if (code == 2) {
            counted.send(nowArg());
            s.markGone();
            throw new SessionException("the session reached its absolute timeout during rotation");
        }
        Instant now = Instant.ofEpochMilli(num(r.get(1)));
        if (retired == null) {
            s.committed(s.pendingChanges());
            emit(new SessionEvent(SessionEvent.Type.CREATED, handle, null, user, null, now));
        } else {
            s.replaceStored(new HashMap<>()); // rebuilt below from the carried data, pending changes stay pending
            for (Map.Entry<String, byte[]> e : attrs.entrySet()) {
                s.putStored(e.getKey(), e.getValue());
            }
        }
        s.persisted(Instant.ofEpochMilli(num(r.get(2))), now, Instant.ofEpochMilli(num(r.get(3))));
        counted.add(num(r.get(4)), 1);
        int evicted = (int) num(r.get(5));
        for (int i = 6; i < 6 + 2 * evicted; i += 2) {
            counted.add(num(r.get(i + 1)), -1);
        }
        counted.send(nowArg());
        for (int i = 6; i < 6 + 2 * evicted; i += 2) {
            emit(new SessionEvent(SessionEvent.Type.DESTROYED, str(r.get(i)), null, user, SessionEvent.Reason.EVICTED, now));
        }
        for (int i = 6 + 2 * evicted; i < r.size(); i++) {
            emit(new SessionEvent(SessionEvent.Type.EXPIRED, str(r.get(i)), null, user, null, now));
        }
    }

    // ---- rotation ------------------------------------------------------------------------------

    @Override
    public Session login(Session session, String userId) {
        SessionIds.validateUserId(userId);
        return rotate(own(session), userId, Rotation.PRIVILEGE_CHANGE);
    }

    @Override
    public Session rotate(Session session, Rotation rotation) {
        SessionImpl s = own(session);
        Checks.notNull(rotation, "rotation");
        return rotate(s, s.userIdOrNull(), rotation);
    }

    /**
     * Gives {@code s} a new id with {@code userId} as its user. Only a routine rotation that keeps the
     * user may leave an alias (and rotate.lua checks that the stored session is logged in as that user);
     * a privilege change, and every rotation to another tag (a login), deletes the old id in the script
     * that moves the session.
     */
    private Session rotate(SessionImpl s, String userId, Rotation rotation) {
        if (s.isGone()) {
            throw new SessionException("the session was revoked or has expired; it cannot be rotated");
        }
        if (s.isAlias()) {
            throw new SessionException("the session was loaded through an id that was already rotated; "
                    + "the client must use its new id");
        }
        String newTag = userId == null ? s.tag() : SessionIds.userTag(userId);
        String newId = SessionIds.newId(newTag);
        String newHandle = SessionIds.handle(newId);
        if (s.isNew()) {
            // never stored: nobody else can know this id, so a fresh id under the right tag is enough
            s.reassign(newId, newTag, newHandle, userId);
            create(s, null);
            return s;
        }
        String oldTag = s.tag();
        String oldHandle = s.handle();
        String ref = newTag + "." + newHandle;
        if (oldTag.equals(newTag)) {
            boolean routine = rotation == Rotation.ROUTINE && userId != null && userId.equals(s.userIdOrNull());
            List<Object> r = ns.evalSync(ROTATE, ScriptOutputType.MULTI,
                    new String[]{keys.session(oldTag, oldHandle), keys.session(newTag, newHandle), keys.index(newTag)},
                    nowArg(), graceMs, oldHandle, newHandle, ref, userId == null ? "" : userId, routine ? "1" : "0");
            int code = (int) num(r.get(0));
            if (code != 3) {
                s.markGone();
                throw new SessionException(code == 2 ? "the session has expired; it cannot be rotated"
                        : "the session was revoked or has expired; it cannot be rotated");
            }
            Instant now = Instant.ofEpochMilli(num(r.get(1)));
            active.changes().move(num(r.get(3)), num(r.get(2))).send(nowArg());
            s.reassign(newId, newTag, newHandle, userId);
            s.accessed(now);
            emit(new SessionEvent(SessionEvent.Type.ROTATED, newHandle, oldHandle, userId, null, now));
            return s;
        }
        // another tag: a login (a user's tag is derived from the user), always a privilege change
        List<Object> r = ns.evalSync(RETIRE, ScriptOutputType.MULTI,
                new String[]{keys.session(oldTag, oldHandle), keys.index(oldTag)}, nowArg(), oldHandle, graceMs);
        int code = (int) num(r.get(0));
        if (code != 3) {
            s.markGone();
            throw new SessionException(code == 2 ? "the session has expired; it cannot be rotated"
                    : "the session was revoked or has expired; it cannot be rotated");
        }
        Map<String, byte[]> data = new HashMap<>();
        for (int i = 2; i + 1 < r.size(); i += 2) {
            data.put(str(r.get(i)), (byte[]) r.get(i + 1));
        }
        s.reassign(newId, newTag, newHandle, userId);
        create(s, data);
        emit(new SessionEvent(SessionEvent.Type.ROTATED, newHandle, oldHandle, userId, null, s.lastAccessedAt()));
        return s;
    }

    // ---- revocation ----------------------------------------------------------------------------

    @Override
    public boolean invalidate(Session session) {
        SessionImpl s = own(session);
        if (s.isNew()) {
            s.markGone();
            return false;
        }
        boolean done = revoke(s.tag(), s.handle(), "", SessionEvent.Reason.INVALIDATED);
        s.markGone();
        return done;
    }

    @Override
    public boolean revoke(String userId, String handle) {
        SessionIds.validateUserId(userId);
        if (!SessionIds.isHandle(handle)) {
            return false;
        }
        return revoke(SessionIds.userTag(userId), handle, userId, SessionEvent.Reason.REVOKED);
    }

    private boolean revoke(String tag, String handle, String expectedUser, SessionEvent.Reason reason) {
        List<Object> r = ns.evalSync(REVOKE, ScriptOutputType.MULTI, new String[]{keys.session(tag, handle), keys.index(tag)},
                handle, expectedUser);
        if (num(r.get(0)) != 1) {
            return false;
        }
        active.changes().add(num(r.get(2)), -1).send(nowArg());
        String user = str(r.get(1));
        emit(new SessionEvent(SessionEvent.Type.DESTROYED, handle, null, user.isEmpty() ? null : user, reason, now()));
        return true;
    }

    @Override
    public int revokeAll(String userId) {
        SessionIds.validateUserId(userId);
        return revokeAll(userId, "");
    }

    @Override
    public int revokeAllExcept(Session current) {
        SessionImpl s = own(current);
        String user = s.userIdOrNull();
        if (user == null) {
            throw new SessionException("the session has no user: log in before revoking the user's other sessions");
        }
        return revokeAll(user, s.handle());
    }

    private int revokeAll(String userId, String except) {
        String tag = SessionIds.userTag(userId);
        List<Object> r = ns.evalSync(REVOKE_ALL, ScriptOutputType.MULTI, new String[]{keys.index(tag)},
                keys.sessionPrefix(tag), except);
        ActiveSessions.Changes counted = active.changes();
        for (int i = 0; i + 1 < r.size(); i += 2) {
            counted.add(num(r.get(i + 1)), -1);
        }
        counted.send(nowArg());
        Instant now = now();
        for (int i = 0; i + 1 < r.size(); i += 2) {
            emit(new SessionEvent(SessionEvent.Type.DESTROYED, str(r.get(i)), null, userId, SessionEvent.Reason.REVOKED, now));
        }
        return r.size() / 2;
    }

    // ---- device list ---------------------------------------------------------------------------

    @Override
    public List<SessionInfo> list(String userId) {
        SessionIds.validateUserId(userId);
        return list(userId, null);
    }

    @Override
    public List<SessionInfo> list(Session current) {
        SessionImpl s = own(current);
        String user = s.userIdOrNull();
        return user == null ? List.of() : list(user, s.handle());
    }

    private List<SessionInfo> list(String userId, String currentHandle) {
        String tag = SessionIds.userTag(userId);
        List<Object> r = ns.evalSync(LIST, ScriptOutputType.MULTI, new String[]{keys.index(tag)}, nowArg(),
                keys.sessionPrefix(tag));
        Instant now = Instant.ofEpochMilli(num(r.get(0)));
        int removed = (int) num(r.get(1));
        for (int i = 2; i < 2 + removed; i++) {
            emit(new SessionEvent(SessionEvent.Type.EXPIRED, str(r.get(i)), null, userId, null, now));
        }
        List<SessionInfo> out = new ArrayList<>();
        for (int i = 2 + removed; i + 5 < r.size(); i += 6) {
            String handle = str(r.get(i));
            JsonNode meta = json((byte[]) r.get(i + 3));
            JsonNode last = json((byte[]) r.get(i + 4));
            ClientInfo createdBy = ClientInfo.of(text(meta, "ip"), text(meta, "ua"));
            ClientInfo lastBy = last == null ? createdBy : ClientInfo.of(text(last, "ip"), text(last, "ua"));
            String device = text(meta, "dev");
            out.add(new SessionInfo(handle, device.isEmpty() ? UserAgents.label(createdBy.userAgent()) : device, createdBy,
                    lastBy, Instant.ofEpochMilli(num(r.get(i + 1))), Instant.ofEpochMilli(num(r.get(i + 2))),
                    Instant.ofEpochMilli(num(r.get(i + 5))), handle.equals(currentHandle)));
        }
        return out;
    }

    // ---- counting ------------------------------------------------------------------------------

    @Override
    public long estimatedActiveSessions() {
        return active.count();
    }

    /** The width of the active-session count's buckets (for tests and tools). */
    public long activeBucketWidthMillis() {
        return active.widthMs();
    }

    // ---- sweeping ------------------------------------------------------------------------------

    @Override
    public SweepResult sweep() {
        ScanArgs args = ScanArgs.Builder.matches(keys.indexPattern()).limit(options.sweepScanCount());
        ScanCursor cursor = ScanCursor.INITIAL;
        long visited = 0;
        long removed = 0;
        while (true) {
            KeyScanCursor<String> page = ns.await("sweep scan", ns.async().scan(cursor, args));
            for (String index : page.getKeys()) {
                visited++;
                while (true) {
                    List<Object> r = ns.evalSync(PRUNE, ScriptOutputType.MULTI, new String[]{index}, nowArg(), PRUNE_BATCH);
                    Instant now = Instant.ofEpochMilli(num(r.get(0)));
                    for (int i = 1; i < r.size(); i++) {
                        emit(new SessionEvent(SessionEvent.Type.EXPIRED, str(r.get(i)), null, null, null, now));
                    }
                    removed += r.size() - 1;
                    if (r.size() - 1 < PRUNE_BATCH) {
                        break;
                    }
                }
            }
            if (page.isFinished()) {
                break;
            }
            cursor = page;
        }
        return new SweepResult(visited, removed);
    }

    @Override
    public AutoCloseable startSweeper(Duration interval) {
        Checks.positive(interval, "interval");
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "redkit-session-sweeper");
            t.setDaemon(true);
            return t;
        });
        sweepers.add(ex);
        ex.scheduleWithFixedDelay(() -> {
            try {
                SweepResult result = sweep();
                log.debug("session sweep: {}", result);
            } catch (RuntimeException e) {
                log.warn("session sweep failed; the next one runs in {}: {}", interval, e.toString());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return () -> {
            ex.shutdownNow();
            sweepers.remove(ex);
        };
    }

    // ---- events --------------------------------------------------------------------------------

    @Override
    public void addListener(SessionListener listener) {
        listeners.add(Checks.notNull(listener, "listener"));
    }

    @Override
    public void removeListener(SessionListener listener) {
        listeners.remove(listener);
    }

    private void emit(SessionEvent event) {
        for (SessionListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("session listener {} failed on {}: {}", l, event.type(), e.toString(), e);
            }
        }
        int max = options.eventStreamMaxLength();
        if (max > 0) {
            Map<String, byte[]> body = new LinkedHashMap<>();
            body.put("type", bytes(event.type().name()));
            body.put("handle", bytes(event.handle()));
            if (event.previousHandle() != null) body.put("previous", bytes(event.previousHandle()));
            if (event.userId() != null) body.put("user", bytes(event.userId()));
            if (event.reason() != null) body.put("reason", bytes(event.reason().name()));
            body.put("at", bytes(Long.toString(event.at().toEpochMilli())));
            try {
                CompletableFuture<String> f = ns.async().xadd(keys.events(), XAddArgs.Builder.maxlen(max).approximateTrimming(), body)
                        .toCompletableFuture();
                pendingWrites.add(f);
                f.whenComplete((id, err) -> {
                    pendingWrites.remove(f);
                    if (err != null) {
                        log.warn("session event {} not written to the stream: {}", event.type(), err.toString());
                    }
                });
            } catch (RuntimeException e) {
                log.warn("session event {} not written to the stream: {}", event.type(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        for (ScheduledExecutorService ex : sweepers) {
            ex.shutdownNow();
        }
        sweepers.clear();
        // let event-stream and counter writes already sent finish, so closing Redkit right after does not drop them
        CompletableFuture<?>[] pending = pendingWrites.toArray(new CompletableFuture<?>[0]);
        if (pending.length > 0) {
            try {
                CompletableFuture.allOf(pending).get(ns.commandTimeout().toMillis() + 100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.debug("some session events or active-session counter changes were not written before close: {}", e.toString());
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private SessionImpl own(Session session) {
        Checks.notNull(session, "session");
        if (!(session instanceof SessionImpl) || ((SessionImpl) session).store() != this) {
            throw new IllegalArgumentException("session " + session + " does not belong to this store");
        }
        return (SessionImpl) session;
    }

    private long nowArg() {
        return options.clock().map(c -> c.millis()).orElse(-1L);
    }

    private Instant now() {
        return options.clock().map(c -> c.instant()).orElseGet(Instant::now);
    }

    private static String[] parseRef(String ref) {
        if (ref == null || ref.length() != SessionIds.TAG_LENGTH + 1 + SessionIds.HANDLE_LENGTH
                || ref.charAt(SessionIds.TAG_LENGTH) != '.') {
            return null;
        }
        return new String[]{ref.substring(0, SessionIds.TAG_LENGTH), ref.substring(SessionIds.TAG_LENGTH + 1)};
    }

    static String metaJson(ClientInfo c, String device) {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", 1).put("ip", c.ipAddress()).put("ua", c.userAgent()).put("dev", device);
        return n.toString();
    }

    static String lastJson(ClientInfo c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", 1).put("ip", c.ipAddress()).put("ua", c.userAgent());
        return n.toString();
    }

    private static JsonNode json(byte[] b) {
        if (b == null || b.length == 0) {
            return null;
        }
        try {
            return JSON.readTree(b);
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode n, String field) {
        if (n == null) {
            return "";
        }
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    private static long longField(Map<String, byte[]> fields, String name) {
        byte[] b = fields.get(name);
        if (b == null) {
            throw new SessionException("stored session has no field " + name);
        }
        return Long.parseLong(utf8(b));
    }

    private static long num(Object o) {
        if (o instanceof Long) {
            return (Long) o;
        }
        if (o instanceof byte[]) {
            return Long.parseLong(utf8((byte[]) o));
        }
        throw new SessionException("unexpected reply element: " + o);
    }

    private static String str(Object o) {
        return o == null ? null : RedisNamespace.string(o);
    }

    private static String utf8(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
