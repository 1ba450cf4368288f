package io.horkd.benchmarks;

import io.horkd.train.stage.StageTrainer;
import java.util.concurrent.TimeUnit;
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
 * What a step of a method pays for its teacher, beside {@link MethodStepBenchmark}'s student step: the HR
 * teacher's forward pass on the step's 128 images, with its stage outputs ({@code maps}, every stage: AT and
 * DCT; what a student on stage outputs computes at every step) or its features and logits alone
 * ({@code pooled}: what KD, HORKD, PKT and DKD read, and the pipeline keeps in the teacher's memo).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-Dopexec=io.horkd.nd4j.HorkdOpExecutioner"})
public class MethodTeacherBenchmark {
    @Param({"pooled", "maps"})
    String outputs;

    private StageTrainer trainer;
    private int next;

    @Setup
    public void setup() {
        trainer = MethodStepBenchmark.trainer(io.horkd.core.loss.Objective.parse(outputs.equals("maps") ? "ce + at" : "ce + kd"));
    }

    @Benchmark
    public Object teacherForward() {
        next = (next + 1) % MethodStepBenchmark.BATCHES;
        return trainer.teacherStep(0, next);
    }
}
