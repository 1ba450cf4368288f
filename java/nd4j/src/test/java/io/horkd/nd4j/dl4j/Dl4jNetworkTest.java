package io.horkd.nd4j.dl4j;

import io.horkd.core.loss.Objective;
import static io.horkd.nd4j.dl4j.LossHybridRelationalTest.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.loss.ClassCenters;
import io.horkd.nd4j.HorkdLoss;
import java.io.File;
import java.nio.file.Path;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.buffer.util.DataTypeUtil;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The loss function inside DL4J networks: a student with a classifier head (cross-entropy) and a
 * feature head distilled from a teacher's features with horkd's loss, the paper's two-headed setup.
 */
class Dl4jNetworkTest {
    static final int C = 3;

    /** in -> dense(tanh) -> {classes: softmax + MCXENT, features: identity + horkd}. */
    static ComputationGraph student(DataType type, IUpdater updater, LossHybridRelational loss, int nIn, int hidden, int ds) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(type).seed(42)
                .updater(updater).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(nIn).nOut(hidden).activation(Activation.TANH).build(), "in")
                .addLayer("classes", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(C)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .addLayer("features", new OutputLayer.Builder().lossFunction(loss).nIn(hidden).nOut(ds)
                        .activation(Activation.IDENTITY).build(), "hidden")
                .setOutputs("classes", "features").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    /** A task: inputs, classes from a linear rule, teacher features from a fixed non-linear map. */
    record Task(INDArray x, int[] classes, INDArray teacher) {
        static Task of(DataType type, int m, int nIn, int dt) {
            INDArray x = gaussian(1, DataType.DOUBLE, 1, 0, m, nIn);
            INDArray rule = x.mmul(gaussian(2, DataType.DOUBLE, 1, 0, nIn, C));
            int[] classes = rule.argMax(1).toIntVector();
            INDArray teacher = Transforms.tanh(x.mmul(gaussian(3, DataType.DOUBLE, 0.7, 0, nIn, dt))).muli(2);
            return new Task(x.castTo(type), classes, teacher.castTo(type));
        }

        INDArray oneHot() {
            return LossHybridRelationalTest.oneHot(classes, C, x.dataType());
        }

        /** The teacher's class means, LC's dataset centres. */
        INDArray centres() {
            int[] counts = new int[C];
            for (int c : classes) counts[c]++;
            for (int c = 0; c < C; c++) assertTrue(counts[c] > 0, "class " + c + " present");
            double[][] means = ClassCenters.meansOfPresentClasses(teacher.castTo(DataType.DOUBLE).toDoubleMatrix(), classes);
            return Nd4j.createFromArray(means).castTo(teacher.dataType());
        }

        MultiDataSet data() {
            return new MultiDataSet(new INDArray[] {x}, new INDArray[] {oneHot(), LossHybridRelationalTest.packed(teacher, classes, C)});
        }
    }

    @Test
    void dl4jGradientCheckPassesThroughBothHeads() {
        DataType before = DataTypeUtil.getDtypeFromContext();
        DataTypeUtil.setDTypeForContext(DataType.DOUBLE); // GradientCheckUtil insists
        try {
            Task task = Task.of(DataType.DOUBLE, 10, 4, 5);
            LossHybridRelational loss = LossHybridRelational.of(HorkdLoss.of(Objective.parse("l1 + 0.5*l2 + 0.5*l3 + lc")).withCenters(task.centres().castTo(DataType.DOUBLE)), C);
            ComputationGraph net = student(DataType.DOUBLE, new NoOp(), loss, 4, 6, 5);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                    .inputs(new INDArray[] {task.x()}).labels(task.data().getLabels()).epsilon(1e-6).maxRelError(1e-6)
                    .minAbsoluteError(1e-10).print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
            assertTrue(ok, "DL4J's gradient check of the two-headed student");
        } finally {
            DataTypeUtil.setDTypeForContext(before);
        }
    }

    @Test
    void configurationAndModelRoundTrip(@TempDir Path dir) throws Exception {
        Task task = Task.of(DataType.FLOAT, 16, 4, 5);
        LossHybridRelational loss = LossHybridRelational.of(HorkdLoss.of(Objective.parse("0.02*l2 + 0.01*l3 + lc")).withCenters(task.centres()), C);
        ComputationGraph net = student(DataType.FLOAT, new Adam(1e-3), loss, 4, 6, 5);

        String json = net.getConfiguration().toJson();
        assertTrue(json.contains("io.horkd.nd4j.dl4j.LossHybridRelational"), json);
        assertTrue(json.contains("\"objective\" : \"0.02*l2 + 0.01*l3 + lc\""), json); // the objective's text codec
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(net.getConfiguration(), back);
        OutputLayer features = (OutputLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices()
                .get("features")).getLayerConf().getLayer();
        assertEquals(loss, features.getLossFn());

        File file = dir.resolve("student.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        assertEquals(net.score(task.data()), restored.score(task.data()), 0.0);
    }

    @Test
    void fitDistilsTheTeachersRelationsIntoTheFeatureHead() {
        int m = 64;
        Task task = Task.of(DataType.FLOAT, m, 10, 8);
        HorkdLoss horkd = HorkdLoss.of(Objective.parse("l1 + 0.5*l2 + 0.5*l3 + lc")).withCenters(task.centres());
        ComputationGraph net = student(DataType.FLOAT, new Adam(1e-2), LossHybridRelational.of(horkd, C), 10, 32, 8);
        MultiDataSet data = task.data();

        double[] before = terms(net, task);
        double scoreBefore = net.score(data);
        for (int i = 0; i < 300; i++) net.fit(data);
        double[] after = terms(net, task);
        double scoreAfter = net.score(data);

        String report = "L1, L2, L3, LC before " + java.util.Arrays.toString(before) + " after " + java.util.Arrays.toString(after);
        assertTrue(scoreAfter < scoreBefore / 5, "score " + scoreBefore + " -> " + scoreAfter);
        for (int t = 0; t < 4; t++) assertTrue(after[t] < before[t] / 3, report);
        INDArray predicted = net.output(task.x())[0].argMax(1);
        int correct = 0;
        for (int i = 0; i < m; i++) correct += predicted.getInt(i) == task.classes()[i] ? 1 : 0;
        assertTrue(correct >= m * 0.9, "training accuracy " + correct + "/" + m);
    }

    /** Each term's value at the feature head's output. */
    static double[] terms(ComputationGraph net, Task task) {
        INDArray y = net.output(task.x())[1];
        INDArray labels = Nd4j.createFromArray(task.classes());
        return new double[] {
            HorkdLoss.of(Objective.parse("l1")).compute(y, task.teacher(), null)[0],
            HorkdLoss.of(Objective.parse("l2")).compute(y, task.teacher(), null)[0],
            HorkdLoss.of(Objective.parse("l3")).compute(y, task.teacher(), null)[0],
            HorkdLoss.of(Objective.parse("lc")).withCenters(task.centres()).compute(y, task.teacher(), labels)[0]};
    }
}
