/* Status names, the per-thread error detail and the version: identical in the CUDA build and the stub. */
#include <stdarg.h>
#include <stdio.h>

#include "horkd/horkd.h"
#include "internal.h"

static _Thread_local char last_error[512];

int horkd_fail(int status, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, args);
    va_end(args);
    return status;
}

void horkd_clear_error(void) { last_error[0] = '\0'; }

const char* horkd_last_error(void) { return last_error; }

int horkd_version(void) {
    return HORKD_VERSION_MAJOR * 10000 + HORKD_VERSION_MINOR * 100 + HORKD_VERSION_PATCH;
}

const char* horkd_status_string(int status) {
    switch (status) {
        case HORKD_SUCCESS: return "HORKD_SUCCESS";
        case HORKD_ERROR_NO_CUDA: return "HORKD_ERROR_NO_CUDA";
        case HORKD_ERROR_NO_DEVICE: return "HORKD_ERROR_NO_DEVICE";
        case HORKD_ERROR_INVALID_ARGUMENT: return "HORKD_ERROR_INVALID_ARGUMENT";
        case HORKD_ERROR_OUT_OF_MEMORY: return "HORKD_ERROR_OUT_OF_MEMORY";
        case HORKD_ERROR_CUDA: return "HORKD_ERROR_CUDA";
        default: return "HORKD_ERROR_UNKNOWN";
    }
}
