package io.horkd.core.loss;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A distillation objective: weighted {@link Term}s, {@code L = sum_k w_k L_k}, immutable, and the only
 * description of a loss in horkd. Everything else is a codec of it, each tested by a round trip:
 * <ul>
 *   <li>text ({@link #parse}, {@link #toString}): {@code "ce + 0.02*l2 + 0.01*l3 + lc"},
 *       {@code "ce + kd(temperature=4)"}, {@code "0.02*l2(function=huber, reduction=rkd)"}: the CLI's
 *       {@code --objective} and DL4J's JSON;</li>
 *   <li>a map ({@link #fromMap}, {@link #toMap}): {@code {ce: 1, l2: 0.02, lc: {weight: 1, scope: batch}}}:
 *       the YAML configuration;</li>
 *   <li>integer and floating-point op arguments (in the nd4j module): saved SameDiff graphs.</li>
 * </ul>
 * A term with weight 0 is left out; each kind appears at most once; terms are kept in the order of
 * {@link Terms#KINDS}, so equal objectives are equal and print the same.
 *
 * <pre>{@code
 *   Objective loss = Objective.parse("0.02*l2 + 0.01*l3 + lc");
 *   Objective.Values v = loss.compute(Backends.auto(), LossInput.of(student, teacher).withCenters(centers),
 *           GradientSink.into(studentGrad));
 * }</pre>
 */
public final class Objective implements DistillationLoss {
    /** A term and its weight (finite, {@code >= 0}). */
    public record Weighted(double weight, Term term) {
        public Weighted {
            Objects.requireNonNull(term, "term");
            if (!Double.isFinite(weight) || weight < 0) {
                throw new IllegalArgumentException("the weight of " + term.name() + " must be finite and >= 0, got " + weight);
            }
        }
    }

    /** No term. */
    public static final Objective NONE = new Objective(List.of());

    /** The paper's total without CE: {@code L1 + 0.02 L2 + 0.01 L3 + LC} (MAE, square L2, dataset centres). */
    public static final Objective PAPER = parse("l1 + 0.02*l2 + 0.01*l3 + lc");

    /** HORKD as trained here: {@link #PAPER} without L1 (the paper's ablation's best). */
    public static final Objective HORKD = PAPER.without("l1");

    private final List<Weighted> terms;

    private Objective(List<Weighted> terms) {
        this.terms = terms;
    }

    /** The objective of these terms (weight-0 ones left out). @throws IllegalArgumentException for a kind given twice */
    public static Objective of(List<Weighted> terms) {
        List<Weighted> kept = new ArrayList<>();
        for (Weighted w : terms) {
            Objects.requireNonNull(w, "term");
            for (Weighted k : kept) {
                if (k.term().kind() == w.term().kind()) {
                    throw new IllegalArgumentException("term " + w.term().name() + " is given twice");
                }
            }
            if (w.weight() > 0) kept.add(w);
        }
        kept.sort(Comparator.comparingInt(w -> Terms.order(w.term())));
        return new Objective(List.copyOf(kept));
    }

    public static Objective of(double weight, Term term) {
        return of(List.of(new Weighted(weight, term)));
    }

    /** This objective with {@code term} at {@code weight} in place of any term of its kind (weight 0 removes it). */
    public Objective with(double weight, Term term) {
        List<Weighted> next = new ArrayList<>();
        for (Weighted w : terms) {
            if (w.term().kind() != term.kind()) next.add(w);
        }
        next.add(new Weighted(weight, term));
        return of(next);
    }

    /** This objective with the term of kind {@code key} at {@code weight} and default options (or its options if present). */
    public Objective with(double weight, String key) {
        return with(weight, term(key).orElseGet(() -> Terms.byKey(key).defaults()));
    }

    /** This objective without the term of kind {@code key}. */
    public Objective without(String key) {
        Terms.byKey(key);
        List<Weighted> next = new ArrayList<>(terms);
        next.removeIf(w -> w.term().name().equals(key));
        return new Objective(List.copyOf(next));
    }

    /** The terms that read {@code reads}. */
    public Objective reading(Term.Reads reads) {
        List<Weighted> next = new ArrayList<>(terms);
        next.removeIf(w -> w.term().reads() != reads);
        return new Objective(List.copyOf(next));
    }

    public List<Weighted> terms() {
        return terms;
    }

    public boolean isEmpty() {
        return terms.isEmpty();
    }

    /** Whether the term of kind {@code key} is in (with a positive weight). */
    public boolean has(String key) {
        return term(key).isPresent();
    }

    /** The weight of the term of kind {@code key}, 0 when absent. */
    public double weight(String key) {
        Terms.byKey(key);
        for (Weighted w : terms) {
            if (w.term().name().equals(key)) return w.weight();
        }
        return 0;
    }

    /** The term of kind {@code key}, if present. */
    public Optional<Term> term(String key) {
        Terms.byKey(key);
        for (Weighted w : terms) {
            if (w.term().name().equals(key)) return Optional.of(w.term());
        }
        return Optional.empty();
    }

    /** The term of type {@code type}, if present. */
    public <T extends Term> Optional<T> term(Class<T> type) {
        for (Weighted w : terms) {
            if (type.isInstance(w.term())) return Optional.of(type.cast(w.term()));
        }
        return Optional.empty();
    }

    @Override
    public String name() {
        return "objective";
    }

    /** The weighted total per problem; gradients of it into {@code grad} if not null. */
    @Override
    public double[] compute(LossBackend backend, LossInput input, GradientSink grad) {
        return computeTerms(backend, input, grad).total();
    }

    /**
     * Every term's unweighted value per problem and the weighted total; the gradient of the total (times
     * the upstream scales) into {@code grad} if it is not null. All terms must read the same input
     * ({@link #reading}).
     *
     * @throws IllegalArgumentException naming the argument, before anything is written
     */
    public Values computeTerms(LossBackend backend, LossInput input, GradientSink grad) {
        return TermRunner.run(terms, backend, input, grad);
    }

    // ---------------------------------------------------------------------------------------------
    // The text codec

    /** The canonical text: {@code "ce + 0.02*l2 + lc(scope=batch)"}, {@code "none"} when empty. */
    @Override
    public String toString() {
        if (terms.isEmpty()) return "none";
        StringBuilder s = new StringBuilder();
        for (Weighted w : terms) {
            if (!s.isEmpty()) s.append(" + ");
            if (w.weight() != 1) s.append(number(w.weight())).append('*');
            s.append(w.term().name());
            Map<String, Object> opts = w.term().kind().nonDefaultOptions(w.term());
            if (!opts.isEmpty()) {
                s.append('(');
                int k = 0;
                for (Map.Entry<String, Object> e : opts.entrySet()) {
                    if (k++ > 0) s.append(", ");
                    Object v = TermKind.written(e.getValue());
                    s.append(e.getKey()).append('=').append(v instanceof Double d ? number(d) : v);
                }
                s.append(')');
            }
        }
        return s.toString();
    }

    /** The shortest decimal that reads back as {@code v}. */
    private static String number(double v) {
        String plain = BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        return plain.length() <= 12 ? plain : Double.toString(v);
    }

    /**
     * An objective from text: terms joined by {@code +}, each {@code [weight[*]] key[(option=value, ...)]};
     * {@code none} or an empty text for no term. Errors name the position and what was expected.
     */
    public static Objective parse(String text) {
        Objects.requireNonNull(text, "text");
        return new Parser(text).objective();
    }

    private static final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        Objective objective() {
            skip();
            if (at == text.length() || text.substring(at).trim().equals("none")) return NONE;
            List<Weighted> terms = new ArrayList<>();
            while (true) {
                terms.add(term());
                skip();
                if (at == text.length()) break;
                expect('+');
            }
            return of(terms);
        }

        private Weighted term() {
            skip();
            double weight = 1;
            if (at < text.length() && (Character.isDigit(text.charAt(at)) || text.charAt(at) == '.')) {
                int start = at;
                while (at < text.length() && (Character.isDigit(text.charAt(at)) || text.charAt(at) == '.'
                        || ((text.charAt(at) == 'e' || text.charAt(at) == 'E') && at + 1 < text.length()
                                && (Character.isDigit(text.charAt(at + 1)) || text.charAt(at + 1) == '-' || text.charAt(at + 1) == '+'))
                        || ((text.charAt(at) == '-' || text.charAt(at) == '+') && (text.charAt(at - 1) == 'e' || text.charAt(at - 1) == 'E')))) {
                    at++;
                }
                try {
                    weight = Double.parseDouble(text.substring(start, at));
                } catch (NumberFormatException e) {
                    throw error(start, "a weight");
                }
                skip();
                if (at < text.length() && text.charAt(at) == '*') at++;
                skip();
            }
            String key = word("a term (" + String.join(", ", Terms.keys()) + ")");
            TermKind<?> kind = Terms.find(key).orElseThrow(() -> new IllegalArgumentException("unknown term '" + key
                    + "' in \"" + text + "\"; known: " + String.join(", ", Terms.keys())));
            Map<String, Object> opts = new LinkedHashMap<>();
            skip();
            if (at < text.length() && text.charAt(at) == '(') {
                at++;
                while (true) {
                    skip();
                    String name = word("an option name");
                    skip();
                    expect('=');
                    skip();
                    int start = at;
                    while (at < text.length() && ",)".indexOf(text.charAt(at)) < 0) at++;
                    String value = text.substring(start, at).trim();
                    if (value.isEmpty()) throw error(start, "a value for " + name);
                    if (opts.put(name, value) != null) throw error(start, "each option once (" + name + " is given twice)");
                    if (at < text.length() && text.charAt(at) == ',') {
                        at++;
                        continue;
                    }
                    expect(')');
                    break;
                }
            }
            try {
                return new Weighted(weight, kind.create(opts));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + " in \"" + text + "\"", e);
            }
        }

        private String word(String what) {
            int start = at;
            while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '-'
                    || text.charAt(at) == '_')) {
                at++;
            }
            if (start == at) throw error(start, what);
            return text.substring(start, at);
        }

        private void expect(char c) {
            if (at >= text.length() || text.charAt(at) != c) throw error(at, "'" + c + "'");
            at++;
        }

        private void skip() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
        }

        private IllegalArgumentException error(int pos, String expected) {
            return new IllegalArgumentException("objective \"" + text + "\": expected " + expected + " at position " + pos
                    + (pos < text.length() ? " ('" + text.substring(pos) + "')" : " (the end)"));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The map codec

    /**
     * The objective as a map: key to weight where the options are the defaults, else to
     * {@code {weight: w, option: value, ...}} (enums spelt as in the text).
     */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Weighted w : terms) {
            Map<String, Object> opts = w.term().kind().nonDefaultOptions(w.term());
            if (opts.isEmpty()) {
                out.put(w.term().name(), w.weight());
            } else {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("weight", w.weight());
                opts.forEach((k, v) -> m.put(k, TermKind.written(v)));
                out.put(w.term().name(), m);
            }
        }
        return out;
    }

    /** The inverse of {@link #toMap}; a map entry without {@code weight} has weight 1, a null map no term. */
    public static Objective fromMap(Map<String, ?> map) {
        if (map == null) return NONE;
        List<Weighted> terms = new ArrayList<>();
        for (Map.Entry<String, ?> e : map.entrySet()) {
            TermKind<?> kind = Terms.byKey(e.getKey());
            Object v = e.getValue();
            if (v instanceof Number n) {
                terms.add(new Weighted(n.doubleValue(), kind.defaults()));
            } else if (v instanceof Map<?, ?> m) {
                Map<String, Object> opts = new LinkedHashMap<>();
                double weight = 1;
                for (Map.Entry<?, ?> o : m.entrySet()) {
                    String name = String.valueOf(o.getKey());
                    if (name.equals("weight")) {
                        if (!(o.getValue() instanceof Number n)) {
                            throw new IllegalArgumentException(e.getKey() + ".weight must be a number, got " + o.getValue());
                        }
                        weight = n.doubleValue();
                    } else {
                        opts.put(name, o.getValue());
                    }
                }
                terms.add(new Weighted(weight, kind.create(opts)));
            } else {
                throw new IllegalArgumentException(e.getKey() + " must be a weight or {weight: w, option: value, ...}, got "
                        + v);
            }
        }
        return of(terms);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Objective other && terms.equals(other.terms);
    }

    @Override
    public int hashCode() {
        return terms.hashCode();
    }

    /** Unweighted values of each term per problem and the weighted total. */
    public static final class Values {
        private final List<Weighted> terms;
        private final double[][] values;
        private final double[] total;

        Values(List<Weighted> terms, double[][] values, double[] total) {
            this.terms = terms;
            this.values = values;
            this.total = total;
        }

        /** Per-problem values of the term of kind {@code key}. @throws IllegalArgumentException if it was not computed */
        public double[] term(String key) {
            for (int i = 0; i < terms.size(); i++) {
                if (terms.get(i).term().name().equals(key)) return values[i].clone();
            }
            throw new IllegalArgumentException("term " + key + " is not in this objective");
        }

        /** Sum over problems of the term of kind {@code key}. */
        public double sum(String key) {
            return Arrays.stream(term(key)).sum();
        }

        /** Per-problem weighted totals. */
        public double[] total() {
            return total.clone();
        }

        /** Sum over problems of the weighted total. */
        public double totalSum() {
            double s = 0;
            for (double v : total) s += v;
            return s;
        }
    }
}
