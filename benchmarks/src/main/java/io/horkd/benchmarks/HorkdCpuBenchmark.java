package io.horkd.benchmarks;

import io.horkd.core.backend.cpu.CpuBackend;
import io.horkd.core.loss.GradientSink;
import io.horkd.core.tensor.Features;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** horkd's fast float32 CPU backend, forward and backward of one loss, on all cores. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g"})
public class HorkdCpuBenchmark {
    @Param({"64", "128", "256", "512", "2048"})
    int m;

    @Param({"128", "512", "2048"})
    int d;

    @Param({"DISTANCE", "ANGLE"})
    Nd4jRkd.Loss loss;

    private BenchInputs in;
    private CpuBackend cpu;
    private Features grad;

    @Setup
    public void setup() {
        in = new BenchInputs(m, d, loss);
        cpu = new CpuBackend();
        grad = Features.zeros(1, m, d);
    }

    @Benchmark
    public Features forwardBackward() {
        in.loss.compute(cpu, in.input, GradientSink.into(grad));
        return grad;
    }

    @TearDown
    public void close() {
        cpu.close();
    }
}
