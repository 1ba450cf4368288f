package io.horkd.nd4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.nd4j.HorkdNd4j;
import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * horkd_relu against max(x, 0) and its gradient against dy * [x > 0], written out here element by element
 * (exact: both are selections), the same as ND4J's relu on the same graph, SameDiff's finite-difference
 * check, save/load, a named error.
 */
class ReluOpTest {
    @BeforeAll
    static void install() {
        HorkdNd4j.install();
    }

    /** Values of both signs, with exact zeros (relu's kink) among them. */
    private static double[] values(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i % 7 == 0 ? 0 : (r.nextDouble() * 2 - 1) * Math.pow(10, r.nextInt(-3, 4));
        return v;
    }

    enum Type { FLOAT, DOUBLE }

    @ParameterizedTest
    @EnumSource(Type.class)
    void valueAndGradientAreExactAndMatchNd4jsRelu(Type t) {
        DataType type = DataType.valueOf(t.name());
        double[] xv = values(1, 360);
        double[] wv = values(2, 360);
        INDArray x0 = Nd4j.createFromArray(xv).castTo(type).reshape(5, 3, 4, 6);
        INDArray w0 = Nd4j.createFromArray(wv).castTo(type).reshape(5, 3, 4, 6);
        double[] xs = x0.reshape(-1).toDoubleVector(); // as rounded to type
        double[] ws = w0.reshape(-1).toDoubleVector();
        Map<String, INDArray> horkd = graph(x0, w0, true);
        Map<String, INDArray> nd4j = graph(x0, w0, false);
        double[] y = horkd.get("y").reshape(-1).toDoubleVector();
        double[] dx = horkd.get("x").reshape(-1).toDoubleVector();
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Math.max(xs[i], 0), y[i], 0, "y at " + i);
            assertEquals(xs[i] > 0 ? ws[i] : 0, dx[i], 0, "dx at " + i + ", x = " + xs[i]);
        }
        assertArrayEquals(x0.shape(), horkd.get("x").shape());
        assertEquals(nd4j.get("y"), horkd.get("y"));
        assertEquals(nd4j.get("x"), horkd.get("x"));
    }

    /** y = relu(x) and the gradient of sum(y * w) with respect to x, through horkd_relu or ND4J's relu. */
    private static Map<String, INDArray> graph(INDArray x0, INDArray w0, boolean horkd) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", x0.dup());
        SDVariable y = horkd ? ReluOp.apply(sd, "y", x) : sd.nn().relu("y", x, 0);
        SDVariable loss = y.mul(sd.constant("w", w0)).sum();
        loss.rename("loss");
        sd.setLossVariables("loss");
        INDArray out = sd.output(Map.<String, INDArray>of(), "y").get("y");
        INDArray grad = sd.calculateGradients(Map.of(), "x").get("x");
        return Map.of("y", out, "x", grad);
    }

    @Test
    void finiteDifferencesAgreeAwayFromTheKink() {
        GradChecks.assertGradientsMatchFiniteDifferences(() -> {
            double[] xv = values(3, 48);
            for (int i = 0; i < xv.length; i++) xv[i] = xv[i] == 0 ? 0.5 : Math.copySign(0.1 + Math.abs(xv[i]) % 1, xv[i]);
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", Nd4j.createFromArray(xv).reshape(2, 3, 4, 2));
            SDVariable y = ReluOp.apply(sd, "y", x);
            SDVariable w = sd.constant("w", Nd4j.createFromArray(values(4, 48)).reshape(2, 3, 4, 2));
            SDVariable loss = y.mul(w).sum().add(y.mul(y).mul(0.3).sum());
            loss.rename("loss");
            sd.setLossVariables("loss");
            return sd;
        });
    }

    @Test
    void saveAndLoadKeepTheOp(@TempDir Path dir) throws Exception {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
        ReluOp.apply(sd, "y", x.mul(sd.var("s", Nd4j.createFromArray(1f, -2f, 0.5f))));
        INDArray in = Nd4j.createFromArray(new float[][] {{1, 2, -3}, {-1, 0, 4}});
        INDArray before = sd.output(Map.of("x", in), "y").get("y");
        File f = dir.resolve("relu.sd").toFile();
        sd.save(f, true);
        SameDiff loaded = SameDiff.load(f, true);
        assertEquals(ReluOp.NAME, loaded.getVariableOutputOp("y").opName());
        assertEquals(before, loaded.output(Map.of("x", in), "y").get("y"));
        assertEquals(Nd4j.createFromArray(new float[][] {{1, 0, 0}, {0, 0, 2}}), before);
    }

    @Test
    void integerInputIsNamed() {
        SameDiff sd = SameDiff.create();
        SDVariable y = ReluOp.apply(sd, "y", sd.constant("x", Nd4j.createFromArray(1, -2, 3)));
        Exception e = assertThrows(Exception.class, y::eval);
        String m = messages(e);
        assertTrue(m.contains("horkd_relu: x must be floating point, got INT"), m);
    }

    private static String messages(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) s.append(c.getMessage()).append(" | ");
        return s.toString();
    }
}
