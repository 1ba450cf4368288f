package io.horkd.core.cuda;

/** The status codes of {@code horkd.h}, and the exception that carries a failed one into Java. */
public enum HorkdStatus {
    SUCCESS,
    NO_CUDA,
    NO_DEVICE,
    INVALID_ARGUMENT,
    OUT_OF_MEMORY,
    CUDA,
    UNKNOWN;

    /** The enum constant of a C status code; {@link #UNKNOWN} for codes this version does not know. */
    public static HorkdStatus of(int code) {
        HorkdStatus[] all = values();
        return code >= 0 && code < all.length - 1 ? all[code] : UNKNOWN;
    }

    /** Thrown by Java wrappers when a native call returns anything but {@link #SUCCESS}. */
    public static final class NativeException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final HorkdStatus status;

        public NativeException(String call, int code, String detail) {
            super(call + " failed with " + of(code) + (detail == null || detail.isEmpty() ? "" : ": " + detail));
            this.status = of(code);
        }

        public HorkdStatus status() {
            return status;
        }
    }

    /** Throws {@link NativeException} with the thread's error detail unless {@code code} is success. */
    public static void check(String call, int code) {
        if (code != 0) throw new NativeException(call, code, HorkdNative.horkd_last_error());
    }
}
