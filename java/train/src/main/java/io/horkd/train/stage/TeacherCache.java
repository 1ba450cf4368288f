package io.horkd.train.stage;

import io.horkd.core.loss.CenterAccumulator;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import io.horkd.train.data.Augment;
import io.horkd.train.data.Batches;
import io.horkd.train.data.Degrade;
import io.horkd.train.data.ImageSet;
import io.horkd.train.data.Views;
import io.horkd.train.model.Network;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a frozen teacher computed for the stages it teaches, kept for the next ones: each training step's
 * features and logits, and the dataset-level class centres of each view. The students of one seed (HORKD,
 * KD, RKD, the controls, at every LR factor) see the same teacher inputs step for step, since the batch
 * order and augmentation depend only on the seed and epoch and the teacher sees the HR view.
 *
 * <p>Owned by the run: one per teacher network, handed to every stage that network teaches. Everything
 * is dropped when the teacher's weights change ({@link Network#weightsVersion()}), so a stale entry is
 * never served. Stage outputs (feature maps) are not kept: too large, computed at every step.
 */
public final class TeacherCache {
    /** Everything that fixes a training step's teacher input. */
    record Step(ImageSet train, Views views, Degrade view, Augment augment, long seed, int batch, int epoch, int step) {}

    /** A step's teacher outputs, with the batch they were computed for (checked on every use). */
    private record Outputs(int[] idx, INDArray features, INDArray logits) {}

    /** The dataset-level centres of the teacher seeing {@code view} of {@code train}. */
    private record Centres(ImageSet train, Views views, Degrade view) {}

    /**
     * A stage's step outputs are cached when all of them take at most this much memory: the default run's
     * 64-d features and 10 logits for 6 epochs of 20,000 images take 35 MB.
     */
    static final long STEP_BYTES = 256L << 20;

    private final Network teacher;
    private final Map<Step, Outputs> steps = new HashMap<>();
    private final Map<Centres, INDArray> centres = new HashMap<>();
    private long version;

    public TeacherCache(Network teacher) {
        this.teacher = Objects.requireNonNull(teacher, "teacher");
        this.version = teacher.weightsVersion();
    }

    /** The teacher network. */
    public Network network() {
        return teacher;
    }

    /** The teacher's features and logits of a training step's {@code view} of batch {@code idx}: cached. */
    INDArray[] step(Step key, int[] idx, INDArray view) {
        current();
        Outputs o = steps.computeIfAbsent(key, k -> {
            INDArray[] t = teacher.featuresAndLogits(view);
            return new Outputs(idx.clone(), t[0].dup(), t[1].dup());
        });
        if (!java.util.Arrays.equals(o.idx(), idx)) {
            throw new IllegalStateException("the teacher's cache holds another batch for epoch " + key.epoch() + ", step " + key.step());
        }
        return new INDArray[] {o.features(), o.logits()};
    }

    /**
     * The mean teacher feature per class over {@code train} seen through {@code view} (no augmentation),
     * {@code [classes, d]} float32 ({@link CenterAccumulator}: float64 sums, so batching does not matter):
     * cached.
     */
    INDArray centres(ImageSet train, Views views, Degrade view) {
        current();
        return centres.computeIfAbsent(new Centres(train, views, view), k -> {
            CenterAccumulator acc = new CenterAccumulator(train.classes(), teacher.featureSize());
            for (int[] idx : Batches.sequential(train.size(), 256)) {
                INDArray f = teacher.featuresAndLogits(views.plain(train, idx, view)[0])[0];
                int[] labels = new int[idx.length];
                for (int i = 0; i < idx.length; i++) labels[i] = train.labels()[idx[i]];
                acc.add(Features.of(f.castTo(DataType.FLOAT).dup('c').data().asFloat(), idx.length, teacher.featureSize()),
                        Labels.of(labels, 1, idx.length));
            }
            for (int c = 0; c < train.classes(); c++) {
                if (acc.count(c) == 0) throw new IllegalStateException("class " + c + " (" + train.classNames().get(c) + ") has no training image");
            }
            return Nd4j.create(acc.centers().values().toArray(), new long[] {train.classes(), teacher.featureSize()}, 'c');
        });
    }

    /** Entries held: centres and steps. */
    public int size() {
        current();
        return steps.size() + centres.size();
    }

    private void current() {
        if (teacher.weightsVersion() != version) {
            steps.clear();
            centres.clear();
            version = teacher.weightsVersion();
        }
    }
}
