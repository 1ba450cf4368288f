package io.horkd.benchmarks;

import io.horkd.core.loss.Objective;
import io.horkd.nd4j.HorkdNd4j;
import io.horkd.nd4j.HorkdOpExecutioner;
import io.horkd.train.config.DistillConfig;
import io.horkd.train.data.Augment;
import io.horkd.train.data.Degrade;
import io.horkd.train.data.ImageSet;
import io.horkd.train.data.Views;
import io.horkd.train.model.Network;
import io.horkd.train.model.ResNetSpec;
import io.horkd.train.pipeline.Pipeline;
import io.horkd.train.stage.StageConfig;
import io.horkd.train.stage.StageTrainer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step of the default run's LR student (ResNet-8, width 16, 14x14 input, m = 128) under each
 * method's objective in the default preset, built by the pipeline's own {@link StageTrainer} from an HR teacher of the default
 * assistant's shape (ResNet-8 at 28x28, random weights: timing does not depend on them). The step is
 * SameDiff's forward, backward and update; the teacher's outputs of the step are inputs, computed outside
 * the measurement (for the terms on stage outputs they are computed at every real step, see
 * {@link MethodTeacherBenchmark}). Each iteration prints the time inside horkd's ops per step
 * ({@link HorkdOpExecutioner#nanosInHorkdOps()}) and its share of the step: the method's CPU path, measured
 * in the same steps.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 5) // steps still get faster after 2 (JIT): 110 -> 55 ms for AT
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-Dopexec=io.horkd.nd4j.HorkdOpExecutioner"})
public class MethodStepBenchmark {
    /** The default preset's objective of {@code method}: CE alone, its HORKD students', or one of its methods. */
    static Objective objective(String method) {
        DistillConfig d = DistillConfig.load("default", List.of());
        return method.equals("ce") ? DistillConfig.CE : method.equals("horkd") ? d.studentLoss() : d.method(method);
    }

    @Param({"ce", "horkd", "kd", "fitnet", "at", "dct", "sp", "pkt", "dkd"})
    String method;

    static final int BATCHES = 8;

    private Network net;
    private MultiDataSet[] batches;
    private int next;
    private Map<String, INDArray> initial;

    /** The default run's data (the first images of Fashion-MNIST, 28x28, 10 classes), the student at factor 2. */
    static StageTrainer trainer(Objective objective) {
        return trainer(objective, ResNetSpec.of("resnet8").withWidth(16), Degrade.by(2), true);
    }

    /**
     * The same for {@code net} seeing {@code input}, with an HR teacher of the same shape (random weights)
     * or none ({@code withTeacher} false: CE only).
     */
    static StageTrainer trainer(Objective objective, ResNetSpec net, Degrade input, boolean withTeacher) {
        HorkdNd4j.install();
        DistillConfig d = DistillConfig.load("default", List.of("data.trainLimit=" + 128 * BATCHES, "data.testLimit=128"));
        ImageSet train = Pipeline.data(d).train();
        Views views = Views.standardising(train);
        Network teacher = withTeacher ? Network.create(net, train.channels(), train.classes(), 5) : null;
        StageConfig cfg = new StageConfig("bench", net, input, Degrade.NONE, objective, 1, 128, 0.1, 5e-4,
                new Augment(2, true), 1);
        return new StageTrainer(cfg, train, train, views, teacher, Path.of(System.getProperty("java.io.tmpdir")), null);
    }

    @Setup
    public void setup() {
        StageTrainer trainer = trainer(objective(method));
        net = trainer.prepare(null);
        batches = new MultiDataSet[BATCHES];
        for (int b = 0; b < BATCHES; b++) batches[b] = trainer.batch(net, 0, b);
        initial = new HashMap<>();
        for (SDVariable v : net.graph().variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) initial.put(v.name(), v.getArr().dup());
        }
        io.horkd.nd4j.nn.BatchNorm.setTraining(net.graph(), true);
        net.graph().fit(batches[0]); // the gradient graph and the updater state, outside the measurement
    }

    private long steps;
    private long nanosAtStart;
    private long wallAtStart;

    @Setup(Level.Iteration)
    public void startIteration() {
        initial.forEach((name, value) -> net.graph().getVariable(name).getArr().assign(value));
        steps = 0;
        nanosAtStart = HorkdOpExecutioner.nanosInHorkdOps();
        wallAtStart = System.nanoTime();
    }

    @TearDown(Level.Iteration)
    public void reportShare() {
        if (steps == 0) return;
        double step = (System.nanoTime() - wallAtStart) / 1e6 / steps;
        double inHorkd = (HorkdOpExecutioner.nanosInHorkdOps() - nanosAtStart) / 1e6 / steps;
        System.out.printf("%n[share] method=%s (%s) step=%.3f ms horkd ops=%.3f ms (%.1f%%)%n", method, objective(method), step,
                inHorkd, 100 * inHorkd / step);
    }

    @Benchmark
    public Object step() {
        MultiDataSet batch = batches[next];
        next = (next + 1) % BATCHES;
        steps++;
        return net.graph().fit(batch);
    }
}
