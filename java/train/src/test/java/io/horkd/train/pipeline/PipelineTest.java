package io.horkd.train.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.train.data.Synthetic;
import io.horkd.train.config.DistillConfig;
import io.horkd.train.data.Datasets;
import io.horkd.train.data.ImageSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineTest {
    /** Differences come with the standard error of a difference of two means. */
    @Test
    void differencesCarryTheirStandardError() {
        Report.Stat a = Report.Stat.of(List.of(0.80, 0.82, 0.84));
        Report.Stat b = Report.Stat.of(List.of(0.79, 0.80, 0.81));
        assertEquals(2.0, 100 * a.std(), 1e-12);
        // sqrt(2^2/3 + 1^2/3) = 1.29 points
        assertEquals("+2.00 ± 1.29", a.minus(b));
        assertEquals("-1.00", b.minus(Report.Stat.of(List.of(0.81))));
        // Seed by seed, in seed order, only for seeds both methods have.
        List<Pipeline.Evaluation> ev = List.of(eval("horkd", 2, 0.90), eval("horkd", 1, 0.88), eval("kd", 1, 0.87), eval("kd", 2, 0.91),
                eval("kd", 3, 0.5), eval("horkd", 4, 0.9));
        assertEquals(" (by seed: +1.00, -1.00)", Report.paired(ev, "kd", 2));
        assertEquals("", Report.paired(ev.subList(0, 3), "kd", 2));
        // The resolution plot's bars: paired by seed, mean and spread of the differences.
        Report.Stat d = Report.pairedDifference(ev, "horkd", "kd", 2);
        assertEquals(2, d.n());
        assertEquals(0, d.mean(), 1e-15);
        assertEquals(Math.sqrt(2) * 0.01, d.std(), 1e-15);
        assertEquals(null, Report.pairedDifference(ev, "horkd", "dkd", 2));
    }

    /** A run's time is the sum over the processes that worked on it, its memory the largest process's. */
    @Test
    void effortAddsUpTheProcesses() {
        DistillConfig cfg = DistillConfig.load("default", List.of());
        Pipeline.Results one = new Pipeline.Results(cfg, 28, List.of(), null, List.of(), List.of(),
                List.of(new Pipeline.RunProcess("2026-12-01T10:00Z", 1466.4, 9_300_000_000L)));
        assertEquals("24 min 26 s, peak resident memory 9.3 GB", Report.effort(one));
        Pipeline.Results two = new Pipeline.Results(cfg, 28, List.of(), null, List.of(), List.of(), List.of(one.processes().get(0),
                new Pipeline.RunProcess("2026-12-01T11:00Z", 3000, 7_100_000_000L)));
        assertEquals("1 h 14 min 26 s over 2 processes (one per --resume), peak resident memory 9.3 GB (the largest process)",
                Report.effort(two));
        assertEquals("unmeasured", Report.effort(new Pipeline.Results(cfg, 28, List.of(), null, List.of(), List.of(), null)));
    }

    private static Pipeline.Evaluation eval(String method, long seed, double top1) {
        return new Pipeline.Evaluation(method, method + "-s" + seed, seed, 2, 14, top1, 1, new double[] {0}, new long[0][], null);
    }

    /** The whole pipeline on a tiny IDX dataset: every stage, every baseline, the report and the plots. */
    @Test
    void endToEndOnATinyDataset(@TempDir Path tmp) throws Exception {
        ImageSet train = Synthetic.bars(192, 12, 1);
        Path data = Datasets.writeIdx(tmp.resolve("data"), train, Synthetic.bars(60, 12, 2));
        Datasets.Split read = Datasets.fashionMnist(data);
        assertEquals(192, read.train().size());
        assertEquals(train.labels()[5], read.train().labels()[5]);
        assertEquals(Math.round(train.pixels()[77] * 255) / 255f, read.train().pixels()[77], 1e-7);

        DistillConfig cfg = DistillConfig.load("default", List.of("data.path=" + data, "data.trainLimit=0", "data.testLimit=0",
                "teacher.network=resnet8", "teacher.width=4", "assistant.width=4", "teacher.epochs=2", "assistant.epochs=1", "student.epochs=1",
                "lowResolution.factors=2", "train.batch=32", "eval.recallQueries=40", "eval.recallK=1,5",
                "baselines=scratch,kd,rkd,direct,init-ce,init-kd,direct-rakd"));
        Path run = tmp.resolve("run");
        Pipeline.Results r = new Pipeline(cfg, run, null).run();
        Set<String> methods = r.evaluations().stream().map(Pipeline.Evaluation::method).collect(Collectors.toSet());
        assertEquals(Set.of("teacher", "assistant", "horkd", "scratch", "kd", "rkd", "direct", "init-ce", "init-kd", "direct-rakd"), methods);
        // Teacher and assistant at HR and at the LR factor, eight students at LR.
        assertEquals(2 + 2 + 8, r.evaluations().size());
        assertTrue(r.evaluations().stream().allMatch(e -> e.top1() >= 0 && e.top1() <= e.top5() && e.recall()[0] <= e.recall()[1]));
        assertEquals(2 + 1 + 8, r.epochs().size());
        for (String f : new String[] {"config.yaml", "metrics.jsonl", "results.json", "report.md", "plots/loss.png", "plots/accuracy.png",
                "plots/resolution.png", "plots/discriminator.png", "models/horkd-x2-s1.sd", "models/teacher-s1.properties"}) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        String report = Files.readString(run.resolve("report.md"));
        assertTrue(report.contains("| LR student, HORKD (teacher -> assistant -> student) | 6x6 |"), report);
        assertTrue(report.contains(" over from scratch;"), report);
        assertTrue(report.contains(" over CE only from the assistant's weights"), report);
        assertTrue(report.contains("| LR student, resolution-aware KD (seed 002), from the HR teacher directly | 6x6 |"), report);
        assertTrue(r.epochs().stream().filter(e -> e.stage().startsWith("direct-rakd")).allMatch(e -> e.discriminator() != null)
                && r.epochs().stream().filter(e -> !e.stage().startsWith("direct-rakd")).allMatch(e -> e.discriminator() == null));
        assertEquals(11, Files.readAllLines(run.resolve("metrics.jsonl")).size());
        assertEquals(1, r.processes().size());
        assertTrue(r.seconds() > 0 && r.peakResidentBytes() > 100L << 20, r.processes().toString());
        assertTrue(report.contains("Time: " + Report.effort(r) + "."), report);
        assertTrue(r.epochs().stream().allMatch(e -> e.residentBytes() > 100L << 20 && e.residentBytes() <= r.peakResidentBytes()),
                r.epochs().toString());

        // The report can be rewritten from results.json alone.
        Files.delete(run.resolve("report.md"));
        assertEquals(run.resolve("report.md"), Report.rewrite(run));
        assertEquals(report, Files.readString(run.resolve("report.md")));

        // A second run over the same directory resumes: every stage is complete, nothing trains again.
        Pipeline.Results again = new Pipeline(cfg, run, null).run();
        assertEquals(r.evaluations().get(0).top1(), again.evaluations().get(0).top1());
        assertEquals(r.epochs(), again.epochs());
        assertEquals(2, again.processes().size(), "the resumed run's time counts both processes");
        assertEquals(r.processes().get(0), again.processes().get(0));
        assertEquals(11, Files.readAllLines(run.resolve("metrics.jsonl")).size());
    }

    /**
     * The metric protocol end to end on four synthetic classes: train on two, retrieve the other two; cosine
     * heads, Recall@K within a view and against the HR gallery, no top-1, the Table-4 report and its plot.
     */
    @Test
    void metricProtocolOnUnseenClasses(@TempDir Path tmp) throws Exception {
        Path data = Datasets.writeIdx(tmp.resolve("data"), Synthetic.bars(160, 12, 1, 4), Synthetic.bars(80, 12, 2, 4));
        DistillConfig cfg = DistillConfig.load("metric", List.of("data.path=" + data, "data.trainLimit=0", "data.testLimit=0",
                "metric.trainClasses=0,1", "metric.testClasses=2,3", "teacher.network=resnet8", "teacher.width=4", "assistant.width=4",
                "teacher.epochs=1", "assistant.epochs=1", "student.epochs=1", "lowResolution.factors=2", "train.batch=32",
                "eval.recallQueries=40", "eval.recallK=1,2,4"));
        Datasets.Split split = Pipeline.data(cfg);
        assertEquals(80, split.train().size());
        assertEquals(40, split.test().size());
        assertEquals(List.of("class 2", "class 3"), split.test().classNames());
        Path run = tmp.resolve("run");
        Pipeline.Results r = new Pipeline(cfg, run, null).run();
        Set<String> methods = r.evaluations().stream().map(Pipeline.Evaluation::method).collect(Collectors.toSet());
        assertEquals(Set.of("teacher", "assistant", "horkd", "scratch", "rkd-only", "rkd", "direct", "init-ce"), methods);
        assertEquals(2 + 2 + 6, r.evaluations().size());
        for (Pipeline.Evaluation e : r.evaluations()) {
            assertTrue(Double.isNaN(e.top1()) && e.confusion() == null, e.stage());
            for (double[] rk : new double[][] {e.recall(), e.recallWithin()}) {
                assertEquals(3, rk.length);
                assertTrue(rk[0] >= 0 && rk[0] <= rk[1] && rk[1] <= rk[2] && rk[2] <= 1, e.stage() + " " + java.util.Arrays.toString(rk));
            }
        }
        // Each epoch is scored by Recall@1 on the unseen classes, a fraction.
        assertTrue(r.epochs().stream().allMatch(m -> m.testTop1() >= 0 && m.testTop1() <= 1), r.epochs().toString());
        assertTrue(Files.readString(run.resolve("models/teacher-s1.properties")).contains("head=COSINE"));
        assertTrue(Files.size(run.resolve("plots/recall.png")) > 0);
        String report = Files.readString(run.resolve("report.md"));
        assertTrue(report.contains("## Recall@K, queries against a gallery of the same resolution"), report);
        assertTrue(report.contains("| LR student, RKD only (no labels) | 6x6 |"), report);
        assertTrue(report.contains(" over RKD + metric loss"), report);
        assertTrue(report.contains("classes [0, 1] (class 0, class 1) and is evaluated by retrieval on the test images of classes [2, 3] (class 2, class 3)"), report);
        // NaN top-1 survives results.json: the report is rewritten from it to the same text.
        Files.delete(run.resolve("report.md"));
        Report.rewrite(run);
        assertEquals(report, Files.readString(run.resolve("report.md")));
    }
}
