package io.horkd.nd4j.examples;

import io.horkd.core.loss.Objective;
import io.horkd.nd4j.HorkdLoss;
import io.horkd.nd4j.dl4j.LossHybridRelational;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.weightinit.impl.XavierInitScheme;

public class DistillationExample {
    /** DL4J: a student with a classifier head and a feature head that learns the teacher's relations. */
    public static ComputationGraph student(int nIn, int classes, INDArray centres) {
        int dt = (int) centres.size(1); // the teacher's feature width; centres [classes, dt]
        LossHybridRelational kd = LossHybridRelational.of(
                HorkdLoss.of(Objective.parse("0.02*l2 + 0.01*l3 + lc")).withCenters(centres), classes);
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .updater(new Adam(1e-3)).graphBuilder()
                .addInputs("image")
                .addLayer("body", new DenseLayer.Builder().nIn(nIn).nOut(256).activation(Activation.RELU).build(), "image")
                .addLayer("classes", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(256).nOut(classes)
                        .activation(Activation.SOFTMAX).build(), "body")
                .addLayer("features", new OutputLayer.Builder().lossFunction(kd).nIn(256).nOut(dt)
                        .activation(Activation.IDENTITY).build(), "body")
                .setOutputs("classes", "features").build());
        net.init();
        return net;
    }

    /** One DL4J step. The feature head's labels: the teacher's features, then the classes one-hot. */
    public static void step(ComputationGraph net, INDArray images, INDArray oneHot, INDArray teacherFeatures) {
        net.fit(new MultiDataSet(new INDArray[] {images},
                new INDArray[] {oneHot, Nd4j.hstack(teacherFeatures, oneHot)}));
    }

    /** SameDiff: the same loss as one variable of your graph; train it with sd.fit as usual. */
    public static SameDiff studentGraph(int nIn, int ds, INDArray centres) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("image", DataType.FLOAT, -1, nIn);
        SDVariable teacher = sd.placeHolder("teacher", DataType.FLOAT, -1, centres.size(1)); // a frozen teacher's output
        SDVariable labels = sd.placeHolder("labels", DataType.INT, -1);
        SDVariable p = sd.var("projection", new XavierInitScheme('c', ds, centres.size(1)), DataType.FLOAT,
                centres.size(1), ds); // LC compares P g with the teacher when ds != dt
        SDVariable w = sd.var("w", new XavierInitScheme('c', nIn, ds), DataType.FLOAT, nIn, ds);
        SDVariable features = sd.nn().relu(x.mmul(w), 0);
        SDVariable loss = HorkdLoss.of(Objective.parse("0.02*l2 + 0.01*l3 + lc")).withCenters(centres)
                .on(sd, features, teacher, labels, p);
        sd.setLossVariables(loss);
        return sd;
    }
}
