package io.horkd.nd4j.nn;

import io.horkd.nd4j.JavaCustomOp;
import io.horkd.nd4j.nn.BatchNormKernel.Buf;
import io.horkd.nd4j.nn.BatchNormKernel.Layout;
import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * {@code horkd_batch_norm}: per-channel batch normalisation of {@code [N, C]} or {@code [N, C, H, W]}
 * (NCHW), trainable in SameDiff (ND4J 1.0.0-M2.1's own {@code batchNorm} loses its axis when SameDiff
 * clones the graph for gradients, and one composed of basic ops is about 3x slower).
 *
 * <p>Inputs: {@code x}, {@code gamma [C]}, {@code beta [C]}, {@code runningMean [C]}, {@code runningVar [C]}
 * and {@code training}, a scalar: non-zero normalises by the batch's statistics and moves the running
 * ones towards them, in place (so they must be arrays SameDiff does not train: constants); zero
 * normalises by the running statistics. Arguments: {@code eps}, {@code momentum} (the weight of the batch,
 * PyTorch's convention). Build it with {@link BatchNorm}. Kernel and gradient: {@link BatchNormKernel}.
 */
public class BatchNormOp extends JavaCustomOp {
    public static final String NAME = "horkd_batch_norm";

    public BatchNormOp() {}

    public BatchNormOp(SameDiff sd, SDVariable x, SDVariable gamma, SDVariable beta, SDVariable runningMean,
            SDVariable runningVar, SDVariable training, double eps, double momentum) {
        super(sd, new SDVariable[] {x, gamma, beta, runningMean, runningVar, training});
        addTArgument(eps, momentum);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    public long opHash() {
        return 0x686F726B64000040L;
    }

    @Override
    public boolean isLoss() {
        return false;
    }

    @Override
    public List<LongShapeDescriptor> outputShapes(List<INDArray> inputs) {
        INDArray x = inputs.get(0);
        return List.of(LongShapeDescriptor.fromShape(x.shape(), x.dataType()));
    }

    /** Checks the inputs, naming the one at fault; returns the layout. */
    static Layout layout(String op, List<INDArray> in) {
        if (in.size() < 6) throw new IllegalArgumentException(op + " takes x, gamma, beta, runningMean, runningVar, training; got " + in.size() + " inputs");
        INDArray x = in.get(0);
        long[] sh = x.shape();
        if (sh.length != 2 && sh.length != 4) {
            throw new IllegalArgumentException(op + ": x must be [N, C] or [N, C, H, W], got " + Arrays.toString(sh));
        }
        if (!x.dataType().isFPType()) throw new IllegalArgumentException(op + ": x must be floating point, got " + x.dataType());
        if (x.length() > Integer.MAX_VALUE) throw new IllegalArgumentException(op + ": x has more than 2^31 elements: " + Arrays.toString(sh));
        if (sh[0] < 1) throw new IllegalArgumentException(op + ": x has an empty batch: " + Arrays.toString(sh));
        long c = sh[1];
        String[] names = {"gamma", "beta", "runningMean", "runningVar"};
        for (int i = 0; i < names.length; i++) {
            INDArray a = in.get(i + 1);
            if (a.length() != c || a.rank() > 1 && a.length() != a.size(a.rank() - 1)) {
                throw new IllegalArgumentException(op + ": " + names[i] + " must be [C] = [" + c + "] for x "
                        + Arrays.toString(sh) + ", got " + Arrays.toString(a.shape()));
            }
        }
        if (in.get(5).length() != 1) {
            throw new IllegalArgumentException(op + ": training must be a scalar, got " + Arrays.toString(in.get(5).shape()));
        }
        int hw = sh.length == 4 ? Math.toIntExact(sh[2] * sh[3]) : 1;
        return new Layout(Math.toIntExact(sh[0]), Math.toIntExact(c), hw);
    }

    static boolean training(List<INDArray> in) {
        return in.get(5).getDouble(0) != 0;
    }

    @Override
    public void execute(List<INDArray> in, List<INDArray> out) {
        Layout l = layout(opName(), in);
        boolean training = training(in);
        if (training && l.perChannel() < 2) {
            throw new IllegalArgumentException(opName() + ": batch statistics need more than one value per channel, x is "
                    + Arrays.toString(in.get(0).shape()));
        }
        DataType type = in.get(0).dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        Buf runMean = training ? Bufs.inPlace(in.get(3), "runningMean") : Bufs.in(in.get(3), type);
        Buf runVar = training ? Bufs.inPlace(in.get(4), "runningVar") : Bufs.in(in.get(4), type);
        double[] t = tArgs();
        BatchNormKernel.forward(Bufs.in(in.get(0), type), Bufs.in(in.get(1), type), Bufs.in(in.get(2), type), runMean,
                runVar, training, t[0], t[1], l, Bufs.inPlace(out.get(0), "output"));
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        SDVariable[] a = args();
        SDVariable[] grads = new BatchNormGradOp(sameDiff, a, gradients.get(0), tArgs()[0]).outputVariables();
        return Arrays.asList(grads); // x, gamma, beta; the statistics and the flag get none
    }
}
