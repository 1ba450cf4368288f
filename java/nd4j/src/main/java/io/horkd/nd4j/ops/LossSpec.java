package io.horkd.nd4j.ops;

import io.horkd.core.loss.Objective;
import io.horkd.core.loss.Term;
import io.horkd.core.loss.TermKind;
import io.horkd.core.loss.Terms;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a horkd loss op computes: an {@link Objective} whose terms all read the same input, and which
 * optional inputs the op has. Encoded in the op's integer and floating-point arguments, the only ones
 * that survive SameDiff's serialisation (and the cloning through FlatBuffers by which SameDiff builds
 * gradient graphs):
 * <pre>
 *   i-args: VERSION, term count n, then per term: its id and its enum/int/boolean options in record order;
 *           then has projection, has labels, has centres, has teacher logits
 *   t-args: per term: its weight and its double options in record order
 * </pre>
 * Enum options travel as ordinals, so their constants are only ever appended. The op's inputs follow in this order: student, projection (if any), teacher, labels (if any),
 * centres (if any), teacher logits (if any). Terms on maps take {@code [m, C, H, W]} student and teacher
 * inputs (their sizes may differ); the others {@code [m, d]} or {@code [B, m, d]}. Everything that gets a gradient comes first, so the op's backward returns a short
 * list and the teacher, labels and centres get none.
 */
public record LossSpec(Objective objective, boolean hasProjection, boolean hasLabels, boolean hasCenters,
        boolean hasTeacherLogits) {
    /** The layout of the arguments; a graph saved with another layout is refused by name. */
    static final int VERSION = 2;

    /** Without the teacher's logits (which only DCT attention's gating reads). */
    public LossSpec(Objective objective, boolean hasProjection, boolean hasLabels, boolean hasCenters) {
        this(objective, hasProjection, hasLabels, hasCenters, false);
    }

    public LossSpec {
        Objects.requireNonNull(objective, "objective");
        if (objective.isEmpty()) throw new IllegalArgumentException("a loss op needs at least one term");
        Term.Reads reads = objective.terms().get(0).term().reads();
        if (!objective.reading(reads).equals(objective)) {
            throw new IllegalArgumentException("the terms of one op must read the same input; " + objective
                    + " has terms on different inputs (features, logits, maps): give each part its own op");
        }
    }

    public Term.Reads reads() {
        return objective.terms().get(0).term().reads();
    }

    long[] iArgs() {
        List<Long> i = new ArrayList<>(List.of((long) VERSION, (long) objective.terms().size()));
        for (Objective.Weighted w : objective.terms()) {
            TermKind<?> k = w.term().kind();
            i.add((long) k.id());
            for (Object v : k.options(w.term()).values()) {
                if (v instanceof Enum<?> e) i.add((long) e.ordinal());
                else if (v instanceof Integer n) i.add((long) n);
                else if (v instanceof Boolean b) i.add(b ? 1L : 0L);
            }
        }
        i.add(hasProjection ? 1L : 0L);
        i.add(hasLabels ? 1L : 0L);
        i.add(hasCenters ? 1L : 0L);
        i.add(hasTeacherLogits ? 1L : 0L);
        return i.stream().mapToLong(Long::longValue).toArray();
    }

    double[] tArgs() {
        List<Double> t = new ArrayList<>();
        for (Objective.Weighted w : objective.terms()) {
            t.add(w.weight());
            for (Object v : w.term().kind().options(w.term()).values()) {
                if (v instanceof Double d) t.add(d);
            }
        }
        return t.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static LossSpec fromArgs(long[] i, double[] t) {
        if (i.length < 2 || i[0] != VERSION) {
            throw new IllegalStateException("a horkd loss op with arguments of layout " + (i.length == 0 ? "none" : i[0])
                    + " (this horkd reads layout " + VERSION + "): the graph was saved by another version of horkd");
        }
        int n = Math.toIntExact(i[1]);
        int at = 2;
        int tat = 0;
        List<Objective.Weighted> terms = new ArrayList<>();
        try {
            for (int q = 0; q < n; q++) {
                TermKind<?> k = Terms.byId(Math.toIntExact(i[at++]));
                double weight = t[tat++];
                Map<String, Object> opts = new LinkedHashMap<>();
                List<Class<?>> types = k.optionTypes();
                List<String> names = k.optionNames();
                for (int o = 0; o < types.size(); o++) {
                    Class<?> type = types.get(o);
                    Object v = type == double.class ? (Object) t[tat++] : type == int.class ? (Object) Math.toIntExact(i[at++])
                            : type == boolean.class ? (Object) (i[at++] != 0) : type.getEnumConstants()[Math.toIntExact(i[at++])];
                    opts.put(names.get(o), v);
                }
                terms.add(new Objective.Weighted(weight, k.create(opts)));
            }
            if (at + 4 != i.length || tat != t.length) throw new ArrayIndexOutOfBoundsException();
            return new LossSpec(Objective.of(terms), i[at] != 0, i[at + 1] != 0, i[at + 2] != 0, i[at + 3] != 0);
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalStateException("a horkd loss op's arguments do not hold " + n + " terms: " + i.length
                    + " integer and " + t.length + " floating-point arguments");
        }
    }

    /** The op's name: {@code horkd_<key>} for one term, {@code horkd_objective} for several. */
    String opName() {
        return objective.terms().size() == 1 ? opName(objective.terms().get(0).term().name()) : OBJECTIVE;
    }

    static final String OBJECTIVE = "horkd_objective";

    static String opName(String key) {
        return "horkd_" + key;
    }

    /** Every forward op name (each with a {@code _grad} twin). */
    public static List<String> opNames() {
        List<String> names = new ArrayList<>(List.of(OBJECTIVE));
        for (String key : Terms.keys()) names.add(opName(key));
        return names;
    }

    /** Index of each input, -1 where absent. */
    int projectionIndex() {
        return hasProjection ? 1 : -1;
    }

    int teacherIndex() {
        return hasProjection ? 2 : 1;
    }

    int labelsIndex() {
        return hasLabels ? teacherIndex() + 1 : -1;
    }

    int centersIndex() {
        return hasCenters ? teacherIndex() + (hasLabels ? 2 : 1) : -1;
    }

    int teacherLogitsIndex() {
        return hasTeacherLogits ? teacherIndex() + 1 + (hasLabels ? 1 : 0) + (hasCenters ? 1 : 0) : -1;
    }

    int inputCount() {
        return 2 + (hasProjection ? 1 : 0) + (hasLabels ? 1 : 0) + (hasCenters ? 1 : 0) + (hasTeacherLogits ? 1 : 0);
    }
}
