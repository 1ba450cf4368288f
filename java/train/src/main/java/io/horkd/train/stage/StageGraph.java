package io.horkd.train.stage;

import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.DctAttention;
import io.horkd.core.loss.Dkd;
import io.horkd.core.loss.FitNetHint;
import io.horkd.core.loss.Objective;
import io.horkd.core.loss.Term;
import io.horkd.nd4j.HorkdLoss;
import io.horkd.nd4j.nn.BatchNorm;
import io.horkd.nd4j.nn.ReluOp;
import io.horkd.train.data.ImageSet;
import io.horkd.train.model.Network;
import io.horkd.train.model.ResNet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * A stage's training graph: the stream's graph plus placeholders for what the labels and the teacher
 * feed, the ops of the stage's {@link Objective} (CE is SameDiff's; the terms on features, on logits and
 * on each stage's maps are horkd's ops), FitNet's regressors, and the training configuration; and its
 * inverse, a batch's label arrays in the order the graph takes them ({@link #labels}).
 */
final class StageGraph {
    private StageGraph() {}

    static final String LOSS = "loss";
    static final String ONE_HOT = "label_onehot";
    static final String LABEL = "label";
    static final String TEACHER_FEATURES = "teacher_features";
    static final String TEACHER_LOGITS = "teacher_logits";
    /** The DKD term's ramp factor, a constant the trainer sets at the start of every epoch. */
    static final String DKD_RAMP = "dkd_ramp";

    /** The student's projection to the teacher's width, where a term needs one. */
    static final String PROJECTION = "projection";

    /** The placeholder of the discriminator's variable {@code v} in the student's graph. */
    static String discriminator(String v) {
        return "disc/" + v;
    }

    /** The placeholder of the teacher's stage-k output. */
    static String teacherStage(int k) {
        return "teacher_" + ResNet.stage(k);
    }

    /**
     * Adds to {@code net}'s graph the placeholders, the loss of {@code cfg}'s objective (named
     * {@value #LOSS}) and the training configuration (Nesterov momentum on {@link CosineSchedule}, weight
     * decay, the label mapping {@link #labels} follows), for {@code trainSize} training images of
     * {@code classes} classes. {@code teacher}: what the terms read (null for CE alone).
     */
    static void attach(Network net, StageConfig cfg, int trainSize, int classes, Network teacher, int[] mapStages,
            java.util.function.Supplier<INDArray> datasetCentres) {
        SameDiff sd = net.graph();
        Objective w = cfg.loss();
        List<String> labels = new ArrayList<>();
        SDVariable logits = sd.getVariable(ResNet.LOGITS);
        SDVariable features = sd.getVariable(ResNet.FEATURES);
        SDVariable oneHot = sd.placeHolder(ONE_HOT, DataType.FLOAT, -1, classes);
        labels.add(ONE_HOT);
        // CE = -mean_i sum_c y_ic log softmax(z_i)_c, from ND4J's log-softmax, whose backward takes the gradient
        // from above: ND4J's loss ops ignore it (a loss op is taken to be the graph's last), so their weight
        // would scale the value and not the gradient (StageTrainerTest.theWeightOfCeScalesItsGradient).
        // dCE/dz_i = (softmax(z_i) - y_i) / m. Every other term is horkd's.
        SDVariable total = oneHot.mul(sd.nn().logSoftmax(logits)).sum(1).mean().neg().mul("ce", w.weight("ce"));
        Objective onFeatures = w.reading(Term.Reads.FEATURES).without("adv");
        SDVariable p = null;
        if (!onFeatures.isEmpty() || w.has("adv")) {
            int dt = teacher.featureSize();
            int ds = net.featureSize();
            if ((w.has("l1") || w.has("lc") || w.has("mmd") || w.has("adv")) && dt != ds) { // terms in the teacher's space
                SplittableRandom r = new SplittableRandom(cfg.seed() ^ 0x5EED);
                double[] v = new double[dt * ds];
                for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian() / Math.sqrt(ds);
                p = sd.var(PROJECTION, Nd4j.createFromArray(v).castTo(DataType.FLOAT).reshape(dt, ds));
            }
        }
        if (!onFeatures.isEmpty()) {
            SDVariable t = sd.placeHolder(TEACHER_FEATURES, DataType.FLOAT, -1, teacher.featureSize());
            labels.add(TEACHER_FEATURES);
            HorkdLoss loss = HorkdLoss.of(onFeatures);
            SDVariable lab = null;
            if (batchCenters(w)) {
                lab = sd.placeHolder(LABEL, DataType.INT, -1);
                labels.add(LABEL);
            } else if (w.has("lc")) {
                loss = loss.withCenters(datasetCentres.get().dup());
            }
            total = total.add(loss.on(sd, features, t, lab, p));
        }
        if (w.has("adv")) {
            // The generator term BCE(D(P g), 1): D's weights are inputs fed at every step (its own optimiser trains
            // them), so the student's gradient reaches g and P only.
            int dt = teacher.featureSize();
            long[][] shapes = Discriminator.shapes(dt);
            SDVariable[] d = new SDVariable[Discriminator.VARIABLES.length];
            for (int q = 0; q < d.length; q++) {
                d[q] = sd.placeHolder(discriminator(Discriminator.VARIABLES[q]), DataType.FLOAT, shapes[q]);
                labels.add(discriminator(Discriminator.VARIABLES[q]));
            }
            SDVariable x = p == null ? features : features.mmul(sd.transpose(p));
            SDVariable logit = Discriminator.logit(sd, x, d[0], d[1], d[2], d[3], d[4], d[5]);
            // BCE(sigmoid(l), 1) = softplus(-l) = relu(-l) + log(1 + exp(-|l|)), finite for any l, its gradient
            // sigmoid(l) - 1 (but 0 instead of -1/2 at l = 0 exactly, where |l| and relu have their kinks); not
            // ND4J's loss op, which would drop the term's weight from the gradient (as for CE above).
            SDVariable generator = sd.nn().relu(logit.neg(), 0).add(sd.math().log1p(sd.math().exp(sd.math().abs(logit).neg()))).mean();
            total = total.add(generator.mul("adv", w.weight("adv")));
        }
        Objective onLogits = w.reading(Term.Reads.LOGITS).without("ce");
        Optional<Dkd> dkd = w.term(Dkd.class);
        boolean gated = w.term(DctAttention.class).map(DctAttention::gate).orElse(false);
        boolean needsTeacherLogits = !onLogits.isEmpty() || gated;
        SDVariable tl = null;
        if (needsTeacherLogits) {
            tl = sd.placeHolder(TEACHER_LOGITS, DataType.FLOAT, -1, classes);
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
                SDVariable regressed = ReluOp.apply(sd, name + "/relu", BatchNorm.apply(sd, name + "/bn", conv, ct));
                total = total.add(HorkdLoss.of(Objective.of(w.weight("fitnet"), fitnet.get())).on(sd, regressed, tk));
            }
        }
        total.rename(LOSS);
        sd.setLossVariables(LOSS);
        int steps = trainSize / cfg.batch();
        int totalSteps = steps * cfg.epochs();
        CosineSchedule lr = new CosineSchedule(cfg.lr(), Math.min(totalSteps - 1, Math.max(0, steps / 10)), totalSteps);
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Nesterovs(lr, 0.9)).l2(cfg.weightDecay())
                .dataSetFeatureMapping(ResNet.INPUT).dataSetLabelMapping(labels.toArray(new String[0])).build());
    }

    /** Whether any term needs a teacher: every term but CE. */
    static boolean needsTeacher(Objective loss) {
        return !loss.without("ce").isEmpty();
    }

    static boolean batchCenters(Objective loss) {
        return loss.term(CenterLoss.class).map(c -> c.scope() == CenterLoss.Scope.BATCH).orElse(false);
    }

    /**
     * The label arrays of a batch in the order of the graph's label mapping (which a resumed graph brings
     * with it); {@code t}: the teacher's features, logits and the outputs of {@code mapStages}.
     */
    static List<INDArray> labels(SameDiff sd, ImageSet train, int[] idx, int[] mapStages, INDArray[] t) {
        return labels(sd, train, idx, mapStages, t, java.util.Map.of());
    }

    /** As above, with the discriminator's weights ({@code Discriminator#weights}) for the adversarial term. */
    static List<INDArray> labels(SameDiff sd, ImageSet train, int[] idx, int[] mapStages, INDArray[] t,
            java.util.Map<String, INDArray> discriminator) {
        List<INDArray> labels = new ArrayList<>();
        for (String name : sd.getTrainingConfig().getDataSetLabelMapping()) {
            if (name.equals(ONE_HOT)) labels.add(train.oneHot(idx));
            else if (name.equals(LABEL)) labels.add(train.labelIndices(idx));
            else if (name.equals(TEACHER_FEATURES)) labels.add(t[0]);
            else if (name.equals(TEACHER_LOGITS)) labels.add(t[1]);
            else if (name.startsWith("disc/")) {
                INDArray v = discriminator.get(name.substring("disc/".length()));
                if (v == null) throw new IllegalStateException("the graph wants the discriminator's '" + name + "' and none is given");
                labels.add(v);
            } else {
                int at = -1;
                for (int q = 0; q < mapStages.length; q++) if (name.equals(teacherStage(mapStages[q]))) at = q;
                if (at < 0) throw new IllegalStateException("the graph wants an input '" + name + "' no stage makes");
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
}
