package io.redkit.session;

import io.redkit.core.RedisUnavailableException;
import io.redkit.core.RedkitConfig;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lettuce.core.ScriptOutputType;
import io.redkit.core.Namespace;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedisScript;
import io.redkit.session.internal.KeySpace;
import io.redkit.session.internal.RedisSessionStore;
import io.redkit.session.internal.SessionIds;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@WithRedis
class StandaloneSessionStoreTest extends SessionStoreContract {
    RedisServer server;

    @BeforeEach
    void start(RedisServer server) {
        this.server = server;
        // a generous command timeout: a loaded CI machine must not turn into a failed test
        open(RedkitConfig.builder().redisUrl(server.url()).commandTimeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(10)).build());
    }

    @Test
    void sessionsLiveInTheSessionDatabase() {
        SessionStore store = store();
        loggedIn(store, "alice", FIREFOX);
        assertThat(sessionKeys()).as("session, index, marker of the pre-login id").hasSize(3)
                .allMatch(k -> k.startsWith("redkit:session:sess:{"));
        assertThat(redkit.namespace(Namespace.SESSION).target().database()).isEqualTo(2);
    }

    /** 100,000 expired sessions (1,000 users x 100) and two instances sweeping at once. */
    @Test
    void aHundredThousandExpiredSessionsLeaveNoIndexEntriesAfterASweep() throws Exception {
        SessionStore a = store();
        SessionStore b = store(SessionOptions.builder().sweepScanCount(200).build());
        KeySpace keys = ((RedisSessionStore) a).keys();
        RedisNamespace ns = redkit.namespace(Namespace.SESSION);
        RedisScript bulk = RedisScript.load(StandaloneSessionStoreTest.class, "bulk-expired.lua");
        long past = System.currentTimeMillis() - 60_000;
        long total = 0;
        for (int chunk = 0; chunk < 10; chunk++) {
            String[] indexes = new String[100];
            for (int u = 0; u < 100; u++) {
                indexes[u] = keys.index(SessionIds.userTag("user-" + (chunk * 100 + u)));
            }
            Long added = ns.evalSync(bulk, ScriptOutputType.INTEGER, indexes, past, 100, "expired-handle-");
            total += added;
        }
        assertThat(total).isEqualTo(100_000);
        Session live = loggedIn(a, "live-user", FIREFOX);
        Session otherLive = loggedIn(a, "someone-else", IPHONE);

        CompletableFuture<SweepResult> first = CompletableFuture.supplyAsync(a::sweep);
        CompletableFuture<SweepResult> second = CompletableFuture.supplyAsync(b::sweep);
        long removed = first.get(60, TimeUnit.SECONDS).entriesRemoved() + second.get(60, TimeUnit.SECONDS).entriesRemoved();

        assertThat(removed).as("each entry removed exactly once across both sweepers").isEqualTo(100_000);
        List<String> indexes = allKeys().stream().filter(k -> k.endsWith(":idx")).collect(Collectors.toList());
        assertThat(indexes).containsExactlyInAnyOrder(keys.index(live.id().substring(0, 16)),
                keys.index(otherLive.id().substring(0, 16)));
        for (String idx : indexes) {
            assertThat(redis().zcard(idx)).isEqualTo(1);
        }
        assertThat(a.load(live.id(), FIREFOX)).isPresent();
    }

    @Test
    void redisDownIsATypedErrorWithinTheCommandTimeout() {
        try (RedisServer own = RedisServer.startDefault()) {
            open(RedkitConfig.builder().redisUrl(own.url()).commandTimeout(Duration.ofMillis(300)).build());
            SessionStore store = store();
            Session s = loggedIn(store, "alice", FIREFOX);
            own.suspend();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> store.load(s.id(), FIREFOX)).isInstanceOf(RedisUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            own.resume();
            own.stop();
            assertThatThrownBy(() -> store.load(s.id(), FIREFOX)).isInstanceOf(RedisUnavailableException.class);
        }
    }
}
