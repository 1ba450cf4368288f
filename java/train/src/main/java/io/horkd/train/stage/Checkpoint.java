package io.horkd.train.stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A stage's state after its last finished epoch: the configuration it was trained under (a fingerprint:
 * a checkpoint of another configuration is not resumed) and every epoch's metrics. On disk, next to the
 * graph with its updater state ({@code <stage>.ckpt.sd}), as {@code <stage>.ckpt.properties}; the graph is
 * written first, then the state that points at it, each by an atomic rename, so a kill at any moment
 * leaves a consistent pair (the previous epoch's or this one's).
 */
public record Checkpoint(String config, List<StageTrainer.EpochMetrics> history) {
    public Checkpoint {
        history = List.copyOf(history);
    }

    /** Epochs finished. */
    public int epochsDone() {
        return history.size();
    }

    /** The graph of stage {@code name} in {@code dir}. */
    public static Path graphFile(Path dir, String name) {
        return dir.resolve(name + ".ckpt.sd");
    }

    /** The discriminator (with Adam's state) of stage {@code name} in {@code dir}, for stages with the adversarial term. */
    public static Path discriminatorFile(Path dir, String name) {
        return dir.resolve(name + ".ckpt.disc.sd");
    }

    /** The discriminator this checkpoint of stage {@code name} in {@code dir} points at. */
    public static Discriminator discriminator(Path dir, String name) {
        return Discriminator.load(discriminatorFile(dir, name).toFile());
    }

    static Path stateFile(Path dir, String name) {
        return dir.resolve(name + ".ckpt.properties");
    }

    /** The checkpoint of stage {@code name} in {@code dir}, or null where there is none. */
    public static Checkpoint read(Path dir, String name) {
        Path state = stateFile(dir, name);
        if (!Files.isRegularFile(state)) return null;
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(state)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint state " + state, e);
        }
        int done = Integer.parseInt(p.getProperty("epochsDone"));
        List<StageTrainer.EpochMetrics> history = new ArrayList<>();
        for (int e = 0; e < done; e++) {
            StageTrainer.Discrimination d = p.containsKey("disc.loss." + e)
                    ? new StageTrainer.Discrimination(number(p, "disc.loss", e), number(p, "disc.accuracy", e)) : null;
            history.add(new StageTrainer.EpochMetrics(name, e + 1, number(p, "ce", e), number(p, "objective", e), number(p, "top1", e),
                    number(p, "lr", e), number(p, "seconds", e), Long.parseLong(p.getProperty("resident." + e, "-1")), d));
        }
        return new Checkpoint(p.getProperty("config"), history);
    }

    private static double number(Properties p, String key, int epoch) {
        return Double.parseDouble(p.getProperty(key + "." + epoch));
    }

    /** The graph, with its updater state, that this checkpoint of stage {@code name} in {@code dir} points at. */
    public static SameDiff graph(Path dir, String name) {
        return SameDiff.load(graphFile(dir, name).toFile(), true);
    }

    /** Writes {@code graph} (with its updater state) and then this state for stage {@code name} in {@code dir}. */
    public void write(SameDiff graph, Path dir, String name) {
        write(graph, null, dir, name);
    }

    /**
     * Writes the discriminator (where there is one), {@code graph}, each with its optimiser's state, and then
     * this state, for stage {@code name} in {@code dir}.
     */
    public void write(SameDiff graph, Discriminator disc, Path dir, String name) {
        Path ckpt = graphFile(dir, name);
        Path state = stateFile(dir, name);
        try {
            Files.createDirectories(dir);
            if (disc != null) {
                Path d = discriminatorFile(dir, name);
                Path tmpD = d.resolveSibling(d.getFileName() + ".tmp");
                disc.save(tmpD.toFile());
                Files.move(tmpD, d, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            Path tmp = ckpt.resolveSibling(ckpt.getFileName() + ".tmp");
            graph.save(tmp.toFile(), true);
            Files.move(tmp, ckpt, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Properties p = new Properties();
            p.setProperty("config", config);
            p.setProperty("epochsDone", String.valueOf(history.size()));
            for (int e = 0; e < history.size(); e++) {
                StageTrainer.EpochMetrics m = history.get(e);
                p.setProperty("ce." + e, String.valueOf(m.trainCe()));
                p.setProperty("objective." + e, String.valueOf(m.objective()));
                p.setProperty("top1." + e, String.valueOf(m.testTop1()));
                p.setProperty("lr." + e, String.valueOf(m.lr()));
                p.setProperty("seconds." + e, String.valueOf(m.seconds()));
                p.setProperty("resident." + e, String.valueOf(m.residentBytes()));
                if (m.discriminator() != null) {
                    p.setProperty("disc.loss." + e, String.valueOf(m.discriminator().loss()));
                    p.setProperty("disc.accuracy." + e, String.valueOf(m.discriminator().accuracy()));
                }
            }
            Path tmpState = state.resolveSibling(state.getFileName() + ".tmp");
            try (var w = Files.newBufferedWriter(tmpState)) {
                p.store(w, "horkd stage checkpoint");
            }
            Files.move(tmpState, state, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + ckpt, e);
        }
    }
}
