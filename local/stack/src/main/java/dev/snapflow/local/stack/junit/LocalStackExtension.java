package dev.snapflow.local.stack.junit;

import dev.snapflow.local.stack.LocalStack;
import dev.snapflow.local.stack.LocalStackOptions;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a running {@link LocalStack}: {@code @ExtendWith(LocalStackExtension.class)}, then declare a
 * {@code LocalStack} parameter on the constructor, a {@code @BeforeAll}/{@code @BeforeEach} method or a test method.
 *
 * <p>One stack per JVM (Surefire runs a module's tests in one JVM): started on first use with
 * {@link LocalStackOptions#forTests()} (free ports, a temporary work dir, a fresh database when
 * {@code SNAPFLOW_DB_URL} is set) and stopped when the test run ends. Tests share it, so each test should use its own
 * keys, object prefixes and rows rather than expect empty topics or tables.
 */
public final class LocalStackExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalStackExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == LocalStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return sharedStack(extensionContext);
    }

    /** The JVM's stack, started on first use; for extensions and tests that hold an {@link ExtensionContext}. */
    public static LocalStack sharedStack(ExtensionContext context) {
        // The root context's store lives for the whole test run and closes its resources at the end of it.
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedStack.class, key -> new SharedStack(LocalStack.start(LocalStackOptions.forTests())),
                        SharedStack.class)
                .stack();
    }

    /**
     * Both: JUnit 5.13+ closes AutoCloseable store values (and warns about CloseableResource-only ones), older versions
     * (a Micronaut platform may pin one) close only CloseableResource. Closing the stack twice is harmless.
     */
    @SuppressWarnings("deprecation")
    private record SharedStack(LocalStack stack) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            stack.close();
        }
    }
}
