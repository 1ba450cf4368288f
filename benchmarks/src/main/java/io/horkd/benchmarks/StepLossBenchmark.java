package io.horkd.benchmarks;

import io.horkd.core.loss.Objective;
import io.horkd.nd4j.HorkdLoss;
import io.horkd.nd4j.HorkdNd4j;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The distillation heads of {@link TrainingStepBenchmark} alone, at the step's shapes (student features
 * {@code [m, 128]}, teacher {@code [m, 256]}): forward and backward through SameDiff, as inside the step.
 * Divided by the step's time, this is the loss's share of a step, measured without the step's noise.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dopexec=io.horkd.nd4j.HorkdOpExecutioner"})
public class StepLossBenchmark {
    public enum Head {
        HORKD_RKD,
        HORKD_PAPER,
        ND4J_RKD
    }

    @Param({"128"})
    int m;

    @Param({"HORKD_RKD", "HORKD_PAPER", "ND4J_RKD"})
    Head head;

    private SameDiff sd;
    private Map<String, INDArray> placeholders;
    private String[] wrt;

    @Setup
    public void setup() {
        HorkdNd4j.install();
        SplittableRandom rnd = new SplittableRandom(11);
        int ds = TrainingStepBenchmark.DS;
        int dt = TrainingStepBenchmark.DT;
        sd = SameDiff.create();
        SDVariable s = sd.var("s", TrainingStepBenchmark.gaussian(rnd, m, ds));
        SDVariable t = sd.placeHolder("t", DataType.FLOAT, -1, dt);
        INDArray teacher = TrainingStepBenchmark.gaussian(rnd, m, dt);
        SDVariable loss = switch (head) {
            case HORKD_RKD -> HorkdLoss.of(Objective.parse("0.02*l2 + 0.01*l3")).on(sd, s, t);
            case HORKD_PAPER -> {
                SDVariable l = sd.constant("l", TrainingStepBenchmark.oneHot(rnd, m).argMax(1).castTo(DataType.INT));
                SDVariable p = sd.var("p", TrainingStepBenchmark.gaussian(rnd, dt, ds).muli(Math.sqrt(1.0 / dt)));
                yield HorkdLoss.of(Objective.PAPER)
                        .withCenters(TrainingStepBenchmark.gaussian(rnd, TrainingStepBenchmark.CLASSES, dt))
                        .on(sd, s, t, l, p);
            }
            case ND4J_RKD -> Nd4jRkd.distance(sd, "rkd_d", s, t, m).mul(0.02)
                    .add(Nd4jRkd.angle(sd, "rkd_a", s, t, m, ds, dt).mul(0.01));
        };
        loss.rename("loss");
        sd.setLossVariables("loss");
        placeholders = Map.of("t", teacher);
        wrt = head == Head.HORKD_PAPER ? new String[] {"s", "p"} : new String[] {"s"};
        sd.calculateGradients(placeholders, wrt);
    }

    @Benchmark
    public Object forwardBackward() {
        return sd.calculateGradients(placeholders, wrt);
    }
}
