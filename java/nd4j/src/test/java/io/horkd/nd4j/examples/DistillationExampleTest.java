package io.horkd.nd4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;

/** README.md shows {@link DistillationExample} verbatim, and the example trains. */
class DistillationExampleTest {
    static final int M = 32;
    static final int N_IN = 20;
    static final int C = 4;
    static final int DT = 24;

    @Test
    void readmeShowsTheExample() throws IOException {
        String readme = Files.readString(Path.of("../../README.md"));
        String source = Files.readString(Path.of("src/test/java/io/horkd/nd4j/examples/DistillationExample.java"));
        String body = source.substring(source.indexOf('\n', source.indexOf("package ")) + 1).strip();
        assertTrue(readme.contains("```java\n" + body + "\n```"),
                "README.md must show src/test/java/io/horkd/nd4j/examples/DistillationExample.java (without its package line)");
    }

    private static INDArray gaussian(SplittableRandom rnd, int rows, int cols) {
        double[][] v = new double[rows][cols];
        for (double[] row : v) {
            for (int k = 0; k < cols; k++) row[k] = rnd.nextGaussian();
        }
        return Nd4j.createFromArray(v).castTo(DataType.FLOAT);
    }

    /** Inputs, classes, a teacher's features and its class means. */
    private record Batch(INDArray x, int[] classes, INDArray oneHot, INDArray teacher, INDArray centres) {
        static Batch of(long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            INDArray x = gaussian(rnd, M, N_IN);
            int[] classes = new int[M];
            INDArray oneHot = Nd4j.zeros(DataType.FLOAT, M, C);
            for (int i = 0; i < M; i++) {
                classes[i] = i % C;
                oneHot.putScalar(i, classes[i], 1);
            }
            INDArray teacher = Transforms.tanh(x.mmul(gaussian(rnd, N_IN, DT).muli(0.5)));
            INDArray centres = Nd4j.zeros(DataType.FLOAT, C, DT);
            for (int i = 0; i < M; i++) centres.getRow(classes[i]).addi(teacher.getRow(i).mul((double) C / M));
            return new Batch(x, classes, oneHot, teacher, centres);
        }
    }

    @Test
    void dl4jStudentTrains() {
        Batch b = Batch.of(1);
        ComputationGraph net = DistillationExample.student(N_IN, C, b.centres());
        MultiDataSet data = new MultiDataSet(new INDArray[] {b.x()},
                new INDArray[] {b.oneHot(), Nd4j.hstack(b.teacher(), b.oneHot())});
        double before = net.score(data);
        for (int i = 0; i < 100; i++) DistillationExample.step(net, b.x(), b.oneHot(), b.teacher());
        double after = net.score(data);
        assertTrue(after < 0.5 * before, "score " + before + " -> " + after);
    }

    @Test
    void sameDiffStudentTrains() {
        Batch b = Batch.of(2);
        SameDiff sd = DistillationExample.studentGraph(N_IN, 16, b.centres());
        String loss = sd.getLossVariables().get(0);
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-2)).dataSetFeatureMapping("image")
                .dataSetLabelMapping("teacher", "labels").build());
        INDArray labels = Nd4j.createFromArray(b.classes());
        Map<String, INDArray> ph = Map.of("image", b.x(), "teacher", b.teacher(), "labels", labels);
        double before = sd.output(ph, loss).get(loss).getDouble(0);
        MultiDataSet data = new MultiDataSet(new INDArray[] {b.x()}, new INDArray[] {b.teacher(), labels});
        for (int i = 0; i < 100; i++) sd.fit(data);
        double after = sd.output(ph, loss).get(loss).getDouble(0);
        assertTrue(after < 0.5 * before, "loss " + before + " -> " + after);
        assertEquals(DataType.FLOAT, sd.getVariable(loss).dataType());
    }
}
