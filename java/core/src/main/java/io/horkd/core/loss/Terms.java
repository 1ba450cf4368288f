package io.horkd.core.loss;

import io.horkd.core.backend.reference.ReferenceMethods;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Every kind of term horkd computes: the one place where they are listed. */
public final class Terms {
    private Terms() {}

    /**
     * In the order objectives print them. Ids are stable (saved graphs keep them): never reuse one,
     * append new kinds with new ids.
     */
    public static final List<TermKind<?>> KINDS = List.of(
            TermKind.of(1, "ce", CrossEntropy.class, new CrossEntropy()),
            TermKind.of(2, "l1", PointwiseLoss.class, PointwiseLoss.mae()),
            TermKind.of(3, "l2", DistanceLoss.class, DistanceLoss.paper()),
            TermKind.of(4, "l3", AngleLoss.class, AngleLoss.paper()),
            TermKind.of(5, "lc", CenterLoss.class, CenterLoss.dataset()),
            TermKind.of(6, "kd", HintonKd.class, HintonKd.withTemperature(4)),
            TermKind.of(7, "at", AttentionTransfer.class, new AttentionTransfer(0)),
            TermKind.of(8, "fitnet", FitNetHint.class, new FitNetHint(0)),
            TermKind.of(9, "dct", DctAttention.class, new DctAttention(ReferenceMethods.Transform.DCT, true, 0)),
            TermKind.of(10, "sp", SimilarityPreserving.class, new SimilarityPreserving(0)),
            TermKind.of(11, "pkt", Pkt.class, new Pkt()),
            TermKind.of(12, "dkd", Dkd.class, Dkd.defaults()),
            TermKind.of(13, "pairwise", PairwiseConstraint.class, new PairwiseConstraint()),
            TermKind.of(14, "mmd", Mmd.class, new Mmd()),
            TermKind.of(15, "adv", Adversarial.class, new Adversarial()));

    /** The kind of {@code term}. */
    public static TermKind<?> kindOf(Term term) {
        for (TermKind<?> k : KINDS) {
            if (k.type() == term.getClass()) return k;
        }
        throw new IllegalStateException(term.getClass().getName() + " is not listed in Terms.KINDS");
    }

    /** The kind with {@code key}. @throws IllegalArgumentException listing the keys */
    public static TermKind<?> byKey(String key) {
        return find(key).orElseThrow(() -> new IllegalArgumentException("unknown term '" + key + "'; known: " + keys()));
    }

    public static Optional<TermKind<?>> find(String key) {
        for (TermKind<?> k : KINDS) {
            if (k.key().equals(key)) return Optional.of(k);
        }
        return Optional.empty();
    }

    /** The kind with {@code id}. @throws IllegalArgumentException for an unknown id */
    public static TermKind<?> byId(int id) {
        for (TermKind<?> k : KINDS) {
            if (k.id() == id) return k;
        }
        throw new IllegalArgumentException("unknown term id " + id + " (a graph saved by a newer horkd?)");
    }

    public static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (TermKind<?> k : KINDS) keys.add(k.key());
        return keys;
    }

    static int order(Term term) {
        return KINDS.indexOf(kindOf(term));
    }
}
