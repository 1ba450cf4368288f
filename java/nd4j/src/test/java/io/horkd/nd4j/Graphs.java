package io.horkd.nd4j;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded arrays for the graph tests. */
public final class Graphs {
    static {
        HorkdNd4j.install(); // before anything else touches ND4J in the test JVM
    }

    private Graphs() {}

    public static INDArray gaussian(long seed, DataType type, double scale, double offset, long... shape) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long n = 1;
        for (long d : shape) n *= d;
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            double u = rnd.nextDouble();
            double w = rnd.nextDouble();
            v[i] = offset + scale * Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * w);
        }
        return Nd4j.create(v, shape, 'c').castTo(type);
    }

    /** All values, C order. */
    static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    static INDArray labels(long seed, int classes, long... shape) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long n = 1;
        for (long d : shape) n *= d;
        int[] l = new int[Math.toIntExact(n)];
        for (int i = 0; i < l.length; i++) l[i] = rnd.nextInt(classes);
        return Nd4j.createFromArray(l).reshape(shape);
    }
}
