package io.horkd.core.backend.cpu;

import io.horkd.core.tensor.Features;
import java.nio.FloatBuffer;

/** Adding computed gradients into the caller's float32 buffers. */
final class Gradients {
    private Gradients() {}

    /** {@code target[b] += scale * values}, where values is one problem's {@code [m x d]}. */
    static void add(Features target, int b, double[] values, double scale) {
        FloatBuffer buf = target.buffer();
        int at = target.index(b, 0, 0);
        int n = target.rows() * target.cols();
        for (int t = 0; t < n; t++) buf.put(at + t, (float) (buf.get(at + t) + scale * values[t]));
    }
}
