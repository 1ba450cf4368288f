package io.horkd.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Where {@code System.out} goes while ND4J works: ND4J 1.0.0-M2.1 prints a line per op to standard output
 * when SameDiff builds a gradient graph ("Added differentiated op ..."). stdout carries the command's
 * results, so those lines are dropped and anything else goes to stderr.
 */
final class Quiet extends OutputStream {
    private final PrintStream target;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

    private Quiet(PrintStream target) {
        this.target = target;
    }

    /** Runs {@code work} with System.out filtered into stderr; restores it after. */
    static <T> T run(java.util.concurrent.Callable<T> work) throws Exception {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(new Quiet(System.err), true, StandardCharsets.UTF_8));
        try {
            return work.call();
        } finally {
            System.out.flush();
            System.setOut(stdout);
        }
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!s.startsWith("Added differentiated op")) target.println(s);
        } else {
            line.write(b);
        }
    }
}
