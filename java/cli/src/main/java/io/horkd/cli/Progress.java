package io.horkd.cli;

import io.horkd.train.stage.StageTrainer;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar per epoch on stderr (loss, throughput, ETA), and a line per finished epoch. */
final class Progress implements StageTrainer.Listener {
    private ProgressBar bar;
    /** What the epoch's test figure is: top-1, or Recall@1 on the metric protocol. */
    private final String testFigure;

    Progress(boolean metric) {
        this.testFigure = metric ? "test Recall@1" : "test top-1";
    }

    @Override
    public void epochStarted(String stage, int epoch, int epochs, int steps) {
        close();
        bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "%s %d/%d", stage, epoch, epochs)).setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate().setConsumer(
                        new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
    }

    @Override
    public void step(String stage, int epoch, int step, int steps, double loss, double imagesPerSecond) {
        if (bar == null) return;
        bar.stepTo(step);
        bar.setExtraMessage(String.format(Locale.ROOT, "CE %.3f, %.0f img/s", loss, imagesPerSecond));
    }

    @Override
    public void epochEnded(String stage, StageTrainer.EpochMetrics m) {
        close();
        System.err.printf(Locale.ROOT, "%s epoch %d: train CE %.4f, loss %.4f, %s %.2f%%, %.0f s%s%n", stage, m.epoch(), m.trainCe(),
                m.objective(), testFigure, 100 * m.testTop1(), m.seconds(), m.residentBytes() < 0 ? "" : String.format(Locale.ROOT, ", %.1f GB resident",
                        m.residentBytes() / 1e9));
    }

    void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
