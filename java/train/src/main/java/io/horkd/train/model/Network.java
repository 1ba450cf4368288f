package io.horkd.train.model;

import io.horkd.nd4j.HorkdNd4j;
import io.horkd.nd4j.nn.BatchNorm;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A ResNet stream: its graph ({@link ResNet}'s names), its shape, and inference on batches. Saved as
 * {@code <name>.sd} (SameDiff's format, loadable without horkd's training code) plus {@code <name>.properties}
 * (the shape).
 */
public final class Network {
    private final SameDiff sd;
    private final ResNetSpec spec;
    private final int channels;
    private final int classes;
    /** Bumped whenever the weights are replaced or trained (see {@link #weightsVersion}). */
    private long weightsVersion;

    public Network(SameDiff sd, ResNetSpec spec, int channels, int classes) {
        this.sd = sd;
        this.spec = spec;
        this.channels = channels;
        this.classes = classes;
    }

    /** A freshly initialised stream. */
    public static Network create(ResNetSpec spec, int channels, int classes, long seed) {
        return new Network(ResNet.build(spec, channels, classes, seed), spec, channels, classes);
    }

    public SameDiff graph() {
        return sd;
    }

    public ResNetSpec spec() {
        return spec;
    }

    public int channels() {
        return channels;
    }

    public int classes() {
        return classes;
    }

    public int featureSize() {
        return spec.featureSize();
    }

    /** Features and logits of {@code images} {@code [k, C, H, W]} in inference mode (running statistics). */
    public INDArray[] featuresAndLogits(INDArray images) {
        return outputs(images, ResNet.FEATURES, ResNet.LOGITS);
    }

    /** The named outputs of {@code images} in inference mode ({@link ResNet#FEATURES}, {@link ResNet#stage}, ...). */
    public INDArray[] outputs(INDArray images, String... names) {
        boolean was = BatchNorm.isTraining(sd);
        BatchNorm.setTraining(sd, false);
        try {
            Map<String, INDArray> out = sd.output(Map.of(ResNet.INPUT, images), names);
            INDArray[] r = new INDArray[names.length];
            for (int i = 0; i < names.length; i++) r[i] = out.get(names[i]);
            return r;
        } finally {
            BatchNorm.setTraining(sd, was);
        }
    }

    /** The number of stages, whose outputs are {@code ResNet.stage(1..stages())}. */
    public int stages() {
        return spec.blocks().length;
    }

    /**
     * A number that changes whenever the weights do ({@link #copyWeightsFrom}, {@link #weightsChanged}):
     * what was derived from the weights (a teacher's cached outputs) is valid while it stays the same.
     */
    public long weightsVersion() {
        return weightsVersion;
    }

    /** Records that the weights changed (a training step). */
    public void weightsChanged() {
        weightsVersion++;
    }

    /** Copies every weight and running statistic of {@code other} (same spec) into this stream. */
    public void copyWeightsFrom(Network other) {
        if (!spec.equals(other.spec) || channels != other.channels || classes != other.classes) {
            throw new IllegalArgumentException("cannot initialise " + spec + " from " + other.spec);
        }
        weightsChanged();
        for (SDVariable v : other.sd.variables()) {
            VariableType t = v.getVariableType();
            if ((t == VariableType.VARIABLE || t == VariableType.CONSTANT) && sd.hasVariable(v.name())
                    && !v.name().equals(BatchNorm.TRAINING)) {
                sd.getVariable(v.name()).getArr().assign(v.getArr());
            }
        }
    }

    /** The weights and running statistics by name (copies). */
    public Map<String, INDArray> state() {
        Map<String, INDArray> m = new HashMap<>();
        for (SDVariable v : sd.variables()) {
            VariableType t = v.getVariableType();
            if (t == VariableType.VARIABLE || t == VariableType.CONSTANT) m.put(v.name(), v.getArr().dup());
        }
        return m;
    }

    /** Saves the stream (inference graph and weights) as {@code dir/name.sd} and {@code dir/name.properties}. */
    public void save(Path dir, String name) {
        try {
            Files.createDirectories(dir);
            Properties p = new Properties();
            p.setProperty("network", spec.name());
            p.setProperty("block", spec.block().name());
            p.setProperty("blocks", String.join(",", java.util.Arrays.stream(spec.blocks()).mapToObj(String::valueOf).toList()));
            p.setProperty("width", String.valueOf(spec.width()));
            p.setProperty("stem", spec.stem().name());
            p.setProperty("head", spec.head().name());
            p.setProperty("channels", String.valueOf(channels));
            p.setProperty("classes", String.valueOf(classes));
            Path tmp = dir.resolve(name + ".sd.tmp");
            boolean was = BatchNorm.isTraining(sd);
            BatchNorm.setTraining(sd, false);
            try {
                sd.save(tmp.toFile(), false);
            } finally {
                BatchNorm.setTraining(sd, was);
            }
            Files.move(tmp, dir.resolve(name + ".sd"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            try (var w = Files.newBufferedWriter(dir.resolve(name + ".properties"))) {
                p.store(w, "horkd network " + name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save " + name + " to " + dir, e);
        }
    }

    /** Loads a stream saved by {@link #save}. */
    public static Network load(Path dir, String name) {
        HorkdNd4j.install();
        Path props = dir.resolve(name + ".properties");
        Path graph = dir.resolve(name + ".sd");
        if (!Files.isRegularFile(props) || !Files.isRegularFile(graph)) {
            throw new IllegalArgumentException("no saved network '" + name + "' in " + dir + " (need " + graph.getFileName()
                    + " and " + props.getFileName() + ")");
        }
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(props)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + props, e);
        }
        int[] blocks = java.util.Arrays.stream(p.getProperty("blocks").split(",")).mapToInt(Integer::parseInt).toArray();
        ResNetSpec spec = new ResNetSpec(p.getProperty("network"), ResNetSpec.Block.valueOf(p.getProperty("block")), blocks,
                Integer.parseInt(p.getProperty("width")), ResNetSpec.Stem.valueOf(p.getProperty("stem")),
                ResNetSpec.Head.valueOf(p.getProperty("head", "LINEAR"))); // networks saved before 2026-12-02 are linear
        SameDiff sd = SameDiff.load(new File(graph.toString()), false);
        return new Network(sd, spec, Integer.parseInt(p.getProperty("channels")), Integer.parseInt(p.getProperty("classes")));
    }

    @Override
    public String toString() {
        return spec + " for " + channels + "-channel images, " + classes + " classes";
    }

    /** Names of the trainable variables. */
    public List<String> trainable() {
        return sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE).map(SDVariable::name).toList();
    }
}
