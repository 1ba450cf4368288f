package io.horkd.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.nd4j.nn.BatchNorm;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.validation.GradCheckUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ResNetTest {
    @Test
    void presetsHaveTheirPublishedShapes() {
        assertEquals(512, ResNetSpec.of("resnet18").featureSize());
        assertEquals(18, ResNetSpec.of("resnet18").depth());
        assertEquals(34, ResNetSpec.of("ResNet34").depth());
        assertEquals(2048, ResNetSpec.of("resnet50").featureSize());
        assertEquals(50, ResNetSpec.of("resnet50").depth());
        assertEquals(20, ResNetSpec.of("resnet20").depth());
        assertEquals(64, ResNetSpec.of("resnet8").featureSize());
        assertEquals(128, ResNetSpec.of("resnet18").withWidth(16).featureSize());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ResNetSpec.of("vgg16")).getMessage().contains("resnet18"));
    }

    @Test
    void featuresAndLogitsAtAnyInputSize() {
        for (String name : new String[] {"resnet8", "resnet18", "resnet50"}) {
            ResNetSpec spec = ResNetSpec.of(name).withWidth(4);
            Network net = Network.create(spec, 1, 10, 1);
            for (int side : new int[] {28, 14, 7}) {
                INDArray[] out = net.featuresAndLogits(Nd4j.rand(DataType.FLOAT, 5, 1, side, side));
                assertArrayEquals(new long[] {5, spec.featureSize()}, out[0].shape(), name + " at " + side);
                assertArrayEquals(new long[] {5, 10}, out[1].shape());
            }
        }
    }

    /** Each stage's output is a named variable: its shape, and the features as the last one's spatial mean. */
    @Test
    void stageOutputsAreNamed() {
        Network net = Network.create(ResNetSpec.of("resnet8").withWidth(4), 1, 10, 1);
        assertEquals(3, net.stages());
        INDArray[] out = net.outputs(Nd4j.rand(DataType.FLOAT, 5, 1, 28, 28), ResNet.stage(1), ResNet.stage(2), ResNet.stage(3),
                ResNet.FEATURES);
        assertArrayEquals(new long[] {5, 4, 28, 28}, out[0].shape());
        assertArrayEquals(new long[] {5, 8, 14, 14}, out[1].shape());
        assertArrayEquals(new long[] {5, 16, 7, 7}, out[2].shape());
        INDArray mean = out[2].mean(2, 3);
        for (int i = 0; i < 5; i++) {
            for (int k = 0; k < 16; k++) assertEquals(mean.getFloat(i, k), out[3].getFloat(i, k), 1e-6f);
        }
    }

    @Test
    void finiteDifferencesThroughConvolutionsBatchNormAndShortcuts() {
        assertTrue(gradientsMatchFiniteDifferences(ResNetSpec.Head.LINEAR, 7));
    }

    /**
     * SameDiff's gradient check of CE on a tiny two-stage float64 stream with {@code head}: every weight and
     * the input (as a variable: the check perturbs only variables). With non-zero gammas everywhere: with the
     * residual branches' gamma at 0 their sums sit on the ReLU's kink, where central differences see half the slope.
     */
    private static boolean gradientsMatchFiniteDifferences(ResNetSpec.Head head, long seed) {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ResNetSpec spec = new ResNetSpec("tiny", ResNetSpec.Block.BASIC, new int[] {1, 1}, 2, ResNetSpec.Stem.SMALL, head);
            SameDiff sd = ResNet.build(spec, 1, 3, seed, DataType.DOUBLE);
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed - 2);
            for (SDVariable v : sd.variables()) {
                if (!v.name().endsWith("/gamma")) continue;
                INDArray g = v.getArr();
                for (long i = 0; i < g.length(); i++) g.putScalar(i, 0.5 + r.nextDouble());
            }
            SDVariable y = sd.constant("y", Nd4j.createFromArray(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}}));
            sd.loss().softmaxCrossEntropy("loss", y, sd.getVariable(ResNet.LOGITS), null);
            sd.setLossVariables("loss");
            BatchNorm.setTraining(sd, true);
            SDVariable input = sd.getVariable(ResNet.INPUT);
            input.setArray(Nd4j.rand(DataType.DOUBLE, 4, 1, 4, 4));
            sd.convertToVariable(input);
            return GradCheckUtil.checkGradients(sd, Map.of(), 1e-6, 1e-4, 1e-8, true, false);
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    @Test
    void saveAndLoadGiveTheSameOutputs(@TempDir Path dir) {
        Network net = Network.create(ResNetSpec.of("resnet8").withWidth(4), 1, 10, 3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 1, 12, 12);
        INDArray[] before = net.featuresAndLogits(x);
        net.save(dir, "teacher");
        Network back = Network.load(dir, "teacher");
        assertEquals(net.spec(), back.spec());
        INDArray[] after = back.featuresAndLogits(x);
        assertEquals(before[0], after[0]);
        assertEquals(before[1], after[1]);
        assertThrows(IllegalArgumentException.class, () -> Network.load(dir, "student"));
    }

    /** The cosine head: z_c = cos(f, w_c) / 0.05 in float64 from the network's own features and weights; saved and loaded with its head. */
    @Test
    void cosineHeadGivesScaledCosines(@TempDir Path dir) {
        Network net = Network.create(ResNetSpec.of("resnet8").withWidth(4).withHead(ResNetSpec.Head.COSINE), 1, 5, 11);
        assertTrue(!net.graph().hasVariable("classifier/b"), "the cosine head has no bias");
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 1, 12, 12);
        INDArray[] out = net.featuresAndLogits(x);
        double[][] f = out[0].castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] w = net.graph().getVariable("classifier/w").getArr().castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] z = out[1].castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int i = 0; i < f.length; i++) {
            for (int c = 0; c < 5; c++) {
                double dot = 0, ff = 0, ww = 0;
                for (int k = 0; k < f[i].length; k++) {
                    dot += f[i][k] * w[k][c];
                    ff += f[i][k] * f[i][k];
                    ww += w[k][c] * w[k][c];
                }
                double expected = dot / Math.sqrt(ff * ww) / ResNetSpec.Head.COSINE_TEMPERATURE;
                assertEquals(expected, z[i][c], 2e-5 * 20, "logit " + i + "," + c); // float32 cosines, times 20
                assertTrue(Math.abs(z[i][c]) <= 20 + 1e-4);
            }
        }
        net.save(dir, "metric");
        Network back = Network.load(dir, "metric");
        assertEquals(ResNetSpec.Head.COSINE, back.spec().head());
        assertEquals(out[1], back.featuresAndLogits(x)[1]);
        assertTrue(!net.spec().equals(net.spec().withHead(ResNetSpec.Head.LINEAR)));
        assertTrue(net.spec().toString().endsWith(", cosine head)"), net.spec().toString());
    }

    /** Finite differences through the cosine head's normalisations (float64). */
    @Test
    void finiteDifferencesThroughTheCosineHead() {
        assertTrue(gradientsMatchFiniteDifferences(ResNetSpec.Head.COSINE, 9));
    }
}
