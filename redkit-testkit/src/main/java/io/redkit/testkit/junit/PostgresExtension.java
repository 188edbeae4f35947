package io.redkit.testkit.junit;

import io.redkit.testkit.PostgresServer;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a shared {@link PostgresServer}. Tests that need isolation call
 * {@link PostgresServer#createDatabase()} for a database of their own.
 */
public final class PostgresExtension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == PostgresServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return Shared.get(e, PostgresServer.class, PostgresServer::start);
    }
}
