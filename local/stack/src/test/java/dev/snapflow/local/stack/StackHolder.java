package dev.snapflow.local.stack;

import java.util.concurrent.CountDownLatch;

/** Starts a stack with the embedded PostgreSQL server and holds it until killed: the JVM a test kills. */
final class StackHolder {

    static final String READY = "STACK READY ";

    private StackHolder() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalStack stack = LocalStack.start(LocalStackOptions.forTests().withDatabaseUrl(null)
                .withDatabaseName(LocalStackOptions.DEFAULT_DATABASE).withDropDatabaseOnClose(false));
        System.out.println(READY + stack.workDir());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
