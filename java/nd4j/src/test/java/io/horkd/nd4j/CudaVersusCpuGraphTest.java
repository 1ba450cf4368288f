package io.horkd.nd4j;

import io.horkd.core.loss.Objective;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.backend.Backends;
import io.horkd.core.testing.CudaTests;
import io.horkd.nd4j.dl4j.LossHybridRelational;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The same float32 graphs and DL4J loss on the CUDA backend and on the CPU backend, on fresh inputs:
 * both compute in float64 inside, so values agree to 1e-9 relative and gradients to the float32 rounding
 * of their largest entry (2e-6 of it). Skips itself where no device can run it ({@link CudaTests});
 * runs on the emulated device in every build.
 */
@Tag("gpu")
class CudaVersusCpuGraphTest {
    private Backends.Kind before;

    @BeforeEach
    void needsADevice() {
        CudaTests.assumeDevice();
        before = HorkdNd4j.backendKind();
    }

    @AfterEach
    void restore() {
        if (before != null) HorkdNd4j.useBackend(before);
    }

    /** Loss and gradients of s and p for the hybrid loss of a batched problem, on one backend. */
    private static Map<String, INDArray> run(Backends.Kind kind, long seed) {
        HorkdNd4j.useBackend(kind);
        int b = 3;
        int m = 96;
        HorkdLoss loss = HorkdLoss.of(Objective.parse("0.5*l1 + 0.02*l2 + 0.01*l3 + lc")).withCenters(Graphs.gaussian(seed + 4, DataType.FLOAT, 1, 3, 5, 24));
        SameDiff sd = SameDiff.create();
        SDVariable s = sd.var("s", Graphs.gaussian(seed, DataType.FLOAT, 1, 0.5, b, m, 16));
        SDVariable p = sd.var("p", Graphs.gaussian(seed + 1, DataType.FLOAT, 0.4, 0, 24, 16));
        SDVariable t = sd.constant("t", Graphs.gaussian(seed + 2, DataType.FLOAT, 2, 3, b, m, 24));
        SDVariable l = sd.constant("l", Graphs.labels(seed + 3, 5, b, m));
        SDVariable out = loss.on(sd, s, t, l, p).sum();
        out.rename("loss");
        sd.setLossVariables("loss");
        Map<String, INDArray> r = new java.util.HashMap<>(sd.calculateGradients(Map.of(), "s", "p"));
        r.put("loss", sd.output(Map.of(), "loss").get("loss"));
        return r;
    }

    @Test
    void graphGradientsAgree() {
        for (long seed : new long[] {101, 202}) {
            Map<String, INDArray> cpu = run(Backends.Kind.CPU, seed);
            Map<String, INDArray> cuda = run(Backends.Kind.CUDA, seed);
            double v = cpu.get("loss").getDouble(0);
            assertEquals(v, cuda.get("loss").getDouble(0), 1e-6 * Math.abs(v), "loss"); // float32 output
            for (String name : new String[] {"s", "p"}) close(name, cpu.get(name), cuda.get(name));
        }
    }

    @Test
    void dl4jLossAgrees() {
        int m = 128;
        INDArray pre = Graphs.gaussian(301, DataType.FLOAT, 1, 0, m, 32);
        INDArray teacher = Graphs.gaussian(302, DataType.FLOAT, 1, 1, m, 48);
        LossHybridRelational loss = LossHybridRelational.of(HorkdLoss.of(Objective.parse("0.02*l2 + 0.01*l3")));
        HorkdNd4j.useBackend(Backends.Kind.CPU);
        Pair<Double, INDArray> cpu = loss.computeGradientAndScore(teacher, pre, Activation.TANH.getActivationFunction(), null, true);
        HorkdNd4j.useBackend(Backends.Kind.CUDA);
        Pair<Double, INDArray> cuda = loss.computeGradientAndScore(teacher, pre, Activation.TANH.getActivationFunction(), null, true);
        assertEquals(cpu.getFirst(), cuda.getFirst(), 1e-9 * cpu.getFirst());
        close("dl4j gradient", cpu.getSecond(), cuda.getSecond());
    }

    private static void close(String name, INDArray expected, INDArray actual) {
        double scale = expected.amaxNumber().doubleValue();
        double err = actual.castTo(DataType.DOUBLE).sub(expected.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(err <= 2e-6 * scale, name + ": max |cuda - cpu| " + err + " of max " + scale);
        assertTrue(Nd4j.getExecutioner() instanceof HorkdOpExecutioner);
    }
}
