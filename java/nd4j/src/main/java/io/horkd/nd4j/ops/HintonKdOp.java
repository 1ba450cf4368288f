package io.horkd.nd4j.ops;

import io.horkd.core.backend.Backends;
import io.horkd.nd4j.HorkdNd4j;
import io.horkd.core.backend.reference.ReferenceLosses;
import io.horkd.core.loss.GradientSink;
import io.horkd.core.loss.HintonKd;
import io.horkd.core.loss.LossInput;
import io.horkd.nd4j.JavaCustomOp;
import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code horkd_hinton_kd} (inputs: student logits, teacher logits, {@code [m, C]} or {@code [B, m, C]};
 * t-argument: temperature) and, as {@link Grad}, {@code horkd_hinton_kd_grad}. Same float32/float64
 * split as the other loss ops.
 */
public class HintonKdOp extends JavaCustomOp {
    public static final String NAME = "horkd_hinton_kd";

    public HintonKdOp() {}

    public HintonKdOp(SameDiff sd, SDVariable student, SDVariable teacher, double temperature) {
        super(sd, new SDVariable[] {student, teacher});
        HintonKd.withTemperature(temperature); // validates
        addTArgument(temperature);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    public long opHash() {
        return 0x686F726B64000030L;
    }

    double temperature() {
        return tArgs()[0];
    }

    @Override
    public List<LongShapeDescriptor> outputShapes(List<INDArray> inputs) {
        return LossComputation.valueShape(inputs.get(0));
    }

    @Override
    public void execute(List<INDArray> inputs, List<INDArray> outputs) {
        LossComputation.writeValues(compute(temperature(), inputs.get(0), inputs.get(1), null, null), outputs.get(0));
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        SDVariable[] in = {arg(0), arg(1), gradients.get(0)};
        return Arrays.asList(new Grad(sameDiff, in, temperature()).outputVariables());
    }

    /** Values per problem; with upstream != null, dOut/ds into ds (overwritten). */
    static double[] compute(double temperature, INDArray s, INDArray t, INDArray upstream, INDArray ds) {
        HintonKd kd = HintonKd.withTemperature(temperature);
        LossInput in = LossInput.of(NdViews.features(s, "student logits"), NdViews.features(t, "teacher logits"));
        double[] up = upstream == null ? null : upstream.castTo(DataType.DOUBLE).dup().data().asDouble();
        if (s.dataType() != DataType.DOUBLE) {
            GradientSink sink = ds == null ? null : GradientSink.into(NdViews.features(ds, "student gradient")).upstream(up);
            return kd.compute(HorkdNd4j.backend(), in, sink);
        }
        kd.compute(Backends.reference(), in, null); // the checks of the float path
        int batch = in.student().batch();
        double[] values = new double[batch];
        for (int b = 0; b < batch; b++) {
            ReferenceLosses.Result r = ReferenceLosses.hinton(NdViews.problem(s, b), NdViews.problem(t, b), temperature);
            values[b] = r.value();
            if (ds != null) {
                INDArray target = s.rank() == 3 ? ds.slice(b) : ds;
                target.assign(Nd4j.createFromArray(r.dStudent()).mul(up[b]).castTo(ds.dataType()));
            }
        }
        return values;
    }

    /** {@code horkd_hinton_kd_grad}: inputs student logits, teacher logits, dOut/dKD; output dOut/ds. */
    public static class Grad extends JavaCustomOp {
        public static final String NAME = "horkd_hinton_kd_grad";

        public Grad() {}

        public Grad(SameDiff sd, SDVariable[] inputs, double temperature) {
            super(sd, inputs);
            addTArgument(temperature);
        }

        @Override
        public String opName() {
            return NAME;
        }

        @Override
        public long opHash() {
            return 0x686F726B64000031L;
        }

        @Override
        public List<LongShapeDescriptor> outputShapes(List<INDArray> inputs) {
            INDArray s = inputs.get(0);
            return List.of(LongShapeDescriptor.fromShape(s.shape(), s.dataType()));
        }

        @Override
        public void execute(List<INDArray> inputs, List<INDArray> outputs) {
            compute(tArgs()[0], inputs.get(0), inputs.get(1), inputs.get(2), outputs.get(0));
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            throw new UnsupportedOperationException(NAME + " has no second derivative");
        }
    }
}
