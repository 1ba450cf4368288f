package io.horkd.train.pipeline;

import io.horkd.train.pipeline.Pipeline.Evaluation;
import io.horkd.train.pipeline.Pipeline.Results;
import io.horkd.train.pipeline.Report.Stat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report of a metric-learning run ({@code --config metric}): retrieval on classes no network saw in
 * training, shaped like the paper's Table 4 (Recall@K of LR queries against the LR gallery), the same
 * queries against the HR gallery embedded by the same network, HORKD against each baseline paired by
 * seed, and a Recall@K plot per resolution.
 */
final class MetricReport {
    private MetricReport() {}

    /** Recall@K of the queries among themselves (the paper's metric) for K = {@code ks[k]}. */
    private static double within(Evaluation e, int k) {
        return e.recallWithin() == null ? Double.NaN : e.recallWithin()[k];
    }

    static void body(Results r, StringBuilder md) {
        List<Evaluation> ev = r.evaluations();
        int[] ks = r.config().eval().recallK().stream().mapToInt(Integer::intValue).toArray();
        var m = r.config().metric();
        md.append("Metric learning on unseen classes: every network trains on classes ").append(m.trainClasses()).append(" (")
                .append(String.join(", ", r.classNames())).append(") and is evaluated by retrieval on the test images of classes ")
                .append(m.testClasses()).append(" (").append(r.testClassNames() == null ? "?" : String.join(", ", r.testClassNames()))
                .append("), by cosine similarity of its pooled features. CE is the normalised-softmax proxy loss "
                        + "(cosine head, temperature 0.05).\n\n");
        md.append("## Recall@K, queries against a gallery of the same resolution (%, the paper's Table 4; mean ± std over seeds)\n\n");
        md.append("| Model | Resolution |");
        for (int k : ks) md.append(" R@").append(k).append(" |");
        md.append(" R@").append(ks[0]).append(", HR gallery | HORKD - this, R@").append(ks[0]).append(" (points) |\n|---|---|")
                .append("---:|".repeat(ks.length + 2)).append("\n");
        List<Integer> factors = new ArrayList<>(List.of(1));
        factors.addAll(r.config().lowResolution().factors());
        Map<String, String> methods = Report.methods(r);
        for (String name : methods.keySet()) {
            for (int f : factors) {
                Stat r1 = Report.stat(ev, name, f, e -> within(e, 0));
                if (r1 == null) continue;
                int side = ev.stream().filter(e -> e.method().equals(name) && e.factor() == f).findFirst().orElseThrow().side();
                md.append("| ").append(methods.get(name)).append(" | ").append(side).append("x").append(side).append(" |");
                for (int i = 0; i < ks.length; i++) {
                    final int k = i;
                    md.append(" ").append(Report.stat(ev, name, f, e -> within(e, k)).pct()).append(" |");
                }
                Stat h = f == 1 || name.equals("horkd") ? null : Report.stat(ev, "horkd", f, e -> within(e, 0));
                md.append(" ").append(f == 1 ? "" : Report.stat(ev, name, f, e -> e.recall()[0]).pct()).append(" | ")
                        .append(h == null ? "" : h.minus(r1)).append(" |\n");
            }
        }
        md.append("\nThe HR networks' rows at LR sizes: the same network given the LR images (the resolution gap). The HR gallery: "
                + "each LR query searches the network's embedding of the HR test images, its own HR twin excluded.\n");
        md.append("\n## HORKD against the LR baselines\n\nRecall@").append(ks[0]).append(" differences in points (LR queries, LR gallery), "
                + "mean over seeds with the standard error of the difference, and seed by seed where there are several seeds.\n\n");
        for (int f : r.config().lowResolution().factors()) {
            Stat h = Report.stat(ev, "horkd", f, e -> within(e, 0));
            if (h == null) continue;
            md.append("- ").append(r.hrSide()).append(" -> ").append(r.hrSide() / f).append(": HORKD ").append(h.pct()).append("%");
            for (String b : r.config().baselines()) {
                Stat o = Report.stat(ev, b, f, e -> within(e, 0));
                if (o != null) md.append("; ").append(h.minus(o)).append(" over ").append(Report.against(b, true))
                        .append(Report.paired(ev, b, f, e -> within(e, 0)));
            }
            Stat teacher = Report.stat(ev, "teacher", 1, e -> within(e, 0));
            if (teacher != null) {
                md.append(String.format(Locale.ROOT, "; the HR teacher on HR images: %.2f%%%s", 100 * teacher.mean(),
                        h.mean() > teacher.mean() ? " (the LR student is above it)" : ""));
            }
            md.append(".\n");
        }
    }

    /** Recall@K against K, one chart per LR resolution: each LR student, and the HR teacher on HR images for reference. */
    static void recallPlot(Results r, Path dir) throws IOException {
        List<Evaluation> ev = r.evaluations();
        int[] ks = r.config().eval().recallK().stream().mapToInt(Integer::intValue).toArray();
        double[] x = java.util.Arrays.stream(ks).asDoubleStream().toArray();
        List<XYChart> charts = new ArrayList<>();
        for (int f : r.config().lowResolution().factors()) {
            int side = r.hrSide() / f;
            XYChart c = new XYChartBuilder().width(700).height(520)
                    .title("Recall@K at " + side + "x" + side + ", unseen classes (mean over seeds)").xAxisTitle("K").yAxisTitle("Recall@K (%)").build();
            c.getStyler().setXAxisLogarithmic(true).setXAxisLogarithmicDecadeOnly(false); // ticks at 1, 2, ..., 9, not only 1
            for (String name : Report.methods(r).keySet()) {
                int at = name.equals("teacher") ? 1 : f;
                if (name.equals("assistant") || Report.stat(ev, name, at, e -> within(e, 0)) == null) continue;
                double[] y = new double[ks.length];
                for (int i = 0; i < ks.length; i++) {
                    final int k = i;
                    y[i] = 100 * Report.stat(ev, name, at, e -> within(e, k)).mean();
                }
                c.addSeries(name.equals("teacher") ? "teacher (HR images)" : name, x, y).setMarker(SeriesMarkers.CIRCLE);
            }
            if (!c.getSeriesMap().isEmpty()) charts.add(c);
        }
        if (!charts.isEmpty()) {
            BitmapEncoder.saveBitmap(charts, 1, charts.size(), dir.resolve("recall.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
