package io.horkd.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.horkd.core.backend.Backends;
import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.DistillationLoss;
import io.horkd.core.loss.LossInput;
import io.horkd.core.loss.LossResult;
import io.horkd.core.tensor.Features;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The benchmark's ND4J baseline and horkd compute the same losses: the RKD graph, run in float64 with
 * ND4J's autodiff, against horkd's float64 reference with its hand-derived gradients. Two independent
 * implementations, so this also checks horkd's backward passes. Tolerance 1e-9 relative (float64 both
 * sides; ND4J's i == k angle entries are 1 only to rounding).
 */
class Nd4jRkdAgreementTest {
    @ParameterizedTest(name = "{0}, m={1}, ds={2}, dt={3}")
    @CsvSource({"DISTANCE, 12, 5, 7", "DISTANCE, 30, 16, 3", "ANGLE, 9, 4, 6", "ANGLE, 20, 8, 8"})
    void sameValuesAndGradients(Nd4jRkd.Loss loss, int m, int ds, int dt) {
        SplittableRandom rnd = new SplittableRandom(m * 31L + ds);
        double[] s = new double[m * ds];
        double[] t = new double[m * dt];
        for (int q = 0; q < s.length; q++) s[q] = rnd.nextDouble() * 4 - 1;
        for (int q = 0; q < t.length; q++) t[q] = rnd.nextDouble() * 2 + 3;
        float[] sf = new float[s.length];
        float[] tf = new float[t.length];
        for (int q = 0; q < s.length; q++) sf[q] = (float) s[q];
        for (int q = 0; q < t.length; q++) tf[q] = (float) t[q];
        // Both sides see the same float32 values, ND4J computing in float64.
        INDArray sArr = Nd4j.create(sf, new long[] {m, ds}, 'c').castTo(DataType.DOUBLE);
        INDArray tArr = Nd4j.create(tf, new long[] {m, dt}, 'c').castTo(DataType.DOUBLE);
        Nd4jRkd.Result nd4j = new Nd4jRkd(loss, m, ds, dt, DataType.DOUBLE).valueAndGradient(sArr, tArr);
        DistillationLoss horkd = loss == Nd4jRkd.Loss.DISTANCE ? DistanceLoss.rkd() : AngleLoss.rkd();
        LossResult ref = horkd.computeWithGradient(Backends.reference(),
                LossInput.of(Features.of(sf, m, ds), Features.of(tf, m, dt)));
        assertEquals(nd4j.value(), ref.value(), 1e-9 * Math.abs(ref.value()));
        double max = nd4j.studentGradient().amaxNumber().doubleValue();
        float[] g = ref.studentGradient().toArray();
        for (int q = 0; q < g.length; q++) {
            // horkd's gradient is float32 at the API; compare at float32 resolution of the largest entry.
            assertEquals(nd4j.studentGradient().getDouble(q / ds, q % ds), g[q], 1e-6 * max, "entry " + q);
        }
    }
}
