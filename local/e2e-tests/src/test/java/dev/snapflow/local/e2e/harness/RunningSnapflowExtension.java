package dev.snapflow.local.e2e.harness;

import dev.snapflow.local.stack.junit.LocalStackExtension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the JVM's one {@link RunningSnapflow}: {@code @ExtendWith(RunningSnapflowExtension.class)}, then a
 * {@code RunningSnapflow} parameter on the constructor or a method. Started on first use on the shared local stack
 * and stopped when the test run ends, so the end-to-end classes pay for one control plane start, not one each.
 */
public final class RunningSnapflowExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RunningSnapflowExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == RunningSnapflow.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        // The stack first, so it is stored (and, in reverse order, closed) before the functions that use it.
        var stack = LocalStackExtension.sharedStack(extensionContext);
        return extensionContext.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Shared.class, key -> new Shared(RunningSnapflow.start(stack)), Shared.class)
                .snapflow();
    }

    /** Closed by JUnit at the end of the run; see LocalStackExtension for why it implements both interfaces. */
    @SuppressWarnings("deprecation")
    private record Shared(RunningSnapflow snapflow) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            snapflow.close();
        }
    }
}
