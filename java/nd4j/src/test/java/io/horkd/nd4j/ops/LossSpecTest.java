package io.horkd.nd4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.loss.Objective;
import io.horkd.nd4j.Graphs;
import io.horkd.nd4j.HorkdLoss;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The op-argument codec of an objective, and the one op class behind every loss op name. */
class LossSpecTest {
    @TempDir
    Path dir;

    @Test
    void argumentsRoundTripForEveryKindAndOption() {
        for (String text : List.of("0.125*l1(metric=mse) + 1.375*l2(function=huber, reduction=rkd) + 4.125*l3(reduction=rkd)"
                + " + 12.375*lc(scope=batch)", "l2", "ce + 0.5*kd(temperature=2.75)", "lc")) {
            Objective o = Objective.parse(text);
            for (boolean[] f : new boolean[][] {{false, false, false}, {true, true, true}, {true, false, true}}) {
                LossSpec spec = new LossSpec(o, f[0], f[1], f[2]);
                assertEquals(spec, LossSpec.fromArgs(spec.iArgs(), spec.tArgs()), text);
            }
        }
    }

    @Test
    void badArgumentsAndMixedObjectivesAreNamed() {
        var e = assertThrows(IllegalStateException.class, () -> LossSpec.fromArgs(new long[] {1, 0, 0, 0, 0, 0, 0, 0},
                new double[] {1, 0, 0, 0}));
        assertTrue(e.getMessage().contains("the graph was saved by another version of horkd"), e.getMessage());
        LossSpec spec = new LossSpec(Objective.parse("l2 + l3"), false, false, false);
        e = assertThrows(IllegalStateException.class, () -> LossSpec.fromArgs(spec.iArgs(), new double[] {1}));
        assertTrue(e.getMessage().startsWith("a horkd loss op's arguments do not hold 2 terms"), e.getMessage());
        var iae = assertThrows(IllegalArgumentException.class, () -> HorkdLoss.of(Objective.parse("ce + l2")));
        assertEquals("the terms of one op must read the same input; ce + l2 has terms on different inputs (features, logits, "
                + "maps): give each part its own op", iae.getMessage());
        iae = assertThrows(IllegalArgumentException.class, () -> HorkdLoss.of(Objective.NONE));
        assertEquals("a loss op needs at least one term", iae.getMessage());
    }

    /** Each op keeps its own name through save, load and the gradient graph built from the loaded graph. */
    @Test
    void oneClassServesEveryNameThroughSaveAndLoad() throws Exception {
        SameDiff sd = SameDiff.create();
        SDVariable s = sd.var("s", Graphs.gaussian(1, DataType.FLOAT, 1, 0, 12, 4));
        SDVariable t = sd.constant("t", Graphs.gaussian(2, DataType.FLOAT, 1, 0, 12, 5));
        SDVariable zs = sd.var("zs", Graphs.gaussian(3, DataType.FLOAT, 2, 0, 12, 3));
        SDVariable zt = sd.constant("zt", Graphs.gaussian(4, DataType.FLOAT, 2, 0, 12, 3));
        SDVariable total = HorkdLoss.of(Objective.parse("l2")).on(sd, s, t)
                .add(HorkdLoss.of(Objective.parse("0.5*l2 + l3")).on(sd, s, t))
                .add(HorkdLoss.of(Objective.parse("kd(temperature=2)")).on(sd, zs, zt));
        total.rename("loss");
        sd.setLossVariables("loss");
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), "s", "zs");
        File f = dir.resolve("names.sd").toFile();
        sd.save(f, true);
        SameDiff back = SameDiff.load(f, true);
        List<String> names = java.util.Arrays.stream(back.ops()).map(op -> op.opName()).filter(n -> n.startsWith("horkd"))
                .sorted().toList();
        assertEquals(List.of("horkd_kd", "horkd_l2", "horkd_objective"), names);
        assertEquals(sd.output(Map.of(), "loss").get("loss"), back.output(Map.of(), "loss").get("loss"));
        Map<String, INDArray> again = back.calculateGradients(Map.of(), "s", "zs");
        assertEquals(grads.get("s"), again.get("s"));
        assertEquals(grads.get("zs"), again.get("zs"));
        List<String> gradNames = java.util.Arrays.stream(back.getFunction("grad").ops()).map(op -> op.opName())
                .filter(n -> n.endsWith("_grad") && n.startsWith("horkd")).sorted().toList();
        assertEquals(List.of("horkd_kd_grad", "horkd_l2_grad", "horkd_objective_grad"), gradNames);
    }
}
