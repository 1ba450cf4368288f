package io.horkd.train.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The discriminator: its loss is BCE on its logit, it learns to separate, and a saved one resumes exactly. */
class DiscriminatorTest {
    private static INDArray cloud(SplittableRandom rnd, int n, int d, double mean) {
        float[] v = new float[n * d];
        for (int q = 0; q < v.length; q++) v[q] = (float) (mean + rnd.nextGaussian());
        return Nd4j.create(v, new long[] {n, d}, 'c');
    }

    @Test
    void itsLossIsBinaryCrossEntropyOnItsLogit() {
        SplittableRandom rnd = new SplittableRandom(1);
        Discriminator d = new Discriminator(6, 7);
        INDArray hr = cloud(rnd, 10, 6, 0.5);
        INDArray lr = cloud(rnd, 10, 6, -0.5);
        INDArray zh = d.logits(hr);
        INDArray zl = d.logits(lr);
        double want = 0;
        int right = 0;
        for (int i = 0; i < 10; i++) {
            double a = zh.getDouble(i, 0);
            double b = zl.getDouble(i, 0);
            want += Math.log1p(Math.exp(-a)) + Math.log1p(Math.exp(b)); // -log sigmoid(a), -log(1 - sigmoid(b))
            right += (a > 0 ? 1 : 0) + (b <= 0 ? 1 : 0);
        }
        Discriminator.Step s = d.step(hr, lr);
        assertEquals(want / 20, s.loss(), 1e-6, "mean BCE over the 2m features, before the step");
        assertEquals(right / 20.0, s.accuracy(), 0.0);
    }

    @Test
    void itLearnsToTellTwoCloudsApart() {
        SplittableRandom rnd = new SplittableRandom(2);
        Discriminator d = new Discriminator(8, 3, 1e-3);
        Discriminator.Step first = null;
        Discriminator.Step last = null;
        for (int k = 0; k < 150; k++) {
            last = d.step(cloud(rnd, 32, 8, 0.7), cloud(rnd, 32, 8, -0.7));
            if (first == null) first = last;
        }
        assertTrue(last.loss() < 0.5 * first.loss(), "loss " + first.loss() + " -> " + last.loss());
        assertTrue(last.accuracy() > 0.9, "accuracy " + last.accuracy());
    }

    @Test
    void aSavedDiscriminatorContinuesExactlyWithItsOptimiserState(@TempDir Path dir) {
        SplittableRandom rnd = new SplittableRandom(3);
        Discriminator a = new Discriminator(5, 11, 1e-3);
        for (int k = 0; k < 3; k++) a.step(cloud(rnd, 8, 5, 1), cloud(rnd, 8, 5, -1));
        File f = dir.resolve("disc.sd").toFile();
        a.save(f);
        Discriminator b = Discriminator.load(f);
        assertEquals(5, b.width());
        INDArray hr = cloud(rnd, 8, 5, 1);
        INDArray lr = cloud(rnd, 8, 5, -1);
        Discriminator.Step sa = a.step(hr, lr);
        Discriminator.Step sb = b.step(hr, lr);
        assertEquals(sa, sb);
        Map<String, INDArray> wa = a.weights();
        Map<String, INDArray> wb = b.weights();
        for (String v : Discriminator.VARIABLES) {
            assertArrayEquals(wa.get(v).data().asFloat(), wb.get(v).data().asFloat(), 0f, v + " after a step (Adam's moments restored)");
        }
        // The same seed, the same discriminator.
        assertArrayEquals(new Discriminator(5, 11).weights().get("w1").data().asFloat(),
                new Discriminator(5, 11).weights().get("w1").data().asFloat(), 0f);
    }

    @Test
    void wrongShapesAreNamed() {
        Discriminator d = new Discriminator(4, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> d.step(Nd4j.zeros(DataType.FLOAT, 3, 4), Nd4j.zeros(DataType.FLOAT, 3, 5)));
        assertEquals("lr must be [n, 4], got [3, 5]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Discriminator(0, 1));
    }
}
