package io.horkd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.horkd.core.backend.Backends;
import io.horkd.core.io.Npy;
import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.ClassCenters;
import io.horkd.core.loss.GradientSink;
import io.horkd.core.loss.LossBackend;
import io.horkd.core.loss.LossInput;
import io.horkd.core.loss.Objective;
import io.horkd.core.loss.Projection;
import io.horkd.core.loss.Term;
import io.horkd.core.loss.Terms;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code horkd losses}: an objective's terms and total for one batch of saved features (and logits), as
 * one line of JSON, and optionally {@code dL(total)/dstudent} as a float32 {@code .npy}: how horkd is
 * cross-checked against other implementations (PyTorch code saves its features with {@code np.save}).
 */
@Command(name = "losses", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Computes the terms of an objective and their weighted total for saved features (.npy, C order,",
            "float32/float64; labels int32/int64) and prints one line of JSON.",
            "Features are [m, d] or [B, m, d] (B independent problems; values are summed over them)."},
        footer = {"", "Terms on logits (kd, ce) read --student-logits and --teacher-logits; the others read --student",
            "and --teacher. Distances and angles follow LOSSES.md exactly."})
final class LossesCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--student", required = true, paramLabel = "S.npy", description = "Student features [m, ds] or [B, m, ds].")
    Path student;

    @Option(names = "--teacher", required = true, paramLabel = "T.npy", description = "Teacher features [m, dt] or [B, m, dt].")
    Path teacher;

    @Option(names = "--labels", paramLabel = "L.npy", description = "Labels [m] or [B, m] (int32/int64): batch-scope centres, CE.")
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

    @Option(names = "--objective", paramLabel = "TERMS",
            description = {"Weighted terms, e.g. \"0.02*l2(function=huber, reduction=rkd) + lc(scope=batch) + kd(temperature=2)\"",
                "(default: the paper's, l1 + 0.02*l2 + 0.01*l3 + lc; terms: ${COMPLETION-CANDIDATES})."},
            completionCandidates = TermKeys.class)
    String objective;

    @Option(names = "--backend", paramLabel = "auto|cpu|cuda|reference", defaultValue = "auto",
            description = "Where to compute (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--grad-out", paramLabel = "G.npy", description = "Write dL(total)/dstudent (float32, shaped like the student).")
    Path gradOut;

    @Option(names = "--projection-grad-out", paramLabel = "GP.npy", description = "Write dL(total)/dP (float32, [dt, ds]).")
    Path projectionGradOut;

    @Option(names = "--student-logits", paramLabel = "ZS.npy", description = "Student logits [m, C] for the terms on logits.")
    Path studentLogits;

    @Option(names = "--teacher-logits", paramLabel = "ZT.npy", description = "Teacher logits [m, C].")
    Path teacherLogits;

    /** The term keys, for the help text. */
    static final class TermKeys implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Terms.keys().iterator();
        }
    }

    @Override
    public Integer call() throws IOException {
        Objective all = objective == null ? Objective.PAPER : Objective.parse(objective);
        Objective onFeatures = all.reading(Term.Reads.FEATURES);
        Objective onLogits = all.reading(Term.Reads.LOGITS);
        if (!onLogits.isEmpty() && (studentLogits == null || (teacherLogits == null && onLogits.has("kd")))) {
            throw new IllegalArgumentException(onLogits + " reads logits: give --student-logits"
                    + (onLogits.has("kd") ? " and --teacher-logits" : ""));
        }
        if (onLogits.isEmpty() && (studentLogits != null || teacherLogits != null)) {
            throw new IllegalArgumentException("--student-logits and --teacher-logits are read by the terms on logits (kd, ce), "
                    + "and the objective " + all + " has none");
        }
        LossBackend be = Backends.of(Backends.Kind.parse(backend));
        Npy.Array studentArray = Npy.read(student);
        Features s = features(studentArray, student, "--student");
        Features t = features(Npy.read(teacher), teacher, "--teacher");
        LossInput in = LossInput.of(s, t);
        ClassCenters centers = classes != null && classes.centers != null ? ClassCenters.load(classes.centers) : null;
        if (centers != null) in = in.withCenters(centers);
        Labels l = labels == null ? null : labels(labels, s);
        if (l != null) in = classes != null && classes.numClasses != null ? in.withLabels(l, classes.numClasses) : in.withLabels(l);
        Projection p = null;
        if (projection != null) {
            Npy.Array a = matrix(projection, "--projection");
            p = Projection.of(a.toFloatArray(), a.shape()[0], a.shape()[1]);
            in = in.withProjection(p);
        }
        // What the command line must give, named by its options (the terms' own checks name the library's arguments).
        Optional<CenterLoss> lc = all.term(CenterLoss.class);
        if (lc.isPresent() && lc.get().scope() == CenterLoss.Scope.DATASET && centers == null) {
            throw new IllegalArgumentException("lc needs --centers (dataset-scope centres), or lc(scope=batch) with --labels");
        }
        if (lc.isPresent() && lc.get().scope() == CenterLoss.Scope.BATCH && l == null) {
            throw new IllegalArgumentException("lc(scope=batch) needs --labels");
        }
        for (String key : List.of("l1", "lc")) {
            if (all.has(key) && p == null && s.cols() != t.cols()) {
                throw new IllegalArgumentException(key + " needs --projection (student width " + s.cols() + " != teacher width "
                        + t.cols() + ")");
            }
        }
        if (all.has("ce") && l == null) throw new IllegalArgumentException("ce needs --labels");
        LossInput logitsIn = null;
        if (!onLogits.isEmpty()) {
            Features zs = features(Npy.read(studentLogits), studentLogits, "--student-logits");
            Features zt = teacherLogits == null ? zs : features(Npy.read(teacherLogits), teacherLogits, "--teacher-logits");
            logitsIn = LossInput.of(zs, zt);
            if (l != null) logitsIn = logitsIn.withLabels(l);
        }

        Features gS = gradOut == null ? null : Features.zeros(s.batch(), s.rows(), s.cols());
        Features gP = projectionGradOut == null ? null : projectionGradient(p);
        GradientSink sink = gS == null && gP == null ? null
                : GradientSink.into(gS != null ? gS : Features.zeros(s.batch(), s.rows(), s.cols()));
        if (sink != null && gP != null) sink = sink.withProjection(gP);

        Map<String, Object> json = new LinkedHashMap<>();
        Map<String, double[]> perProblem = new LinkedHashMap<>();
        double[] total = new double[s.batch()];
        for (Objective part : List.of(onFeatures, onLogits)) {
            if (part.isEmpty()) continue;
            Objective.Values v = part == onFeatures ? part.computeTerms(be, in, sink) : part.computeTerms(be, logitsIn, null);
            for (Objective.Weighted w : part.terms()) {
                double[] values = v.term(w.term().name());
                json.put(w.term().name(), sum(values));
                perProblem.put(w.term().name(), values);
            }
            double[] pt = v.total();
            for (int b = 0; b < Math.min(pt.length, total.length); b++) total[b] += pt[b];
        }
        json.put("total", sum(total));
        perProblem.put("total", total);
        json.put("objective", all.toString());
        json.put("backend", be.name());
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
