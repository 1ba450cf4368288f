package io.horkd.core.loss;

import io.horkd.core.backend.reference.ReferenceMethods;
import io.horkd.core.backend.reference.ReferenceMethods.Maps;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.MapShape;

/** What the terms on feature maps share: their checks and their float64 path. */
final class MapTerms {
    private MapTerms() {}

    /** Throws unless the input carries map shapes for both sides and the same samples. */
    static void requireMaps(String term, LossInput in) {
        if (in.studentMap() == null || in.teacherMap() == null) {
            throw new IllegalArgumentException(term + " compares feature maps: give them with LossInput.maps(student, "
                    + "studentShape, teacher, teacherShape), got features " + in.student().shape() + " and "
                    + in.teacher().shape());
        }
    }

    /** Throws unless the teacher's map is at least the student's in height and width (it is pooled, or cut, to it). */
    static void requireTeacherNotSmaller(String term, LossInput in) {
        MapShape s = in.studentMap();
        MapShape t = in.teacherMap();
        if (s.height() > t.height() || s.width() > t.width()) {
            throw new IllegalArgumentException(term + ": the student's map " + s + " is larger than the teacher's " + t
                    + " (the teacher's is brought to the student's size, never the other way)");
        }
    }

    /** Problem b of f as float64 maps. */
    static Maps maps(Features f, MapShape shape, int b) {
        return new Maps(f.problemAsDouble(b), shape.channels(), shape.height(), shape.width());
    }

    /** target[b] += c * d, in the target's precision. */
    static void add(Features target, int b, double[][] d, double c) {
        if (target == null) return;
        for (int i = 0; i < d.length; i++) {
            for (int q = 0; q < d[i].length; q++) target.add(b, i, q, c * d[i][q]);
        }
    }

    /** One problem's float64 value and gradient. */
    @FunctionalInterface
    interface Problem {
        ReferenceMethods.Value run(int b);
    }

    /** The float64 path over every problem: values, and {@code coef[b]} times the gradients into {@code gradS}. */
    static double[] reference(Features s, Features gradS, double[] coef, Problem problem) {
        double[] values = new double[s.batch()];
        for (int b = 0; b < s.batch(); b++) {
            ReferenceMethods.Value v = problem.run(b);
            values[b] = v.value();
            add(gradS, b, v.dStudent(), coef[b]);
        }
        return values;
    }
}
