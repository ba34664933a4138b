/* What the two test runtimes (openxr_runtime, openvr_runtime) report of the application, in a folder
 * the test names: events.log, one line per lifecycle step, frame and pulse; and the eye images of one
 * frame as PPM files, read back from the textures the application handed over. */
#ifndef METASEOUL_RUNTIME_REPORT_H
#define METASEOUL_RUNTIME_REPORT_H

#include <GL/gl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static FILE *report_log;
static char report_dir[1024];

/* Starts the report in the folder named by the environment variable ``variable`` (none: no report). */
static void report_open(const char *variable) {
    const char *dir = getenv(variable);
    if (!dir) return;
    snprintf(report_dir, sizeof report_dir, "%s", dir);
    char name[1100];
    snprintf(name, sizeof name, "%s/events.log", dir);
    report_log = fopen(name, "a");
}

static void report_close(void) {
    if (report_log) fclose(report_log);
    report_log = NULL;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
    if (!report_log) return;
    va_list args;
    va_start(args, fmt);
    vfprintf(report_log, fmt, args);
    va_end(args);
    fputc('\n', report_log);
    fflush(report_log);
}

/* Writes ``texture`` (in the current OpenGL context) as <folder>/<eye>.ppm, top row first. */
static void report_image(const char *eye, GLuint texture) {
    if (!report_dir[0]) return;
    GLint w = 0, h = 0;
    glBindTexture(GL_TEXTURE_2D, texture);
    glGetTexLevelParameteriv(GL_TEXTURE_2D, 0, GL_TEXTURE_WIDTH, &w);
    glGetTexLevelParameteriv(GL_TEXTURE_2D, 0, GL_TEXTURE_HEIGHT, &h);
    if (w <= 0 || h <= 0) {
        glBindTexture(GL_TEXTURE_2D, 0);
        say("the %s texture %u has no image", eye, texture);
        return;
    }
    unsigned char *pixels = malloc((size_t)w * (size_t)h * 4);
    glGetTexImage(GL_TEXTURE_2D, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
    glBindTexture(GL_TEXTURE_2D, 0);
    char name[1100];
    snprintf(name, sizeof name, "%s/%s.ppm", report_dir, eye);
    FILE *f = fopen(name, "wb");
    if (f) {
        fprintf(f, "P6\n%d %d\n255\n", w, h);
        for (GLint y = h; y-- > 0;)  /* OpenGL's rows start at the bottom */
            for (GLint x = 0; x < w; x++) fwrite(pixels + ((size_t)y * (size_t)w + (size_t)x) * 4, 1, 3, f);
        fclose(f);
    }
    free(pixels);
}

#endif
