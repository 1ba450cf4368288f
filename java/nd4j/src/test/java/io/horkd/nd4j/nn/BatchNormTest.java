package io.horkd.nd4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.cpu.CpuNative;
import io.horkd.nd4j.HorkdNd4j;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * horkd_batch_norm against a float64 reference written out element by element here, SameDiff's
 * finite-difference check in both modes, running statistics through fit() and save/load, named errors.
 */
class BatchNormTest {
    @BeforeAll
    static void install() {
        HorkdNd4j.install();
    }

    /** x[n][c][j] of seed, scale and offset, as float64 values and an array of {@code type}. */
    private static double[][][] values(long seed, int n, int c, int hw, double scale, double offset) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][][] v = new double[n][c][hw];
        for (double[][] a : v) for (double[] b : a) for (int j = 0; j < hw; j++) b[j] = offset + scale * (r.nextDouble() * 2 - 1);
        return v;
    }

    private static INDArray array(double[][][] v, DataType type, boolean image) {
        int n = v.length, c = v[0].length, hw = v[0][0].length;
        double[] flat = new double[n * c * hw];
        for (int i = 0; i < n; i++) for (int k = 0; k < c; k++) System.arraycopy(v[i][k], 0, flat, (i * c + k) * hw, hw);
        INDArray a = Nd4j.createFromArray(flat).castTo(type);
        return image ? a.reshape(n, c, hw / 2, 2) : a.reshape(n, c);
    }

    /** The reference: two-pass mean and variance per channel, then gamma (x - mu) / sqrt(var + eps) + beta. */
    private static double[][][] reference(double[][][] x, double[] gamma, double[] beta, double eps) {
        int n = x.length, c = x[0].length, hw = x[0][0].length;
        double[][][] y = new double[n][c][hw];
        for (int k = 0; k < c; k++) {
            double mean = 0;
            for (double[][] a : x) for (double v : a[k]) mean += v;
            mean /= n * hw;
            double var = 0;
            for (double[][] a : x) for (double v : a[k]) var += (v - mean) * (v - mean);
            var /= n * hw;
            for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) {
                y[i][k][j] = gamma[k] * (x[i][k][j] - mean) / Math.sqrt(var + eps) + beta[k];
            }
        }
        return y;
    }

    @ParameterizedTest
    @ValueSource(doubles = {1e-4, 1.0, 1e3})
    void trainingForwardMatchesTheReferenceAtEveryScale(double scale) {
        double[][][] x = values(1, 6, 3, 8, scale, 5 * scale); // a mean of 5 spreads: the shift must hold
        double[] gamma = {1.5, -0.5, 2};
        double[] beta = {0.1, 0, -3};
        double[][][] want = reference(x, gamma, beta, 1e-5);
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            SameDiff sd = SameDiff.create();
            SDVariable in = sd.constant("x", array(x, type, true));
            SDVariable y = BatchNorm.apply(sd, "bn", in, 3);
            sd.getVariable("bn/gamma").getArr().assign(Nd4j.createFromArray(gamma));
            sd.getVariable("bn/beta").getArr().assign(Nd4j.createFromArray(beta));
            BatchNorm.setTraining(sd, true);
            INDArray got = y.eval().castTo(DataType.DOUBLE);
            double tol = type == DataType.DOUBLE ? 1e-9 : 2e-5; // of |y| ~ gamma * sqrt(3)
            for (int i = 0; i < 6; i++) for (int k = 0; k < 3; k++) for (int j = 0; j < 8; j++) {
                assertEquals(want[i][k][j], got.getDouble(i, k, j / 2, j % 2), tol, type + " at " + i + "," + k + "," + j);
            }
        }
    }

    @Test
    void runningStatisticsMoveTowardsTheBatchAndInferenceUsesThem() {
        double[][][] x = values(2, 5, 2, 1, 2.0, 1.0);
        SameDiff sd = SameDiff.create();
        SDVariable y = BatchNorm.apply(sd, "bn", sd.constant("x", array(x, DataType.DOUBLE, false)), 2, 1e-5, 0.25);
        BatchNorm.setTraining(sd, true);
        y.eval();
        double[] mean = new double[2], var = new double[2];
        for (int k = 0; k < 2; k++) {
            for (double[][] a : x) mean[k] += a[k][0] / 5;
            for (double[][] a : x) var[k] += (a[k][0] - mean[k]) * (a[k][0] - mean[k]) / 4; // unbiased
        }
        INDArray rm = sd.getVariable("bn/running_mean").getArr();
        INDArray rv = sd.getVariable("bn/running_var").getArr();
        for (int k = 0; k < 2; k++) {
            assertEquals(0.25 * mean[k], rm.getDouble(k), 1e-12);
            assertEquals(0.75 + 0.25 * var[k], rv.getDouble(k), 1e-12);
        }
        BatchNorm.setTraining(sd, false);
        INDArray inference = y.eval();
        for (int k = 0; k < 2; k++) {
            assertEquals((x[3][k][0] - rm.getDouble(k)) / Math.sqrt(rv.getDouble(k) + 1e-5), inference.getDouble(3, k), 1e-12);
        }
        assertEquals(0.25 * mean[0], rm.getDouble(0), 1e-12, "inference must not move the running statistics");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void finiteDifferencesInBothModes(boolean training) {
        GradChecks.assertGradientsMatchFiniteDifferences(() -> {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", array(values(3, 4, 3, 6, 1.0, 0.5), DataType.DOUBLE, true));
            SDVariable y = BatchNorm.apply(sd, "bn", x, 3);
            sd.getVariable("bn/gamma").getArr().assign(Nd4j.createFromArray(1.3, -0.7, 0.4));
            sd.getVariable("bn/beta").getArr().assign(Nd4j.createFromArray(0.2, 0.1, -0.3));
            sd.getVariable("bn/running_mean").getArr().assign(Nd4j.createFromArray(0.4, 0.6, 0.5));
            sd.getVariable("bn/running_var").getArr().assign(Nd4j.createFromArray(0.3, 0.5, 0.2));
            BatchNorm.setTraining(sd, training);
            // A weighted sum: a plain sum of a batch-normalised output does not depend on x at all.
            SDVariable w = sd.constant("w", array(values(4, 4, 3, 6, 1.0, 0.0), DataType.DOUBLE, true));
            SDVariable loss = y.mul(w).sum().add(y.mul(y).mul(0.1).sum());
            loss.rename("loss");
            sd.setLossVariables("loss");
            // Training mode moves the running statistics on every pass of the check, but they do not
            // enter its output; inference mode reads them and leaves them.
            return sd;
        });
    }

    @Test
    void fitUpdatesRunningStatisticsAndSaveLoadKeepsThem(@TempDir Path dir) throws Exception {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 2, 2, 2);
        SDVariable y = sd.placeHolder("y", DataType.FLOAT, -1, 8);
        SDVariable h = BatchNorm.apply(sd, "bn", x, 2).reshape(-1, 8);
        SDVariable loss = sd.loss().meanSquaredError("loss", y, h, null);
        sd.setLossVariables("loss");
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Sgd(0.1)).dataSetFeatureMapping("x").dataSetLabelMapping("y").build());
        INDArray features = array(values(5, 16, 2, 4, 3.0, 7.0), DataType.FLOAT, true);
        BatchNorm.setTraining(sd, true);
        sd.fit(new DataSet(features, Nd4j.zeros(DataType.FLOAT, 16, 8)));
        INDArray rm = sd.getVariable("bn/running_mean").getArr();
        // One step of momentum 0.1 from 0 towards a channel mean of about 7.
        assertTrue(rm.getDouble(0) > 0.6 && rm.getDouble(0) < 0.8, "running mean after fit: " + rm);
        assertFalse(sd.getVariable("bn/gamma").getArr().equalsWithEps(Nd4j.ones(2), 1e-7), "gamma must train");
        BatchNorm.setTraining(sd, false);
        INDArray before = sd.output(Map.of("x", features), "bn").get("bn");
        File f = dir.resolve("bn.sd").toFile();
        sd.save(f, true);
        SameDiff loaded = SameDiff.load(f, true);
        assertFalse(BatchNorm.isTraining(loaded));
        assertArrayEquals(rm.toFloatVector(), loaded.getVariable("bn/running_mean").getArr().toFloatVector());
        assertEquals(before, loaded.output(Map.of("x", features), "bn").get("bn"));
    }

    @Test
    void badInputsAreNamed() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.constant("x", Nd4j.rand(DataType.FLOAT, 4, 3, 2, 2));
        SDVariable y = BatchNorm.apply(sd, "bn", x, 5);
        Exception e = assertThrows(Exception.class, y::eval);
        assertTrue(messages(e).contains("gamma must be [C] = [3]"), messages(e));
        SameDiff sd3 = SameDiff.create();
        SDVariable r3 = BatchNorm.apply(sd3, "bn", sd3.constant("x", Nd4j.rand(DataType.FLOAT, 4, 3, 2)), 3);
        e = assertThrows(Exception.class, r3::eval);
        assertTrue(messages(e).contains("x must be [N, C] or [N, C, H, W], got [4, 3, 2]"), messages(e));
        SameDiff one = SameDiff.create();
        SDVariable single = BatchNorm.apply(one, "bn", one.constant("x", Nd4j.rand(DataType.FLOAT, 1, 3)), 3);
        BatchNorm.setTraining(one, true);
        e = assertThrows(Exception.class, single::eval);
        assertTrue(messages(e).contains("more than one value per channel"), messages(e));
        assertThrows(IllegalArgumentException.class, () -> BatchNorm.apply(sd, "b2", x, 3, 0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> BatchNorm.apply(sd, "b3", x, 3, 1e-5, 1.5));
    }

    private static String messages(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) s.append(c.getMessage()).append(" | ");
        return s.toString();
    }

    /** One forward and one backward in training mode through the ops themselves: {y, dx, dgamma, dbeta, runningMean, runningVar}. */
    private static INDArray[] forwardBackward(INDArray x, INDArray gamma, INDArray beta, INDArray dy) {
        long c = x.size(1);
        INDArray mean = Nd4j.zeros(x.dataType(), c), var = Nd4j.ones(x.dataType(), c);
        INDArray training = Nd4j.scalar(DataType.FLOAT, 1f);
        INDArray y = x.ulike(), dx = x.ulike(), dg = gamma.ulike(), db = beta.ulike();
        BatchNormOp f = new BatchNormOp();
        f.addTArgument(1e-5, 0.1);
        f.execute(List.of(x, gamma, beta, mean, var, training), List.of(y));
        BatchNormGradOp b = new BatchNormGradOp();
        b.addTArgument(1e-5);
        b.execute(List.of(x, gamma, beta, mean, var, training, dy), List.of(dx, dg, db));
        return new INDArray[] {y, dx, dg, db, mean, var};
    }

    /**
     * The native loops and their Java twin give the same bits, forward and backward, float32 and float64,
     * at [N, C], at planes shorter than a block, across a block's end (300 = 256 + 44) and at 28 x 28; and
     * both match a float64 reference of y and dx = gamma s (dy - mean(dy) - xhat mean(dy xhat)).
     */
    @ParameterizedTest
    @ValueSource(strings = {"5x3", "4x3x7x7", "3x2x20x15", "2x2x28x28"})
    void nativeLoopsAndTheirJavaTwinGiveTheSameBitsAndMatchTheReference(String shape) {
        assertEquals(BatchNormKernel.class.getResource("/io/horkd/core/cpu/linux-x86_64/libjniBatchNormNative.so") != null,
                CpuNative.available(), "the native loops load exactly where they were built");
        long[] sh = Arrays.stream(shape.split("x")).mapToLong(Long::parseLong).toArray();
        int n = (int) sh[0], c = (int) sh[1], hw = sh.length == 4 ? (int) (sh[2] * sh[3]) : 1;
        double[][][] xv = values(11, n, c, hw, 3.0, 2.0), dyv = values(12, n, c, hw, 1.0, 0.3);
        double[] gamma = new double[c], beta = new double[c];
        for (int k = 0; k < c; k++) {
            gamma[k] = 0.5 + k;
            beta[k] = 0.1 * k - 0.2;
        }
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray x = Nd4j.createFromArray(flat(xv)).castTo(type).reshape(sh);
            INDArray dy = Nd4j.createFromArray(flat(dyv)).castTo(type).reshape(sh);
            INDArray g = Nd4j.createFromArray(gamma).castTo(type), b = Nd4j.createFromArray(beta).castTo(type);
            boolean before = BatchNormKernel.useNative;
            INDArray[] nat, java;
            try {
                BatchNormKernel.useNative = CpuNative.available();
                nat = forwardBackward(x, g, b, dy);
                BatchNormKernel.useNative = false;
                java = forwardBackward(x, g, b, dy);
            } finally {
                BatchNormKernel.useNative = before;
            }
            String[] names = {"y", "dx", "dgamma", "dbeta", "runningMean", "runningVar"};
            for (int i = 0; i < names.length; i++) {
                assertArrayEquals(java[i].castTo(DataType.DOUBLE).data().asDouble(), nat[i].castTo(DataType.DOUBLE).data().asDouble(),
                        type + " " + names[i] + ": native against Java, bit for bit");
            }
            // the float64 reference
            double tol = type == DataType.DOUBLE ? 1e-10 : 3e-5;
            INDArray y = nat[0].castTo(DataType.DOUBLE).reshape(n, c, hw), dx = nat[1].castTo(DataType.DOUBLE).reshape(n, c, hw);
            double[][][] want = reference(xv, gamma, beta, 1e-5);
            for (int k = 0; k < c; k++) {
                double mean = 0, var = 0, mdy = 0, mdyx = 0;
                for (double[][] a : xv) for (double v : a[k]) mean += v / (n * hw);
                for (double[][] a : xv) for (double v : a[k]) var += (v - mean) * (v - mean) / (n * hw);
                double s = 1 / Math.sqrt(var + 1e-5);
                for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) {
                    mdy += dyv[i][k][j] / (n * hw);
                    mdyx += dyv[i][k][j] * (xv[i][k][j] - mean) * s / (n * hw);
                }
                for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) {
                    String at = type + " at " + i + "," + k + "," + j;
                    assertEquals(want[i][k][j], y.getDouble(i, k, j), tol * 4, "y " + at);
                    double xhat = (xv[i][k][j] - mean) * s;
                    assertEquals(gamma[k] * s * (dyv[i][k][j] - mdy - xhat * mdyx), dx.getDouble(i, k, j), tol * 4, "dx " + at);
                }
            }
        }
    }

    private static double[] flat(double[][][] v) {
        int n = v.length, c = v[0].length, hw = v[0][0].length;
        double[] f = new double[n * c * hw];
        for (int i = 0; i < n; i++) for (int k = 0; k < c; k++) System.arraycopy(v[i][k], 0, f, (i * c + k) * hw, hw);
        return f;
    }
}
