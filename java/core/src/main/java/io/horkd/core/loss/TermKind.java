package io.horkd.core.loss;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A kind of {@link Term}: its key in the text and YAML codecs, a stable id for the ND4J op arguments
 * (saved graphs keep it), the record class whose components are its options, and their defaults. The
 * options are read and written through the record's components, so every codec handles a new term
 * without being told about it. An option is an enum (written in lower case, {@code -} for {@code _}), a
 * double, an int or a boolean. Saved graphs keep enum options by ordinal: append new constants, never
 * reorder or remove one.
 */
public final class TermKind<T extends Record & Term> {
    private final int id;
    private final String key;
    private final Class<T> type;
    private final T defaults;
    private final RecordComponent[] components;
    private final Constructor<T> constructor;

    private TermKind(int id, String key, Class<T> type, T defaults) {
        this.id = id;
        this.key = Objects.requireNonNull(key, "key");
        this.type = Objects.requireNonNull(type, "type");
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            if (!types[i].isEnum() && types[i] != double.class && types[i] != int.class && types[i] != boolean.class) {
                throw new IllegalArgumentException(type.getSimpleName() + "." + components[i].getName()
                        + ": an option must be an enum, double, int or boolean, not " + types[i].getSimpleName());
            }
        }
        try {
            this.constructor = type.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(type + " has no canonical constructor", e);
        }
    }

    static <T extends Record & Term> TermKind<T> of(int id, String key, Class<T> type, T defaults) {
        return new TermKind<>(id, key, type, defaults);
    }

    public int id() {
        return id;
    }

    public String key() {
        return key;
    }

    public Class<T> type() {
        return type;
    }

    public T defaults() {
        return defaults;
    }

    /** The option names, in the record's order. */
    public List<String> optionNames() {
        List<String> names = new ArrayList<>();
        for (RecordComponent c : components) names.add(c.getName());
        return names;
    }

    /** The option types, in the record's order. */
    public List<Class<?>> optionTypes() {
        List<Class<?>> types = new ArrayList<>();
        for (RecordComponent c : components) types.add(c.getType());
        return types;
    }

    /** Every option of {@code term} by name, in the record's order (enums as constants). */
    public Map<String, Object> options(Term term) {
        T t = type.cast(term);
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : components) {
            try {
                out.put(c.getName(), c.getAccessor().invoke(t));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** The options of {@code term} that differ from the defaults, by name. */
    public Map<String, Object> nonDefaultOptions(Term term) {
        Map<String, Object> all = options(term);
        Map<String, Object> d = options(defaults);
        all.entrySet().removeIf(e -> e.getValue().equals(d.get(e.getKey())));
        return all;
    }

    /**
     * The term with the defaults overridden by {@code values} (option name to a constant, a number, a
     * boolean or their text). Unknown names and bad values are named errors.
     */
    public T create(Map<String, ?> values) {
        Map<String, Object> opts = options(defaults);
        for (Map.Entry<String, ?> e : values.entrySet()) {
            if (!opts.containsKey(e.getKey())) {
                throw new IllegalArgumentException(key + " has no option '" + e.getKey() + "'"
                        + (opts.isEmpty() ? " (it has none)" : "; its options: " + String.join(", ", opts.keySet())));
            }
        }
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            String name = components[i].getName();
            Object v = values.containsKey(name) ? values.get(name) : opts.get(name);
            args[i] = convert(name, components[i].getType(), v);
        }
        try {
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw new IllegalArgumentException(key + ": " + iae.getMessage(), iae);
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private Object convert(String name, Class<?> type, Object v) {
        if (v == null) throw new IllegalArgumentException(key + "." + name + " has no value");
        if (type.isInstance(v) || (type.isPrimitive() && wrapper(type).isInstance(v))) return v;
        String text = v.toString().trim();
        try {
            if (type == double.class) return v instanceof Number n ? n.doubleValue() : Double.parseDouble(text);
            if (type == int.class) {
                if (v instanceof Number n && n.doubleValue() == n.intValue()) return n.intValue();
                return Integer.parseInt(text);
            }
            if (type == boolean.class) {
                if (text.equalsIgnoreCase("true")) return true;
                if (text.equalsIgnoreCase("false")) return false;
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "." + name + " must be " + (type == boolean.class ? "true or false"
                    : "a" + (type == int.class ? "n integer" : " number")) + ", got '" + text + "'");
        }
        for (Object c : type.getEnumConstants()) {
            if (spell((Enum<?>) c).equals(text.toLowerCase(Locale.ROOT).replace('_', '-'))) return c;
        }
        List<String> known = new ArrayList<>();
        for (Object c : type.getEnumConstants()) known.add(spell((Enum<?>) c));
        throw new IllegalArgumentException(key + "." + name + " must be one of " + String.join(", ", known) + ", got '"
                + text + "'");
    }

    private static Class<?> wrapper(Class<?> primitive) {
        return primitive == double.class ? Double.class : primitive == int.class ? Integer.class : Boolean.class;
    }

    /** How an enum constant is written: lower case, {@code -} for {@code _}. */
    public static String spell(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** An option's value as the codecs write it. */
    public static Object written(Object value) {
        return value instanceof Enum<?> e ? spell(e) : value;
    }

    @Override
    public String toString() {
        return key;
    }
}
