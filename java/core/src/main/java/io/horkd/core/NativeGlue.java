package io.horkd.core;

/** What went wrong when a JavaCPP binding's JNI glue did not load. */
public final class NativeGlue {
    private NativeGlue() {}

    /**
     * The cause of a failed load: an {@link UnsatisfiedLinkError} itself, or the one a binding's static
     * initialiser threw, which the JVM wraps in an {@link ExceptionInInitializerError}.
     */
    public static Throwable cause(Throwable t) {
        return t instanceof ExceptionInInitializerError && t.getCause() != null ? t.getCause() : t;
    }
}
