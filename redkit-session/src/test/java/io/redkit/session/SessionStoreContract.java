package io.redkit.session;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.redkit.core.Namespace;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.codec.PayloadTooLargeException;
import io.redkit.core.time.ManualClock;
import io.redkit.session.internal.RedisSessionStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every deployment of the session store must meet: one suite, run against a
 * standalone Redis and against a three-master Redis Cluster.
 */
abstract class SessionStoreContract {
    static final ClientInfo FIREFOX = ClientInfo.of("203.0.113.7",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0");
    static final ClientInfo IPHONE = ClientInfo.of("198.51.100.2",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1");

    record Cart(List<String> items, int total) {}

    static final AttributeKey<Cart> CART = AttributeKey.of("cart", Cart.class);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    RedkitConfig config;
    Redkit redkit;
    ManualClock clock;

    void open(RedkitConfig config) {
        this.config = config;
        this.redkit = track(Redkit.create(config));
        this.clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    <T extends AutoCloseable> T track(T c) {
        toClose.add(0, c);
        return c;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    SessionStore store(SessionOptions options) {
        return track(SessionStore.create(redkit, options));
    }

    SessionStore store() {
        return store(SessionOptions.defaults());
    }

    /** A store whose expiry decisions use the test clock. */
    SessionStore clocked(SessionOptions.Builder b) {
        return store(b.clock(clock).build());
    }

    RedisClusterCommands<String, byte[]> redis() {
        return redkit.namespace(Namespace.SESSION).sync();
    }

    List<String> allKeys() {
        List<String> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        while (true) {
            KeyScanCursor<String> page = redis().scan(cursor, ScanArgs.Builder.limit(1000));
            keys.addAll(page.getKeys());
            if (page.isFinished()) {
                return keys;
            }
            cursor = page;
        }
    }

    /** Session hashes and indexes (not the event stream nor the active-session counters). */
    List<String> sessionKeys() {
        return allKeys().stream().filter(k -> !k.endsWith(":{events}:stream") && !k.contains(":{active}:"))
                .collect(Collectors.toList());
    }

    /** The active-session counters. */
    List<String> activeCounterKeys() {
        return allKeys().stream().filter(k -> k.contains(":{active}:")).collect(Collectors.toList());
    }

    /** Waits for the counter changes sent asynchronously, then checks the count. */
    static void awaitActiveSessions(SessionStore store, long expected) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(store.estimatedActiveSessions()).isEqualTo(expected));
    }

    /** A saved, logged-in session. */
    Session loggedIn(SessionStore store, String user, ClientInfo client) {
        Session s = store.newSession(client);
        store.save(s);
        return store.login(s, user);
    }

    // ---- ids and keys --------------------------------------------------------------------------

    @Test
    void idsHave256RandomBitsInBase64UrlBehindATag() {
        SessionStore store = store();
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 2000; i++) {
            Session s = store.newSession(FIREFOX);
            assertThat(s.id()).matches("[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]{43}");
            assertThat(java.util.Base64.getUrlDecoder().decode(s.id().substring(17))).hasSize(32);
            assertThat(s.handle()).matches("[A-Za-z0-9_-]{22}").isNotEqualTo(s.id().substring(17, 39));
            assertThat(seen.add(s.id())).isTrue();
        }
    }

    @Test
    void redisHoldsNoSessionIdNeitherInKeysNorInValues() {
        SessionStore store = store();
        Session s = store.newSession(FIREFOX);
        s.set("theme", "dark");
        store.save(s);
        String before = s.id();
        store.login(s, "alice");
        List<String> ids = List.of(before, s.id(), before.substring(17), s.id().substring(17));
        List<String> keys = allKeys();
        assertThat(keys).isNotEmpty();
        for (String key : keys) {
            for (String id : ids) {
                assertThat(key).doesNotContain(id);
            }
            String type = redis().type(key);
            if (type.equals("hash")) {
                for (Map.Entry<String, byte[]> e : redis().hgetall(key).entrySet()) {
                    String v = new String(e.getValue(), StandardCharsets.UTF_8);
                    for (String id : ids) {
                        assertThat(v).doesNotContain(id);
                    }
                }
            }
        }
    }

    @Test
    void anonymousSessionCostsNothingUntilSaved() {
        SessionStore store = store();
        Session s = store.newSession(FIREFOX);
        assertThat(s.isNew()).isTrue();
        assertThat(allKeys()).isEmpty();
        assertThat(store.load(s.id(), FIREFOX)).isEmpty();
    }

    @Test
    void savedSessionLoadsWithItsAttributesAndMetadata() {
        SessionStore store = store();
        Session s = store.newSession(FIREFOX);
        s.set(CART, new Cart(List.of("book", "pen"), 42));
        s.set("theme", "dark");
        s.set("visits", 3);
        assertThat(store.save(s)).isTrue();
        assertThat(s.isNew()).isFalse();

        Session loaded = store.load(s.id(), IPHONE).orElseThrow();
        assertThat(loaded.handle()).isEqualTo(s.handle());
        assertThat(loaded.get(CART)).contains(new Cart(List.of("book", "pen"), 42));
        assertThat(loaded.get("theme", String.class)).contains("dark");
        assertThat(loaded.get("visits", Integer.class)).contains(3);
        assertThat(loaded.get("visits")).contains(3);
        assertThat(loaded.get("missing", String.class)).isEmpty();
        assertThat(loaded.attributeNames()).containsExactlyInAnyOrder("cart", "theme", "visits");
        assertThat(loaded.userId()).isEmpty();
        assertThat(loaded.createdBy()).isEqualTo(FIREFOX);
        assertThat(loaded.deviceLabel()).isEqualTo("Firefox on Windows");
        assertThat(loaded.idleTimeout()).isEqualTo(SessionOptions.DEFAULT_IDLE_TIMEOUT);
        assertThat(Duration.between(loaded.createdAt(), loaded.absoluteDeadline())).isEqualTo(SessionOptions.DEFAULT_ABSOLUTE_TIMEOUT);
        assertThat(loaded.hasChanges()).isFalse();

        loaded.remove("theme");
        assertThat(store.save(loaded)).isTrue();
        assertThat(store.load(s.id(), IPHONE).orElseThrow().attributeNames()).containsExactlyInAnyOrder("cart", "visits");
    }

    @Test
    void sessionHashExpiresInRedisByItself() {
        SessionStore store = store(SessionOptions.builder().idleTimeout(Duration.ofMinutes(10)).rotationGrace(Duration.ZERO).build());
        Session s = loggedIn(store, "alice", FIREFOX);
        List<String> keys = sessionKeys();
        assertThat(keys).hasSize(2);
        for (String k : keys) {
            assertThat(redis().pttl(k)).isBetween(Duration.ofMinutes(9).toMillis(), Duration.ofMinutes(10).toMillis());
        }
        assertThat(s.expiresAt()).isAfter(Instant.now().plus(Duration.ofMinutes(9)));
    }

    @Test
    void malformedOrTamperedIdsAreNoSession() {
        SessionStore store = store();
        Session s = store.newSession(FIREFOX);
        store.save(s);
        String id = s.id();
        String otherTag = store.newSession(FIREFOX).id().substring(0, 16);
        char last = id.charAt(id.length() - 1);
        List<String> bad = new ArrayList<>(List.of("", "x", id + "A", id.substring(1), id.replace('.', '-'),
                otherTag + id.substring(16), id.substring(0, 20) + "*" + id.substring(21),
                id.substring(0, 59) + (char) (last == 'A' ? 'B' : last + 1), id.substring(0, 20) + "é" + id.substring(21),
                id.toUpperCase().equals(id) ? id.toLowerCase() : id.toUpperCase(), "../" + id.substring(3)));
        bad.add(null);
        for (String b : bad) {
            assertThat(store.load(b, FIREFOX)).as("id %s", b).isEmpty();
        }
        assertThat(store.load(id, FIREFOX)).isPresent();
    }

    // ---- rotation ------------------------------------------------------------------------------

    @Test
    void loginRotatesTheIdKeepsTheDataAndTheOldIdStopsWorking() {
        SessionStore store = store(SessionOptions.builder().rotationGrace(Duration.ZERO).build());
        List<SessionEvent> events = new CopyOnWriteArrayList<>();
        store.addListener(events::add);
        Session s = store.newSession(FIREFOX);
        s.set("theme", "dark");
        store.save(s);
        String anonymous = s.id();
        String anonymousHandle = s.handle();

        store.login(s, "alice");
        assertThat(s.id()).isNotEqualTo(anonymous);
        assertThat(s.id().substring(0, 16)).isNotEqualTo(anonymous.substring(0, 16));
        assertThat(s.userId()).contains("alice");
        assertThat(store.load(anonymous, FIREFOX)).isEmpty();
        Session again = store.load(s.id(), FIREFOX).orElseThrow();
        assertThat(again.userId()).contains("alice");
        assertThat(again.get("theme", String.class)).contains("dark");
        assertThat(events).extracting(SessionEvent::type).containsExactly(SessionEvent.Type.CREATED, SessionEvent.Type.ROTATED);
        assertThat(events.get(1).previousHandle()).isEqualTo(anonymousHandle);
        assertThat(events.get(1).handle()).isEqualTo(s.handle());

        // privilege change: same user, same tag, another id
        String loggedIn = s.id();
        store.rotate(s);
        assertThat(s.id()).isNotEqualTo(loggedIn).startsWith(loggedIn.substring(0, 16));
        assertThat(store.load(loggedIn, FIREFOX)).isEmpty();
        assertThat(store.load(s.id(), FIREFOX).orElseThrow().get("theme", String.class)).contains("dark");
        assertThat(store.list("alice")).extracting(SessionInfo::handle).containsExactly(s.handle());
    }

    // ---- fixation window (issue 13 item 9): a privilege change ends the old id at once ---------

    /** The default options: a rotation grace of 5 s, which must not apply to a privilege change. */
    static final Duration GRACE = SessionOptions.DEFAULT_ROTATION_GRACE;

    @Test
    void thePreLoginIdIsNoSessionTheMomentLoginReturns() {
        SessionStore store = store(); // default rotation grace (5 s)
        Session s = store.newSession(FIREFOX);
        s.set("cart", "3 items");
        store.save(s);
        String preLogin = s.id();
        Session inFlight = store.load(preLogin, FIREFOX).orElseThrow(); // a request that loaded it before the login

        store.login(s, "alice");
        assertThat(store.load(preLogin, FIREFOX)).as("the pre-login id right after login").isEmpty();
        inFlight.set("late", "x");
        assertThat(store.save(inFlight)).as("a save through the pre-login id writes nothing").isFalse();
        assertThat(store.load(preLogin, FIREFOX)).isEmpty();
        Session loggedIn = store.load(s.id(), FIREFOX).orElseThrow();
        assertThat(loggedIn.userId()).contains("alice");
        assertThat(loggedIn.get("cart", String.class)).contains("3 items");
        assertThat(loggedIn.get("late", String.class)).isEmpty();
        assertThat(sessionKeys()).as("the session, the user's index and the pre-login id's marker").hasSize(3)
                .filteredOn(k -> !k.endsWith(":idx") && !k.endsWith(s.handle()))
                .singleElement().satisfies(k -> assertThat(redis().hgetall(k)).as("no alias: no data, user or reference")
                        .containsOnlyKeys("_replaced"));

        // a second login on the same session (same user: same tag) and a login as another user (another tag)
        String first = s.id();
        store.login(s, "alice");
        assertThat(store.load(first, FIREFOX)).isEmpty();
        String second = s.id();
        store.login(s, "bob");
        assertThat(store.load(second, FIREFOX)).isEmpty();
        assertThat(store.load(first, FIREFOX)).isEmpty();
        assertThat(store.load(s.id(), FIREFOX).orElseThrow().userId()).contains("bob");
        assertThat(store.list("alice")).isEmpty();
    }

    @Test
    void aPrivilegeChangeRotationEndsTheOldIdAtOnce() {
        SessionStore store = store();
        Session s = loggedIn(store, "alice", FIREFOX);
        s.set("role", "user");
        store.save(s);
        String before = s.id();
        Session inFlight = store.load(before, FIREFOX).orElseThrow();

        s.set("role", "admin"); // the privilege change: attribute first, then rotate, then save
        store.rotate(s);
        store.save(s);
        assertThat(store.load(before, FIREFOX)).as("rotate(session) is a privilege change").isEmpty();
        inFlight.set("role", "user");
        assertThat(store.save(inFlight)).as("a request in flight with the old id writes nothing").isFalse();
        assertThat(store.load(s.id(), FIREFOX).orElseThrow().get("role", String.class)).contains("admin");

        String again = s.id();
        store.rotate(s, Rotation.PRIVILEGE_CHANGE);
        assertThat(store.load(again, FIREFOX)).isEmpty();
        assertThat(store.load(before, FIREFOX)).isEmpty();
        assertThat(store.list("alice")).extracting(SessionInfo::handle).containsExactly(s.handle());
    }

    @Test
    void logoutEndsTheIdAndItsAliasesAtOnce() {
        SessionStore store = store();
        Session s = loggedIn(store, "alice", FIREFOX);
        String old = s.id();
        store.rotate(s, Rotation.ROUTINE);
        assertThat(store.load(old, FIREFOX)).as("an alias while the session lives").isPresent();
        Session viaAlias = store.load(old, FIREFOX).orElseThrow();

        assertThat(store.invalidate(s)).isTrue();
        assertThat(store.load(s.id(), FIREFOX)).isEmpty();
        assertThat(store.load(old, FIREFOX)).as("the alias of a logged-out session").isEmpty();
        viaAlias.set("late", true);
        assertThat(store.save(viaAlias)).isFalse();
        assertThat(sessionKeys()).as("no session hash is left").noneMatch(k -> k.contains(":s:") && redis().hexists(k, "_a"));
    }

    @Test
    void aRoutineRotationKeepsAnAliasForTheGraceThenItStops() {
        Duration grace = Duration.ofSeconds(2);
        SessionStore store = store(SessionOptions.builder().rotationGrace(grace).build());
        Session s = loggedIn(store, "alice", FIREFOX);
        s.set("theme", "dark");
        store.save(s);
        String old = s.id();
        Session inFlight = store.load(old, FIREFOX).orElseThrow();

        long rotated = System.nanoTime();
        store.rotate(s, Rotation.ROUTINE);
        assertThat(s.id()).isNotEqualTo(old).startsWith(old.substring(0, 16));
        Optional<Session> alias = store.load(old, FIREFOX);
        if (alias.isEmpty()) { // only acceptable when this machine took longer than the grace to get here
            assertThat(Duration.ofNanos(System.nanoTime() - rotated)).isGreaterThanOrEqualTo(grace);
        } else {
            Session viaAlias = alias.get();
            assertThat(viaAlias.isAlias()).isTrue();
            assertThat(viaAlias.id()).as("never hands out the new id").isEqualTo(old);
            assertThat(viaAlias.handle()).isEqualTo(s.handle());
            assertThat(viaAlias.userId()).contains("alice");
            assertThat(viaAlias.get("theme", String.class)).contains("dark");
            assertThatThrownBy(() -> store.login(viaAlias, "mallory")).isInstanceOf(SessionException.class)
                    .hasMessageContaining("already rotated");
            assertThatThrownBy(() -> store.rotate(viaAlias, Rotation.ROUTINE)).isInstanceOf(SessionException.class)
                    .hasMessageContaining("already rotated");
        }
        // a request in flight with the old id saves into the rotated session while the alias lives
        inFlight.set("cart-size", 2);
        boolean saved = store.save(inFlight);
        assertThat(saved || Duration.ofNanos(System.nanoTime() - rotated).compareTo(grace) >= 0).isTrue();
        String aliasKey = ((RedisSessionStore) store).keys().session(old.substring(0, 16),
                io.redkit.session.internal.SessionIds.handle(old));
        assertThat(redis().pttl(aliasKey)).as("the alias expires by itself within the grace").isLessThanOrEqualTo(grace.toMillis());

        org.awaitility.Awaitility.await().atMost(grace.plusSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> store.load(old, FIREFOX).isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - rotated)).as("not before the grace")
                .isGreaterThanOrEqualTo(grace.minusMillis(50));
        assertThat(store.load(old, FIREFOX)).as("and never again").isEmpty();
        assertThat(store.load(s.id(), FIREFOX).orElseThrow().userId()).contains("alice");
    }

    @Test
    void anAliasEndsTheMomentItsSessionChangesUserOrPrivileges() {
        SessionStore store = store();
        // a privilege change after a routine rotation
        Session s = loggedIn(store, "alice", FIREFOX);
        String a = s.id();
        store.rotate(s, Rotation.ROUTINE);
        Session viaAlias = store.load(a, FIREFOX).orElseThrow();
        assertThat(viaAlias.isAlias()).isTrue();
        s.set("role", "admin");
        store.rotate(s);
        store.save(s);
        assertThat(store.load(a, FIREFOX)).as("the alias after a privilege change of its session").isEmpty();
        viaAlias.set("late", true);
        assertThat(store.save(viaAlias)).isFalse();

        // a login as someone else after a routine rotation
        Session t = loggedIn(store, "alice", IPHONE);
        String b = t.id();
        store.rotate(t, Rotation.ROUTINE);
        assertThat(store.load(b, IPHONE)).isPresent();
        store.login(t, "bob");
        assertThat(store.load(b, IPHONE)).as("the alias after the session became bob's").isEmpty();

        // two routine rotations chain; a privilege change at the end ends both aliases
        Session u = loggedIn(store, "carol", FIREFOX);
        String c1 = u.id();
        store.rotate(u, Rotation.ROUTINE);
        String c2 = u.id();
        store.rotate(u, Rotation.ROUTINE);
        assertThat(store.load(c1, FIREFOX)).hasValueSatisfying(x -> assertThat(x.userId()).contains("carol"));
        assertThat(store.load(c2, FIREFOX)).isPresent();
        store.rotate(u, Rotation.PRIVILEGE_CHANGE);
        assertThat(store.load(c1, FIREFOX)).isEmpty();
        assertThat(store.load(c2, FIREFOX)).isEmpty();
        assertThat(store.load(u.id(), FIREFOX)).isPresent();
    }

    @Test
    void aRoutineRotationOfAnAnonymousSessionKeepsNoAlias() {
        SessionStore store = store();
        Session s = store.newSession(FIREFOX);
        s.set("k", "v");
        store.save(s);
        String old = s.id();
        store.rotate(s, Rotation.ROUTINE);
        assertThat(store.load(old, FIREFOX)).as("nothing to be in flight for: no alias without a login").isEmpty();
        assertThat(store.load(s.id(), FIREFOX).orElseThrow().get("k", String.class)).contains("v");
        // so a later login of the new id cannot be reached through the old one either
        store.login(s, "alice");
        assertThat(store.load(old, FIREFOX)).isEmpty();
    }

    @Test
    void anIdReplacedByAPrivilegeChangeIsReportedButGivesNothing() {
        SessionStore store = store();
        Session s = store.newSession(FIREFOX);
        s.set("secret", "s3");
        store.save(s);
        String preLogin = s.id();
        store.login(s, "alice");
        SessionLookup found = store.lookup(preLogin, FIREFOX);
        assertThat(found.session()).isEmpty();
        assertThat(found.replaced()).as("the client may already hold the new id").isTrue();
        String markerKey = ((RedisSessionStore) store).keys().session(preLogin.substring(0, 16),
                io.redkit.session.internal.SessionIds.handle(preLogin));
        assertThat(redis().hgetall(markerKey)).as("the marker holds no data, no user, no reference").containsOnlyKeys("_replaced");
        assertThat(redis().pttl(markerKey)).isBetween(1L, GRACE.toMillis());
        assertThat(store.save(store.newSession(FIREFOX))).isTrue();

        String loggedIn = s.id();
        store.rotate(s);
        assertThat(store.lookup(loggedIn, FIREFOX)).isEqualTo(SessionLookup.replacedId());
        String routine = s.id();
        store.rotate(s, Rotation.ROUTINE);
        assertThat(store.lookup(routine, FIREFOX).session()).as("an alias").isPresent();
        assertThat(store.lookup(s.id(), FIREFOX).session()).isPresent();

        store.invalidate(s);
        assertThat(store.lookup(s.id(), FIREFOX)).as("logged out: not replaced").isEqualTo(SessionLookup.none());
        assertThat(store.lookup(routine, FIREFOX)).isEqualTo(SessionLookup.none());
        assertThat(store.lookup(null, FIREFOX)).isEqualTo(SessionLookup.none());
        assertThat(store.lookup("garbage", FIREFOX)).isEqualTo(SessionLookup.none());

        SessionStore immediate = store(SessionOptions.builder().rotationGrace(Duration.ZERO).build());
        Session t = immediate.newSession(FIREFOX);
        immediate.save(t);
        String before = t.id();
        immediate.login(t, "bob");
        assertThat(immediate.lookup(before, FIREFOX)).as("a grace of 0: no marker").isEqualTo(SessionLookup.none());
    }

    /**
     * 16 threads load (and save through) the pre-login id while it is logged in: none ever sees the
     * logged-in session, and every load that starts after login returned finds nothing.
     */
    @Test
    void manyThreadsUsingThePreLoginIdDuringLoginNeverSeeTheLoggedInSession() throws Exception {
        SessionStore store = store();
        int threads = 16;
        int rounds = 5;
        for (int round = 0; round < rounds; round++) {
            Session s = store.newSession(FIREFOX);
            s.set("cart", "1 item");
            store.save(s);
            String preLogin = s.id();
            String preLoginHandle = s.handle();
            attackDuringRotation(store, threads, preLogin, () -> store.login(s, "alice"), loaded -> {
                assertThat(loaded.userId()).as("a pre-login id never carries the user").isEmpty();
                assertThat(loaded.handle()).as("nor reaches the logged-in session").isEqualTo(preLoginHandle);
            });
            assertThat(store.load(s.id(), FIREFOX).orElseThrow().userId()).contains("alice");
        }
        // a role change of a logged-in session: the old id never sees the new role
        for (int round = 0; round < rounds; round++) {
            Session s = loggedIn(store, "alice", FIREFOX);
            s.set("role", "user");
            store.save(s);
            String before = s.id();
            String beforeHandle = s.handle();
            attackDuringRotation(store, threads, before, () -> {
                s.set("role", "admin");
                store.rotate(s);
                store.save(s);
            }, loaded -> {
                assertThat(loaded.get("role", String.class)).contains("user");
                assertThat(loaded.handle()).isEqualTo(beforeHandle);
            });
        }
    }

    /**
     * Runs {@code rotation} while {@code threads} threads load {@code oldId} (and save through what
     * they loaded); each loaded session must pass {@code check}, and every load that starts after the
     * rotation returned must find nothing. Each thread keeps going until it has done 20 such loads.
     */
    private void attackDuringRotation(SessionStore store, int threads, String oldId, Runnable rotation,
                                      java.util.function.Consumer<Session> check) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch ready = new CountDownLatch(threads);
        java.util.concurrent.atomic.AtomicBoolean rotated = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger before = new java.util.concurrent.atomic.AtomicInteger();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    int after = 0;
                    for (int i = 0; after < 20; i++) {
                        boolean startedAfter = rotated.get();
                        Optional<Session> loaded = store.load(oldId, FIREFOX);
                        if (startedAfter) {
                            assertThat(loaded).as("a load of the old id that started after the rotation returned").isEmpty();
                            after++;
                        } else {
                            before.incrementAndGet();
                        }
                        if (loaded.isPresent()) {
                            check.accept(loaded.get());
                            loaded.get().set("t" + thread, i);
                            store.save(loaded.get()); // false once the rotation ran: checked by the tests above
                        }
                    }
                    return null;
                }));
            }
            ready.await();
            rotation.run();
            rotated.set(true);
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rotatingASessionThatWasRevokedFails() {
        SessionStore store = store();
        Session s = loggedIn(store, "alice", FIREFOX);
        Session other = store.load(s.id(), FIREFOX).orElseThrow();
        store.invalidate(other);
        assertThatThrownBy(() -> store.rotate(s)).isInstanceOf(SessionException.class).hasMessageContaining("revoked");
    }

    @Test
    void loginOfANewSessionSavesItUnderTheUsersTag() {
        SessionStore store = store();
        Session s = store.newSession(FIREFOX);
        s.set("k", "v");
        store.login(s, "bob");
        assertThat(s.isNew()).isFalse();
        assertThat(store.load(s.id(), FIREFOX).orElseThrow().get("k", String.class)).contains("v");
        assertThat(store.list("bob")).hasSize(1);
    }

    @Test
    void badUserIdsAreRejectedAndNothingIsWritten() {
        SessionStore store = store();
        Session s = store.newSession(FIREFOX);
        assertThatThrownBy(() -> store.login(s, " ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userId");
        assertThatThrownBy(() -> store.login(s, "a\nb")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control characters");
        assertThatThrownBy(() -> store.login(s, "x".repeat(257))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("257");
        assertThat(allKeys()).isEmpty();
    }

    // ---- revocation ----------------------------------------------------------------------------

    @Test
    void revocationFromAnotherInstanceIsEffectiveImmediately() {
        SessionStore a = store();
        Redkit otherProcess = track(Redkit.create(config));
        SessionStore b = track(SessionStore.create(otherProcess));
        Session s = loggedIn(a, "alice", FIREFOX);
        Session phone = loggedIn(a, "alice", IPHONE);
        assertThat(a.load(s.id(), FIREFOX)).isPresent();

        assertThat(b.revoke("alice", s.handle())).isTrue();
        assertThat(a.load(s.id(), FIREFOX)).isEmpty();
        assertThat(a.load(phone.id(), IPHONE)).isPresent();
        assertThat(b.revoke("alice", s.handle())).isFalse();
        assertThat(b.revoke("bob", phone.handle())).as("another user's handle").isFalse();
        assertThat(b.revoke("alice", "not-a-handle")).isFalse();
        assertThat(a.load(phone.id(), IPHONE)).isPresent();
    }

    @Test
    void revokeAllAndAllButTheCurrentOne() {
        SessionStore store = store();
        List<SessionEvent> events = new CopyOnWriteArrayList<>();
        store.addListener(events::add);
        Session laptop = loggedIn(store, "alice", FIREFOX);
        Session phone = loggedIn(store, "alice", IPHONE);
        Session tablet = loggedIn(store, "alice", IPHONE);
        Session bob = loggedIn(store, "bob", FIREFOX);

        assertThat(store.revokeAllExcept(laptop)).isEqualTo(2);
        assertThat(store.load(laptop.id(), FIREFOX)).isPresent();
        assertThat(store.load(phone.id(), IPHONE)).isEmpty();
        assertThat(store.load(tablet.id(), IPHONE)).isEmpty();
        assertThat(events).filteredOn(e -> e.type() == SessionEvent.Type.DESTROYED)
                .extracting(SessionEvent::handle).containsExactlyInAnyOrder(phone.handle(), tablet.handle());

        assertThat(store.revokeAll("alice")).isEqualTo(1);
        assertThat(store.load(laptop.id(), FIREFOX)).isEmpty();
        assertThat(store.list("alice")).isEmpty();
        assertThat(store.load(bob.id(), FIREFOX)).isPresent();
        assertThatThrownBy(() -> store.revokeAllExcept(store.newSession(FIREFOX))).isInstanceOf(SessionException.class);
    }

    @Test
    void invalidateIsLogoutAndASaveAfterwardsDoesNotBringItBack() {
        SessionStore store = store(SessionOptions.builder().rotationGrace(Duration.ZERO).build());
        Session s = loggedIn(store, "alice", FIREFOX);
        Session concurrent = store.load(s.id(), FIREFOX).orElseThrow();
        assertThat(store.invalidate(s)).isTrue();
        assertThat(store.load(s.id(), FIREFOX)).isEmpty();
        concurrent.set("late", true);
        assertThat(store.save(concurrent)).isFalse();
        assertThat(allKeys()).allMatch(k -> !k.contains(":s:"));
        assertThat(store.invalidate(s)).isFalse();
    }

    // ---- expiry --------------------------------------------------------------------------------

    @Test
    void idleTimeoutSlidesWithUseAndEndsTheSession() {
        SessionStore store = clocked(SessionOptions.builder().idleTimeout(Duration.ofMinutes(30)).rotationGrace(Duration.ZERO));
        List<SessionEvent> events = new CopyOnWriteArrayList<>();
        store.addListener(events::add);
        Session s = loggedIn(store, "alice", FIREFOX);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(29));
            assertThat(store.load(s.id(), FIREFOX)).as("used every 29 minutes").isPresent();
        }
        clock.advance(Duration.ofMinutes(30));
        assertThat(store.load(s.id(), FIREFOX)).isEmpty();
        assertThat(events).filteredOn(e -> e.type() == SessionEvent.Type.EXPIRED).singleElement()
                .satisfies(e -> assertThat(e.userId()).isEqualTo("alice"));
        assertThat(sessionKeys()).as("the expired session and its index entry are gone").isEmpty();
    }

    @Test
    void absoluteTimeoutEndsEvenABusySession() {
        SessionStore store = clocked(SessionOptions.builder().idleTimeout(Duration.ofMinutes(30)).absoluteTimeout(Duration.ofHours(2)));
        Session s = loggedIn(store, "alice", FIREFOX);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(20));
            assertThat(store.load(s.id(), FIREFOX)).isPresent();
        }
        Session last = store.load(s.id(), FIREFOX).orElseThrow();
        assertThat(last.expiresAt()).isEqualTo(last.absoluteDeadline());
        clock.advance(Duration.ofMinutes(20));
        assertThat(store.load(s.id(), FIREFOX)).isEmpty();
    }

    @Test
    void lastAccessIsWrittenAtMostOncePerTouchInterval() {
        SessionStore store = clocked(SessionOptions.builder().touchInterval(Duration.ofSeconds(60)));
        Session s = store.newSession(FIREFOX);
        store.save(s);
        Instant created = store.load(s.id(), FIREFOX).orElseThrow().lastAccessedAt();
        clock.advance(Duration.ofSeconds(59));
        assertThat(store.load(s.id(), IPHONE).orElseThrow().lastAccessedAt()).isEqualTo(created);
        clock.advance(Duration.ofSeconds(2));
        Session touched = store.load(s.id(), IPHONE).orElseThrow();
        assertThat(touched.lastAccessedAt()).isEqualTo(created.plusSeconds(61));
        Session reread = store.load(s.id(), FIREFOX).orElseThrow();
        assertThat(reread.lastAccessedAt()).isEqualTo(created.plusSeconds(61));
        assertThat(reread.lastAccessBy()).isEqualTo(IPHONE);
        assertThat(reread.createdBy()).isEqualTo(FIREFOX);
    }

    // ---- multi-device --------------------------------------------------------------------------

    @Test
    void listShowsDevicesWithHandlesNotIds() {
        SessionStore store = clocked(SessionOptions.builder());
        Session laptop = loggedIn(store, "alice", FIREFOX);
        clock.advance(Duration.ofMinutes(1));
        Session phone = loggedIn(store, "alice", IPHONE);
        loggedIn(store, "bob", FIREFOX);

        List<SessionInfo> devices = store.list(phone);
        assertThat(devices).hasSize(2);
        assertThat(devices).extracting(SessionInfo::handle).containsExactly(laptop.handle(), phone.handle());
        assertThat(devices).extracting(SessionInfo::deviceLabel).containsExactly("Firefox on Windows", "Safari on iPhone");
        assertThat(devices).extracting(SessionInfo::current).containsExactly(false, true);
        assertThat(devices.get(0).createdBy().ipAddress()).isEqualTo("203.0.113.7");
        assertThat(devices.get(1).expiresAt()).isEqualTo(phone.expiresAt());
        assertThat(devices.toString()).doesNotContain(laptop.id().substring(17)).doesNotContain(phone.id().substring(17));
        assertThat(store.list(store.newSession(FIREFOX))).isEmpty();

        clock.advance(Duration.ofMinutes(30));
        assertThat(store.list("alice")).as("the laptop's session idled out").extracting(SessionInfo::handle).isEmpty();
    }

    @Test
    void maxSessionsPerUserEvictsTheLeastRecentlyUsed() {
        SessionStore store = clocked(SessionOptions.builder().maxSessionsPerUser(3));
        List<SessionEvent> events = new CopyOnWriteArrayList<>();
        store.addListener(events::add);
        List<Session> sessions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sessions.add(loggedIn(store, "alice", FIREFOX));
            clock.advance(Duration.ofMinutes(2));
        }
        // the first one is used again, so the second becomes the least recently used
        assertThat(store.load(sessions.get(0).id(), FIREFOX)).isPresent();
        clock.advance(Duration.ofMinutes(2));
        Session fourth = loggedIn(store, "alice", IPHONE);

        assertThat(store.load(sessions.get(1).id(), FIREFOX)).isEmpty();
        assertThat(store.list("alice")).extracting(SessionInfo::handle)
                .containsExactlyInAnyOrder(sessions.get(0).handle(), sessions.get(2).handle(), fourth.handle());
        assertThat(events).filteredOn(e -> e.reason() == SessionEvent.Reason.EVICTED).extracting(SessionEvent::handle)
                .containsExactly(sessions.get(1).handle());
    }

    // ---- concurrency ---------------------------------------------------------------------------

    @Test
    void concurrentRequestsChangingDifferentAttributesBothKeepTheirChange() {
        SessionStore store = store();
        Session s = loggedIn(store, "alice", FIREFOX);
        s.set("a", 0);
        store.save(s);
        Session r1 = store.load(s.id(), FIREFOX).orElseThrow();
        Session r2 = store.load(s.id(), FIREFOX).orElseThrow();
        r1.set("theme", "dark");
        r2.set("lang", "fr");
        r2.remove("a");
        assertThat(store.save(r1)).isTrue();
        assertThat(store.save(r2)).isTrue();
        Session after = store.load(s.id(), FIREFOX).orElseThrow();
        assertThat(after.get("theme", String.class)).contains("dark");
        assertThat(after.get("lang", String.class)).contains("fr");
        assertThat(after.attributeNames()).containsExactlyInAnyOrder("theme", "lang");
    }

    @Test
    void manyThreadsWritingTheirOwnAttributesLoseNothing() throws Exception {
        SessionStore store = store();
        Session s = loggedIn(store, "alice", FIREFOX);
        int threads = 16;
        int rounds = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        Session mine = store.load(s.id(), FIREFOX).orElseThrow();
                        mine.set("t" + thread, i);
                        assertThat(store.save(mine)).isTrue();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Session after = store.load(s.id(), FIREFOX).orElseThrow();
        for (int t = 0; t < threads; t++) {
            assertThat(after.get("t" + t, Integer.class)).as("thread %d", t).contains(rounds - 1);
        }
    }

    // ---- sweeping and events -------------------------------------------------------------------

    @Test
    void sweepRemovesExpiredIndexEntriesAndKeepsLiveOnes() {
        SessionStore store = clocked(SessionOptions.builder().idleTimeout(Duration.ofMinutes(30)).sweepScanCount(50));
        List<Session> old = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            old.add(loggedIn(store, "user-" + i, FIREFOX));
        }
        clock.advance(Duration.ofMinutes(20));
        Session live = loggedIn(store, "user-0", IPHONE);
        clock.advance(Duration.ofMinutes(15));
        SweepResult r = store.sweep();
        assertThat(r.entriesRemoved()).isEqualTo(40);
        assertThat(r.indexesVisited()).isEqualTo(40);
        List<String> indexes = allKeys().stream().filter(k -> k.endsWith(":idx")).collect(Collectors.toList());
        assertThat(indexes).hasSize(1);
        assertThat(store.list("user-0")).extracting(SessionInfo::handle).containsExactly(live.handle());
        assertThat(store.sweep().entriesRemoved()).isZero();
    }

    @Test
    void theBackgroundSweeperPrunesUntilClosed() throws Exception {
        SessionStore store = clocked(SessionOptions.builder().idleTimeout(Duration.ofMinutes(30)));
        List<SessionEvent> expired = new CopyOnWriteArrayList<>();
        store.addListener(e -> {
            if (e.type() == SessionEvent.Type.EXPIRED) {
                expired.add(e);
            }
        });
        for (int i = 0; i < 5; i++) {
            loggedIn(store, "user-" + i, FIREFOX);
        }
        AutoCloseable sweeper = store.startSweeper(Duration.ofMillis(20));
        clock.advance(Duration.ofMinutes(31));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> expired.size() == 5);
        assertThat(sessionKeys()).noneMatch(k -> k.endsWith(":idx"));
        sweeper.close();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet()
                .stream().noneMatch(t -> t.getName().equals("redkit-session-sweeper") && t.isAlive()));
    }

    @Test
    void eventsGoToACappedStream() {
        SessionStore store = store(SessionOptions.builder().eventStreamMaxLength(100).build());
        Session s = loggedIn(store, "alice", FIREFOX);
        store.invalidate(s);
        String stream = ((RedisSessionStore) store).keys().events();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> redis().xlen(stream) == 3);
        List<String> types = redis().xrange(stream, io.lettuce.core.Range.create("-", "+")).stream()
                .map(m -> new String(m.getBody().get("type"), StandardCharsets.UTF_8)).collect(Collectors.toList());
        assertThat(types).containsExactly("CREATED", "ROTATED", "DESTROYED");
        for (int i = 0; i < 300; i++) {
            store.invalidate(loggedIn(store, "u" + (i % 7), FIREFOX));
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> redis().xrevrange(stream, io.lettuce.core.Range.create("-", "+"), io.lettuce.core.Limit.from(1))
                        .stream().anyMatch(m -> new String(m.getBody().get("type"), StandardCharsets.UTF_8).equals("DESTROYED")
                                && new String(m.getBody().get("user"), StandardCharsets.UTF_8).equals("u" + (299 % 7))));
        assertThat(redis().xlen(stream)).as("trimmed to about 100").isLessThan(300);
    }

    @Test
    void closingTheStoreWaitsForEventsAlreadySent() {
        Redkit own = Redkit.create(config);
        SessionStore store = SessionStore.create(own);
        for (int i = 0; i < 100; i++) {
            store.invalidate(loggedIn(store, "u" + i, FIREFOX));
        }
        store.close();
        own.close(); // the shutdown order of an application: store first, then Redkit
        assertThat(redis().xlen(((RedisSessionStore) store).keys().events())).isEqualTo(300);
    }

    @Test
    void aThrowingListenerDoesNotBreakTheOperation() {
        SessionStore store = store();
        store.addListener(e -> {
            throw new IllegalStateException("listener bug");
        });
        Session s = loggedIn(store, "alice", FIREFOX);
        assertThat(store.load(s.id(), FIREFOX)).isPresent();
    }

    @Test
    void attributeValuesThatCannotBeStoredAreRejectedAtOnce() {
        SessionStore store = store();
        Session s = store.newSession(FIREFOX);
        assertThatThrownBy(() -> s.set("big", "x".repeat(600 * 1024))).isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("session attribute 'big' is 614402 bytes encoded; the limit is 524288 bytes");
        assertThatThrownBy(() -> s.set("self", new Object())).isInstanceOf(SessionException.class)
                .hasMessageContaining("session attribute 'self' cannot be stored");
        assertThatThrownBy(() -> s.set("", 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 128");
        assertThatThrownBy(() -> s.set("a\u0000b", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control");
        assertThat(s.attributeNames()).isEmpty();
    }

    // ---- active-session count ------------------------------------------------------------------

    @Test
    void theActiveSessionCountFollowsCreationAndEveryWayASessionEnds() {
        SessionStore store = store(SessionOptions.builder().rotationGrace(Duration.ZERO).build());
        assertThat(store.estimatedActiveSessions()).isZero();
        List<Session> anonymous = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Session s = store.newSession(FIREFOX);
            s.set("i", i);
            store.save(s);
            anonymous.add(s);
        }
        store.newSession(FIREFOX); // never saved: not a session in Redis
        List<Session> users = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            users.add(loggedIn(store, "user-" + (i % 3), IPHONE)); // saved, then moved to the user's tag
        }
        store.rotate(users.get(2)); // same tag: moved, not added
        awaitActiveSessions(store, 29);
        Redkit otherProcess = track(Redkit.create(config));
        SessionStore other = track(SessionStore.create(otherProcess, SessionOptions.builder().rotationGrace(Duration.ZERO).build()));
        assertThat(other.estimatedActiveSessions()).as("shared by every instance").isEqualTo(29);

        assertThat(store.invalidate(anonymous.get(0))).isTrue();
        assertThat(other.invalidate(other.load(anonymous.get(1).id(), FIREFOX).orElseThrow())).isTrue();
        awaitActiveSessions(store, 27);
        assertThat(store.revoke("user-1", users.get(1).handle())).isTrue();
        awaitActiveSessions(store, 26);
        assertThat(store.revokeAll("user-0")).isEqualTo(3);
        awaitActiveSessions(store, 23);
        assertThat(store.revokeAllExcept(users.get(2))).isEqualTo(2);
        awaitActiveSessions(store, 21);
        assertThat(store.invalidate(anonymous.get(0))).as("already gone: not taken out twice").isFalse();
        assertThat(store.revokeAll("user-0")).isZero();
        awaitActiveSessions(store, 21);
    }

    @Test
    void theActiveSessionCountFollowsAccessAndExpiry() {
        SessionStore store = clocked(SessionOptions.builder().idleTimeout(Duration.ofMinutes(30)).maxSessionsPerUser(2));
        List<Session> first = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Session s = store.newSession(FIREFOX);
            s.set("i", i);
            store.save(s);
            first.add(s);
        }
        awaitActiveSessions(store, 5);
        clock.advance(Duration.ofMinutes(20));
        for (int i = 0; i < 3; i++) {
            loggedIn(store, "alice", IPHONE); // the third login evicts the first
        }
        awaitActiveSessions(store, 7);
        assertThat(store.load(first.get(0).id(), FIREFOX)).isPresent(); // last access written: expiry moves 20 min on
        assertThat(store.load(first.get(1).id(), FIREFOX)).isPresent();

        clock.advance(Duration.ofMinutes(15)); // the three untouched sessions idled out 5 minutes ago
        awaitActiveSessions(store, 4);
        clock.advance(Duration.ofMinutes(16)); // and now every one of them
        awaitActiveSessions(store, 0);

        long width = ((RedisSessionStore) store).activeBucketWidthMillis();
        assertThat(width).isEqualTo(10_000);
        List<String> counters = activeCounterKeys();
        assertThat(counters).as("one counter per bucket in use, never more than the buckets of one idle timeout")
                .isNotEmpty().hasSizeLessThanOrEqualTo(182);
        for (String k : counters) {
            assertThat(redis().pttl(k)).as("%s expires", k).isPositive();
        }
    }

    @Test
    void anActiveSessionCounterExpiresOneBucketAfterTheSessionsItCounts() {
        SessionStore store = store(); // idle timeout 30 min: 10 s buckets
        Session s = store.newSession(FIREFOX);
        store.save(s);
        awaitActiveSessions(store, 1);
        List<String> counters = activeCounterKeys();
        assertThat(counters).hasSize(1);
        assertThat(redis().pttl(counters.get(0))).as("the end of the session's bucket plus one bucket")
                .isBetween(Duration.ofMinutes(30).toMillis(), Duration.ofMinutes(30).plusSeconds(20).toMillis());
    }

    Optional<Session> reload(SessionStore store, Session s) {
        return store.load(s.id(), FIREFOX);
    }
}
