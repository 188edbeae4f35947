package io.redkit.testkit.junit;

import io.redkit.testkit.RedisServer;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a shared standalone {@link RedisServer}: started once per test run, running and
 * flushed ({@code FLUSHALL}, {@code SCRIPT FLUSH}) before each test. A test that stops or kills the
 * server may leave it so: the next test gets it started again.
 */
public final class RedisExtension implements BeforeEachCallback, ParameterResolver {
    static RedisServer server(ExtensionContext context) {
        return Shared.get(context, RedisServer.class, RedisServer::startDefault);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        RedisServer s = server(context);
        s.start();
        s.flushAll();
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == RedisServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        RedisServer s = server(e);
        s.start();
        return s;
    }
}
