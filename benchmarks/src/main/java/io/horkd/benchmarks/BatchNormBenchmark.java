package io.horkd.benchmarks;

import io.horkd.nd4j.HorkdNd4j;
import io.horkd.nd4j.nn.BatchNormGradOp;
import io.horkd.nd4j.nn.BatchNormOp;
import java.util.List;
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
 * horkd_batch_norm's forward and backward in training mode at the ResNet streams' shapes (batch 128:
 * 16 x 28 x 28, 32 x 14 x 14, 64 x 7 x 7), against a float32 copy of x ({@code copy}: one read and one
 * write, the memory floor; the forward reads x twice and writes y, the backward reads x and dy twice and
 * writes dx). PyTorch's side at the same shapes: {@code benchmarks/torch-cpu/batch_norm.py}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class BatchNormBenchmark {
    @Param({"16x28", "32x14", "64x7"})
    String shape;

    @Param({"128"})
    int batch;

    private INDArray x, dy, y, dx, copy;
    private List<INDArray> forwardIn, backwardIn;
    private List<INDArray> forwardOut, backwardOut;
    private BatchNormOp forward;
    private BatchNormGradOp backward;

    @Setup
    public void setup() {
        HorkdNd4j.install();
        String[] p = shape.split("x");
        int c = Integer.parseInt(p[0]), s = Integer.parseInt(p[1]);
        Nd4j.getRandom().setSeed(1);
        x = Nd4j.randn(DataType.FLOAT, batch, c, s, s).addi(0.5);
        dy = Nd4j.randn(DataType.FLOAT, batch, c, s, s);
        y = x.ulike();
        dx = x.ulike();
        copy = x.ulike();
        INDArray gamma = Nd4j.rand(DataType.FLOAT, c).addi(0.5), beta = Nd4j.randn(DataType.FLOAT, c);
        INDArray mean = Nd4j.zeros(DataType.FLOAT, c), var = Nd4j.ones(DataType.FLOAT, c);
        INDArray training = Nd4j.scalar(DataType.FLOAT, 1f);
        forward = new BatchNormOp();
        forward.addTArgument(1e-5, 0.1);
        backward = new BatchNormGradOp();
        backward.addTArgument(1e-5);
        forwardIn = List.of(x, gamma, beta, mean, var, training);
        forwardOut = List.of(y);
        backwardIn = List.of(x, gamma, beta, mean, var, training, dy);
        backwardOut = List.of(dx, gamma.ulike(), beta.ulike());
    }

    @Benchmark
    public INDArray forward() {
        forward.execute(forwardIn, forwardOut);
        return y;
    }

    @Benchmark
    public INDArray backward() {
        backward.execute(backwardIn, backwardOut);
        return dx;
    }

    @Benchmark
    public INDArray copy() {
        return copy.assign(x);
    }
}
