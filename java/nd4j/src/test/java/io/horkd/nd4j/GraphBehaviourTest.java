package io.horkd.nd4j;

import io.horkd.core.loss.Objective;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.loss.DistanceLoss;
import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Save/load, errors raised inside a graph, and arrays that cannot be viewed in place. */
class GraphBehaviourTest {
    @TempDir
    Path dir;

    private static SameDiff graph(INDArray centers) {
        SameDiff sd = SameDiff.create();
        SDVariable s = sd.var("s", Graphs.gaussian(11, DataType.FLOAT, 1, 0, 20, 6));
        SDVariable p = sd.var("p", Graphs.gaussian(12, DataType.FLOAT, 0.4, 0, 8, 6));
        SDVariable t = sd.placeHolder("t", DataType.FLOAT, 20, 8);
        SDVariable l = sd.placeHolder("l", DataType.INT, 20);
        SDVariable loss = HorkdLoss.of(Objective.parse("l1 + 0.02*l2(function=huber, reduction=rkd) + 0.01*l3 + lc")).withCenters(centers).on(sd, s, t, l, p);
        loss.rename("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    private static Map<String, INDArray> placeholders() {
        return Map.of("t", Graphs.gaussian(13, DataType.FLOAT, 2, 1, 20, 8), "l", Graphs.labels(14, 3, 20));
    }

    @Test
    void savedAndLoadedGraphsGiveIdenticalLossesAndGradients() throws Exception {
        SameDiff sd = graph(Graphs.gaussian(15, DataType.FLOAT, 1, 1, 3, 8));
        Map<String, INDArray> ph = placeholders();
        INDArray loss = sd.output(ph, "loss").get("loss");
        Map<String, INDArray> grads = sd.calculateGradients(ph, "s", "p");
        File f = dir.resolve("hybrid.sd").toFile();
        sd.save(f, true);
        SameDiff back = SameDiff.load(f, true);
        assertEquals(loss, back.output(ph, "loss").get("loss"));
        Map<String, INDArray> again = back.calculateGradients(ph, "s", "p");
        assertEquals(grads.get("s"), again.get("s"));
        assertEquals(grads.get("p"), again.get("p"));
        assertTrue(java.util.Arrays.stream(back.ops()).anyMatch(op -> op instanceof io.horkd.nd4j.ops.HorkdLossOp l && l.opName().equals("horkd_objective")),
                "the loaded graph holds horkd's op itself");
    }

    @Test
    void badLabelsAndShapesAreNamedFromInsideAGraph() {
        SameDiff sd = graph(Graphs.gaussian(15, DataType.FLOAT, 1, 1, 3, 8));
        INDArray badLabels = Graphs.labels(14, 3, 20);
        badLabels.putScalar(7, 5);
        Throwable e = assertThrows(Throwable.class,
                () -> sd.output(Map.of("t", Graphs.gaussian(13, DataType.FLOAT, 2, 1, 20, 8), "l", badLabels), "loss"));
        assertTrue(chain(e).contains("labels [1, 20] has label 5 at [0, 7], outside 0..2 (3 classes)"), chain(e));

        SameDiff other = SameDiff.create();
        SDVariable s = other.var("s", Graphs.gaussian(16, DataType.FLOAT, 1, 0, 20, 6));
        SDVariable t = other.placeHolder("t", DataType.FLOAT, -1, 6);
        SDVariable loss = HorkdLoss.of(Objective.parse("l3")).on(other, s, t);
        e = assertThrows(Throwable.class,
                () -> loss.eval(Map.of("t", Graphs.gaussian(17, DataType.FLOAT, 1, 0, 19, 6))));
        assertTrue(chain(e).contains("student [1, 20, 6] and teacher [1, 19, 6] disagree in row count m (20 vs 19)"),
                chain(e));
    }

    /** A transposed teacher (not C order) and a float64 student in a float32 graph are copied, same result. */
    @Test
    void arraysThatCannotBeViewedInPlaceAreCopied() {
        INDArray t = Graphs.gaussian(18, DataType.FLOAT, 1, 2, 20, 8);
        INDArray tT = Graphs.gaussian(18, DataType.FLOAT, 1, 2, 20, 8).transpose().dup('c').transpose(); // f-order view
        SameDiff a = SameDiff.create();
        SDVariable sa = a.var("s", Graphs.gaussian(19, DataType.FLOAT, 1, 0, 20, 6));
        double va = HorkdLoss.of(Objective.parse("l2 + l3")).on(a, sa, a.constant("t", t)).eval().getDouble(0);
        SameDiff b = SameDiff.create();
        SDVariable sb = b.var("s", Graphs.gaussian(19, DataType.FLOAT, 1, 0, 20, 6));
        double vb = HorkdLoss.of(Objective.parse("l2 + l3")).on(b, sb, b.constant("t", tT)).eval().getDouble(0);
        assertEquals('f', tT.ordering());
        assertEquals(va, vb, 0.0);
    }

    private static String chain(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) sb.append(c.getMessage()).append(" | ");
        return sb.toString();
    }

    @Test
    void batchedFeaturesGiveOneValuePerProblem() {
        SameDiff sd = SameDiff.create();
        SDVariable s = sd.var("s", Graphs.gaussian(20, DataType.FLOAT, 1, 0, 3, 9, 4));
        SDVariable t = sd.constant("t", Graphs.gaussian(21, DataType.FLOAT, 1, 0, 3, 9, 5));
        INDArray v = HorkdLoss.of(Objective.parse("l2")).on(sd, s, t).eval();
        assertArrayEquals(new long[] {3}, v.shape());
        for (int b = 0; b < 3; b++) {
            SameDiff one = SameDiff.create();
            SDVariable sb = one.var("s", Graphs.gaussian(20, DataType.FLOAT, 1, 0, 3, 9, 4).slice(b).dup());
            SDVariable tb = one.constant("t", Graphs.gaussian(21, DataType.FLOAT, 1, 0, 3, 9, 5).slice(b).dup());
            assertEquals(HorkdLoss.of(Objective.parse("l2")).on(one, sb, tb).eval().getFloat(0), v.getFloat(b), 0f);
        }
    }
}
