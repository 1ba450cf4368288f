package io.horkd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.horkd.core.backend.Backends;
import io.horkd.core.io.Npy;
import io.horkd.core.loss.AngleLoss;
import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.ClassCenters;
import io.horkd.core.loss.DistanceLoss;
import io.horkd.core.loss.DistillationLoss;
import io.horkd.core.loss.GradientSink;
import io.horkd.core.loss.HintonKd;
import io.horkd.core.loss.HybridLoss;
import io.horkd.core.loss.HybridLoss.Term;
import io.horkd.core.loss.LossBackend;
import io.horkd.core.loss.LossInput;
import io.horkd.core.loss.PointwiseLoss;
import io.horkd.core.loss.Projection;
import io.horkd.core.loss.Reduction;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code horkd losses}: the hybrid loss of one batch of saved features, as one line of JSON, and
 * optionally {@code dL(total)/dstudent} as a float32 {@code .npy}: how horkd is cross-checked against
 * other implementations (PyTorch code saves its features with {@code np.save}).
 */
@Command(name = "losses", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Computes L1, L2, L3, LC and their weighted total for saved features (.npy, C order,",
            "float32/float64; labels int32/int64) and prints one line of JSON.",
            "Features are [m, d] or [B, m, d] (B independent problems; values are summed over them)."},
        footer = {"", "Terms whose weight is 0 are still reported when their inputs are given, but add nothing",
            "to the total or its gradient. Distances and angles follow LOSSES.md exactly."})
final class LossesCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--student", required = true, paramLabel = "S.npy", description = "Student features [m, ds] or [B, m, ds].")
    Path student;

    @Option(names = "--teacher", required = true, paramLabel = "T.npy", description = "Teacher features [m, dt] or [B, m, dt].")
    Path teacher;

    @Option(names = "--labels", paramLabel = "L.npy", description = "Labels [m] or [B, m] (int32/int64): batch-scope centres.")
    Path labels;

    @ArgGroup(exclusive = true)
    Classes classes;

    static final class Classes {
        @Option(names = "--centers", paramLabel = "U.npy", description = "Dataset-level class centres [C, dt].")
        Path centers;

        @Option(names = "--num-classes", paramLabel = "C", description = "Class count that labels must respect (batch scope).")
        Integer numClasses;
    }

    @Option(names = "--projection", paramLabel = "P.npy", description = "Projection [dt, ds] for L1 and LC (needed when ds != dt).")
    Path projection;

    @Option(names = "--distance-loss", paramLabel = "square|huber",
            description = "L2 penalty (default: square, or huber with --reduction rkd).")
    DistanceLoss.Function distanceLoss;

    @Option(names = "--reduction", paramLabel = "paper|rkd", defaultValue = "paper",
            description = "paper: mean over distinct tuples; rkd: over m^2 and m^3 entries (default: ${DEFAULT-VALUE}).")
    Reduction reduction;

    @Option(names = "--center-scope", paramLabel = "dataset|batch",
            description = "LC centres (default: dataset with --centers, else batch).")
    CenterLoss.Scope centerScope;

    @Option(names = "--weights", paramLabel = "W1,ALPHA,BETA,GAMMA", defaultValue = "1,0.02,0.01,1",
            description = "Weights of L1, L2, L3, LC (default: the paper's ${DEFAULT-VALUE}).")
    String weights;

    @Option(names = "--backend", paramLabel = "auto|cpu|cuda|reference", defaultValue = "auto",
            description = "Where to compute (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--grad-out", paramLabel = "G.npy", description = "Write dL(total)/dstudent (float32, shaped like the student).")
    Path gradOut;

    @Option(names = "--projection-grad-out", paramLabel = "GP.npy", description = "Write dL(total)/dP (float32, [dt, ds]).")
    Path projectionGradOut;

    @Option(names = "--student-logits", paramLabel = "ZS.npy", description = "Student logits [m, C]: adds Hinton KD as \"kd\".")
    Path studentLogits;

    @Option(names = "--teacher-logits", paramLabel = "ZT.npy", description = "Teacher logits [m, C].")
    Path teacherLogits;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "4", description = "KD temperature (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Override
    public Integer call() throws IOException {
        if ((studentLogits == null) != (teacherLogits == null)) {
            throw new IllegalArgumentException("Hinton KD needs both --student-logits and --teacher-logits");
        }
        double[] w = parseWeights(weights);
        LossBackend be = Backends.of(Backends.Kind.parse(backend));
        Npy.Array studentArray = Npy.read(student);
        Features s = features(studentArray, student, "--student");
        Features t = features(Npy.read(teacher), teacher, "--teacher");
        LossInput in = LossInput.of(s, t);
        ClassCenters centers = classes != null && classes.centers != null ? ClassCenters.load(classes.centers) : null;
        if (centers != null) in = in.withCenters(centers);
        if (labels != null) {
            Labels l = labels(labels, s);
            in = classes != null && classes.numClasses != null ? in.withLabels(l, classes.numClasses) : in.withLabels(l);
        }
        Projection p = null;
        if (projection != null) {
            Npy.Array a = matrix(projection, "--projection");
            p = Projection.of(a.toFloatArray(), a.shape()[0], a.shape()[1]);
            in = in.withProjection(p);
        }
        CenterLoss.Scope scope = centerScope != null ? centerScope
                : centers != null ? CenterLoss.Scope.DATASET : CenterLoss.Scope.BATCH;
        DistanceLoss.Function fn = distanceLoss != null ? distanceLoss
                : reduction == Reduction.RKD ? DistanceLoss.Function.HUBER : DistanceLoss.Function.SQUARE;
        PointwiseLoss l1 = PointwiseLoss.mae();
        DistanceLoss l2 = DistanceLoss.of(fn, reduction);
        AngleLoss l3 = AngleLoss.of(reduction);
        CenterLoss lc = CenterLoss.of(scope);
        DistillationLoss[] terms = {l1, l2, l3, lc};
        boolean[] available = {p != null || s.cols() == t.cols(), true, true,
            scope == CenterLoss.Scope.DATASET ? centers != null : labels != null};
        String[] needs = {"--projection (student width " + s.cols() + " != teacher width " + t.cols() + ")", "", "",
            scope == CenterLoss.Scope.DATASET ? "--centers" : "--labels"};
        for (Term term : Term.values()) {
            if (w[term.ordinal()] > 0 && !available[term.ordinal()]) {
                throw new IllegalArgumentException(term + " has weight " + w[term.ordinal()] + " but needs "
                        + needs[term.ordinal()] + "; give it, or set its weight to 0 in --weights");
            }
        }
        HybridLoss hybrid = HybridLoss.builder().pointwise(w[0], l1).distance(w[1], l2).angle(w[2], l3)
                .center(w[3], lc).build();

        Features gS = gradOut == null ? null : Features.zeros(s.batch(), s.rows(), s.cols());
        Features gP = projectionGradOut == null ? null : projectionGradient(p);
        GradientSink sink = gS == null && gP == null ? null
                : GradientSink.into(gS != null ? gS : Features.zeros(s.batch(), s.rows(), s.cols()));
        if (sink != null && gP != null) sink = sink.withProjection(gP);
        HybridLoss.Values v = hybrid.computeTerms(be, in, sink);

        Map<String, Object> json = new LinkedHashMap<>();
        Map<String, double[]> perProblem = new LinkedHashMap<>();
        for (Term term : Term.values()) {
            String key = term.name().toLowerCase(Locale.ROOT);
            double[] values = null;
            if (w[term.ordinal()] > 0) values = v.term(term);
            else if (available[term.ordinal()]) values = terms[term.ordinal()].compute(be, in, null);
            json.put(key, values == null ? null : sum(values));
            perProblem.put(key, values);
        }
        json.put("total", v.totalSum());
        perProblem.put("total", v.total());
        if (studentLogits != null) {
            double[] kd = HintonKd.withTemperature(temperature).compute(be,
                    LossInput.of(features(Npy.read(studentLogits), studentLogits, "--student-logits"),
                            features(Npy.read(teacherLogits), teacherLogits, "--teacher-logits")),
                    null);
            json.put("kd", sum(kd));
            perProblem.put("kd", kd);
        }
        json.put("backend", be.name());
        Map<String, Double> weightMap = new LinkedHashMap<>();
        weightMap.put("w1", w[0]);
        weightMap.put("alpha", w[1]);
        weightMap.put("beta", w[2]);
        weightMap.put("gamma", w[3]);
        json.put("weights", weightMap);
        json.put("batch", s.batch());
        json.put("m", s.rows());
        json.put("student_dim", s.cols());
        json.put("teacher_dim", t.cols());
        if (s.batch() > 1) json.put("per_problem", perProblem);
        if (gS != null) {
            Npy.writeFloat32(gradOut, gS.toArray(), studentArray.shape());
            json.put("grad_out", gradOut.toString());
        }
        if (gP != null) {
            Npy.writeFloat32(projectionGradOut, gP.toArray(), gP.rows(), gP.cols());
            json.put("projection_grad_out", projectionGradOut.toString());
        }
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(json));
        return 0;
    }

    private static Features projectionGradient(Projection p) {
        if (p == null) throw new IllegalArgumentException("--projection-grad-out needs --projection");
        return Features.zeros(1, p.outDim(), p.inDim());
    }

    static double[] parseWeights(String text) {
        String[] parts = text.split(",");
        if (parts.length != 4) {
            throw new IllegalArgumentException("--weights needs 4 comma-separated numbers W1,ALPHA,BETA,GAMMA, got '"
                    + text + "'");
        }
        double[] w = new double[4];
        for (int i = 0; i < 4; i++) {
            try {
                w[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--weights: '" + parts[i].trim() + "' is not a number");
            }
            if (!Double.isFinite(w[i]) || w[i] < 0) {
                throw new IllegalArgumentException("--weights: each weight must be finite and >= 0, got " + parts[i].trim());
            }
        }
        return w;
    }

    /** [m, d] or [B, m, d] as features. */
    private static Features features(Npy.Array a, Path path, String option) {
        if (!a.dtype().isFloating()) {
            throw new IllegalArgumentException(option + " " + path + ": features must be float32 or float64, found "
                    + a.dtype().name().toLowerCase(Locale.ROOT));
        }
        int[] sh = a.shape();
        if (sh.length == 2) return Features.of(a.toFloatArray(), 1, sh[0], sh[1]);
        if (sh.length == 3) return Features.of(a.toFloatArray(), sh[0], sh[1], sh[2]);
        throw new IllegalArgumentException(option + " " + path + ": expected shape [m, d] or [B, m, d], got "
                + a.shapeString());
    }

    private static Npy.Array matrix(Path path, String option) throws IOException {
        Npy.Array a = Npy.read(path);
        if (a.shape().length != 2 || !a.dtype().isFloating()) {
            throw new IllegalArgumentException(option + " " + path + ": expected a float matrix, got "
                    + a.dtype().name().toLowerCase(Locale.ROOT) + " " + a.shapeString());
        }
        return a;
    }

    /** [m] or [B, m] integer labels matching the student. */
    private static Labels labels(Path path, Features s) throws IOException {
        Npy.Array a = Npy.read(path);
        int[] l = a.toIntArray();
        int[] sh = a.shape();
        if (sh.length == 1) return Labels.of(l, 1, sh[0]);
        if (sh.length == 2) return Labels.of(l, sh[0], sh[1]);
        throw new IllegalArgumentException("--labels " + path + ": expected shape [m] or [B, m], got " + a.shapeString()
                + " for student " + s.shape());
    }

    private static double sum(double[] v) {
        return Arrays.stream(v).sum();
    }
}
