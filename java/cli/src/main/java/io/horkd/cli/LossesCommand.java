package io.horkd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.horkd.core.backend.Backends;
import io.horkd.core.io.Npy;
import io.horkd.core.loss.CenterLoss;
import io.horkd.core.loss.DctAttention;
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
import io.horkd.core.tensor.MapShape;
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
 * {@code horkd losses}: an objective's terms and total for one batch of saved inputs (features, logits,
 * stage outputs), as one line of JSON, and optionally {@code dL(total)/dstudent} as a float32 {@code .npy}:
 * how horkd is cross-checked against other implementations (PyTorch code saves its tensors with
 * {@code np.save}).
 */
@Command(name = "losses", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Computes the terms of an objective (or one method) and their weighted total for saved inputs",
            "(.npy, C order, float32/float64; labels int32/int64) and prints one line of JSON.",
            "Features are [m, d] or [B, m, d] (B independent problems; values are summed over them); maps [m, C, H, W]."},
        footer = {"", "Terms on features (l1, l2, l3, lc, pkt, pairwise, mmd) read --student and --teacher; on logits (ce, kd, dkd)",
            "--student-logits and --teacher-logits; on maps (at, fitnet, dct, sp) --student-maps and --teacher-maps.",
            "--grad-out is dL/d(the student input): features, else maps, else logits. Definitions: LOSSES.md, METHODS.md."})
final class LossesCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--student", paramLabel = "S.npy", description = "Student features [m, ds] or [B, m, ds].")
    Path student;

    @Option(names = "--teacher", paramLabel = "T.npy", description = "Teacher features [m, dt] or [B, m, dt].")
    Path teacher;

    @Option(names = "--student-maps", paramLabel = "SM.npy", description = "Student stage outputs [m, Cs, Hs, Ws].")
    Path studentMaps;

    @Option(names = "--teacher-maps", paramLabel = "TM.npy", description = "Teacher stage outputs [m, Ct, Ht, Wt] (Ht >= Hs, Wt >= Ws).")
    Path teacherMaps;

    @Option(names = "--labels", paramLabel = "L.npy", description = "Labels [m] or [B, m] (int32/int64): batch-scope centres, CE, DKD, DCT's gate.")
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

    @Option(names = "--regressor", paramLabel = "R.npy", description = "FitNet's regressor as a 1x1 convolution [Ct, Cs] (needed when Cs != Ct).")
    Path regressor;

    @ArgGroup(exclusive = true)
    What what;

    static final class What {
        @Option(names = "--objective", paramLabel = "TERMS",
                description = {"Weighted terms, e.g. \"0.02*l2(function=huber, reduction=rkd) + lc(scope=batch) + kd(temperature=2)\"",
                    "(default: the paper's, l1 + 0.02*l2 + 0.01*l3 + lc; terms: ${COMPLETION-CANDIDATES}).",},
                completionCandidates = TermKeys.class)
        String objective;

        @Option(names = "--method", paramLabel = "NAME", description = {"One method with weight 1: at, dct, dft (dct's dft-real),",
            "fitnet, sp on maps; pkt, pairwise, mmd on features (mmd through --projection where widths differ);",
            "dkd on logits (dct and dft gate on the teacher's right samples",
            "where --teacher-logits and --labels are given)."})
        String method;
    }

    @Option(names = "--backend", paramLabel = "auto|cpu|cuda|reference", defaultValue = "auto",
            description = "Where to compute (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--grad-out", paramLabel = "G.npy", description = "Write dL(total)/dstudent (float32, shaped like the student input).")
    Path gradOut;

    @Option(names = "--projection-grad-out", paramLabel = "GP.npy", description = "Write dL(total)/dP of the projection or regressor (float32).")
    Path projectionGradOut;

    @Option(names = "--student-logits", paramLabel = "ZS.npy", description = "Student logits [m, C] for the terms on logits.")
    Path studentLogits;

    @Option(names = "--teacher-logits", paramLabel = "ZT.npy", description = "Teacher logits [m, C] (KD, DKD; DCT's gate).")
    Path teacherLogits;

    /** The term keys, for the help text. */
    static final class TermKeys implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Terms.keys().iterator();
        }
    }

    /** {@code --method}'s names. */
    static final List<String> METHODS = List.of("at", "dct", "dft", "fitnet", "sp", "pkt", "dkd", "pairwise", "mmd");

    private Objective objective() {
        if (what == null || (what.objective == null && what.method == null)) return Objective.PAPER;
        if (what.objective != null) return Objective.parse(what.objective);
        String gate = teacherLogits != null && labels != null ? "" : "gate=false";
        return switch (what.method.trim().toLowerCase(Locale.ROOT)) {
            case "at", "fitnet", "sp", "pkt", "dkd", "pairwise", "mmd" -> Objective.parse(what.method.trim().toLowerCase(Locale.ROOT));
            case "dct" -> Objective.parse(gate.isEmpty() ? "dct" : "dct(" + gate + ")");
            case "dft" -> Objective.parse("dct(transform=dft-real" + (gate.isEmpty() ? "" : ", " + gate) + ")");
            default -> throw new IllegalArgumentException("unknown method '" + what.method + "'; known: "
                    + String.join(", ", METHODS) + " (or any objective with --objective)");
        };
    }

    @Override
    public Integer call() throws IOException {
        Objective all = objective();
        Objective onFeatures = all.reading(Term.Reads.FEATURES);
        Objective onLogits = all.reading(Term.Reads.LOGITS);
        Objective onMaps = all.reading(Term.Reads.MAPS);
        require(!onFeatures.isEmpty(), onFeatures, "--student", student, "--teacher", teacher);
        require(!onMaps.isEmpty(), onMaps, "--student-maps", studentMaps, "--teacher-maps", teacherMaps);
        boolean needsTeacherLogits = onLogits.has("kd") || onLogits.has("dkd");
        if (!onLogits.isEmpty() && (studentLogits == null || (teacherLogits == null && needsTeacherLogits))) {
            throw new IllegalArgumentException(onLogits + " reads logits: give --student-logits"
                    + (needsTeacherLogits ? " and --teacher-logits" : ""));
        }
        boolean gated = onMaps.term(DctAttention.class).map(DctAttention::gate).orElse(false);
        if (onLogits.isEmpty() && studentLogits != null) {
            throw new IllegalArgumentException("--student-logits is read by the terms on logits (ce, kd, dkd), and the objective "
                    + all + " has none");
        }
        if (teacherLogits != null && !needsTeacherLogits && !gated) {
            throw new IllegalArgumentException("--teacher-logits is read by kd, dkd and dct's gate, and the objective " + all
                    + " has none of them");
        }
        for (var unused : List.of(new Object[] {"--student", student, onFeatures}, new Object[] {"--student-maps", studentMaps, onMaps})) {
            if (unused[1] != null && ((Objective) unused[2]).isEmpty()) {
                throw new IllegalArgumentException(unused[0] + " is given but the objective " + all + " has no term that reads it");
            }
        }
        LossBackend be = Backends.of(Backends.Kind.parse(backend));
        ClassCenters centers = classes != null && classes.centers != null ? ClassCenters.load(classes.centers) : null;
        Labels l = null;
        Npy.Array la = labels == null ? null : Npy.read(labels);

        // Features
        LossInput features = null;
        Npy.Array studentArray = null;
        Projection p = null;
        if (!onFeatures.isEmpty()) {
            studentArray = Npy.read(student);
            Features s = features(studentArray, student, "--student");
            Features t = features(Npy.read(teacher), teacher, "--teacher");
            features = LossInput.of(s, t);
            if (centers != null) features = features.withCenters(centers);
            if (la != null) {
                l = labels(la, labels, s.batch(), s.rows());
                features = classes != null && classes.numClasses != null ? features.withLabels(l, classes.numClasses)
                        : features.withLabels(l);
            }
            if (projection != null) {
                Npy.Array a = matrix(projection, "--projection");
                p = Projection.of(a.toFloatArray(), a.shape()[0], a.shape()[1]);
                features = features.withProjection(p);
            }
            // What the command line must give, named by its options (the terms' own checks name the library's arguments).
            Optional<CenterLoss> lc = onFeatures.term(CenterLoss.class);
            if (lc.isPresent() && lc.get().scope() == CenterLoss.Scope.DATASET && centers == null) {
                throw new IllegalArgumentException("lc needs --centers (dataset-scope centres), or lc(scope=batch) with --labels");
            }
            if (lc.isPresent() && lc.get().scope() == CenterLoss.Scope.BATCH && l == null) {
                throw new IllegalArgumentException("lc(scope=batch) needs --labels");
            }
            for (String key : List.of("l1", "lc")) {
                if (onFeatures.has(key) && p == null && s.cols() != t.cols()) {
                    throw new IllegalArgumentException(key + " needs --projection (student width " + s.cols() + " != teacher width "
                            + t.cols() + ")");
                }
            }
        }

        // Logits
        LossInput logits = null;
        Features zt = null;
        Npy.Array logitsArray = null;
        if (studentLogits != null || teacherLogits != null) {
            if (studentLogits != null) logitsArray = Npy.read(studentLogits);
            Features zs = logitsArray == null ? null : features(logitsArray, studentLogits, "--student-logits");
            zt = teacherLogits == null ? null : features(Npy.read(teacherLogits), teacherLogits, "--teacher-logits");
            if (zs != null) {
                logits = LossInput.of(zs, zt == null ? zs : zt);
                if (la != null) logits = logits.withLabels(labels(la, labels, zs.batch(), zs.rows()));
                if ((onLogits.has("ce") || onLogits.has("dkd")) && la == null) {
                    throw new IllegalArgumentException((onLogits.has("ce") ? "ce" : "dkd") + " needs --labels");
                }
            }
        }

        // Maps
        LossInput maps = null;
        Npy.Array studentMapsArray = null;
        Projection r = null;
        if (!onMaps.isEmpty()) {
            studentMapsArray = Npy.read(studentMaps);
            Npy.Array tm = Npy.read(teacherMaps);
            MapShape sm = mapShape(studentMapsArray, studentMaps, "--student-maps");
            MapShape tms = mapShape(tm, teacherMaps, "--teacher-maps");
            if (studentMapsArray.shape()[0] != tm.shape()[0]) {
                throw new IllegalArgumentException("--student-maps " + studentMapsArray.shapeString() + " and --teacher-maps "
                        + tm.shapeString() + " hold different numbers of samples");
            }
            int m = studentMapsArray.shape()[0];
            maps = LossInput.maps(Features.of(studentMapsArray.toFloatArray(), 1, m, sm.size()), sm,
                    Features.of(tm.toFloatArray(), 1, m, tms.size()), tms);
            if (regressor != null) {
                Npy.Array a = matrix(regressor, "--regressor");
                r = Projection.of(a.toFloatArray(), a.shape()[0], a.shape()[1]);
                maps = maps.withProjection(r);
            } else if (onMaps.has("fitnet") && sm.channels() != tms.channels()) {
                throw new IllegalArgumentException("fitnet needs --regressor [" + tms.channels() + ", " + sm.channels()
                        + "] (student maps have " + sm.channels() + " channels, the teacher's " + tms.channels() + ")");
            }
            if (gated) {
                if (zt == null || la == null) throw new IllegalArgumentException("dct's gate needs --teacher-logits and --labels (or gate=false)");
                maps = maps.withTeacherLogits(zt).withLabels(labels(la, labels, 1, m));
            }
        }
        if (regressor != null && !onMaps.has("fitnet")) throw new IllegalArgumentException("--regressor is read by fitnet only");

        // The gradient goes to the student input of the first part that has one: features, maps, logits.
        Objective graded = !onFeatures.isEmpty() ? onFeatures : !onMaps.isEmpty() ? onMaps : onLogits;
        LossInput gradedIn = graded == onFeatures ? features : graded == onMaps ? maps : logits;
        Npy.Array gradedArray = graded == onFeatures ? studentArray : graded == onMaps ? studentMapsArray : logitsArray;
        Projection gradedP = graded == onFeatures ? p : graded == onMaps ? r : null;
        Features gS = gradOut == null ? null : Features.zerosLike(gradedIn.student());
        Features gP = projectionGradOut == null ? null : projectionGradient(gradedP);
        GradientSink sink = gS == null && gP == null ? null : GradientSink.into(gS != null ? gS : Features.zerosLike(gradedIn.student()));
        if (sink != null && gP != null) sink = sink.withProjection(gP);

        // Every part holds the same problems: the totals add problem by problem.
        int batch = gradedIn.student().batch();
        for (Objective part : List.of(onFeatures, onMaps, onLogits)) {
            LossInput in = part == onFeatures ? features : part == onMaps ? maps : logits;
            if (!part.isEmpty() && in.student().batch() != batch) {
                throw new IllegalArgumentException("the inputs of " + graded + " hold " + batch + " problems, those of " + part + " "
                        + in.student().batch() + " (maps are one problem)");
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        Map<String, double[]> perProblem = new LinkedHashMap<>();
        double[] total = new double[batch];
        for (Objective part : List.of(onFeatures, onMaps, onLogits)) {
            if (part.isEmpty()) continue;
            LossInput in = part == onFeatures ? features : part == onMaps ? maps : logits;
            Objective.Values v = part.computeTerms(be, in, part == graded ? sink : null);
            for (Objective.Weighted w : part.terms()) {
                double[] values = v.term(w.term().name());
                json.put(w.term().name(), sum(values));
                perProblem.put(w.term().name(), values);
            }
            double[] pt = v.total();
            for (int b = 0; b < batch; b++) total[b] += pt[b];
        }
        json.put("total", sum(total));
        perProblem.put("total", total);
        json.put("objective", all.toString());
        if (what != null && what.method != null) json.put("method", what.method.trim().toLowerCase(Locale.ROOT));
        json.put("backend", be.name());
        json.put("batch", batch);
        json.put("m", gradedIn.student().rows());
        if (features != null) {
            json.put("student_dim", features.student().cols());
            json.put("teacher_dim", features.teacher().cols());
        }
        if (maps != null) {
            json.put("student_maps", List.of(maps.studentMap().channels(), maps.studentMap().height(), maps.studentMap().width()));
            json.put("teacher_maps", List.of(maps.teacherMap().channels(), maps.teacherMap().height(), maps.teacherMap().width()));
        }
        if (batch > 1) json.put("per_problem", perProblem);
        if (gS != null) {
            Npy.writeFloat32(gradOut, gS.toArray(), gradedArray.shape());
            json.put("grad_out", gradOut.toString());
        }
        if (gP != null) {
            Npy.writeFloat32(projectionGradOut, gP.toArray(), gP.rows(), gP.cols());
            json.put("projection_grad_out", projectionGradOut.toString());
        }
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(json));
        return 0;
    }

    /** Both files of a part when its terms are there. */
    private static void require(boolean needed, Objective part, String a, Path pa, String b, Path pb) {
        if (needed && (pa == null || pb == null)) throw new IllegalArgumentException(part + " needs " + a + " and " + b);
    }

    private static Features projectionGradient(Projection p) {
        if (p == null) throw new IllegalArgumentException("--projection-grad-out needs --projection (or --regressor for fitnet)");
        return Features.zeros(1, p.outDim(), p.inDim());
    }

    /** The C x H x W of [m, C, H, W] maps. */
    private static MapShape mapShape(Npy.Array a, Path path, String option) {
        int[] sh = a.shape();
        if (!a.dtype().isFloating() || sh.length != 4) {
            throw new IllegalArgumentException(option + " " + path + ": expected float maps [m, C, H, W], got "
                    + a.dtype().name().toLowerCase(Locale.ROOT) + " " + a.shapeString());
        }
        return new MapShape(sh[1], sh[2], sh[3]);
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

    /** [m] or [B, m] integer labels for {@code batch} problems of {@code rows} samples. */
    private static Labels labels(Npy.Array a, Path path, int batch, int rows) {
        int[] l = a.toIntArray();
        int[] sh = a.shape();
        if (sh.length == 1 && batch == 1 && sh[0] == rows) return Labels.of(l, 1, sh[0]);
        if (sh.length == 2 && sh[0] == batch && sh[1] == rows) return Labels.of(l, sh[0], sh[1]);
        throw new IllegalArgumentException("--labels " + path + ": expected shape [" + (batch == 1 ? "" : batch + ", ") + rows
                + "], got " + a.shapeString());
    }

    private static double sum(double[] v) {
        return Arrays.stream(v).sum();
    }
}
