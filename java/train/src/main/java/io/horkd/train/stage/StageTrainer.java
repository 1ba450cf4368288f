package io.horkd.train.stage;

import io.horkd.core.loss.Dkd;
import io.horkd.core.mem.NativeHeap;
import io.horkd.core.loss.Objective;
import io.horkd.core.loss.Term;
import io.horkd.nd4j.nn.BatchNorm;
import io.horkd.train.data.Augment;
import io.horkd.train.data.Batches;
import io.horkd.train.data.ImageSet;
import io.horkd.train.data.Views;
import io.horkd.train.eval.Evaluator;
import io.horkd.train.model.Network;
import io.horkd.train.model.ResNet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one stage ({@link StageConfig}): its graph ({@link StageGraph}: the stream plus the stage's
 * {@link Objective}), fed per batch with the frozen teacher's outputs (inference mode; through the run's
 * {@link TeacherCache} where they fit), epoch by epoch, with a {@link Checkpoint} after each; a new run
 * with the same configuration resumes from the last one.
 */
public final class StageTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(StageTrainer.class);

    /** What a stage reports while it trains. */
    public interface Listener {
        default void epochStarted(String stage, int epoch, int epochs, int steps) {}

        default void step(String stage, int epoch, int step, int steps, double loss, double imagesPerSecond) {}

        default void epochEnded(String stage, EpochMetrics metrics) {}
    }

    /**
     * One epoch's record: {@code trainCe}, the mean cross-entropy of its training steps (batch statistics,
     * augmented inputs); {@code objective}, the whole loss on {@value #OBJECTIVE_BATCHES} fixed training
     * batches in inference mode, without augmentation (comparable between epochs); test top-1 on the stage's
     * view (where the test classes are not the training classes, the metric protocol: Recall@1 of
     * {@value #EPOCH_QUERIES} test images among themselves by cosine similarity); the learning rate at its end; its training time; the process's resident memory after it, once
     * the C heap's free pages are handed back (-1 where unmeasured).
     */
    public record EpochMetrics(String stage, int epoch, double trainCe, double objective, double testTop1, double lr, double seconds,
            long residentBytes, Discrimination discriminator) {
        /** The same epoch with another's measurements of the machine (for comparisons that must not depend on the clock or the heap). */
        public EpochMetrics withMeasurementsOf(EpochMetrics o) {
            return new EpochMetrics(stage, epoch, trainCe, objective, testTop1, lr, o.seconds, o.residentBytes, discriminator);
        }

        /** An epoch of a stage without a discriminator, its resident memory unmeasured. */
        public EpochMetrics(String stage, int epoch, double trainCe, double objective, double testTop1, double lr, double seconds) {
            this(stage, epoch, trainCe, objective, testTop1, lr, seconds, -1, null);
        }
    }

    /**
     * The discriminator's epoch (stages with the adversarial term): its mean BCE loss and accuracy over the
     * epoch's steps, each taken before that step's update. Near 0.69 and 0.5: it cannot tell the student
     * from the teacher; loss near 0 and accuracy near 1: it wins, and the generator term saturates.
     */
    public record Discrimination(double loss, double accuracy) {}

    /** The trained network and its epochs. */
    public record Result(Network network, List<EpochMetrics> history) {}

    private final StageConfig cfg;
    private final ImageSet train;
    private final ImageSet test;
    private final Views views;
    private final TeacherCache teacher;
    private final Path dir;
    private final Listener listener;
    /** Whether this stage's teacher outputs fit in {@link TeacherCache#STEP_BYTES} and are cached. */
    private final boolean cacheTeacherSteps;
    /** The stages whose outputs the terms on maps read (1-based, increasing; empty without such terms). */
    private final int[] mapStages;
    private final StepOutput stepLogits = new StepOutput(ResNet.LOGITS);
    /** The adversarial term's discriminator (null without it): made or loaded by {@link #run} and {@link #prepare}. */
    private Discriminator disc;
    /** The step's student features, for the discriminator's step (null without it). */
    private final StepOutput stepFeatures;

    /** A stage taught by {@code teacher} (null for CE alone), its outputs cached for this stage only. */
    public StageTrainer(StageConfig cfg, ImageSet train, ImageSet test, Views views, Network teacher, Path dir, Listener listener) {
        this(cfg, train, test, views, teacher == null ? null : new TeacherCache(teacher), dir, listener);
    }

    /** A stage taught by the teacher of {@code teacher}, a cache the run shares between the stages it teaches. */
    public StageTrainer(StageConfig cfg, ImageSet train, ImageSet test, Views views, TeacherCache teacher, Path dir, Listener listener) {
        NativeHeap.tune(); // freed activations stay for the next step instead of being faulted in again
        if (StageGraph.needsTeacher(cfg.loss()) && teacher == null) {
            throw new IllegalArgumentException("stage " + cfg.name() + " has loss " + cfg.loss() + ", which needs a teacher");
        }
        if (teacher != null && teacher.network().classes() != train.classes()) {
            throw new IllegalArgumentException("teacher has " + teacher.network().classes() + " classes, the data " + train.classes());
        }
        this.cfg = cfg;
        this.train = train;
        this.test = test;
        this.views = views;
        this.teacher = StageGraph.needsTeacher(cfg.loss()) ? teacher : null;
        int stages = cfg.network().blocks().length;
        Network t = this.teacher == null ? null : this.teacher.network();
        if (t != null && !cfg.loss().reading(Term.Reads.MAPS).isEmpty() && t.stages() != stages) {
            throw new IllegalArgumentException("stage " + cfg.name() + ": the terms on stage outputs (" + cfg.loss().reading(Term.Reads.MAPS)
                    + ") pair the teacher's stages with the student's, but the teacher has " + t.stages() + " and the student "
                    + stages);
        }
        this.mapStages = StageGraph.mapStages(cfg.loss(), stages);
        for (int k : t == null ? new int[0] : mapStages) {
            if (!t.graph().hasVariable(ResNet.stage(k))) {
                throw new IllegalArgumentException("stage " + cfg.name() + ": the terms on stage outputs (" + cfg.loss().reading(Term.Reads.MAPS)
                        + ") read the teacher's '" + ResNet.stage(k) + "', which its graph does not name (a network saved by horkd "
                        + "before 2026-12-01): train the teacher again, or leave those methods out of the baselines");
            }
        }
        this.cacheTeacherSteps = t != null && mapStages.length == 0 && 4L * cfg.epochs() * (train.size() / cfg.batch()) * cfg.batch()
                * (t.featureSize() + train.classes()) <= TeacherCache.STEP_BYTES;
        this.dir = dir;
        this.listener = listener == null ? new Listener() {} : listener;
        this.stepFeatures = cfg.loss().has("adv") ? new StepOutput(ResNet.FEATURES) : null;
    }

    /** The discriminator's current weights, as the student's graph takes them (none without one). */
    private java.util.Map<String, INDArray> discriminatorWeights() {
        return disc == null ? java.util.Map.of() : disc.weights();
    }

    /** A fresh discriminator for this stage's adversarial term (seeded by the stage), or null without one. */
    private Discriminator newDiscriminator() {
        return cfg.loss().has("adv") ? new Discriminator(teacher.network().featureSize(), cfg.seed() ^ 0xD15CL) : null;
    }

    /** Trains (or resumes, or loads a finished stage) and returns the network; metrics go to the listener. */
    public Result run(Network init) {
        String fingerprint = fingerprint();
        Network net;
        List<EpochMetrics> history = new ArrayList<>();
        Checkpoint saved = Checkpoint.read(dir, cfg.name());
        if (saved != null && fingerprint.equals(saved.config())) {
            net = new Network(Checkpoint.graph(dir, cfg.name()), cfg.network(), train.channels(), train.classes());
            disc = cfg.loss().has("adv") ? Checkpoint.discriminator(dir, cfg.name()) : null;
            history.addAll(saved.history());
            LOG.info("{}: resuming after epoch {} of {} from {}", cfg.name(), saved.epochsDone(), cfg.epochs(),
                    Checkpoint.graphFile(dir, cfg.name()));
        } else {
            if (saved != null) LOG.warn("{}: checkpoint {} is of another configuration; starting over", cfg.name(), Checkpoint.graphFile(dir, cfg.name()));
            net = prepare(init);
        }
        int steps = train.size() / cfg.batch();
        for (int epoch = history.size(); epoch < cfg.epochs(); epoch++) {
            long t0 = System.nanoTime();
            double ce = epoch(net, epoch, steps);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double objective = objective(net);
            double top1 = retrieval() ? Evaluator.recallAt1(net, test, views, cfg.input(), EPOCH_QUERIES, 256)
                    : Evaluator.classify(net, test, views, cfg.input(), 256).top1();
            NativeHeap.release(); // what the epoch freed goes back to the system, or a run's memory grows stage by stage
            EpochMetrics m = new EpochMetrics(cfg.name(), epoch + 1, ce, objective, top1, learningRate(net, (epoch + 1) * steps - 1), seconds,
                    NativeHeap.residentBytes(), lastDiscrimination);
            history.add(m);
            new Checkpoint(fingerprint, history).write(net.graph(), disc, dir, cfg.name());
            listener.epochEnded(cfg.name(), m);
        }
        return new Result(net, history);
    }

    /** Queries of the per-epoch Recall@1 on the metric protocol. */
    static final int EPOCH_QUERIES = 2000;

    /**
     * Whether the test set holds other classes than the training set (the metric protocol), so that each
     * epoch is scored by Recall@1 on it instead of top-1.
     */
    private boolean retrieval() {
        return !test.classNames().equals(train.classNames());
    }

    /** A fresh network (copying {@code init}'s weights if given) with this stage's loss attached: what {@link #run} trains. */
    public Network prepare(Network init) {
        Network net = Network.create(cfg.network(), train.channels(), train.classes(), cfg.seed());
        if (init != null) net.copyWeightsFrom(init);
        disc = newDiscriminator();
        StageGraph.attach(net, cfg, train.size(), train.classes(), teacher == null ? null : teacher.network(), mapStages,
                () -> teacher.centres(train, views, cfg.teacherInput()));
        return net;
    }

    /**
     * The inputs of training step {@code step} of {@code epoch} for {@code net} (from {@link #prepare}), as
     * {@code fit} takes them: the student's images and its label arrays, the teacher's outputs computed
     * now. For benchmarks; the augmentation's random draws differ from {@link #run}'s.
     */
    public MultiDataSet batch(Network net, int epoch, int step) {
        int[] idx = Batches.shuffled(train.size(), cfg.batch(), cfg.seed(), epoch)[step];
        INDArray[] v = inputs(idx, cfg.augment(), new SplittableRandom(cfg.seed() * 31 + epoch * 1009L + step));
        List<INDArray> labels = StageGraph.labels(net.graph(), train, idx, mapStages, teacher == null ? null : teacherNow(v[1]),
                discriminatorWeights());
        return new MultiDataSet(new INDArray[] {v[0]}, labels.toArray(new INDArray[0]));
    }

    /** The teacher's outputs for training step {@code step} of {@code epoch}, computed now (what each step of {@link #run} pays). */
    public INDArray[] teacherStep(int epoch, int step) {
        int[] idx = Batches.shuffled(train.size(), cfg.batch(), cfg.seed(), epoch)[step];
        INDArray[] v = inputs(idx, cfg.augment(), new SplittableRandom(cfg.seed() * 31 + epoch * 1009L + step));
        return teacherNow(v[1]);
    }

    private double learningRate(Network net, int iteration) {
        return ((Nesterovs) net.graph().getTrainingConfig().getUpdater()).getLearningRateSchedule().valueAt(iteration, 0);
    }

    /** The student's view of images {@code idx} and, where there is a teacher, the teacher's view of the same crops. */
    private INDArray[] inputs(int[] idx, Augment augment, SplittableRandom rnd) {
        return teacher == null ? views.batch(train, idx, augment, rnd, cfg.input())
                : views.batch(train, idx, augment, rnd, cfg.input(), cfg.teacherInput());
    }

    /** The teacher's features and logits for training step {@code step} of {@code epoch}, from the cache where they fit. */
    private INDArray[] teacherOutputs(int epoch, int step, int[] idx, INDArray view) {
        if (!cacheTeacherSteps) return teacherNow(view);
        return teacher.step(new TeacherCache.Step(train, views, cfg.teacherInput(), cfg.augment(), cfg.seed(), cfg.batch(), epoch, step),
                idx, view);
    }

    /** The teacher's features, logits and {@link #mapStages} outputs of {@code view}, computed now. */
    private INDArray[] teacherNow(INDArray view) {
        String[] names = new String[2 + mapStages.length];
        names[0] = ResNet.FEATURES;
        names[1] = ResNet.LOGITS;
        for (int q = 0; q < mapStages.length; q++) names[2 + q] = ResNet.stage(mapStages[q]);
        return teacher.network().outputs(view, names);
    }

    static final int OBJECTIVE_BATCHES = 4;

    /** The stage's whole loss, inference mode, on fixed training batches (see {@link EpochMetrics}). */
    private double objective(Network net) {
        SameDiff sd = net.graph();
        int[][] fixed = Batches.shuffled(train.size(), cfg.batch(), cfg.seed() ^ 0x0B1EC7L, 0);
        double sum = 0;
        int n = Math.min(OBJECTIVE_BATCHES, fixed.length);
        for (int b = 0; b < n; b++) {
            INDArray[] v = inputs(fixed[b], Augment.NONE, null);
            List<INDArray> labels = StageGraph.labels(sd, train, fixed[b], mapStages, teacher == null ? null : teacherNow(v[1]),
                    discriminatorWeights());
            java.util.Map<String, INDArray> ph = new java.util.HashMap<>();
            ph.put(ResNet.INPUT, v[0]);
            List<String> names = sd.getTrainingConfig().getDataSetLabelMapping();
            for (int i = 0; i < names.size(); i++) ph.put(names.get(i), labels.get(i));
            sum += sd.output(ph, StageGraph.LOSS).get(StageGraph.LOSS).getDouble(0);
        }
        return sum / n;
    }

    private double epoch(Network net, int epoch, int steps) {
        SameDiff sd = net.graph();
        int[][] order = Batches.shuffled(train.size(), cfg.batch(), cfg.seed(), epoch);
        SplittableRandom rnd = new SplittableRandom(cfg.seed() * 31 + epoch);
        listener.epochStarted(cfg.name(), epoch + 1, cfg.epochs(), steps);
        cfg.loss().term(Dkd.class).ifPresent(d -> sd.getVariable(StageGraph.DKD_RAMP).getArr().assign(d.ramp(epoch)));
        double sum = 0;
        double discLoss = 0;
        double discAccuracy = 0;
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            int[] idx = order[s];
            INDArray[] v = inputs(idx, cfg.augment(), rnd);
            INDArray[] t = teacher == null ? null : teacherOutputs(epoch, s, idx, v[1]);
            List<INDArray> labels = StageGraph.labels(sd, train, idx, mapStages, t, discriminatorWeights());
            // The projection as this step's forward pass sees it: the discriminator's step takes P g of that pass.
            INDArray p = disc != null && sd.hasVariable(StageGraph.PROJECTION) ? sd.getVariable(StageGraph.PROJECTION).getArr().dup() : null;
            BatchNorm.setTraining(sd, true);
            double loss;
            try {
                stepLogits.reset();
                if (stepFeatures != null) stepFeatures.reset();
                if (stepFeatures == null) {
                    sd.fit(new MultiDataSet(new INDArray[] {v[0]}, labels.toArray(new INDArray[0])), stepLogits);
                } else {
                    sd.fit(new MultiDataSet(new INDArray[] {v[0]}, labels.toArray(new INDArray[0])), stepLogits, stepFeatures);
                }
                loss = stepLogits.crossEntropy(labels.get(0));
            } finally {
                BatchNorm.setTraining(sd, false);
                net.weightsChanged();
            }
            if (disc != null) {
                // One discriminator step per student step, on features detached from the student (METHODS.md).
                INDArray g = stepFeatures.last();
                if (g == null) throw new IllegalStateException(cfg.name() + ": the step's features were not seen");
                Discriminator.Step d = disc.step(t[0], p == null ? g : g.mmul(p.transpose()));
                discLoss += d.loss();
                discAccuracy += d.accuracy();
            }
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException(cfg.name() + ": loss became " + loss + " at epoch " + (epoch + 1) + ", step " + (s + 1)
                        + "; lower the learning rate (" + cfg.lr() + ") or the weights of the loss (" + cfg.loss() + ")");
            }
            sum += loss;
            double ips = (s + 1) * (double) cfg.batch() / ((System.nanoTime() - t0) / 1e9);
            listener.step(cfg.name(), epoch + 1, s + 1, steps, sum / (s + 1), ips);
        }
        lastDiscrimination = disc == null ? null : new Discrimination(discLoss / steps, discAccuracy / steps);
        return sum / steps;
    }

    /** The discriminator's record of the last epoch {@link #epoch} ran (null without one). */
    private Discrimination lastDiscrimination;

    private String fingerprint() {
        return cfg + "|" + train.size() + "x" + train.imageSize() + "|" + (teacher == null ? "-" : teacher.network().spec().toString())
                + (retrieval() ? "|" + train.classNames() : "") // the metric protocol's training classes
                // Checkpoints of before 2026-12-02 hold ND4J's loss ops, which drop CE's and adv's weights from the
                // gradient: such stages start over rather than resume with the old gradient (weight 1 was unaffected).
                + (cfg.loss().weight("ce") != 1 || cfg.loss().has("adv") ? "|weighted-ce-adv" : "");
    }
}
