package io.horkd.train.stage;

import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.DctAttention;
import io.horkd.core.loss.Dkd;
import io.horkd.core.loss.FitNetHint;
import io.horkd.core.loss.Objective;
import io.horkd.core.loss.Term;
import io.horkd.nd4j.HorkdLoss;
import io.horkd.nd4j.nn.BatchNorm;
import io.horkd.train.data.Augment;
import io.horkd.train.data.Batches;
import io.horkd.train.data.Degrade;
import io.horkd.train.data.ImageSet;
import io.horkd.train.data.Views;
import io.horkd.train.eval.Evaluator;
import io.horkd.train.model.Network;
import io.horkd.train.model.ResNet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.SplittableRandom;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one stage ({@link StageConfig}) in a SameDiff graph: the stream's graph plus the stage's
 * {@link Objective} (CE, the terms on the features, the terms on the logits), teacher outputs fed per
 * batch as placeholders from the frozen teacher (inference mode), dataset-level class centres computed
 * once from that teacher. Checkpoints after every epoch ({@code <dir>/<stage>.ckpt.sd} with the updater
 * state, and {@code .ckpt.properties}); a new run with the same configuration resumes from the last one.
 */
public final class StageTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(StageTrainer.class);

    static final String LOSS = "loss";
    static final String ONE_HOT = "label_onehot";
    static final String LABEL = "label";
    static final String TEACHER_FEATURES = "teacher_features";
    static final String TEACHER_LOGITS = "teacher_logits";
    /** The DKD term's ramp factor, a constant the trainer sets at the start of every epoch. */
    static final String DKD_RAMP = "dkd_ramp";

    /** The placeholder of the teacher's stage-k output. */
    static String teacherStage(int k) {
        return "teacher_" + ResNet.stage(k);
    }

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
     * view; the learning rate at its end; its training time.
     */
    public record EpochMetrics(String stage, int epoch, double trainCe, double objective, double testTop1, double lr, double seconds) {}

    private final StageConfig cfg;
    private final ImageSet train;
    private final ImageSet test;
    private final Views views;
    private final Network teacher;
    private final Path dir;
    private final Listener listener;
    /** Whether this stage's teacher outputs fit in {@link #TEACHER_CACHE_BYTES} and go to the teacher's memo. */
    private final boolean shareTeacherOutputs;
    /** The stages whose outputs the terms on maps read (1-based, increasing; empty without such terms). */
    private final int[] mapStages;

    /**
     * Teacher outputs of a stage are kept with the teacher ({@link Network#memo}) when they take at most this
     * much memory: the students of one seed (HORKD, KD, RKD, the controls, at every LR factor) see the same
     * teacher inputs, step for step, since the batch order and augmentation depend only on the seed and
     * epoch and the teacher sees the HR view. The default run's 64-d features and 10 logits for 6 epochs of
     * 20,000 images take 35 MB.
     */
    static final long TEACHER_CACHE_BYTES = 256L << 20;

    /** Everything that fixes a training step's teacher input. */
    private record TeacherStep(ImageSet train, Views views, Degrade view, Augment augment, long seed, int batch, int epoch, int step) {}

    private record TeacherOutputs(int[] idx, INDArray features, INDArray logits) {}

    /** The dataset-level centres of a teacher seeing {@code view} of {@code train}. */
    private record Centres(ImageSet train, Views views, Degrade view) {}

    public StageTrainer(StageConfig cfg, ImageSet train, ImageSet test, Views views, Network teacher, Path dir, Listener listener) {
        if (needsTeacher(cfg.loss()) && teacher == null) {
            throw new IllegalArgumentException("stage " + cfg.name() + " has loss " + cfg.loss() + ", which needs a teacher");
        }
        if (teacher != null && teacher.classes() != train.classes()) {
            throw new IllegalArgumentException("teacher has " + teacher.classes() + " classes, the data " + train.classes());
        }
        this.cfg = cfg;
        this.train = train;
        this.test = test;
        this.views = views;
        this.teacher = needsTeacher(cfg.loss()) ? teacher : null;
        int stages = cfg.network().blocks().length;
        if (this.teacher != null && !cfg.loss().reading(Term.Reads.MAPS).isEmpty() && this.teacher.stages() != stages) {
            throw new IllegalArgumentException("stage " + cfg.name() + ": the terms on stage outputs (" + cfg.loss().reading(Term.Reads.MAPS)
                    + ") pair the teacher's stages with the student's, but the teacher has " + this.teacher.stages() + " and the student "
                    + stages);
        }
        this.mapStages = mapStages(cfg.loss(), stages);
        for (int k : this.teacher == null ? new int[0] : mapStages) {
            if (!this.teacher.graph().hasVariable(ResNet.stage(k))) {
                throw new IllegalArgumentException("stage " + cfg.name() + ": the terms on stage outputs (" + cfg.loss().reading(Term.Reads.MAPS)
                        + ") read the teacher's '" + ResNet.stage(k) + "', which its graph does not name (a network saved by horkd "
                        + "before 2026-12-01): train the teacher again, or leave those methods out of the baselines");
            }
        }
        this.shareTeacherOutputs = this.teacher != null && mapStages.length == 0 && 4L * cfg.epochs() * (train.size() / cfg.batch()) * cfg.batch()
                * (this.teacher.featureSize() + train.classes()) <= TEACHER_CACHE_BYTES;
        this.dir = dir;
        this.listener = listener == null ? new Listener() {} : listener;
    }

    /** Trains (or resumes, or loads a finished stage) and returns the network; metrics go to the listener. */
    public Result run(Network init) {
        Path ckpt = dir.resolve(cfg.name() + ".ckpt.sd");
        Path state = dir.resolve(cfg.name() + ".ckpt.properties");
        String fingerprint = fingerprint();
        Network net;
        int firstEpoch = 0;
        List<EpochMetrics> history = new ArrayList<>();
        Properties saved = read(state);
        if (saved != null && fingerprint.equals(saved.getProperty("config"))) {
            SameDiff sd = SameDiff.load(ckpt.toFile(), true);
            net = new Network(sd, cfg.network(), train.channels(), train.classes());
            firstEpoch = Integer.parseInt(saved.getProperty("epochsDone"));
            for (int e = 0; e < firstEpoch; e++) {
                history.add(new EpochMetrics(cfg.name(), e + 1, Double.parseDouble(saved.getProperty("ce." + e)),
                        Double.parseDouble(saved.getProperty("objective." + e)),
                        Double.parseDouble(saved.getProperty("top1." + e)), Double.parseDouble(saved.getProperty("lr." + e)),
                        Double.parseDouble(saved.getProperty("seconds." + e))));
            }
            LOG.info("{}: resuming after epoch {} of {} from {}", cfg.name(), firstEpoch, cfg.epochs(), ckpt);
        } else {
            if (saved != null) LOG.warn("{}: checkpoint {} is of another configuration; starting over", cfg.name(), ckpt);
            net = Network.create(cfg.network(), train.channels(), train.classes(), cfg.seed());
            if (init != null) net.copyWeightsFrom(init);
            attachLoss(net);
        }
        int steps = train.size() / cfg.batch();
        for (int epoch = firstEpoch; epoch < cfg.epochs(); epoch++) {
            long t0 = System.nanoTime();
            double ce = epoch(net, epoch, steps);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double objective = objective(net);
            double top1 = Evaluator.classify(net, test, views, cfg.input(), 256).top1();
            EpochMetrics m = new EpochMetrics(cfg.name(), epoch + 1, ce, objective, top1, learningRate(net, (epoch + 1) * steps - 1),
                    seconds);
            history.add(m);
            checkpoint(net, ckpt, state, fingerprint, history);
            listener.epochEnded(cfg.name(), m);
        }
        return new Result(net, history);
    }

    /** A fresh network (copying {@code init}'s weights if given) with this stage's loss attached: what {@link #run} trains. */
    public Network prepare(Network init) {
        Network net = Network.create(cfg.network(), train.channels(), train.classes(), cfg.seed());
        if (init != null) net.copyWeightsFrom(init);
        attachLoss(net);
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
        List<INDArray> labels = labels(net.graph(), idx, teacher == null ? null : teacherNow(v[1]));
        return new MultiDataSet(new INDArray[] {v[0]}, labels.toArray(new INDArray[0]));
    }

    /** The teacher's outputs for training step {@code step} of {@code epoch}, computed now (what each step of {@link #run} pays). */
    public INDArray[] teacherStep(int epoch, int step) {
        int[] idx = Batches.shuffled(train.size(), cfg.batch(), cfg.seed(), epoch)[step];
        INDArray[] v = inputs(idx, cfg.augment(), new SplittableRandom(cfg.seed() * 31 + epoch * 1009L + step));
        return teacherNow(v[1]);
    }

    /** The trained network and its epochs. */
    public record Result(Network network, List<EpochMetrics> history) {}

    private double learningRate(Network net, int iteration) {
        return ((Nesterovs) net.graph().getTrainingConfig().getUpdater()).getLearningRateSchedule().valueAt(iteration, 0);
    }

    /** Adds placeholders, the loss and the training configuration to the stream's graph. */
    private void attachLoss(Network net) {
        SameDiff sd = net.graph();
        Objective w = cfg.loss();
        List<String> labels = new ArrayList<>();
        SDVariable logits = sd.getVariable(ResNet.LOGITS);
        SDVariable features = sd.getVariable(ResNet.FEATURES);
        SDVariable oneHot = sd.placeHolder(ONE_HOT, DataType.FLOAT, -1, train.classes());
        labels.add(ONE_HOT);
        // CE is SameDiff's own op (its backward starts from the logits); every other term is horkd's.
        SDVariable total = sd.loss().softmaxCrossEntropy("ce", oneHot, logits, null, LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0)
                .mul(w.weight("ce"));
        Objective onFeatures = w.reading(Term.Reads.FEATURES);
        if (!onFeatures.isEmpty()) {
            int dt = teacher.featureSize();
            int ds = net.featureSize();
            SDVariable t = sd.placeHolder(TEACHER_FEATURES, DataType.FLOAT, -1, dt);
            labels.add(TEACHER_FEATURES);
            HorkdLoss loss = HorkdLoss.of(onFeatures);
            SDVariable lab = null;
            if (batchCenters(w)) {
                lab = sd.placeHolder(LABEL, DataType.INT, -1);
                labels.add(LABEL);
            } else if (w.has("lc")) {
                loss = loss.withCenters(teacher.memo(new Centres(train, views, cfg.teacherInput()), this::datasetCenters).dup());
            }
            SDVariable p = null;
            if ((w.has("l1") || w.has("lc")) && dt != ds) {
                SplittableRandom r = new SplittableRandom(cfg.seed() ^ 0x5EED);
                double[] v = new double[dt * ds];
                for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian() / Math.sqrt(ds);
                p = sd.var("projection", Nd4j.createFromArray(v).castTo(DataType.FLOAT).reshape(dt, ds));
            }
            total = total.add(loss.on(sd, features, t, lab, p));
        }
        Objective onLogits = w.reading(Term.Reads.LOGITS).without("ce");
        Optional<Dkd> dkd = w.term(Dkd.class);
        boolean gated = w.term(DctAttention.class).map(DctAttention::gate).orElse(false);
        boolean needsTeacherLogits = !onLogits.isEmpty() || gated;
        SDVariable tl = null;
        if (needsTeacherLogits) {
            tl = sd.placeHolder(TEACHER_LOGITS, DataType.FLOAT, -1, train.classes());
            labels.add(TEACHER_LOGITS);
        }
        SDVariable lab = sd.hasVariable(LABEL) ? sd.getVariable(LABEL) : null;
        if (lab == null && (dkd.isPresent() || gated)) {
            lab = sd.placeHolder(LABEL, DataType.INT, -1);
            labels.add(LABEL);
        }
        if (!onLogits.without("dkd").isEmpty()) total = total.add(HorkdLoss.of(onLogits.without("dkd")).on(sd, logits, tl));
        if (dkd.isPresent()) {
            // DKD's ramp min(epoch / warmup, 1) scales its term; the constant is set at every epoch's start.
            SDVariable ramp = sd.constant(DKD_RAMP, Nd4j.scalar(DataType.FLOAT, (float) dkd.get().ramp(0)));
            total = total.add(HorkdLoss.of(Objective.of(w.weight("dkd"), dkd.get())).on(sd, logits, tl, lab).mul(ramp));
        }
        Objective onMaps = w.reading(Term.Reads.MAPS);
        for (int k : mapStages) {
            SDVariable sk = sd.getVariable(ResNet.stage(k));
            int ct = teacher.spec().stageChannels(k - 1);
            int cs = net.spec().stageChannels(k - 1);
            SDVariable tk = sd.placeHolder(teacherStage(k), DataType.FLOAT, -1, ct, -1, -1);
            labels.add(teacherStage(k));
            List<Objective.Weighted> here = new ArrayList<>();
            for (Objective.Weighted t : onMaps.terms()) {
                if (java.util.Arrays.stream(((Term.OnStages) t.term()).stages(net.stages())).anyMatch(q -> q == k)) here.add(t);
            }
            Objective plain = Objective.of(here).without("fitnet");
            if (!plain.isEmpty()) {
                boolean gate = plain.term(DctAttention.class).map(DctAttention::gate).orElse(false);
                total = total.add(HorkdLoss.of(plain).on(sd, sk, tk, gate ? lab : null, null, gate ? tl : null));
            }
            Optional<FitNetHint> fitnet = Objective.of(here).term(FitNetHint.class);
            if (fitnet.isPresent()) {
                // METHODS.md's regressor: a 1x1 convolution to the teacher's channels, batch norm, ReLU, trained with the student.
                String name = "fitnet/stage" + k + "/regressor";
                SplittableRandom r = new SplittableRandom(cfg.seed() ^ (0xF17L + k));
                double[] v = new double[ct * cs];
                for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian() * Math.sqrt(2.0 / cs);
                SDVariable wr = sd.var(name + "/w", Nd4j.createFromArray(v).castTo(DataType.FLOAT).reshape(1, 1, cs, ct));
                SDVariable conv = sd.cnn().conv2d(name, sk, wr, Conv2DConfig.builder().kH(1).kW(1).sH(1).sW(1)
                        .paddingMode(PaddingMode.SAME).dataFormat("NCHW").build());
                SDVariable regressed = sd.nn().relu(name + "/relu", BatchNorm.apply(sd, name + "/bn", conv, ct), 0);
                total = total.add(HorkdLoss.of(Objective.of(w.weight("fitnet"), fitnet.get())).on(sd, regressed, tk));
            }
        }
        total.rename(LOSS);
        sd.setLossVariables(LOSS);
        int steps = train.size() / cfg.batch();
        int totalSteps = steps * cfg.epochs();
        CosineSchedule lr = new CosineSchedule(cfg.lr(), Math.min(totalSteps - 1, Math.max(0, steps / 10)), totalSteps);
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Nesterovs(lr, 0.9)).l2(cfg.weightDecay())
                .dataSetFeatureMapping(ResNet.INPUT).dataSetLabelMapping(labels.toArray(new String[0])).build());
    }

    /** Whether any term needs a teacher: every term but CE. */
    static boolean needsTeacher(Objective loss) {
        return !loss.without("ce").isEmpty();
    }

    private static boolean batchCenters(Objective loss) {
        return loss.term(CenterLoss.class).map(c -> c.scope() == CenterLoss.Scope.BATCH).orElse(false);
    }

    /** Mean teacher feature per class over the training set (HR view, no augmentation). */
    private INDArray datasetCenters() {
        int c = train.classes();
        INDArray sums = Nd4j.zeros(DataType.DOUBLE, c, teacher.featureSize());
        long[] counts = new long[c];
        for (int[] idx : Batches.sequential(train.size(), 256)) {
            INDArray x = views.plain(train, idx, cfg.teacherInput())[0];
            INDArray f = teacher.featuresAndLogits(x)[0].castTo(DataType.DOUBLE);
            for (int i = 0; i < idx.length; i++) {
                int l = train.labels()[idx[i]];
                sums.getRow(l).addi(f.getRow(i));
                counts[l]++;
            }
        }
        for (int k = 0; k < c; k++) {
            if (counts[k] == 0) throw new IllegalStateException("class " + k + " (" + train.classNames().get(k) + ") has no training image");
            sums.getRow(k).divi(counts[k]);
        }
        return sums.castTo(DataType.FLOAT);
    }

    /**
     * The logits of the last training step. SameDiff's fit computes no loss value (the gradient does not
     * need it: softmax cross-entropy's backward starts from the logits), so the step's cross-entropy is
     * computed from these.
     */
    private static final class LastLogits extends BaseListener {
        INDArray logits;

        @Override
        public boolean isActive(Operation operation) {
            return operation == Operation.TRAINING;
        }

        @Override
        public void opExecution(SameDiff sd, At at, org.nd4j.linalg.dataset.api.MultiDataSet batch, SameDiffOp op,
                OpContext context, INDArray[] outputs) {
            List<String> names = op.getOutputsOfOp();
            int i = names == null ? -1 : names.indexOf(ResNet.LOGITS);
            if (i >= 0) logits = outputs[i].dup();
        }
    }

    /** Mean cross-entropy of logits against one-hot labels, in float64. */
    static double crossEntropy(INDArray logits, INDArray oneHot) {
        double[][] z = logits.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] y = oneHot.castTo(DataType.DOUBLE).toDoubleMatrix();
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z[i]) max = Math.max(max, v);
            double lse = 0;
            for (double v : z[i]) lse += Math.exp(v - max);
            lse = Math.log(lse) + max;
            for (int k = 0; k < z[i].length; k++) sum += y[i][k] * (lse - z[i][k]);
        }
        return sum / z.length;
    }

    private final LastLogits lastLogits = new LastLogits();


    /** The student's view of images {@code idx} and, where there is a teacher, the teacher's view of the same crops. */
    private INDArray[] inputs(int[] idx, Augment augment, SplittableRandom rnd) {
        return teacher == null ? views.batch(train, idx, augment, rnd, cfg.input())
                : views.batch(train, idx, augment, rnd, cfg.input(), cfg.teacherInput());
    }

    /**
     * The label arrays of a batch in the order of the graph's label mapping (which a resumed graph brings
     * with it); {@code t}: the teacher's features, logits and the outputs of {@link #mapStages}.
     */
    private List<INDArray> labels(SameDiff sd, int[] idx, INDArray[] t) {
        List<INDArray> labels = new ArrayList<>();
        for (String name : sd.getTrainingConfig().getDataSetLabelMapping()) {
            if (name.equals(ONE_HOT)) labels.add(train.oneHot(idx));
            else if (name.equals(LABEL)) labels.add(train.labelIndices(idx));
            else if (name.equals(TEACHER_FEATURES)) labels.add(t[0]);
            else if (name.equals(TEACHER_LOGITS)) labels.add(t[1]);
            else {
                int at = -1;
                for (int q = 0; q < mapStages.length; q++) if (name.equals(teacherStage(mapStages[q]))) at = q;
                if (at < 0) throw new IllegalStateException(cfg.name() + ": the graph wants an input '" + name + "' this trainer does not make");
                labels.add(t[2 + at]);
            }
        }
        return labels;
    }

    /** The stages the terms on maps of {@code loss} read, for streams of {@code stages} stages. */
    static int[] mapStages(Objective loss, int stages) {
        java.util.TreeSet<Integer> used = new java.util.TreeSet<>();
        for (Objective.Weighted w : loss.reading(Term.Reads.MAPS).terms()) {
            for (int k : ((Term.OnStages) w.term()).stages(stages)) used.add(k);
        }
        return used.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The teacher's features and logits for training step {@code step} of {@code epoch}, from its memo where they fit. */
    private INDArray[] teacherOutputs(int epoch, int step, int[] idx, INDArray view) {
        if (!shareTeacherOutputs) return teacherNow(view);
        TeacherOutputs o = teacher.memo(new TeacherStep(train, views, cfg.teacherInput(), cfg.augment(), cfg.seed(), cfg.batch(), epoch, step),
                () -> {
                    INDArray[] t = teacher.featuresAndLogits(view);
                    return new TeacherOutputs(idx.clone(), t[0].dup(), t[1].dup());
                });
        if (!java.util.Arrays.equals(o.idx(), idx)) {
            throw new IllegalStateException(cfg.name() + ": the teacher's memo holds another batch for epoch " + epoch + ", step " + step);
        }
        return new INDArray[] {o.features(), o.logits()};
    }

    /** The teacher's features, logits and {@link #mapStages} outputs of {@code view}, computed now. */
    private INDArray[] teacherNow(INDArray view) {
        String[] names = new String[2 + mapStages.length];
        names[0] = ResNet.FEATURES;
        names[1] = ResNet.LOGITS;
        for (int q = 0; q < mapStages.length; q++) names[2 + q] = ResNet.stage(mapStages[q]);
        return teacher.outputs(view, names);
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
            List<INDArray> labels = labels(sd, fixed[b], teacher == null ? null : teacherNow(v[1]));
            java.util.Map<String, INDArray> ph = new java.util.HashMap<>();
            ph.put(ResNet.INPUT, v[0]);
            List<String> names = sd.getTrainingConfig().getDataSetLabelMapping();
            for (int i = 0; i < names.size(); i++) ph.put(names.get(i), labels.get(i));
            sum += sd.output(ph, LOSS).get(LOSS).getDouble(0);
        }
        return sum / n;
    }

    private double epoch(Network net, int epoch, int steps) {
        SameDiff sd = net.graph();
        int[][] order = Batches.shuffled(train.size(), cfg.batch(), cfg.seed(), epoch);
        SplittableRandom rnd = new SplittableRandom(cfg.seed() * 31 + epoch);
        listener.epochStarted(cfg.name(), epoch + 1, cfg.epochs(), steps);
        cfg.loss().term(Dkd.class).ifPresent(d -> sd.getVariable(DKD_RAMP).getArr().assign(d.ramp(epoch)));
        double sum = 0;
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            int[] idx = order[s];
            INDArray[] v = inputs(idx, cfg.augment(), rnd);
            List<INDArray> labels = labels(sd, idx, teacher == null ? null : teacherOutputs(epoch, s, idx, v[1]));
            BatchNorm.setTraining(sd, true);
            double loss;
            try {
                lastLogits.logits = null;
                sd.fit(new MultiDataSet(new INDArray[] {v[0]}, labels.toArray(new INDArray[0])), lastLogits);
                loss = lastLogits.logits == null ? Double.NaN : crossEntropy(lastLogits.logits, labels.get(0));
            } finally {
                BatchNorm.setTraining(sd, false);
            }
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException(cfg.name() + ": loss became " + loss + " at epoch " + (epoch + 1) + ", step " + (s + 1)
                        + "; lower the learning rate (" + cfg.lr() + ") or the weights of the loss (" + cfg.loss() + ")");
            }
            sum += loss;
            double ips = (s + 1) * (double) cfg.batch() / ((System.nanoTime() - t0) / 1e9);
            listener.step(cfg.name(), epoch + 1, s + 1, steps, sum / (s + 1), ips);
        }
        return sum / steps;
    }

    private String fingerprint() {
        return cfg + "|" + train.size() + "x" + train.imageSize() + "|" + (teacher == null ? "-" : teacher.spec().toString());
    }

    private static Properties read(Path state) {
        if (!Files.isRegularFile(state)) return null;
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(state)) {
            p.load(r);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint state " + state, e);
        }
    }

    /** Graph first, then the state that points at it, each by an atomic rename: a kill leaves a consistent pair. */
    private void checkpoint(Network net, Path ckpt, Path state, String fingerprint, List<EpochMetrics> history) {
        try {
            Files.createDirectories(dir);
            Path tmp = ckpt.resolveSibling(ckpt.getFileName() + ".tmp");
            net.graph().save(tmp.toFile(), true);
            Files.move(tmp, ckpt, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Properties p = new Properties();
            p.setProperty("config", fingerprint);
            p.setProperty("epochsDone", String.valueOf(history.size()));
            for (int e = 0; e < history.size(); e++) {
                EpochMetrics m = history.get(e);
                p.setProperty("ce." + e, String.valueOf(m.trainCe()));
                p.setProperty("objective." + e, String.valueOf(m.objective()));
                p.setProperty("top1." + e, String.valueOf(m.testTop1()));
                p.setProperty("lr." + e, String.valueOf(m.lr()));
                p.setProperty("seconds." + e, String.valueOf(m.seconds()));
            }
            Path tmpState = state.resolveSibling(state.getFileName() + ".tmp");
            try (var w = Files.newBufferedWriter(tmpState)) {
                p.store(w, "horkd stage checkpoint");
            }
            Files.move(tmpState, state, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + ckpt, e);
        }
    }
}
