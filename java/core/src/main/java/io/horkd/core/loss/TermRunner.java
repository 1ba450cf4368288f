package io.horkd.core.loss;

import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Shapes;
import java.util.List;
import java.util.Objects;

/**
 * Runs weighted terms on one input: everything is checked before anything is written, then each term
 * (or pair of fused terms) dispatches to the backend with {@code coef[b] = weight * upstream[b]}.
 */
final class TermRunner {
    private TermRunner() {}

    static Objective.Values run(List<Objective.Weighted> terms, LossBackend backend, LossInput input, GradientSink grad) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(input, "input");
        Features s = input.student();
        int batch = s.batch();

        // 1. Validate everything before any write.
        Term.Reads reads = null;
        for (Objective.Weighted w : terms) {
            if (reads != null && w.term().reads() != reads) {
                throw new IllegalArgumentException("the terms read different inputs (" + reads.name().toLowerCase() + " and "
                        + w.term().reads().name().toLowerCase() + "): compute each part with Objective.reading(...)");
            }
            reads = w.term().reads();
        }
        if (s.isFloat64() && !backend.takesFloat64()) {
            throw new IllegalArgumentException("float64 features " + s.shape() + " need the reference backend; "
                    + backend.name() + " takes float32");
        }
        samePrecision("teacher", input.teacher(), s);
        if (input.projection() != null) samePrecision("projection", input.projection().weights(), s);
        if (input.centers() != null) samePrecision("centers", input.centers().values(), s);
        if (input.teacherLogits() != null) samePrecision("teacher logits", input.teacherLogits(), s);
        input.checkGiven();
        for (Objective.Weighted w : terms) w.term().check(input);
        Features gS = null;
        Features gP = null;
        if (grad != null) {
            gS = grad.student();
            Shapes.requireSameShape("student gradient", gS, "student", s);
            if (gS.isFloat64() != s.isFloat64()) {
                throw new IllegalArgumentException("student gradient " + gS + " must have the precision of student " + s);
            }
            if (grad.projection() != null) {
                Projection p = input.projection();
                if (p == null) throw new IllegalArgumentException("a projection gradient was given without a projection");
                Shapes.requireSameShape("projection gradient", grad.projection(), "projection", p.weights());
                samePrecision("projection gradient", grad.projection(), s);
                gP = grad.projection();
            }
            double[] up = grad.upstreamOrNull();
            if (up != null && up.length != batch) {
                throw new IllegalArgumentException("upstream has " + up.length + " scales for " + batch + " problems");
            }
            if (!grad.isAccumulating()) {
                gS.fillZero();
                if (gP != null) gP.fillZero();
            }
        }

        // 2. Dispatch; every backend call adds coef[b] * dL_b/dx to the targets.
        int n = terms.size();
        double[][] values = new double[n][];
        for (int i = 0; i < n; i++) {
            if (values[i] != null) continue;
            Term t = terms.get(i).term();
            int partner = -1;
            if (t instanceof Term.Fusing f) {
                for (int j = i + 1; j < n && partner < 0; j++) {
                    if (values[j] == null && f.fusesWith(terms.get(j).term())) partner = j;
                }
            }
            if (partner >= 0) {
                double[][] v = ((Term.Fusing) t).runWith(terms.get(partner).term(), backend, input, gS,
                        coef(terms.get(i), grad, batch), coef(terms.get(partner), grad, batch));
                values[i] = v[0];
                values[partner] = v[1];
            } else {
                values[i] = t.run(backend, input, gS, gP, coef(terms.get(i), grad, batch));
            }
        }
        double[] total = new double[batch];
        for (int i = 0; i < n; i++) {
            for (int b = 0; b < batch; b++) total[b] += terms.get(i).weight() * values[i][b];
        }
        return new Objective.Values(terms, values, total);
    }

    /** Everything a call reads and writes is in the student's precision (the backends read one kind of buffer). */
    private static void samePrecision(String argument, Features f, Features student) {
        if (f.isFloat64() != student.isFloat64()) {
            throw new IllegalArgumentException(argument + " " + f + " must have the precision of student " + student);
        }
    }

    private static double[] coef(Objective.Weighted w, GradientSink grad, int batch) {
        double[] c = new double[batch];
        for (int b = 0; b < batch; b++) c[b] = w.weight() * (grad == null ? 1.0 : grad.upstream(b));
        return c;
    }
}
