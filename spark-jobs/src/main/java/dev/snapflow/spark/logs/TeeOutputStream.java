package dev.snapflow.spark.logs;

import java.io.IOException;
import java.io.OutputStream;

/** Writes through to the console stream it replaces and keeps a copy in the {@link BoundedLog}. */
final class TeeOutputStream extends OutputStream {
    private final OutputStream console;
    private final BoundedLog copy;

    TeeOutputStream(OutputStream console, BoundedLog copy) {
        this.console = console;
        this.copy = copy;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        copy.append(bytes, offset, length);
        console.write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
        console.flush();
    }
}
