package io.horkd.train.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shape of a ResNet stream: block kind, blocks per stage, base width (channels of the first stage,
 * doubled at each further stage, which also halves the resolution), and stem.
 *
 * <p>Presets: the ImageNet family {@code resnet18/34/50} (four stages, width 64, basic or bottleneck
 * blocks) and the CIFAR family {@code resnet8/14/20/32} (three stages of basic blocks, width 16, depth
 * 6n+2), each with the stem of the images it is for (overridable: {@link #withStem}). Every preset takes a
 * width multiplier ({@link #withWidth}): {@code resnet18} at width 16 is a ResNet-18 that trains on a CPU.
 *
 * @param name     e.g. {@code resnet18}
 * @param block    basic (two 3x3 convolutions) or bottleneck (1x1, 3x3, 1x1 with 4x expansion)
 * @param blocks   blocks per stage
 * @param width    channels of the first stage
 * @param stem     {@link Stem#SMALL} (3x3 stride 1: for images of 32 pixels or less) or {@link Stem#IMAGENET}
 * @param head     the classifier on the pooled features: {@link Head#LINEAR} or {@link Head#COSINE} (the metric protocol's)
 */
public record ResNetSpec(String name, Block block, int[] blocks, int width, Stem stem, Head head) {
    public enum Block {
        BASIC(1), BOTTLENECK(4);

        /** Output channels of a block over its width. */
        public final int expansion;

        Block(int expansion) {
            this.expansion = expansion;
        }
    }

    public enum Stem {
        /** conv 3x3 stride 1: keeps small images' resolution. */
        SMALL,
        /** conv 7x7 stride 2 and max-pool 3x3 stride 2: a quarter of the resolution. */
        IMAGENET
    }

    public enum Head {
        /** {@code z = f W + b}: the classification runs'. */
        LINEAR,
        /**
         * {@code z_c = cos(f, w_c) / T}, {@code T =} {@link #COSINE_TEMPERATURE}, no bias: CE on it is the normalised-softmax
         * proxy loss of metric learning (Zhai and Wu, BMVC 2019), each class's weight vector its proxy.
         */
        COSINE;

        /** The cosine head's temperature, Zhai and Wu's 0.05 (logits in [-20, 20]). */
        public static final double COSINE_TEMPERATURE = 0.05;
    }

    private static final Map<String, ResNetSpec> PRESETS = new TreeMap<>();

    static {
        preset(new ResNetSpec("resnet8", Block.BASIC, new int[] {1, 1, 1}, 16, Stem.SMALL));
        preset(new ResNetSpec("resnet14", Block.BASIC, new int[] {2, 2, 2}, 16, Stem.SMALL));
        preset(new ResNetSpec("resnet20", Block.BASIC, new int[] {3, 3, 3}, 16, Stem.SMALL));
        preset(new ResNetSpec("resnet32", Block.BASIC, new int[] {5, 5, 5}, 16, Stem.SMALL));
        preset(new ResNetSpec("resnet18", Block.BASIC, new int[] {2, 2, 2, 2}, 64, Stem.IMAGENET));
        preset(new ResNetSpec("resnet34", Block.BASIC, new int[] {3, 4, 6, 3}, 64, Stem.IMAGENET));
        preset(new ResNetSpec("resnet50", Block.BOTTLENECK, new int[] {3, 4, 6, 3}, 64, Stem.IMAGENET));
    }

    private static void preset(ResNetSpec s) {
        PRESETS.put(s.name(), s);
    }

    public ResNetSpec {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("name must not be blank");
        if (block == null || stem == null || head == null) throw new IllegalArgumentException("block, stem and head must be given");
        if (blocks == null || blocks.length == 0 || Arrays.stream(blocks).anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("blocks must be one or more positive counts per stage, got " + Arrays.toString(blocks));
        }
        if (width < 1) throw new IllegalArgumentException("width must be positive, got " + width);
        blocks = blocks.clone();
    }

    /** A stream with the linear classifier. */
    public ResNetSpec(String name, Block block, int[] blocks, int width, Stem stem) {
        this(name, block, blocks, width, stem, Head.LINEAR);
    }

    /** A preset by name (case-insensitive): {@link #presets()}. */
    public static ResNetSpec of(String name) {
        ResNetSpec s = PRESETS.get(name.toLowerCase(Locale.ROOT));
        if (s == null) throw new IllegalArgumentException("unknown network '" + name + "'; presets: " + PRESETS.keySet());
        return s;
    }

    /** The preset names. */
    public static java.util.Set<String> presets() {
        return PRESETS.keySet();
    }

    public ResNetSpec withWidth(int w) {
        return new ResNetSpec(name, block, blocks, w, stem, head);
    }

    public ResNetSpec withStem(Stem s) {
        return new ResNetSpec(name, block, blocks, width, s, head);
    }

    public ResNetSpec withHead(Head h) {
        return new ResNetSpec(name, block, blocks, width, stem, h);
    }

    @Override
    public int[] blocks() {
        return blocks.clone();
    }

    /** Channels of stage {@code i}'s blocks' output. */
    public int stageChannels(int i) {
        return (width << i) * block.expansion;
    }

    /** Size of the pooled feature (the distillation feature). */
    public int featureSize() {
        return stageChannels(blocks.length - 1);
    }

    /** Weighted layers: stem, two or three per block, classifier (shortcut projections not counted). */
    public int depth() {
        return 2 + Arrays.stream(blocks).sum() * (block == Block.BASIC ? 2 : 3);
    }

    @Override
    public String toString() {
        return name + "(" + block.name().toLowerCase(Locale.ROOT) + " " + Arrays.toString(blocks) + ", width " + width + ", "
                + stem.name().toLowerCase(Locale.ROOT) + " stem, " + featureSize() + "-d features"
                + (head == Head.LINEAR ? "" : ", " + head.name().toLowerCase(Locale.ROOT) + " head") + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResNetSpec s && name.equals(s.name) && block == s.block && Arrays.equals(blocks, s.blocks)
                && width == s.width && stem == s.stem && head == s.head;
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + Arrays.hashCode(blocks)) * 31 + width;
    }
}
