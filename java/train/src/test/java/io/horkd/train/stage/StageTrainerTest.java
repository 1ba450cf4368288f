package io.horkd.train.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.loss.Objective;
import io.horkd.train.data.Synthetic;
import io.horkd.train.data.Augment;
import io.horkd.train.data.Degrade;
import io.horkd.train.data.ImageSet;
import io.horkd.train.data.Views;
import io.horkd.train.model.Network;
import io.horkd.train.model.ResNetSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class StageTrainerTest {
    private static final ImageSet TRAIN = Synthetic.bars(192, 12, 1);
    private static final ImageSet TEST = Synthetic.bars(96, 12, 2);
    private static final Views VIEWS = Views.standardising(TRAIN);
    private static final ResNetSpec NET = ResNetSpec.of("resnet8").withWidth(4);

    private static StageConfig stage(String name, Degrade input, Objective loss, int epochs) {
        return new StageConfig(name, NET, input, Degrade.NONE, loss, epochs, 32, 0.1, 1e-4, new Augment(1, false), 11);
    }

    @Test
    void teacherThenLowResolutionStudentWithEveryTerm(@TempDir Path dir) {
        StageTrainer.Result teacher = new StageTrainer(stage("teacher", Degrade.NONE, Objective.parse("ce"), 6), TRAIN, TEST, VIEWS,
                (Network) null, dir, null).run(null);
        assertTrue(teacher.history().get(5).testTop1() > 0.9, "teacher accuracy " + teacher.history());
        assertTrue(teacher.history().get(5).objective() < teacher.history().get(0).objective(), teacher.history().toString());
        Objective all = Objective.parse("ce + l1 + 0.02*l2 + 0.01*l3 + lc + kd(temperature=4)");
        // Six epochs: after four the student's accuracy depended on the CPU's kernels (0.75 on a 2-core Xeon VM,
        // above 0.8 on the EPYC ones before); after six it reached 1.0 there.
        StageTrainer.Result student = new StageTrainer(stage("student", Degrade.by(2), all, 6), TRAIN, TEST, VIEWS,
                teacher.network(), dir, null).run(null);
        assertTrue(student.history().get(5).testTop1() > 0.8, "student accuracy " + student.history());
    }

    /**
     * Resolution-aware distillation's cross-resolution terms from a wider teacher: MMD compares through a
     * projection the stage creates and trains; the pair-wise constraint takes the widths as they are.
     */
    @Test
    void theResolutionAwareTermsTrainThroughAProjection(@TempDir Path dir) {
        ResNetSpec wide = NET.withWidth(8);
        Network teacher = new StageTrainer(new StageConfig("teacher", wide, Degrade.NONE, Degrade.NONE, Objective.parse("ce"), 3, 32,
                0.1, 1e-4, new Augment(1, false), 11), TRAIN, TEST, VIEWS, (Network) null, dir, null).run(null).network();
        assertTrue(teacher.featureSize() != Network.create(NET, 1, TRAIN.classes(), 1).featureSize(), "the widths differ");
        Objective rakd = Objective.parse("ce + kd + pairwise + mmd");
        StageTrainer.Result student = new StageTrainer(stage("rakd", Degrade.by(2), rakd, 3), TRAIN, TEST, VIEWS, teacher, dir, null)
                .run(null);
        assertTrue(student.history().get(2).testTop1() > 0.6, "student accuracy " + student.history());
        for (StageTrainer.EpochMetrics e : student.history()) assertTrue(Double.isFinite(e.objective()), e.toString());
        org.nd4j.autodiff.samediff.SDVariable p = student.network().graph().getVariable("projection");
        assertTrue(p != null && p.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE, "MMD's projection trains");
    }

    /** Every method on stage outputs and DKD in one student: it trains, reads the teacher's maps, ramps DKD. */
    @Test
    void aStudentWithEveryMethodTrains(@TempDir Path dir) {
        Network teacher = new StageTrainer(stage("teacher", Degrade.NONE, Objective.parse("ce"), 4), TRAIN, TEST, VIEWS, (Network) null, dir,
                null).run(null).network();
        // Weights far below METHODS.md's (tuned for CIFAR ResNets): this checks the wiring on a tiny network.
        Objective all = Objective.parse("ce + 10*at + 0.1*fitnet + 0.1*dct + 10*sp + 10*pkt + 0.1*dkd(warmup=4)");
        assertArrayEquals(new int[] {1, 2, 3}, StageGraph.mapStages(all, 3));
        assertArrayEquals(new int[] {2}, StageGraph.mapStages(Objective.parse("fitnet"), 3));
        assertArrayEquals(new int[] {3}, StageGraph.mapStages(Objective.parse("sp + at(stage=3)"), 3));
        StageTrainer.Result student = new StageTrainer(stage("all", Degrade.by(2), all, 3), TRAIN, TEST, VIEWS, teacher, dir, null)
                .run(null);
        assertTrue(student.history().get(2).testTop1() > 0.5, "student accuracy " + student.history());
        for (StageTrainer.EpochMetrics e : student.history()) assertTrue(Double.isFinite(e.objective()), e.toString());
        org.nd4j.autodiff.samediff.SameDiff sd = student.network().graph();
        assertEquals(0.75, sd.getVariable(StageGraph.DKD_RAMP).getArr().getDouble(0), 1e-7, "the third epoch's ramp, 3/4");
        assertTrue(sd.hasVariable("fitnet/stage2/regressor/w") && sd.getVariable("fitnet/stage2/regressor/w").getVariableType()
                == org.nd4j.autodiff.samediff.VariableType.VARIABLE, "the regressor trains with the student");
        var e = assertThrows(IllegalArgumentException.class, () -> new StageTrainer(stage("bad", Degrade.by(2),
                Objective.parse("ce + at(stage=4)"), 1), TRAIN, TEST, VIEWS, teacher, dir, null).run(null));
        assertEquals("at(stage=4): the stream has 3 stages", e.getMessage());
        // A teacher saved before stage outputs were named (renamed here) is refused by name, before any training.
        teacher.graph().renameVariable("stage2", "old_stage2");
        e = assertThrows(IllegalArgumentException.class, () -> new StageTrainer(stage("old", Degrade.by(2), Objective.parse("ce + at"), 1),
                TRAIN, TEST, VIEWS, teacher, dir, null));
        assertTrue(e.getMessage().contains("read the teacher's 'stage2', which its graph does not name"), e.getMessage());
    }

    @Test
    void aKilledRunResumesFromItsLastCheckpointAndEndsWhereAnUninterruptedOneDoes(@TempDir Path dir) {
        StageConfig cfg = stage("t", Degrade.NONE, Objective.parse("ce"), 2);
        StageTrainer.Result straight = new StageTrainer(cfg, TRAIN, TEST, VIEWS, (Network) null, dir.resolve("a"), null).run(null);
        StageTrainer.Listener killer = new StageTrainer.Listener() {
            @Override
            public void epochStarted(String stage, int epoch, int epochs, int steps) {
                if (epoch == 2) throw new IllegalStateException("killed");
            }
        };
        assertThrows(IllegalStateException.class, () -> new StageTrainer(cfg, TRAIN, TEST, VIEWS, (Network) null, dir.resolve("b"), killer).run(null));
        List<Integer> epochsRun = new ArrayList<>();
        StageTrainer.Listener counter = new StageTrainer.Listener() {
            @Override
            public void epochStarted(String stage, int epoch, int epochs, int steps) {
                epochsRun.add(epoch);
            }
        };
        StageTrainer.Result resumed = new StageTrainer(cfg, TRAIN, TEST, VIEWS, (Network) null, dir.resolve("b"), counter).run(null);
        assertEquals(List.of(2), epochsRun);
        assertEquals(2, resumed.history().size());
        assertEquals(straight.history().get(0).trainCe(), resumed.history().get(0).trainCe());
        assertEquals(straight.history().get(0).objective(), resumed.history().get(0).objective());
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, 12, 12);
        INDArray a = straight.network().featuresAndLogits(x)[1];
        INDArray b = resumed.network().featuresAndLogits(x)[1];
        assertTrue(a.equalsWithEps(b, 1e-4), "uninterrupted " + a + " vs resumed " + b);
    }

    /**
     * Resolution-aware distillation with its adversarial term: the student trains against a discriminator
     * stepped once per student step, whose loss and accuracy each epoch records; a run killed after an epoch
     * resumes with both optimisers' states and ends where an uninterrupted one does.
     */
    @Test
    void theAdversarialTermTrainsAgainstADiscriminatorAndResumesExactly(@TempDir Path dir) {
        ResNetSpec wide = NET.withWidth(8);
        Network teacher = new StageTrainer(new StageConfig("teacher", wide, Degrade.NONE, Degrade.NONE, Objective.parse("ce"), 2, 32,
                0.1, 1e-4, new Augment(1, false), 11), TRAIN, TEST, VIEWS, (Network) null, dir.resolve("t"), null).run(null).network();
        StageConfig cfg = stage("rakd", Degrade.by(2), Objective.parse("ce + kd + pairwise + mmd + 0.1*adv"), 2);
        StageTrainer.Result straight = new StageTrainer(cfg, TRAIN, TEST, VIEWS, teacher, dir.resolve("a"), null).run(null);
        for (StageTrainer.EpochMetrics e : straight.history()) {
            StageTrainer.Discrimination d = e.discriminator();
            assertTrue(d != null && Double.isFinite(d.loss()) && d.loss() > 0 && d.accuracy() >= 0 && d.accuracy() <= 1, e.toString());
        }
        StageTrainer.Listener killer = new StageTrainer.Listener() {
            @Override
            public void epochStarted(String stage, int epoch, int epochs, int steps) {
                if (epoch == 2) throw new IllegalStateException("killed");
            }
        };
        assertThrows(IllegalStateException.class, () -> new StageTrainer(cfg, TRAIN, TEST, VIEWS, teacher, dir.resolve("b"), killer).run(null));
        assertTrue(java.nio.file.Files.isRegularFile(Checkpoint.discriminatorFile(dir.resolve("b"), "rakd")), "the discriminator is checkpointed");
        StageTrainer.Result resumed = new StageTrainer(cfg, TRAIN, TEST, VIEWS, teacher, dir.resolve("b"), null).run(null);
        assertEquals(straight.history().get(0), resumed.history().get(0).withMeasurementsOf(straight.history().get(0)));
        StageTrainer.EpochMetrics a = straight.history().get(1);
        StageTrainer.EpochMetrics b = resumed.history().get(1);
        assertEquals(a.trainCe(), b.trainCe(), "the resumed epoch trains as the uninterrupted one, to the bit");
        assertEquals(a.discriminator(), b.discriminator(), "and so does the discriminator");
    }

    /** Students of one teacher and seed reuse its outputs through the run's cache (step for step, and the centres), and train exactly as without. */
    @Test
    void studentsOfOneTeacherShareItsOutputsAndTrainAsWithout(@TempDir Path dir) {
        Network teacher = new StageTrainer(stage("teacher", Degrade.NONE, Objective.parse("ce"), 2), TRAIN, TEST, VIEWS, (Network) null, dir, null)
                .run(null).network();
        Network copy = Network.create(NET, TRAIN.channels(), TRAIN.classes(), 99);
        copy.copyWeightsFrom(teacher);
        TeacherCache cache = new TeacherCache(teacher);
        Objective w = Objective.parse("ce + 0.02*l2 + 0.01*l3 + lc + kd");
        new StageTrainer(stage("a", Degrade.by(2), w, 2), TRAIN, TEST, VIEWS, cache, dir, null).run(null);
        int steps = TRAIN.size() / 32;
        assertEquals(1 + 2 * steps, cache.size()); // the centres and every step's outputs
        Network fromCache = new StageTrainer(stage("b", Degrade.by(2), w, 2), TRAIN, TEST, VIEWS, cache, dir, null).run(null).network();
        new StageTrainer(stage("c", Degrade.by(3), w, 1), TRAIN, TEST, VIEWS, cache, dir, null).run(null);
        assertEquals(1 + 2 * steps, cache.size()); // another student, another LR factor: the same teacher inputs
        TeacherCache fresh = new TeacherCache(copy);
        Network computed = new StageTrainer(stage("b2", Degrade.by(2), w, 2), TRAIN, TEST, VIEWS, fresh, dir, null).run(null).network();
        assertEquals(1 + 2 * steps, fresh.size());
        INDArray x = VIEWS.plain(TEST, new int[] {0, 1, 2, 3, 4}, Degrade.by(2))[0];
        assertArrayEquals(computed.featuresAndLogits(x)[1].ravel().toDoubleVector(), fromCache.featuresAndLogits(x)[1].ravel().toDoubleVector(), 0.0);
        // New weights invalidate what was derived from the old ones.
        copy.copyWeightsFrom(fromCache);
        assertEquals(0, fresh.size());
    }

    @Test
    void aDistillationStageWithoutTeacherIsRefused(@TempDir Path dir) {
        Exception e = assertThrows(IllegalArgumentException.class,
                () -> new StageTrainer(stage("s", Degrade.by(2), Objective.parse("ce").with(1, Objective.HORKD.terms().get(0).term()), 1), TRAIN, TEST, VIEWS, (Network) null, dir, null));
        assertTrue(e.getMessage().contains("needs a teacher"), e.getMessage());
        Network wrongClasses = Network.create(NET, 1, 5, 1);
        assertThrows(IllegalArgumentException.class,
                () -> new StageTrainer(stage("s", Degrade.by(2), Objective.parse("ce").with(1, Objective.HORKD.terms().get(0).term()), 1), TRAIN, TEST, VIEWS, wrongClasses, dir, null));
    }

    /**
     * CE's weight scales its gradient, not only its value: ND4J's softmax cross-entropy backward ignores the
     * gradient arriving from above (a loss op is taken to be the graph's last), so {@code 0.25*ce} trained
     * as {@code ce} until CE went through its own scaling of the logits' gradient.
     */
    @Test
    void theWeightOfCeScalesItsGradient() {
        INDArray images = VIEWS.plain(TRAIN, new int[] {0, 1, 2, 3, 4, 5}, Degrade.NONE)[0];
        INDArray oneHot = TRAIN.oneHot(new int[] {0, 1, 2, 3, 4, 5});
        java.util.Map<String, INDArray> grads = new java.util.HashMap<>();
        for (String objective : new String[] {"ce", "0.25*ce", "3*ce"}) {
            Network net = Network.create(NET, 1, 3, 5);
            StageGraph.attach(net, stage("s", Degrade.NONE, Objective.parse(objective), 1), TRAIN.size(), 3, null, new int[0], null);
            io.horkd.nd4j.nn.BatchNorm.setTraining(net.graph(), true);
            var g = net.graph().calculateGradients(java.util.Map.of("input", images, StageGraph.ONE_HOT, oneHot), "classifier/w", "stem/w");
            grads.put(objective + " classifier", g.get("classifier/w"));
            grads.put(objective + " stem", g.get("stem/w"));
        }
        // At weight 1 the log-softmax CE gives ND4J's loss op's gradient (runs before the change stay as they were).
        Network net = Network.create(NET, 1, 3, 5);
        org.nd4j.autodiff.samediff.SameDiff sd = net.graph();
        sd.loss().softmaxCrossEntropy("nd4j_ce", sd.placeHolder(StageGraph.ONE_HOT, DataType.FLOAT, -1, 3), sd.getVariable("logits"), null,
                org.nd4j.autodiff.loss.LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);
        sd.setLossVariables("nd4j_ce");
        io.horkd.nd4j.nn.BatchNorm.setTraining(sd, true);
        var nd4j = sd.calculateGradients(java.util.Map.of("input", images, StageGraph.ONE_HOT, oneHot), "classifier/w", "stem/w");
        assertEquals(nd4j.get("classifier/w"), grads.get("ce classifier"));
        assertEquals(0, nd4j.get("stem/w").sub(grads.get("ce stem")).norm2Number().doubleValue(), 1e-6 * nd4j.get("stem/w").norm2Number().doubleValue());
        for (String v : new String[] {"classifier", "stem"}) {
            INDArray full = grads.get("ce " + v);
            assertTrue(full.norm2Number().doubleValue() > 1e-3, v);
            // float32 through the network: equal to its rounding, where ND4J's loss op gave 4x and 1/3 of these
            assertEquals(0, grads.get("0.25*ce " + v).sub(full.mul(0.25)).norm2Number().doubleValue(), 1e-5 * full.norm2Number().doubleValue(), v);
            assertEquals(0, grads.get("3*ce " + v).sub(full.mul(3)).norm2Number().doubleValue(), 3e-5 * full.norm2Number().doubleValue(), v);
        }
    }
    /**
     * The adversarial term BCE(D(g), 1) enters the objective at its weight, value and gradient: its value is
     * softplus(-logit) averaged (from D's own logits, in double), and 0.25*adv's gradient is a quarter of adv's.
     * ND4J's sigmoid loss op dropped the weight from the gradient, so the rakd runs trained it at 1 (RESULTS.md).
     */
    @Test
    void theWeightOfTheAdversarialTermScalesItsGradient() {
        int[] idx = {0, 1, 2, 3, 4, 5};
        INDArray images = VIEWS.plain(TRAIN, idx, Degrade.NONE)[0];
        Network teacher = Network.create(NET, 1, 3, 7); // same feature width as the students: no projection
        Discriminator disc = new Discriminator(teacher.featureSize(), 3);
        java.util.Map<String, INDArray> feed = new java.util.HashMap<>();
        feed.put("input", images);
        feed.put(StageGraph.ONE_HOT, TRAIN.oneHot(idx)); // the graph's CE metric reads it
        disc.weights().forEach((name, value) -> feed.put("disc/" + name, value));
        java.util.Map<String, INDArray> grads = new java.util.HashMap<>();
        for (String objective : new String[] {"adv", "0.25*adv"}) {
            Network net = Network.create(NET, 1, 3, 5);
            StageGraph.attach(net, stage("s", Degrade.NONE, Objective.parse(objective), 1), TRAIN.size(), 3, teacher, new int[0], null);
            io.horkd.nd4j.nn.BatchNorm.setTraining(net.graph(), true);
            java.util.Map<String, INDArray> out = net.graph().output(feed, "features", "adv");
            INDArray logits = disc.logits(out.get("features"));
            double expected = 0;
            for (int i = 0; i < idx.length; i++) expected += Math.log1p(Math.exp(-logits.getDouble(i, 0))) / idx.length;
            double weight = objective.equals("adv") ? 1 : 0.25;
            assertEquals(weight * expected, out.get("adv").getDouble(0), 1e-6 * expected, objective + ": weight * mean softplus(-logit)");
            grads.put(objective, net.graph().calculateGradients(feed, "stem/w").get("stem/w"));
        }
        INDArray full = grads.get("adv");
        assertTrue(full.norm2Number().doubleValue() > 1e-6, "the term reaches the stem");
        assertEquals(0, grads.get("0.25*adv").sub(full.mul(0.25)).norm2Number().doubleValue(), 1e-5 * full.norm2Number().doubleValue());
    }
}
