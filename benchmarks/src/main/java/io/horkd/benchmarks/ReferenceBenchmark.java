package io.horkd.benchmarks;

import io.horkd.core.backend.Backends;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * horkd's float64 reference (one thread, explicit loops), forward and backward. Sizes stop at m = 512:
 * its angle loss is a scalar loop over m^3 triplets (minutes at m = 2048).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g"})
public class ReferenceBenchmark {
    @Param({"64", "128", "256", "512"})
    int m;

    @Param({"128", "512", "2048"})
    int d;

    @Param({"DISTANCE", "ANGLE"})
    Nd4jRkd.Loss loss;

    private BenchInputs in;
    private Features grad;

    @Setup
    public void setup() {
        in = new BenchInputs(m, d, loss);
        grad = Features.zeros(1, m, d);
    }

    @Benchmark
    public Features forwardBackward() {
        in.loss.compute(Backends.reference(), in.input, GradientSink.into(grad));
        return grad;
    }
}
