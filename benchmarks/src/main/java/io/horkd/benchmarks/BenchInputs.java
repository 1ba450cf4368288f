package io.horkd.benchmarks;

import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.DistillationLoss;
import io.horkd.core.loss.LossInput;
import io.horkd.core.tensor.Features;
import java.util.SplittableRandom;

/**
 * The inputs every benchmark of a size sees: student and teacher features {@code [m, d]} drawn from a
 * fixed seed (Gaussian, teacher offset by 3 as real features are), and the loss in RKD's definition, so
 * that horkd and the ND4J graph compute the same numbers.
 */
final class BenchInputs {
    final int m;
    final int d;
    final float[] student;
    final float[] teacher;
    final LossInput input;
    final DistillationLoss loss;

    BenchInputs(int m, int d, Nd4jRkd.Loss which) {
        this.m = m;
        this.d = d;
        SplittableRandom rnd = new SplittableRandom(1234L * m + d);
        student = new float[m * d];
        teacher = new float[m * d];
        for (int q = 0; q < student.length; q++) student[q] = (float) gaussian(rnd);
        for (int q = 0; q < teacher.length; q++) teacher[q] = (float) (3 + gaussian(rnd));
        input = LossInput.of(Features.of(student, m, d), Features.of(teacher, m, d));
        loss = which == Nd4jRkd.Loss.DISTANCE ? DistanceLoss.rkd() : AngleLoss.rkd();
    }

    private static double gaussian(SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }
}
