package io.redkit.testkit.junit;

import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.function.Supplier;

/** One instance per test run, kept in the root store so JUnit closes it at the end. */
final class Shared {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create("io.redkit.testkit");

    private Shared() {}

    static <T extends AutoCloseable> T get(ExtensionContext context, Class<T> type, Supplier<T> factory) {
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(type, k -> factory.get(), type);
    }
}
