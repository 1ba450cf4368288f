/* Internal helpers shared by the CUDA build and the stub; not part of the public API. */
#ifndef HORKD_INTERNAL_H
#define HORKD_INTERNAL_H

#ifdef __cplusplus
extern "C" {
#endif

/* Records a printf-style detail for horkd_last_error() on this thread and returns `status`. */
int horkd_fail(int status, const char* fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Clears this thread's detail; every successful API call ends with it. */
void horkd_clear_error(void);

#ifdef __cplusplus
}
#endif

#endif
