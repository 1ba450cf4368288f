package io.horkd.nd4j;

import io.horkd.core.loss.Objective;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.horkd.core.loss.ClassCenters;
import io.horkd.core.loss.GradientSink;
import io.horkd.core.loss.LossInput;
import io.horkd.core.loss.Projection;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A float32 graph computes exactly what horkd's core computes on the same data and backend: the op reads and writes
 * the INDArrays in place and passes the upstream gradient through, so the bits must be equal.
 */
class CoreAgreementTest {
    @Test
    void hybridLossInAGraphEqualsTheCoreToTheBit() {
        INDArray s0 = Graphs.gaussian(1, DataType.FLOAT, 1, 0.5, 24, 6);
        INDArray t0 = Graphs.gaussian(2, DataType.FLOAT, 2, 3, 24, 10);
        INDArray p0 = Graphs.gaussian(3, DataType.FLOAT, 0.4, 0, 10, 6);
        INDArray c0 = Graphs.gaussian(4, DataType.FLOAT, 1, 3, 4, 10);
        INDArray l0 = Graphs.labels(5, 4, 24);
        HorkdLoss loss = HorkdLoss.of(Objective.parse("0.5*l1 + 0.02*l2 + 0.01*l3 + lc")).withCenters(c0);

        SameDiff sd = SameDiff.create();
        SDVariable s = sd.var("s", s0.dup());
        SDVariable p = sd.var("p", p0.dup());
        SDVariable t = sd.placeHolder("t", DataType.FLOAT, 24, 10);
        SDVariable l = sd.placeHolder("l", DataType.INT, 24);
        // Upstream factor 1: with another factor a training thread's gradient handover scales the forward's float32
        // gradient, which GradientHandoverTest checks to a tolerance (the factors themselves: GradientCheckTest).
        SDVariable out = loss.on(sd, s, t, l, p);
        out.rename("loss");
        sd.setLossVariables("loss");
        Map<String, INDArray> ph = Map.of("t", t0, "l", l0);
        double value = sd.output(ph, "loss").get("loss").getDouble(0);
        Map<String, INDArray> grads = sd.calculateGradients(ph, "s", "p");

        Features gS = Features.zeros(1, 24, 6);
        Features gP = Features.zeros(1, 10, 6);
        LossInput in = LossInput.of(Features.of(Graphs.floats(s0), 24, 6), Features.of(Graphs.floats(t0), 24, 10))
                .withProjection(Projection.of(Graphs.floats(p0), 10, 6))
                .withCenters(ClassCenters.of(Graphs.floats(c0), 4, 10)).withLabels(Labels.of(l0.toIntVector()));
        double expected = loss.objective().computeTerms(HorkdNd4j.backend(), in, GradientSink.into(gS).withProjection(gP))
                .totalSum();
        assertEquals((float) expected, value, 0f, "float32: the core's value rounded");
        assertArrayEquals(gS.toArray(), Graphs.floats(grads.get("s")), 0f);
        assertArrayEquals(gP.toArray(), Graphs.floats(grads.get("p")), 0f);
    }

    /** Terms on maps in a float32 graph: the core's fast path to the bit, before and after save and load. */
    @Test
    void termsOnMapsInAGraphEqualTheCoreToTheBit(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        INDArray s0 = Graphs.gaussian(21, DataType.FLOAT, 1, 0.2, 6, 3, 4, 4);
        INDArray t0 = Graphs.gaussian(22, DataType.FLOAT, 1, 0.5, 6, 5, 8, 8);
        INDArray p0 = Graphs.gaussian(23, DataType.FLOAT, 0.5, 0, 5, 3);
        Objective o = Objective.parse("1000*at + 100*fitnet + dct(gate=false) + 3000*sp");
        SameDiff sd = SameDiff.create();
        SDVariable s = sd.var("s", s0.dup());
        SDVariable p = sd.var("p", p0.dup());
        SDVariable t = sd.placeHolder("t", DataType.FLOAT, -1, 5, 8, 8);
        SDVariable out = HorkdLoss.of(o).on(sd, s, t, null, p);
        out.rename("loss");
        sd.setLossVariables("loss");
        Map<String, INDArray> ph = Map.of("t", t0);
        Features gS = Features.zeros(1, 6, 48);
        Features gP = Features.zeros(1, 5, 3);
        LossInput in = LossInput.maps(Features.of(Graphs.floats(s0), 1, 6, 48), new io.horkd.core.tensor.MapShape(3, 4, 4),
                Features.of(Graphs.floats(t0), 1, 6, 320), new io.horkd.core.tensor.MapShape(5, 8, 8))
                .withProjection(Projection.of(Graphs.floats(p0), 5, 3));
        double expected = o.computeTerms(HorkdNd4j.backend(), in, GradientSink.into(gS).withProjection(gP)).totalSum();
        java.io.File f = dir.resolve("maps.sd").toFile();
        sd.save(f, true);
        for (SameDiff g : new SameDiff[] {sd, SameDiff.load(f, true)}) {
            assertEquals((float) expected, g.output(ph, "loss").get("loss").getFloat(0), 0f);
            Map<String, INDArray> grads = g.calculateGradients(ph, "s", "p");
            assertArrayEquals(gS.toArray(), Graphs.floats(grads.get("s")), 0f);
            assertArrayEquals(gP.toArray(), Graphs.floats(grads.get("p")), 0f);
        }
    }
}
