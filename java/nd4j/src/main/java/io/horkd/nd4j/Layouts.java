package io.horkd.nd4j;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Memory layouts of INDArrays, for ops that read and write their buffers directly. */
public final class Layouts {
    private Layouts() {}

    /**
     * True iff element {@code (i0, .., ik)} lies at offset {@code sum i_j * prod_{l>j} n_l} from the array's
     * first element: dense row-major. ND4J's own "default strides" test also demands canonical strides on
     * dimensions of size 1, which SameDiff does not always give (a {@code [5, 32, 1, 1]} output with
     * strides {@code [32, 1, 1, 1]}); those strides never matter.
     */
    public static boolean denseRowMajor(INDArray a) {
        if (a.isEmpty()) return false;
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }
}
