package io.redkit.cache;

import io.redkit.core.Namespace;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * A Redkit whose cache namespace is already connected. On a loaded machine a first connect can
 * exceed the connect timeout; the cache would then rightly treat Redis as down for a second and
 * skip writes, which is not what most tests are about.
 */
final class Connected {
    private Connected() {}

    static Redkit redkit(String url) {
        Redkit redkit = Redkit.create(RedkitConfig.fromUrl(url));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> redkit.namespace(Namespace.CACHE).connection().isOpen());
        return redkit;
    }
}
