package io.horkd.train.pipeline;

import io.horkd.train.pipeline.Pipeline.Evaluation;
import io.horkd.train.pipeline.Pipeline.Results;
import io.horkd.train.stage.StageTrainer.EpochMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * {@code report.md} of a run: the results table shaped like the paper's Table 1 (mean and standard
 * deviation over seeds), how the HORKD student compares with the LR baselines and how much of the
 * HR-LR gap it closes, Recall@K, the HORKD student's confusion matrix, and PNG plots (per-stage loss and
 * accuracy curves, accuracy per resolution and method).
 */
public final class Report {
    /** How the report names the students it knows; any other method is named by its configured objective. */
    static final Map<String, String> LABELS = new LinkedHashMap<>();

    static {
        LABELS.put("teacher", "Teacher");
        LABELS.put("assistant", "Assistant");
        LABELS.put("scratch", "LR student from scratch");
        LABELS.put("kd", "LR student, KD only");
        LABELS.put("rkd", "LR student, RKD only (L2 + L3)");
        LABELS.put("fitnet", "LR student, FitNet hint");
        LABELS.put("at", "LR student, attention transfer (AT)");
        LABELS.put("dct", "LR student, DCT attention (seed 003)");
        LABELS.put("dft", "LR student, DCT attention, DFT real part");
        LABELS.put("sp", "LR student, similarity preserving (SP)");
        LABELS.put("pkt", "LR student, PKT");
        LABELS.put("dkd", "LR student, DKD");
        LABELS.put("rakd", "LR student, resolution-aware KD (seed 002)");
        LABELS.put("rakd-noadv", "LR student, resolution-aware KD without its adversarial term");
        LABELS.put("direct", "LR student, HORKD without assistant");
        LABELS.put("init-ce", "LR student, CE only, initialised from the assistant");
        LABELS.put("init-kd", "LR student, KD only, initialised from the assistant");
        LABELS.put("horkd", "LR student, HORKD (teacher -> assistant -> student)");
    }

    /** The metric protocol's names where they differ: CE there is the metric loss, and presets/metric.yaml's rkd has it. */
    static final Map<String, String> METRIC_LABELS = Map.of(
            "scratch", "LR student from scratch (metric loss)",
            "rkd-only", "LR student, RKD only (no labels)",
            "rkd", "LR student, RKD + metric loss",
            "init-ce", "LR student, metric loss only, initialised from the assistant");

    /** The rows of a run, in order: the HR networks, the baselines as configured, HORKD; name to label. */
    static Map<String, String> methods(Results r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("teacher", LABELS.get("teacher"));
        m.put("assistant", LABELS.get("assistant"));
        for (String b : r.config().baselines()) {
            String direct = io.horkd.train.config.DistillConfig.directMethod(b);
            if (r.config().metricLearning() && METRIC_LABELS.containsKey(b)) m.put(b, METRIC_LABELS.get(b));
            else if (LABELS.containsKey(b)) m.put(b, LABELS.get(b));
            else if (r.config().methods().containsKey(b)) m.put(b, "LR student, " + b + " (" + r.config().methods().get(b) + ")");
            else m.put(b, LABELS.getOrDefault(direct, "LR student, " + direct + " (" + r.config().methods().get(direct) + ")")
                    + ", from the HR teacher directly");
        }
        m.put("horkd", LABELS.get("horkd"));
        return m;
    }

    private Report() {}

    /** Mean and sample standard deviation. */
    record Stat(double mean, double std, int n) {
        static Stat of(List<Double> v) {
            double m = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double ss = v.stream().mapToDouble(x -> (x - m) * (x - m)).sum();
            return new Stat(m, v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0, v.size());
        }

        /** This minus {@code o} in points, with the difference's standard error where both have several values. */
        String minus(Stat o) {
            double d = 100 * (mean - o.mean);
            if (n < 2 || o.n < 2) return String.format(Locale.ROOT, "%+.2f", d);
            return String.format(Locale.ROOT, "%+.2f ± %.2f", d, 100 * Math.sqrt(std * std / n + o.std * o.std / o.n));
        }

        String pct() {
            return n > 1 ? String.format(Locale.ROOT, "%.2f ± %.2f", 100 * mean, 100 * std) : String.format(Locale.ROOT, "%.2f", 100 * mean);
        }
    }

    static Stat stat(List<Evaluation> evals, String method, int factor, ToDoubleFunction<Evaluation> f) {
        List<Double> v = evals.stream().filter(e -> e.method().equals(method) && e.factor() == factor).map(f::applyAsDouble).toList();
        return v.isEmpty() ? null : Stat.of(v);
    }

    /** Rewrites the report and plots of a finished run from its {@code results.json}. */
    public static Path rewrite(Path run) throws IOException {
        Path json = run.resolve("results.json");
        if (!Files.isRegularFile(json)) throw new IllegalArgumentException(run + " has no results.json: not a distill run directory");
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper().registerModule(io.horkd.train.config.DistillConfig.OBJECTIVES);
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(json.toFile());
        tree.set("config", io.horkd.train.config.DistillConfig.upgrade(tree.get("config"))); // runs of earlier versions too
        Results r = mapper.treeToValue(tree, Results.class);
        write(r, run);
        return run.resolve("report.md");
    }

    public static void write(Results r, Path run) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path plots = Files.createDirectories(run.resolve("plots"));
        List<Evaluation> ev = r.evaluations();
        int[] ks = r.config().eval().recallK().stream().mapToInt(Integer::intValue).toArray();
        StringBuilder md = new StringBuilder("# horkd distillation report\n\n");
        md.append("Dataset ").append(r.config().data().dataset()).append(", HR ").append(r.hrSide()).append("x").append(r.hrSide())
                .append("; teacher ").append(r.config().network(r.config().teacher())).append("; assistant and students ")
                .append(r.config().network(r.config().assistant())).append("; seeds ").append(r.config().seeds())
                .append("; HORKD student initialised from the assistant: ").append(r.config().student().initFromAssistant() ? "yes" : "no")
                .append(".\n\n");
        if (!r.processes().isEmpty()) md.append("Time: ").append(effort(r)).append(".\n\n");
        if (r.config().metricLearning()) {
            MetricReport.body(r, md);
            plots(r, plots);
            md.append("\n## Plots\n\n![Recall@K per resolution](plots/recall.png)\n\n![loss](plots/loss.png)\n\n"
                    + "![Recall@1 per epoch](plots/accuracy.png)\n");
            Files.writeString(run.resolve("report.md"), md.toString());
            return;
        }
        md.append("## Results (test set, %; mean ± std over seeds where more than one)\n\n");
        md.append("| Model | Resolution | Top-1 | HORKD - this (points) | Top-5 | Recall@").append(ks[0])
                .append(" (LR query, HR gallery) |\n|---|---|---:|---:|---:|---:|\n");
        List<Integer> factors = new ArrayList<>(List.of(1));
        factors.addAll(r.config().lowResolution().factors());
        Map<String, String> methods = methods(r);
        for (String m : methods.keySet()) {
            for (int f : factors) {
                Stat top1 = stat(ev, m, f, Evaluation::top1);
                if (top1 == null) continue;
                int side = ev.stream().filter(e -> e.method().equals(m) && e.factor() == f).findFirst().orElseThrow().side();
                Stat h = f == 1 || m.equals("horkd") ? null : stat(ev, "horkd", f, Evaluation::top1);
                md.append("| ").append(methods.get(m)).append(" | ").append(side).append("x").append(side).append(" | ").append(top1.pct())
                        .append(" | ").append(h == null ? "" : h.minus(top1)).append(" | ").append(stat(ev, m, f, Evaluation::top5).pct())
                        .append(" | ").append(stat(ev, m, f, e -> e.recall()[0]).pct()).append(" |\n");
            }
        }
        md.append("\nThe difference column: HORKD's top-1 minus the row's at the same resolution, ± the standard error of the "
                + "difference where there are several seeds.\n");
        md.append("\n## HORKD against the LR baselines\n\nTop-1 differences in points, mean over seeds, with the standard error of the "
                + "difference (sqrt(s1^2/n1 + s2^2/n2)) and the difference seed by seed (the same seed gives the same batches and "
                + "augmentation, and for init-* the same starting weights) where there are several seeds.\n\n");
        for (int f : r.config().lowResolution().factors()) {
            Stat h = stat(ev, "horkd", f, Evaluation::top1);
            Stat scratch = stat(ev, "scratch", f, Evaluation::top1);
            Stat hr = stat(ev, "assistant", 1, Evaluation::top1);
            if (h == null) continue;
            int side = r.hrSide() / f;
            md.append("- ").append(r.hrSide()).append(" -> ").append(side).append(": HORKD ").append(h.pct()).append("%");
            for (String b : r.config().baselines()) {
                Stat o = stat(ev, b, f, Evaluation::top1);
                if (o != null) md.append("; ").append(h.minus(o)).append(" over ").append(against(b, false)).append(paired(ev, b, f));
            }
            if (scratch != null && hr != null && hr.mean() > scratch.mean()) {
                double closed = (h.mean() - scratch.mean()) / (hr.mean() - scratch.mean());
                md.append(String.format(Locale.ROOT, "; it closes %.0f%% of the gap between the same network on HR (%.2f%%) and on LR from "
                        + "scratch (%.2f%%)%s", 100 * closed, 100 * hr.mean(), 100 * scratch.mean(),
                        closed > 1 ? ", i.e. the LR student is above the HR network it learnt from" : ""));
            }
            md.append(".\n");
        }
        md.append("\n## Recall@K, LR queries against the HR gallery (same network, own HR twin excluded)\n\n| Model | Resolution |");
        for (int k : ks) md.append(" R@").append(k).append(" |");
        md.append("\n|---|---|").append("---:|".repeat(ks.length)).append("\n");
        for (String m : methods.keySet()) {
            for (int f : r.config().lowResolution().factors()) {
                if (stat(ev, m, f, Evaluation::top1) == null) continue;
                md.append("| ").append(methods.get(m)).append(" | ").append(r.hrSide() / f).append(" |");
                for (int i = 0; i < ks.length; i++) {
                    final int k = i;
                    md.append(" ").append(stat(ev, m, f, e -> e.recall()[k]).pct()).append(" |");
                }
                md.append("\n");
            }
        }
        ev.stream().filter(e -> e.method().equals("horkd")).findFirst().ifPresent(e -> confusion(md, e, r.classNames()));
        plots(r, plots);
        md.append("\n## Plots\n\n![loss](plots/loss.png)\n\n![accuracy per epoch](plots/accuracy.png)\n\n"
                + "![top-1 of each LR student minus the one from scratch, per resolution](plots/resolution.png)\n");
        if (hasDiscriminator(r)) md.append("\n![the discriminator's loss and accuracy per epoch](plots/discriminator.png)\n");
        Files.writeString(run.resolve("report.md"), md.toString());
    }

    /**
     * "24 min 26 s, peak resident memory 9.3 GB" (with "over N processes" for a resumed run): what the run
     * cost, as the process or processes measured it; "unmeasured" for runs of versions before 2026-12-02.
     */
    public static String effort(Results r) {
        if (r.processes().isEmpty()) return "unmeasured";
        long s = Math.round(r.seconds());
        String t = s >= 3600 ? String.format(Locale.ROOT, "%d h %d min %d s", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d min %d s", s / 60, s % 60);
        if (r.processes().size() > 1) t += " over " + r.processes().size() + " processes (one per --resume)";
        long peak = r.peakResidentBytes();
        return peak < 0 ? t : t + String.format(Locale.ROOT, ", peak resident memory %.1f GB%s", peak / 1e9,
                r.processes().size() > 1 ? " (the largest process)" : "");
    }

    /** How the HORKD bullet names a baseline. */
    static String against(String b, boolean metric) {
        if (metric) {
            switch (b) {
                case "scratch": return "the metric loss from scratch";
                case "rkd-only": return "RKD only";
                case "rkd": return "RKD + metric loss";
                case "init-ce": return "the metric loss from the assistant's weights";
                default: break;
            }
        }
        return switch (b) {
            case "scratch" -> "from scratch";
            case "kd" -> "KD only";
            case "rkd" -> "RKD only";
            case "direct" -> "HORKD without assistant";
            case "init-ce" -> "CE only from the assistant's weights";
            case "init-kd" -> "KD only from the assistant's weights";
            default -> LABELS.containsKey(b) ? LABELS.get(b).replace("LR student, ", "") : b;
        };
    }

    /** " (by seed: +a, +b, ...)": HORKD minus {@code method} at {@code factor} for each seed both have; empty for one seed. */
    static String paired(List<Evaluation> ev, String method, int factor) {
        return paired(ev, method, factor, Evaluation::top1);
    }

    /** {@link #paired(List, String, int)} of the figure {@code f}. */
    static String paired(List<Evaluation> ev, String method, int factor, ToDoubleFunction<Evaluation> f) {
        Map<Long, Double> other = new java.util.TreeMap<>();
        ev.stream().filter(e -> e.method().equals(method) && e.factor() == factor).forEach(e -> other.put(e.seed(), f.applyAsDouble(e)));
        List<String> d = new ArrayList<>();
        ev.stream().filter(e -> e.method().equals("horkd") && e.factor() == factor && other.containsKey(e.seed()))
                .sorted(java.util.Comparator.comparingLong(Evaluation::seed))
                .forEach(e -> d.add(String.format(Locale.ROOT, "%+.2f", 100 * (f.applyAsDouble(e) - other.get(e.seed())))));
        return d.size() < 2 ? "" : " (by seed: " + String.join(", ", d) + ")";
    }

    private static void confusion(StringBuilder md, Evaluation e, List<String> names) {
        md.append("\n## Confusion matrix of ").append(e.stage()).append(" (rows: true class, columns: predicted)\n\n|  |");
        for (int j = 0; j < names.size(); j++) md.append(" ").append(j).append(" |");
        md.append("\n|---|").append("---:|".repeat(names.size())).append("\n");
        for (int i = 0; i < names.size(); i++) {
            md.append("| ").append(i).append(" ").append(names.get(i)).append(" |");
            for (long c : e.confusion()[i]) md.append(" ").append(c).append(" |");
            md.append("\n");
        }
    }

    private static void plots(Results r, Path dir) throws IOException {
        XYChart loss = new XYChartBuilder().width(900).height(520).title("Loss per epoch (whole objective on fixed training batches; mean over seeds)")
                .xAxisTitle("epoch").yAxisTitle("loss").build();
        boolean metric = r.config().metricLearning();
        XYChart acc = new XYChartBuilder().width(900).height(520)
                .title(metric ? "Test Recall@1 per epoch, unseen classes at the stage's resolution (mean over seeds)" : "Test top-1 per epoch (mean over seeds)")
                .xAxisTitle("epoch").yAxisTitle(metric ? "Recall@1 (%)" : "top-1 (%)").build();
        // One curve per stage, averaged over seeds (stage names end in -s<seed>).
        Map<String, Map<Integer, List<EpochMetrics>>> byStage = new LinkedHashMap<>();
        for (EpochMetrics m : r.epochs()) {
            byStage.computeIfAbsent(m.stage().replaceAll("-s\\d+$", ""), s -> new java.util.TreeMap<>())
                    .computeIfAbsent(m.epoch(), e -> new ArrayList<>()).add(m);
        }
        for (var e : byStage.entrySet()) {
            double[] x = e.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            loss.addSeries(e.getKey(), x, e.getValue().values().stream()
                    .mapToDouble(l -> l.stream().mapToDouble(EpochMetrics::objective).average().orElse(Double.NaN)).toArray());
            acc.addSeries(e.getKey(), x, e.getValue().values().stream()
                    .mapToDouble(l -> 100 * l.stream().mapToDouble(EpochMetrics::testTop1).average().orElse(Double.NaN)).toArray());
        }
        if (!byStage.isEmpty()) {
            BitmapEncoder.saveBitmap(loss, dir.resolve("loss.png").toString(), BitmapEncoder.BitmapFormat.PNG);
            BitmapEncoder.saveBitmap(acc, dir.resolve("accuracy.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        }
        if (hasDiscriminator(r)) discriminatorPlot(byStage, dir);
        if (!r.evaluations().isEmpty() && metric) MetricReport.recallPlot(r, dir);
        else if (!r.evaluations().isEmpty()) resolutionPlot(r, dir);
    }

    /**
     * The LR students' top-1 minus the from-scratch student's at each LR resolution, paired by seed (mean, and
     * the paired differences' standard deviation as error bars): the one- to two-point differences a run is
     * about, which bars of absolute accuracy from 0 would hide. Without a {@code scratch} row, absolute top-1
     * of every model and resolution, on an axis that starts near the lowest value.
     */
    private static void resolutionPlot(Results r, Path dir) throws IOException {
        List<Evaluation> ev = r.evaluations();
        List<Integer> lr = r.config().lowResolution().factors();
        boolean paired = lr.stream().anyMatch(f -> stat(ev, "scratch", f, Evaluation::top1) != null);
        CategoryChart bars = new CategoryChartBuilder().width(900).height(520)
                .title(paired ? "Top-1 minus the LR student from scratch (points; mean over seeds, bars: std of the paired differences)"
                        : "Test top-1 per input resolution and method")
                .xAxisTitle("input side (px)").yAxisTitle(paired ? "top-1 difference (points)" : "top-1 (%)").build();
        List<Integer> factors = new ArrayList<>(List.of(1));
        factors.addAll(lr);
        if (paired) factors = lr;
        List<String> sides = factors.stream().map(f -> String.valueOf(r.hrSide() / f)).toList();
        double lowest = Double.POSITIVE_INFINITY;
        for (String m : methods(r).keySet()) {
            if (paired && (m.equals("scratch") || m.equals("teacher") || m.equals("assistant"))) continue;
            List<Double> v = new ArrayList<>();
            List<Double> err = new ArrayList<>();
            boolean any = false;
            for (int f : factors) {
                Stat s = paired ? pairedDifference(ev, m, "scratch", f) : stat(ev, m, f, Evaluation::top1);
                v.add(s == null ? 0 : 100 * s.mean());
                err.add(s == null ? 0 : 100 * s.std());
                if (s != null) lowest = Math.min(lowest, 100 * s.mean());
                any |= s != null;
            }
            if (any) bars.addSeries(m, sides, v, err);
        }
        if (!paired && Double.isFinite(lowest)) bars.getStyler().setYAxisMin(Math.max(0, Math.floor(lowest / 5) * 5 - 5));
        if (!bars.getSeriesMap().isEmpty()) BitmapEncoder.saveBitmap(bars, dir.resolve("resolution.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** {@code method} minus {@code base} at {@code factor}, seed by seed over the seeds both have: mean and spread; null if none. */
    static Stat pairedDifference(List<Evaluation> ev, String method, String base, int factor) {
        return pairedDifference(ev, method, base, factor, Evaluation::top1);
    }

    /** {@link #pairedDifference(List, String, String, int)} of the figure {@code f}. */
    static Stat pairedDifference(List<Evaluation> ev, String method, String base, int factor, ToDoubleFunction<Evaluation> f) {
        Map<Long, Double> b = new java.util.TreeMap<>();
        ev.stream().filter(e -> e.method().equals(base) && e.factor() == factor).forEach(e -> b.put(e.seed(), f.applyAsDouble(e)));
        List<Double> d = ev.stream().filter(e -> e.method().equals(method) && e.factor() == factor && b.containsKey(e.seed()))
                .map(e -> f.applyAsDouble(e) - b.get(e.seed())).toList();
        return d.isEmpty() ? null : Stat.of(d);
    }

    /** Whether a stage of the run trained a discriminator (the adversarial term). */
    static boolean hasDiscriminator(Results r) {
        return r.epochs().stream().anyMatch(m -> m.discriminator() != null);
    }

    /**
     * The discriminator's loss and accuracy per epoch of each stage that has one (mean over seeds): what a
     * user of adversarial KD looks at first. BCE near ln 2 = 0.69 and accuracy near 0.5: it cannot tell the
     * student's features from the teacher's; loss near 0 and accuracy near 1: it wins and the generator's
     * gradient fades.
     */
    private static void discriminatorPlot(Map<String, Map<Integer, List<EpochMetrics>>> byStage, Path dir) throws IOException {
        XYChart loss = new XYChartBuilder().width(900).height(420).title("Discriminator BCE per epoch (ln 2 = 0.69: chance; mean over seeds)")
                .xAxisTitle("epoch").yAxisTitle("BCE").build();
        XYChart acc = new XYChartBuilder().width(900).height(420).title("Discriminator accuracy per epoch (0.5: chance; mean over seeds)")
                .xAxisTitle("epoch").yAxisTitle("accuracy").build();
        for (var e : byStage.entrySet()) {
            if (e.getValue().values().stream().flatMap(List::stream).noneMatch(m -> m.discriminator() != null)) continue;
            double[] x = e.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            loss.addSeries(e.getKey(), x, e.getValue().values().stream().mapToDouble(l -> l.stream()
                    .filter(m -> m.discriminator() != null).mapToDouble(m -> m.discriminator().loss()).average().orElse(Double.NaN)).toArray());
            acc.addSeries(e.getKey(), x, e.getValue().values().stream().mapToDouble(l -> l.stream()
                    .filter(m -> m.discriminator() != null).mapToDouble(m -> m.discriminator().accuracy()).average().orElse(Double.NaN)).toArray());
        }
        BitmapEncoder.saveBitmap(java.util.List.of(loss, acc), 2, 1, dir.resolve("discriminator.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
