package io.redkit.testkit.junit;

import io.redkit.testkit.RedisCluster;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** Gives tests a shared three-master {@link RedisCluster}, flushed before each test. */
public final class RedisClusterExtension implements BeforeEachCallback, ParameterResolver {
    static RedisCluster cluster(ExtensionContext context) {
        return Shared.get(context, RedisCluster.class, RedisCluster::start);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        cluster(context).flushAll();
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == RedisCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return cluster(e);
    }
}
