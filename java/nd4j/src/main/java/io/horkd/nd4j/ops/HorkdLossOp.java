package io.horkd.nd4j.ops;

import io.horkd.nd4j.JavaCustomOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * horkd's loss op: the weighted total of a {@link LossSpec}'s objective (a scalar for {@code [m, d]}
 * inputs, {@code [B]} for {@code [B, m, d]}) and, through {@link #doDiff}, its backward op
 * {@link HorkdLossGradOp}. One class for every objective: its name, {@code horkd_<term>} for one term
 * ({@code horkd_l2}, {@code horkd_kd}, ...) or {@code horkd_objective}, follows from the arguments, which
 * ND4J restores before it next asks for the name (it finds the class by the name a saved graph holds
 * and builds it with the no-argument constructor; see {@link io.horkd.nd4j.HorkdOps}).
 */
public class HorkdLossOp extends JavaCustomOp {
    /** The spec of an op under construction ({@link #of}), for the name ND4J asks for inside the super constructor. */
    static final ThreadLocal<LossSpec> CONSTRUCTING = new ThreadLocal<>();

    private LossSpec spec;

    /** For ND4J's deserialisation; the spec comes back from the arguments. */
    public HorkdLossOp() {}

    /** The op of {@code spec} on {@code inputs} (in {@link LossSpec}'s order), added to {@code sd}. */
    public static HorkdLossOp of(SameDiff sd, SDVariable[] inputs, LossSpec spec) {
        if (inputs.length != spec.inputCount()) {
            throw new IllegalArgumentException(spec.opName() + " takes " + spec.inputCount() + " inputs for " + spec + ", got "
                    + inputs.length);
        }
        CONSTRUCTING.set(spec);
        try {
            return new HorkdLossOp(sd, inputs, spec);
        } finally {
            CONSTRUCTING.remove();
        }
    }

    private HorkdLossOp(SameDiff sd, SDVariable[] inputs, LossSpec spec) {
        super(sd, inputs);
        this.spec = spec;
        addIArgument(spec.iArgs());
        addTArgument(spec.tArgs());
    }

    /** The spec, restored from the arguments where this instance was built by deserialisation. */
    public LossSpec spec() {
        if (spec == null && iArgs().length > 0) spec = LossSpec.fromArgs(iArgs(), tArgs());
        return spec;
    }

    @Override
    public String opName() {
        LossSpec s = spec != null ? spec : CONSTRUCTING.get() != null ? CONSTRUCTING.get() : spec();
        return s == null ? "horkd_loss" : s.opName();
    }

    @Override
    public long opHash() {
        return hash(opName());
    }

    /** A stable hash of horkd's op names (ND4J's lookup goes by name; its executioner never sees these). */
    static long hash(String name) {
        return 0x686F726B64000000L | (name.hashCode() & 0xFFFFFFL);
    }

    @Override
    public void configureFromArguments() {
        spec = LossSpec.fromArgs(iArgs(), tArgs());
    }

    @Override
    public List<LongShapeDescriptor> outputShapes(List<INDArray> inputs) {
        return LossComputation.valueShape(inputs.get(0));
    }

    @Override
    public void execute(List<INDArray> inputs, List<INDArray> outputs) {
        LossComputation.writeValues(LossComputation.forward(spec(), inputs), outputs.get(0));
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        List<SDVariable> in = new ArrayList<>(Arrays.asList(args()));
        in.add(gradients.get(0));
        SDVariable[] grads = HorkdLossGradOp.of(sameDiff, in.toArray(new SDVariable[0]), spec()).outputVariables();
        return Arrays.asList(grads); // student (and projection): the teacher, labels and centres get none
    }
}
