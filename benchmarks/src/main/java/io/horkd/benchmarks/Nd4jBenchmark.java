package io.horkd.benchmarks;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * The same losses as a DL4J user writes them in SameDiff ({@link Nd4jRkd}: RKD's broadcast form,
 * autodiff for the backward), on ND4J's CPU backend with oneDNN and all cores. Off-heap memory is capped
 * below the machine's RAM so that sizes which do not fit fail with ND4J's OutOfMemoryError.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dorg.bytedeco.javacpp.maxbytes=16G",
    "-Dorg.bytedeco.javacpp.maxphysicalbytes=18G"})
public class Nd4jBenchmark {
    @Param({"64", "128", "256", "512", "2048"})
    int m;

    @Param({"128", "512", "2048"})
    int d;

    @Param({"DISTANCE", "ANGLE"})
    Nd4jRkd.Loss loss;

    private Nd4jRkd graph;
    private INDArray s;
    private INDArray t;

    @Setup
    public void setup() {
        BenchInputs in = new BenchInputs(m, d, loss);
        s = Nd4j.create(in.student, new long[] {m, d}, 'c');
        t = Nd4j.create(in.teacher, new long[] {m, d}, 'c');
        graph = new Nd4jRkd(loss, m, d, d, DataType.FLOAT);
    }

    @Benchmark
    public INDArray forwardBackward() {
        return graph.gradient(s, t);
    }
}
