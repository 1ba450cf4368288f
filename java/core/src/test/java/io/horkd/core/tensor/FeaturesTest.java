package io.horkd.core.tensor;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** The finiteness check: every non-finite value found, at its index, in heap and direct buffers; no finite one refused. */
class FeaturesTest {
    /** More than two of the check's chunks, and not a multiple of one, so every chunk boundary case occurs. */
    private static final int ROWS = 3;
    private static final int COLS = 3001;

    private static Features direct(float[] v, int offset) {
        FloatBuffer b = ByteBuffer.allocateDirect((v.length + offset) * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int q = 0; q < v.length; q++) b.put(offset + q, v[q]);
        return Features.wrap(b, offset, 1, ROWS, COLS);
    }

    private static float[] finite() {
        float[] v = new float[ROWS * COLS];
        float[] extremes = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_NORMAL, -0f, 0f, 1e-40f};
        for (int q = 0; q < v.length; q++) v[q] = q < extremes.length ? extremes[q] : (float) Math.sin(q) * 1e30f;
        return v;
    }

    @Test
    void finiteValuesPassAtAllScales() {
        assertDoesNotThrow(() -> Features.of(finite(), ROWS, COLS).requireFinite("x"));
        assertDoesNotThrow(() -> direct(finite(), 5).requireFinite("x"));
    }

    @Test
    void eachNonFiniteValueIsFoundAtItsIndex() {
        int[] where = {0, 4095, 4096, 4097, ROWS * COLS - 1, 6000};
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0xffc00001)};
        for (int at : where) {
            for (float x : bad) {
                float[] v = finite();
                v[at] = x;
                if (at > 0) v[at - 1] = Float.MAX_VALUE;
                String expected = "x [1, " + ROWS + ", " + COLS + "] contains " + x + " at [0, " + at / COLS + ", " + at % COLS + "]";
                for (Features f : new Features[] {Features.of(v, ROWS, COLS), direct(v, 7)}) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.requireFinite("x"));
                    assertEquals(expected, e.getMessage());
                }
            }
        }
    }

    @Test
    void theFirstOfSeveralIsNamed() {
        float[] v = finite();
        v[9000] = Float.NaN;
        v[5000] = Float.POSITIVE_INFINITY;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Features.of(v, ROWS, COLS).requireFinite("x"));
        assertEquals("x [1, " + ROWS + ", " + COLS + "] contains Infinity at [0, 1, " + (5000 - COLS) + "]", e.getMessage());
    }
}
