package io.horkd.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.Objective;
import io.horkd.core.loss.LossInput;
import io.horkd.core.loss.LossResult;
import io.horkd.core.testing.TestData;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Bit-identical results: run to run for a fixed thread count (static partitions, fixed summation
 * orders), and across thread counts for everything but the angle loss's gradient, whose per-thread
 * accumulators are summed in partition order.
 */
class CpuDeterminismTest {
    private static final Objective LOSS = Objective.parse("l1 + 0.02*l2 + 0.01*l3 + lc(scope=batch)");

    private static LossInput input() {
        SplittableRandom rnd = TestData.random(77);
        return LossInput.of(TestData.features(rnd, 2, 150, 64, 1, 3), TestData.features(rnd, 2, 150, 64, 2, -1))
                .withLabels(TestData.labels(rnd, 2, 150, 10));
    }

    @Test
    void sameInputsSameBits() {
        LossInput in = input();
        try (CpuBackend cpu = new CpuBackend(2)) {
            LossResult a = LOSS.computeWithGradient(cpu, in);
            LossResult b = LOSS.computeWithGradient(cpu, in);
            assertArrayEquals(a.values(), b.values(), 0.0);
            assertArrayEquals(a.studentGradient().toArray(), b.studentGradient().toArray(), 0f);
        }
    }

    @Test
    void valuesDoNotDependOnTheThreadCount() {
        LossInput in = input();
        Objective noAngleGrad = Objective.parse("l1 + 0.02*l2 + lc(scope=batch)");
        try (CpuBackend one = new CpuBackend(1); CpuBackend three = new CpuBackend(3)) {
            assertArrayEquals(LOSS.compute(one, in, null), LOSS.compute(three, in, null), 0.0);
            LossResult a = noAngleGrad.computeWithGradient(one, in);
            LossResult b = noAngleGrad.computeWithGradient(three, in);
            assertArrayEquals(a.values(), b.values(), 0.0);
            assertArrayEquals(a.studentGradient().toArray(), b.studentGradient().toArray(), 0f);
        }
    }
}
