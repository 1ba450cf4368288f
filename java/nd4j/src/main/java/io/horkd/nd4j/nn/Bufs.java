package io.horkd.nd4j.nn;

import io.horkd.nd4j.Layouts;
import io.horkd.nd4j.nn.BatchNormKernel.Buf;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** INDArrays as {@link Buf}s over their own memory (C order, default strides), float32 or float64. */
final class Bufs {
    private Bufs() {}

    static boolean viewable(INDArray a) {
        return (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE) && Layouts.denseRowMajor(a)
                && a.length() <= Integer.MAX_VALUE;
    }

    /** An input: in place where viewable, else a C-order copy in {@code type}. */
    static Buf in(INDArray a, DataType type) {
        return of(viewable(a) && a.dataType() == type ? a : a.castTo(type).dup('c'));
    }

    /** An array written in place. @throws IllegalArgumentException naming it if it cannot be */
    static Buf inPlace(INDArray a, String argument) {
        if (!viewable(a)) {
            throw new IllegalArgumentException(argument + " must be a dense row-major float32 or float64 array"
                    + " to be updated in place, got " + a.dataType() + " '" + a.ordering() + "' " + a.shapeInfoToString());
        }
        return of(a);
    }

    private static Buf of(INDArray a) {
        int n = (int) a.length();
        if (a.dataType() == DataType.FLOAT) {
            return new F32(a, new FloatPointer(a.data().addressPointer()).capacity(n).limit(n).asBuffer());
        }
        return new F64(a, new DoublePointer(a.data().addressPointer()).capacity(n).limit(n).asBuffer());
    }

    /** {@code owner} keeps the memory alive (ND4J frees it when the array is collected). */
    private record F32(INDArray owner, FloatBuffer f, ThreadLocal<float[]> scratch) implements Buf {
        F32(INDArray owner, FloatBuffer f) {
            this(owner, f, ThreadLocal.withInitial(() -> new float[0]));
        }

        @Override
        public double get(int i) {
            return f.get(i);
        }

        @Override
        public void set(int i, double v) {
            f.put(i, (float) v);
        }

        private float[] scratch(int n) {
            float[] t = scratch.get();
            if (t.length < n) scratch.set(t = new float[n]);
            return t;
        }

        @Override
        public void read(int offset, double[] dst, int n) {
            float[] t = scratch(n);
            f.get(offset, t, 0, n);
            for (int j = 0; j < n; j++) dst[j] = t[j];
        }

        @Override
        public void write(int offset, double[] src, int n) {
            float[] t = scratch(n);
            for (int j = 0; j < n; j++) t[j] = (float) src[j];
            f.put(offset, t, 0, n);
        }

        @Override
        public java.nio.Buffer nio() {
            return f;
        }

        @Override
        public boolean f64() {
            return false;
        }
    }

    private record F64(INDArray owner, DoubleBuffer d) implements Buf {
        @Override
        public double get(int i) {
            return d.get(i);
        }

        @Override
        public void set(int i, double v) {
            d.put(i, v);
        }

        @Override
        public void read(int offset, double[] dst, int n) {
            d.get(offset, dst, 0, n);
        }

        @Override
        public void write(int offset, double[] src, int n) {
            d.put(offset, src, 0, n);
        }

        @Override
        public java.nio.Buffer nio() {
            return d;
        }

        @Override
        public boolean f64() {
            return true;
        }
    }
}
