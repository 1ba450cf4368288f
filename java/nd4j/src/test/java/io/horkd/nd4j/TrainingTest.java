package io.horkd.nd4j;

import io.horkd.core.loss.Objective;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.backend.Backends;
import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.LossInput;
import io.horkd.core.tensor.Features;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.dataset.adapter.SingletonMultiDataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A tiny student network trained by SameDiff's own fit() on horkd's hybrid loss alone: the loss falls,
 * and the student's relations (normalised distances and angles, measured by horkd's core) move towards
 * the teacher's. Also runs the gradient graph SameDiff builds by cloning through FlatBuffers.
 */
class TrainingTest {
    @Test
    void theHybridLossTrainsAStudentTowardsTheTeachersRelations() {
        int m = 48;
        INDArray x = Graphs.gaussian(31, DataType.FLOAT, 1, 0, m, 10);
        INDArray teacher = Transforms.tanh(x.mmul(Graphs.gaussian(32, DataType.FLOAT, 0.6, 0, 10, 12)));
        INDArray labels = teacher.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)).argMax(1).castTo(DataType.INT);

        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.FLOAT, -1, 10);
        SDVariable t = sd.placeHolder("t", DataType.FLOAT, -1, 12);
        SDVariable l = sd.placeHolder("l", DataType.INT, -1);
        SDVariable w1 = sd.var("w1", Graphs.gaussian(33, DataType.FLOAT, 0.3, 0, 10, 16));
        SDVariable w2 = sd.var("w2", Graphs.gaussian(34, DataType.FLOAT, 0.3, 0, 16, 8));
        SDVariable p = sd.var("p", Graphs.gaussian(35, DataType.FLOAT, 0.3, 0, 12, 8));
        SDVariable student = sd.nn().tanh(in.mmul(w1)).mmul(w2);
        student.rename("student");
        SDVariable loss = HorkdLoss.of(Objective.parse("0.1*l1 + l2 + l3 + 0.1*lc(scope=batch)"))
                .on(sd, student, t, l, p);
        loss.rename("loss");
        sd.setLossVariables("loss");
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(0.02)).dataSetFeatureMapping("x")
                .dataSetLabelMapping("t", "l").build());
        Map<String, INDArray> ph = Map.of("x", x, "t", teacher, "l", labels);

        double before = sd.output(ph, "loss").get("loss").getDouble(0);
        double[] relationsBefore = relations(sd.output(ph, "student").get("student"), teacher);
        MultiDataSet data = new MultiDataSet(new INDArray[] {x}, new INDArray[] {teacher, labels});
        sd.fit(new SingletonMultiDataSetIterator(data), 150);
        double after = sd.output(ph, "loss").get("loss").getDouble(0);
        double[] relationsAfter = relations(sd.output(ph, "student").get("student"), teacher);

        System.out.printf("hybrid loss %.4f -> %.4f, L2 %.4f -> %.4f, L3 %.4f -> %.4f%n", before, after,
                relationsBefore[0], relationsAfter[0], relationsBefore[1], relationsAfter[1]);
        assertTrue(after < 0.5 * before, "hybrid loss " + before + " -> " + after);
        assertTrue(relationsAfter[0] < 0.5 * relationsBefore[0], "L2 " + relationsBefore[0] + " -> " + relationsAfter[0]);
        assertTrue(relationsAfter[1] < 0.5 * relationsBefore[1], "L3 " + relationsBefore[1] + " -> " + relationsAfter[1]);
    }

    /** {L2, L3} of the student features against the teacher's, from horkd's core. */
    private static double[] relations(INDArray student, INDArray teacher) {
        LossInput in = LossInput.of(Features.of(Graphs.floats(student), (int) student.size(0), (int) student.size(1)),
                Features.of(Graphs.floats(teacher), (int) teacher.size(0), (int) teacher.size(1)));
        return new double[] {DistanceLoss.paper().value(Backends.cpu(), in), AngleLoss.paper().value(Backends.cpu(), in)};
    }
}
