package io.horkd.train.model;

import io.horkd.nd4j.HorkdNd4j;
import io.horkd.nd4j.nn.BatchNorm;
import io.horkd.nd4j.nn.ReluOp;
import io.horkd.train.model.ResNetSpec.Block;
import io.horkd.train.model.ResNetSpec.Stem;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds a ResNet stream as a SameDiff graph: placeholder {@value #INPUT} {@code [N, C, H, W]} (any H, W),
 * each stage's output {@code stage1}, {@code stage2}, ... ({@link #stage}, {@code [N, C, H, W]}), the pooled
 * penultimate activation {@value #FEATURES} {@code [N, featureSize]} (the distillation feature), and
 * {@value #LOGITS} {@code [N, classes]} from one linear (or cosine: {@link ResNetSpec.Head}) classifier. Convolutions have no bias
 * and are followed by horkd's batch norm ({@link BatchNorm}: the graph's training switch selects batch or
 * running statistics). Weights: He-normal from {@code seed}; the last batch norm of each residual branch
 * starts at gamma = 0, so every block starts as the identity (trains deep stacks faster from scratch).
 */
public final class ResNet {
    public static final String INPUT = "input";
    public static final String FEATURES = "features";
    public static final String LOGITS = "logits";

    /** The name of stage {@code k}'s output ({@code k = 1..stages}), {@code [N, C_k, H_k, W_k]}: what map-based methods read. */
    public static String stage(int k) {
        return "stage" + k;
    }

    private final SameDiff sd;
    private final SplittableRandom rnd;
    private final DataType type;

    private ResNet(SameDiff sd, long seed, DataType type) {
        this.sd = sd;
        this.rnd = new SplittableRandom(seed);
        this.type = type;
    }

    /** A new graph holding the stream for {@code channels}-channel images and {@code classes} classes. */
    public static SameDiff build(ResNetSpec spec, int channels, int classes, long seed) {
        return build(spec, channels, classes, seed, DataType.FLOAT);
    }

    /** As {@link #build(ResNetSpec, int, int, long)} in {@code type} (float64 for gradient checks). */
    public static SameDiff build(ResNetSpec spec, int channels, int classes, long seed, DataType type) {
        if (channels < 1) throw new IllegalArgumentException("channels must be positive, got " + channels);
        if (classes < 2) throw new IllegalArgumentException("classes must be at least 2, got " + classes);
        HorkdNd4j.install();
        SameDiff sd = SameDiff.create();
        new ResNet(sd, seed, type).define(spec, channels, classes);
        return sd;
    }

    private void define(ResNetSpec spec, int channels, int classes) {
        SDVariable x = sd.placeHolder(INPUT, type, -1, channels, -1, -1);
        SDVariable h;
        int c = spec.width();
        if (spec.stem() == Stem.SMALL) {
            h = convBnRelu("stem", x, channels, c, 3, 1);
        } else {
            h = convBnRelu("stem", x, channels, c, 7, 2);
            h = sd.cnn().maxPooling2d("stem/pool", h, Pooling2DConfig.builder().kH(3).kW(3).sH(2).sW(2)
                    .paddingMode(PaddingMode.SAME).isNHWC(false).build());
        }
        int[] blocks = spec.blocks();
        for (int s = 0; s < blocks.length; s++) {
            for (int b = 0; b < blocks[s]; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                String name = "stage" + (s + 1) + "/block" + (b + 1);
                int width = spec.width() << s;
                h = spec.block() == Block.BASIC ? basic(name, h, c, width, stride) : bottleneck(name, h, c, width, stride);
                c = width * spec.block().expansion;
            }
            h = sd.identity(stage(s + 1), h);
        }
        SDVariable features = h.mean(FEATURES, 2, 3);
        SDVariable w = sd.var("classifier/w", gaussian(1 / Math.sqrt(c), c, classes));
        if (spec.head() == ResNetSpec.Head.COSINE) {
            // z = (f / |f|) (W / |W|_columns) / T; the 1e-12 keeps an all-zero feature (a dead ReLU stack) finite.
            SDVariable fn = features.div(sd.math().sqrt(features.mul(features).sum(true, 1).add(1e-12)));
            SDVariable wn = w.div(sd.math().sqrt(w.mul(w).sum(true, 0).add(1e-12)));
            fn.mmul(wn).mul(LOGITS, 1 / ResNetSpec.Head.COSINE_TEMPERATURE);
        } else {
            SDVariable bias = sd.var("classifier/b", Nd4j.zeros(type, classes));
            features.mmul(w).add(LOGITS, bias);
        }
    }

    /** Two 3x3 convolutions plus the shortcut. */
    private SDVariable basic(String name, SDVariable in, int cIn, int width, int stride) {
        SDVariable h = convBnRelu(name + "/conv1", in, cIn, width, 3, stride);
        h = convBn(name + "/conv2", h, width, width, 3, 1, true);
        return ReluOp.apply(sd, name + "/out", h.add(shortcut(name, in, cIn, width, stride)));
    }

    /** 1x1 reduce, 3x3 (strided), 1x1 expand (4x) plus the shortcut. */
    private SDVariable bottleneck(String name, SDVariable in, int cIn, int width, int stride) {
        int out = width * Block.BOTTLENECK.expansion;
        SDVariable h = convBnRelu(name + "/conv1", in, cIn, width, 1, 1);
        h = convBnRelu(name + "/conv2", h, width, width, 3, stride);
        h = convBn(name + "/conv3", h, width, out, 1, 1, true);
        return ReluOp.apply(sd, name + "/out", h.add(shortcut(name, in, cIn, out, stride)));
    }

    private SDVariable shortcut(String name, SDVariable in, int cIn, int cOut, int stride) {
        if (cIn == cOut && stride == 1) return in;
        return convBn(name + "/shortcut", in, cIn, cOut, 1, stride, false);
    }

    private SDVariable convBnRelu(String name, SDVariable in, int cIn, int cOut, int k, int stride) {
        return ReluOp.apply(sd, name + "/relu", bn(name, conv(name, in, cIn, cOut, k, stride), cOut, false));
    }

    /** conv + batch norm; {@code last}: the end of a residual branch, whose gamma starts at 0. */
    private SDVariable convBn(String name, SDVariable in, int cIn, int cOut, int k, int stride, boolean last) {
        return bn(name, conv(name, in, cIn, cOut, k, stride), cOut, last);
    }

    private SDVariable conv(String name, SDVariable in, int cIn, int cOut, int k, int stride) {
        SDVariable w = sd.var(name + "/w", gaussian(Math.sqrt(2.0 / (k * k * cIn)), k, k, cIn, cOut));
        return sd.cnn().conv2d(name, in, w, Conv2DConfig.builder().kH(k).kW(k).sH(stride).sW(stride)
                .paddingMode(PaddingMode.SAME).dataFormat("NCHW").build());
    }

    private SDVariable bn(String conv, SDVariable in, int channels, boolean zeroGamma) {
        SDVariable y = BatchNorm.apply(sd, conv + "/bn", in, channels);
        if (zeroGamma) sd.getVariable(conv + "/bn/gamma").getArr().assign(0);
        return y;
    }

    private INDArray gaussian(double std, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextGaussian() * std;
        return Nd4j.createFromArray(v).castTo(type).reshape(shape);
    }
}
