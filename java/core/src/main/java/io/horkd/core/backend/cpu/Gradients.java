package io.horkd.core.backend.cpu;

import io.horkd.core.tensor.Features;
import java.nio.FloatBuffer;

/** Adding computed gradients into the caller's float32 buffers. */
final class Gradients {
    private Gradients() {}

    /** {@code target[b] += scale * values}, where values is one problem's {@code [m][d]}. */
    static void add(Features target, int b, double[][] values, double scale) {
        FloatBuffer buf = target.buffer();
        for (int i = 0; i < values.length; i++) {
            int at = target.index(b, i, 0);
            double[] row = values[i];
            for (int q = 0; q < row.length; q++) buf.put(at + q, (float) (buf.get(at + q) + scale * row[q]));
        }
    }
}
