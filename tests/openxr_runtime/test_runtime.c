/* A small OpenXR runtime for tests: a headset that is always there, on the application's own
 * OpenGL context (XR_KHR_opengl_enable with an Xlib/GLX binding).
 *
 * No OpenXR runtime can be installed on the machines metaseoul is built on, so this stands in for
 * SteamVR or Monado behind the real OpenXR loader (pyopenxr's), the way the ALSA file device stands
 * in for a sound card. It keeps the specification's rules that an application can get wrong (the
 * session lifecycle and its errors, the graphics requirements call before xrCreateSession, frame call
 * order, input only while focused, actions bound through suggested bindings) and reports what the
 * application did (runtime_report.h), in $METASEOUL_TEST_XR_OUT: events.log, one line per lifecycle
 * step, frame and haptic pulse, and the eye images submitted in frame $..._CAPTURE (default 3).
 *
 * It behaves as Oculus Touch controllers: the left thumbstick reads $METASEOUL_TEST_XR_STICK ("x y",
 * default "0 0"), and the citizen quits from the runtime's own menu after $..._FRAMES frames
 * (default: never). As real runtimes do, it moves to synchronized only after the first xrEndFrame,
 * and tells of the controllers (XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED) once they are there.
 *
 * What real runtimes and machines do that an application must survive, each on request:
 *   $..._HZ=90        xrWaitFrame blocks until the next display period, at that refresh rate, and
 *                     stretches its predicted period (up to 8 refreshes) while frames come late
 *                     (default: no blocking, a 90 Hz period);
 *   $..._LOSE=instance|session, $..._LOSE_AFTER=N (default 5), $..._LOSE_IN=xrFunction (default: the
 *                     first call after frame N): the instance is lost (XR_ERROR_INSTANCE_LOST from
 *                     then on), or the session (its state goes to LOSS_PENDING; xrWaitFrame, if it is
 *                     the call, returns XR_SESSION_LOSS_PENDING, and session calls XR_ERROR_SESSION_LOST);
 *   $..._CONTROLLERS=N  the controllers connect after N frames ("never": a headset alone); until
 *                     then no interaction profile is bound and the hands are not tracked;
 *   $..._FORMATS=0x805B,0x8C43,...  the swapchain formats offered, in order (default: sRGB, RGBA8);
 *   $..._FAIL_INSTANCE=XR_ERROR_RUNTIME_FAILURE|XR_ERROR_INITIALIZATION_FAILED  xrCreateInstance fails;
 *   $..._NEEDS_GL="GL_EXT_memory_object GL_EXT_memory_object_fd"  what a runtime importing its images
 *                     from Vulkan needs of the application's driver: without it, xrCreateSession
 *                     fails with XR_ERROR_INITIALIZATION_FAILED.
 */
#define XR_USE_PLATFORM_XLIB
#define XR_USE_GRAPHICS_API_OPENGL
#include <X11/Xlib.h>
#include <GL/gl.h>
#include <GL/glx.h>
#include <openxr/openxr.h>
#include <openxr/openxr_platform.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime_report.h"

#define EXPORT __attribute__((visibility("default")))

/* The loader's negotiation structures (loader_interfaces.h, not shipped in Debian's headers). */
typedef enum { LOADER_INFO = 1, RUNTIME_REQUEST = 3 } LoaderStruct;
typedef struct {
    LoaderStruct structType; uint32_t structVersion; size_t structSize;
    uint32_t minInterfaceVersion, maxInterfaceVersion; XrVersion minApiVersion, maxApiVersion;
} NegotiateLoaderInfo;
typedef struct {
    LoaderStruct structType; uint32_t structVersion; size_t structSize;
    uint32_t runtimeInterfaceVersion; XrVersion runtimeApiVersion; PFN_xrGetInstanceProcAddr getInstanceProcAddr;
} NegotiateRuntimeRequest;

#define EYE_W 320
#define EYE_H 288
#define IMAGES 3
#define MAX_PATHS 256
#define MAX_ACTIONS 32

static struct { int instance, session, action_set, requirements; } live;
static XrSessionState state = XR_SESSION_STATE_UNKNOWN;
static int running, synchronized, stopping, in_frame, frames, capture_frame = 3, quit_after = -1;
static float stick[2];
static XrTime refresh = 11111111, period = 11111111, display, predicted;  /* nanoseconds */
static int pace, on_time;
enum { KEPT = 0, LOST_INSTANCE = 1, LOST_SESSION = 2 };
static int lose, lost, lose_after = 5;
static const char *lose_in;
static int controllers_after, controllers;
static int64_t formats[8] = {0x8C43 /* GL_SRGB8_ALPHA8 */, 0x8058 /* GL_RGBA8 */};
static uint32_t format_count = 2;
static struct { XrStructureType type; XrSessionState state; } queue[16];
static int queued;
static const char *STATES[] = {"UNKNOWN", "IDLE", "READY", "SYNCHRONIZED", "VISIBLE", "FOCUSED", "STOPPING",
                               "LOSS_PENDING", "EXITING"};
static char paths[MAX_PATHS][XR_MAX_PATH_LENGTH];
static int path_count;
static struct { char name[XR_MAX_ACTION_NAME_SIZE]; XrActionType type; XrPath bound[8]; int nbound; } actions[MAX_ACTIONS];
static int action_count;
static struct { GLuint images[IMAGES]; int next; int released; uint32_t w, h; } swapchains[4];
static int swapchain_count;
static struct { XrReferenceSpaceType kind; int action; XrPath hand; } spaces[32];
static int space_count;
#define HANDLE(type, n) ((type)(uintptr_t)(n))
#define INDEX(h) ((int)(uintptr_t)(h))

static void tell(XrStructureType type, XrSessionState s) {
    if (queued == 16) return;
    queue[queued].type = type;
    queue[queued++].state = s;
}

static void to(XrSessionState s) { tell(XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED, s); }

static XrTime clock_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (XrTime)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The loss asked for in $..._LOSE, checked at the top of each call the frame loop makes (``call`` is
 * its OpenXR name; ``of_session``: it takes the session). */
static XrResult loss(const char *call, int of_session) {
    if (lose && !lost && frames >= lose_after && (!lose_in || !strcmp(lose_in, call))) {
        lost = lose;
        say("%s lost in %s", lost == LOST_INSTANCE ? "instance" : "session", call);
        if (lost == LOST_SESSION) {
            to(XR_SESSION_STATE_LOSS_PENDING);
            if (!strcmp(call, "xrWaitFrame")) return XR_SESSION_LOSS_PENDING;
        }
    }
    if (lost == LOST_INSTANCE) return XR_ERROR_INSTANCE_LOST;
    if (lost == LOST_SESSION && of_session) return XR_ERROR_SESSION_LOST;
    return XR_SUCCESS;
}

#define LOSABLE(call, of_session) do { XrResult r_ = loss(call, of_session); if (r_ != XR_SUCCESS) return r_; } while (0)

/* Whether the current OpenGL context's driver has ``name``. */
static int gl_has(const char *name) {
    typedef const GLubyte *(*GetStringi)(GLenum, GLuint);
    GetStringi get = (GetStringi)glXGetProcAddressARB((const GLubyte *)"glGetStringi");
    GLint count = 0;
    glGetIntegerv(0x821D /* GL_NUM_EXTENSIONS */, &count);
    for (GLint i = 0; get && i < count; i++)
        if (!strcmp((const char *)get(GL_EXTENSIONS, (GLuint)i), name)) return 1;
    return 0;
}

static void read_settings(void) {
    const char *v;
    if ((v = getenv("METASEOUL_TEST_XR_CAPTURE"))) capture_frame = atoi(v);
    if ((v = getenv("METASEOUL_TEST_XR_FRAMES"))) quit_after = atoi(v);
    if ((v = getenv("METASEOUL_TEST_XR_STICK"))) sscanf(v, "%f %f", &stick[0], &stick[1]);
    if ((v = getenv("METASEOUL_TEST_XR_HZ")) && atof(v) > 0) {
        pace = 1;
        refresh = period = (XrTime)(1e9 / atof(v));
    }
    if ((v = getenv("METASEOUL_TEST_XR_LOSE"))) lose = !strcmp(v, "session") ? LOST_SESSION : LOST_INSTANCE;
    if ((v = getenv("METASEOUL_TEST_XR_LOSE_AFTER"))) lose_after = atoi(v);
    lose_in = getenv("METASEOUL_TEST_XR_LOSE_IN");
    if ((v = getenv("METASEOUL_TEST_XR_CONTROLLERS"))) controllers_after = !strcmp(v, "never") ? 1 << 30 : atoi(v);
    if ((v = getenv("METASEOUL_TEST_XR_FORMATS"))) {
        char *end = (char *)v;
        for (format_count = 0; format_count < 8 && *end; end += *end == ',')
            formats[format_count++] = strtoll(end, &end, 0);
    }
}

static XrPath path_of(const char *text) {
    for (int i = 0; i < path_count; i++)
        if (!strcmp(paths[i], text)) return (XrPath)(i + 1);
    if (path_count == MAX_PATHS) return XR_NULL_PATH;
    strncpy(paths[path_count], text, XR_MAX_PATH_LENGTH - 1);
    return (XrPath)(++path_count);
}

static const char *path_text(XrPath p) { return p >= 1 && (int)p <= path_count ? paths[p - 1] : ""; }

static int ends_with(const char *s, const char *tail) {
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}

static int bound_to(int action, const char *tail, XrPath hand) {
    for (int i = 0; i < actions[action].nbound; i++) {
        const char *p = path_text(actions[action].bound[i]);
        if (ends_with(p, tail) && (hand == XR_NULL_PATH || !strncmp(p, path_text(hand), strlen(path_text(hand)))))
            return 1;
    }
    return 0;
}

static XrResult copy_string(const char *text, uint32_t capacity, uint32_t *count, char *buffer) {
    *count = (uint32_t)strlen(text) + 1;
    if (capacity == 0) return XR_SUCCESS;
    if (capacity < *count) return XR_ERROR_SIZE_INSUFFICIENT;
    memcpy(buffer, text, *count);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL enumerate_extensions(const char *layer, uint32_t capacity, uint32_t *count,
                                                XrExtensionProperties *props) {
    (void)layer;
    *count = 1;
    if (capacity == 0) return XR_SUCCESS;
    if (capacity < 1) return XR_ERROR_SIZE_INSUFFICIENT;
    strcpy(props[0].extensionName, XR_KHR_OPENGL_ENABLE_EXTENSION_NAME);
    props[0].extensionVersion = XR_KHR_opengl_enable_SPEC_VERSION;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL enumerate_layers(uint32_t capacity, uint32_t *count, XrApiLayerProperties *props) {
    (void)capacity; (void)props;
    *count = 0;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL create_instance(const XrInstanceCreateInfo *info, XrInstance *instance) {
    if (live.instance) return XR_ERROR_LIMIT_REACHED;
    for (uint32_t i = 0; i < info->enabledExtensionCount; i++)
        if (strcmp(info->enabledExtensionNames[i], XR_KHR_OPENGL_ENABLE_EXTENSION_NAME))
            return XR_ERROR_EXTENSION_NOT_PRESENT;
    report_open("METASEOUL_TEST_XR_OUT");
    const char *failure = getenv("METASEOUL_TEST_XR_FAIL_INSTANCE");
    if (failure) {
        say("instance refused: %s", failure);
        report_close();
        return !strcmp(failure, "XR_ERROR_RUNTIME_FAILURE") ? XR_ERROR_RUNTIME_FAILURE : XR_ERROR_INITIALIZATION_FAILED;
    }
    read_settings();
    live.instance = 1;
    say("instance %s extensions=%u", info->applicationInfo.applicationName, info->enabledExtensionCount);
    *instance = HANDLE(XrInstance, 1);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL destroy_instance(XrInstance instance) {
    (void)instance;
    say("destroy instance");
    live.instance = 0;
    report_close();
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL instance_properties(XrInstance instance, XrInstanceProperties *props) {
    (void)instance;
    props->runtimeVersion = XR_MAKE_VERSION(1, 0, 0);
    strcpy(props->runtimeName, "metaseoul test runtime");
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL get_system(XrInstance instance, const XrSystemGetInfo *info, XrSystemId *system) {
    (void)instance;
    if (info->formFactor != XR_FORM_FACTOR_HEAD_MOUNTED_DISPLAY) return XR_ERROR_FORM_FACTOR_UNSUPPORTED;
    *system = 1;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL system_properties(XrInstance instance, XrSystemId system, XrSystemProperties *props) {
    (void)instance; (void)system;
    props->systemId = 1;
    props->vendorId = 0x4d53;
    strcpy(props->systemName, "metaseoul test headset");
    props->graphicsProperties.maxSwapchainImageWidth = 4096;
    props->graphicsProperties.maxSwapchainImageHeight = 4096;
    props->graphicsProperties.maxLayerCount = 16;
    props->trackingProperties.orientationTracking = XR_TRUE;
    props->trackingProperties.positionTracking = XR_TRUE;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL view_configurations(XrInstance instance, XrSystemId system, uint32_t capacity,
                                               uint32_t *count, XrViewConfigurationType *types) {
    (void)instance; (void)system;
    *count = 1;
    if (capacity) types[0] = XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL view_configuration_views(XrInstance instance, XrSystemId system,
                                                    XrViewConfigurationType type, uint32_t capacity,
                                                    uint32_t *count, XrViewConfigurationView *views) {
    (void)instance; (void)system;
    if (type != XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO) return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED;
    *count = 2;
    if (capacity == 0) return XR_SUCCESS;
    if (capacity < 2) return XR_ERROR_SIZE_INSUFFICIENT;
    for (int i = 0; i < 2; i++) {
        views[i].recommendedImageRectWidth = EYE_W;
        views[i].recommendedImageRectHeight = EYE_H;
        views[i].maxImageRectWidth = 4096;
        views[i].maxImageRectHeight = 4096;
        views[i].recommendedSwapchainSampleCount = 1;
        views[i].maxSwapchainSampleCount = 1;
    }
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL blend_modes(XrInstance instance, XrSystemId system, XrViewConfigurationType type,
                                       uint32_t capacity, uint32_t *count, XrEnvironmentBlendMode *modes) {
    (void)instance; (void)system; (void)type;
    *count = 1;
    if (capacity) modes[0] = XR_ENVIRONMENT_BLEND_MODE_OPAQUE;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL gl_requirements(XrInstance instance, XrSystemId system, XrGraphicsRequirementsOpenGLKHR *req) {
    (void)instance; (void)system;
    req->minApiVersionSupported = XR_MAKE_VERSION(3, 3, 0);
    req->maxApiVersionSupported = XR_MAKE_VERSION(4, 6, 0);
    live.requirements = 1;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL create_session(XrInstance instance, const XrSessionCreateInfo *info, XrSession *session) {
    (void)instance;
    if (!live.requirements) return XR_ERROR_GRAPHICS_REQUIREMENTS_CALL_MISSING;
    if (live.session) return XR_ERROR_LIMIT_REACHED;
    const XrGraphicsBindingOpenGLXlibKHR *binding = NULL;
    for (const XrBaseInStructure *s = info->next; s; s = s->next)
        if (s->type == XR_TYPE_GRAPHICS_BINDING_OPENGL_XLIB_KHR) binding = (const void *)s;
    if (!binding || !binding->xDisplay || !binding->glxContext) return XR_ERROR_GRAPHICS_DEVICE_INVALID;
    if (glXGetCurrentContext() != binding->glxContext) {
        say("session refused: the binding's GLX context is not current");
        return XR_ERROR_GRAPHICS_DEVICE_INVALID;
    }
    const char *needs = getenv("METASEOUL_TEST_XR_NEEDS_GL");
    char name[128];
    for (int used = 0; needs && sscanf(needs, "%127s%n", name, &used) == 1; needs += used)
        if (!gl_has(name)) {
            say("session refused: the driver lacks %s", name);
            return XR_ERROR_INITIALIZATION_FAILED;
        }
    live.session = 1;
    state = XR_SESSION_STATE_IDLE;
    to(XR_SESSION_STATE_IDLE);
    to(XR_SESSION_STATE_READY);
    say("session created: GL %s", (const char *)glGetString(GL_VERSION));
    *session = HANDLE(XrSession, 1);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL destroy_session(XrSession session) {
    (void)session;
    for (int i = 0; i < swapchain_count; i++) glDeleteTextures(IMAGES, swapchains[i].images);
    swapchain_count = 0;
    live.session = 0;
    say("destroy session");
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL poll_event(XrInstance instance, XrEventDataBuffer *event) {
    (void)instance;
    LOSABLE("xrPollEvent", 0);
    if (!queued) return XR_EVENT_UNAVAILABLE;
    if (queue[0].type == XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED) {
        XrEventDataInteractionProfileChanged *changed = (void *)event;
        changed->type = queue[0].type;
        changed->next = NULL;
        changed->session = HANDLE(XrSession, 1);
        say("event interaction profile changed");
    } else {
        XrEventDataSessionStateChanged *changed = (void *)event;
        changed->type = XR_TYPE_EVENT_DATA_SESSION_STATE_CHANGED;
        changed->next = NULL;
        changed->session = HANDLE(XrSession, 1);
        changed->state = state = queue[0].state;
        changed->time = clock_now();
        say("state %s", STATES[state]);
    }
    memmove(queue, queue + 1, sizeof queue[0] * (size_t)--queued);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL begin_session(XrSession session, const XrSessionBeginInfo *info) {
    (void)session;
    LOSABLE("xrBeginSession", 1);
    if (running) return XR_ERROR_SESSION_RUNNING;
    if (state != XR_SESSION_STATE_READY) return XR_ERROR_SESSION_NOT_READY;
    if (info->primaryViewConfigurationType != XR_VIEW_CONFIGURATION_TYPE_PRIMARY_STEREO)
        return XR_ERROR_VIEW_CONFIGURATION_TYPE_UNSUPPORTED;
    running = 1;
    synchronized = stopping = 0;
    say("begin session");
    return XR_SUCCESS;
}

static void stop(void) {
    if (synchronized) {
        to(XR_SESSION_STATE_VISIBLE);
        to(XR_SESSION_STATE_SYNCHRONIZED);
    }
    to(XR_SESSION_STATE_STOPPING);
    stopping = 1;
}

static XrResult XRAPI_CALL request_exit(XrSession session) {
    (void)session;
    LOSABLE("xrRequestExitSession", 1);
    if (!running) return XR_ERROR_SESSION_NOT_RUNNING;
    say("exit requested");
    stop();
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL end_session(XrSession session) {
    (void)session;
    LOSABLE("xrEndSession", 1);
    if (!running) return XR_ERROR_SESSION_NOT_RUNNING;
    if (state != XR_SESSION_STATE_STOPPING) return XR_ERROR_SESSION_NOT_STOPPING;
    running = 0;
    say("end session after %d frames", frames);
    to(XR_SESSION_STATE_IDLE);
    to(XR_SESSION_STATE_EXITING);
    return XR_SUCCESS;
}

/* The next frame's display time. Paced, a frame asked for after the previous one's display time
 * came late: the period doubles (up to 8 refreshes) and the frame goes to the first refresh a whole
 * period away; 60 frames on time halve it again. Then xrWaitFrame sleeps until the frame's period
 * begins, as a compositor does. */
static void next_display(void) {
    XrTime t = clock_now();
    if (!display) display = t;
    if (pace && t > display) {
        XrTime late = t - display;
        if (period < 8 * refresh) period *= 2;
        on_time = 0;
        display += (late + period + refresh - 1) / refresh * refresh;
        say("late by %lld us: period stretched to %lld ns", (long long)(late / 1000), (long long)period);
    } else {
        display += period;
        if (pace && period > refresh && ++on_time == 60) {
            period /= 2;
            on_time = 0;
            say("on time again: period %lld ns", (long long)period);
        }
    }
    XrTime start = display - period;
    if (pace && start > t) {
        struct timespec sleep = {(time_t)((start - t) / 1000000000), (long)((start - t) % 1000000000)};
        nanosleep(&sleep, NULL);
    }
}

static XrResult XRAPI_CALL wait_frame(XrSession session, const XrFrameWaitInfo *info, XrFrameState *frame) {
    (void)session; (void)info;
    XrResult lost_now = loss("xrWaitFrame", 1);
    if (lost_now < 0) return lost_now;
    if (!running) return XR_ERROR_SESSION_NOT_RUNNING;
    next_display();
    predicted = frame->predictedDisplayTime = display;
    frame->predictedDisplayPeriod = period;
    frame->shouldRender = state == XR_SESSION_STATE_VISIBLE || state == XR_SESSION_STATE_FOCUSED;
    return lost_now;
}

static XrResult XRAPI_CALL begin_frame(XrSession session, const XrFrameBeginInfo *info) {
    (void)session; (void)info;
    LOSABLE("xrBeginFrame", 1);
    if (!running) return XR_ERROR_SESSION_NOT_RUNNING;
    int discarded = in_frame;
    in_frame = 1;
    return discarded ? XR_FRAME_DISCARDED : XR_SUCCESS;
}

static XrResult XRAPI_CALL end_frame(XrSession session, const XrFrameEndInfo *info) {
    (void)session;
    LOSABLE("xrEndFrame", 1);
    if (!running) return XR_ERROR_SESSION_NOT_RUNNING;
    if (!in_frame) return XR_ERROR_CALL_ORDER_INVALID;
    if (info->displayTime <= 0) return XR_ERROR_TIME_INVALID;
    if (info->environmentBlendMode != XR_ENVIRONMENT_BLEND_MODE_OPAQUE) return XR_ERROR_ENVIRONMENT_BLEND_MODE_UNSUPPORTED;
    in_frame = 0;
    frames++;
    int views = 0;
    for (uint32_t i = 0; i < info->layerCount; i++) {
        if (info->layers[i]->type != XR_TYPE_COMPOSITION_LAYER_PROJECTION) return XR_ERROR_LAYER_INVALID;
        const XrCompositionLayerProjection *layer = (const void *)info->layers[i];
        if (layer->viewCount != 2) return XR_ERROR_VALIDATION_FAILURE;
        for (uint32_t v = 0; v < 2; v++) {
            const XrCompositionLayerProjectionView *view = &layer->views[v];
            int s = INDEX(view->subImage.swapchain) - 1;
            if (s < 0 || s >= swapchain_count || swapchains[s].released < 0) return XR_ERROR_LAYER_INVALID;
            if (view->fov.angleLeft >= view->fov.angleRight) return XR_ERROR_VALIDATION_FAILURE;
            views++;
            if (frames == capture_frame)
                report_image(v == 0 ? "left" : "right", swapchains[s].images[swapchains[s].released]);
        }
    }
    say("frame %d state=%d layers=%u views=%d display=%lld%s period=%lld", frames, (int)state, info->layerCount,
        views, (long long)info->displayTime, info->displayTime == predicted ? "" : " (not the frame's)",
        (long long)period);
    if (!synchronized && !stopping) {  /* as real compositors do: the session moves on once a frame is in */
        synchronized = 1;
        to(XR_SESSION_STATE_SYNCHRONIZED);
        to(XR_SESSION_STATE_VISIBLE);
        to(XR_SESSION_STATE_FOCUSED);
    }
    if (frames == quit_after) {
        say("the citizen quits from the runtime's menu");
        stop();
    }
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL reference_spaces(XrSession session, uint32_t capacity, uint32_t *count, XrReferenceSpaceType *types) {
    (void)session;
    *count = 3;
    if (capacity == 0) return XR_SUCCESS;
    if (capacity < 3) return XR_ERROR_SIZE_INSUFFICIENT;
    types[0] = XR_REFERENCE_SPACE_TYPE_VIEW;
    types[1] = XR_REFERENCE_SPACE_TYPE_LOCAL;
    types[2] = XR_REFERENCE_SPACE_TYPE_STAGE;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL create_reference_space(XrSession session, const XrReferenceSpaceCreateInfo *info, XrSpace *space) {
    (void)session;
    if (space_count == 32) return XR_ERROR_LIMIT_REACHED;
    spaces[space_count].kind = info->referenceSpaceType;
    spaces[space_count].action = -1;
    *space = HANDLE(XrSpace, ++space_count);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL create_action_space(XrSession session, const XrActionSpaceCreateInfo *info, XrSpace *space) {
    (void)session;
    if (space_count == 32) return XR_ERROR_LIMIT_REACHED;
    spaces[space_count].kind = 0;
    spaces[space_count].action = INDEX(info->action) - 1;
    spaces[space_count].hand = info->subactionPath;
    *space = HANDLE(XrSpace, ++space_count);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL destroy_space(XrSpace space) { (void)space; return XR_SUCCESS; }

/* The head stands 1.6 m above the stage floor; the hands are held in front at waist height. */
static XrPosef pose_of(int index) {
    XrPosef pose = {{0, 0, 0, 1}, {0, 0, 0}};
    if (index < 0 || spaces[index].kind == XR_REFERENCE_SPACE_TYPE_STAGE) return pose;
    if (spaces[index].kind == XR_REFERENCE_SPACE_TYPE_VIEW || spaces[index].kind == XR_REFERENCE_SPACE_TYPE_LOCAL) {
        pose.position.y = 1.6f;
        return pose;
    }
    int left = !strcmp(path_text(spaces[index].hand), "/user/hand/left");
    pose.position.x = left ? -0.2f : 0.2f;
    pose.position.y = 1.1f;
    pose.position.z = -0.3f;
    return pose;
}

static XrResult XRAPI_CALL locate_space(XrSpace space, XrSpace base, XrTime time, XrSpaceLocation *location) {
    (void)time;
    LOSABLE("xrLocateSpace", 1);
    XrPosef a = pose_of(INDEX(space) - 1), b = pose_of(INDEX(base) - 1);
    location->pose = a;
    location->pose.position.x -= b.position.x;
    location->pose.position.y -= b.position.y;
    location->pose.position.z -= b.position.z;
    int hand = spaces[INDEX(space) - 1].action >= 0;
    location->locationFlags = (hand && (state != XR_SESSION_STATE_FOCUSED || !controllers)) ? 0 :
        XR_SPACE_LOCATION_ORIENTATION_VALID_BIT | XR_SPACE_LOCATION_POSITION_VALID_BIT |
        XR_SPACE_LOCATION_ORIENTATION_TRACKED_BIT | XR_SPACE_LOCATION_POSITION_TRACKED_BIT;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL locate_views(XrSession session, const XrViewLocateInfo *info, XrViewState *view_state,
                                        uint32_t capacity, uint32_t *count, XrView *views) {
    (void)session;
    LOSABLE("xrLocateViews", 1);
    *count = 2;
    if (capacity == 0) return XR_SUCCESS;
    if (capacity < 2) return XR_ERROR_SIZE_INSUFFICIENT;
    XrPosef head = pose_of(-1), base = pose_of(INDEX(info->space) - 1);
    head.position.y = 1.6f - base.position.y;
    for (int i = 0; i < 2; i++) {
        views[i].pose = head;
        views[i].pose.position.x = i == 0 ? -0.032f : 0.032f;
        /* each eye sees further outward than inward, as a real headset's lenses do */
        views[i].fov.angleLeft = i == 0 ? -0.87f : -0.75f;
        views[i].fov.angleRight = i == 0 ? 0.75f : 0.87f;
        views[i].fov.angleUp = 0.73f;
        views[i].fov.angleDown = -0.87f;
    }
    view_state->viewStateFlags = XR_VIEW_STATE_ORIENTATION_VALID_BIT | XR_VIEW_STATE_POSITION_VALID_BIT |
                                 XR_VIEW_STATE_ORIENTATION_TRACKED_BIT | XR_VIEW_STATE_POSITION_TRACKED_BIT;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL string_to_path(XrInstance instance, const char *text, XrPath *path) {
    (void)instance;
    if (text[0] != '/') return XR_ERROR_PATH_FORMAT_INVALID;
    *path = path_of(text);
    return *path ? XR_SUCCESS : XR_ERROR_PATH_COUNT_EXCEEDED;
}

static XrResult XRAPI_CALL path_to_string(XrInstance instance, XrPath path, uint32_t capacity, uint32_t *count, char *buffer) {
    (void)instance;
    if (path < 1 || (int)path > path_count) return XR_ERROR_PATH_INVALID;
    return copy_string(path_text(path), capacity, count, buffer);
}

static XrResult XRAPI_CALL create_action_set(XrInstance instance, const XrActionSetCreateInfo *info, XrActionSet *set) {
    (void)instance;
    say("action set %s", info->actionSetName);
    live.action_set = 1;
    *set = HANDLE(XrActionSet, 1);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL destroy_action_set(XrActionSet set) { (void)set; action_count = 0; return XR_SUCCESS; }

static XrResult XRAPI_CALL create_action(XrActionSet set, const XrActionCreateInfo *info, XrAction *action) {
    (void)set;
    if (action_count == MAX_ACTIONS) return XR_ERROR_LIMIT_REACHED;
    for (int i = 0; i < action_count; i++)
        if (!strcmp(actions[i].name, info->actionName)) return XR_ERROR_NAME_DUPLICATED;
    strcpy(actions[action_count].name, info->actionName);
    actions[action_count].type = info->actionType;
    actions[action_count].nbound = 0;
    *action = HANDLE(XrAction, ++action_count);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL destroy_action(XrAction action) { (void)action; return XR_SUCCESS; }

static XrResult XRAPI_CALL suggest_bindings(XrInstance instance, const XrInteractionProfileSuggestedBinding *suggested) {
    (void)instance;
    const char *profile = path_text(suggested->interactionProfile);
    if (strncmp(profile, "/interaction_profiles/", 22)) return XR_ERROR_PATH_UNSUPPORTED;
    say("bindings %s %u", profile + 22, suggested->countSuggestedBindings);
    if (strcmp(profile, "/interaction_profiles/oculus/touch_controller")) return XR_SUCCESS;
    for (uint32_t i = 0; i < suggested->countSuggestedBindings; i++) {
        int a = INDEX(suggested->suggestedBindings[i].action) - 1;
        if (a < 0 || a >= action_count) return XR_ERROR_HANDLE_INVALID;
        if (actions[a].nbound < 8) actions[a].bound[actions[a].nbound++] = suggested->suggestedBindings[i].binding;
    }
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL attach_action_sets(XrSession session, const XrSessionActionSetsAttachInfo *info) {
    (void)session;
    say("attach %u action sets", info->countActionSets);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL sync_actions(XrSession session, const XrActionsSyncInfo *info) {
    (void)session; (void)info;
    LOSABLE("xrSyncActions", 1);
    if (!controllers && frames >= controllers_after) {  /* bound, as real runtimes tell, from a sync on */
        controllers = 1;
        say("controllers connected");
        tell(XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED, state);
    }
    return state == XR_SESSION_STATE_FOCUSED ? XR_SUCCESS : XR_SESSION_NOT_FOCUSED;
}

static XrResult XRAPI_CALL current_profile(XrSession session, XrPath user, XrInteractionProfileState *profile) {
    (void)session; (void)user;
    LOSABLE("xrGetCurrentInteractionProfile", 1);
    profile->interactionProfile = controllers ? path_of("/interaction_profiles/oculus/touch_controller") : XR_NULL_PATH;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL state_boolean(XrSession session, const XrActionStateGetInfo *info, XrActionStateBoolean *out) {
    (void)session; (void)info;
    LOSABLE("xrGetActionStateBoolean", 1);
    out->currentState = XR_FALSE;
    out->isActive = state == XR_SESSION_STATE_FOCUSED && controllers;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL state_float(XrSession session, const XrActionStateGetInfo *info, XrActionStateFloat *out) {
    (void)session; (void)info;
    LOSABLE("xrGetActionStateFloat", 1);
    out->currentState = 0;
    out->isActive = state == XR_SESSION_STATE_FOCUSED && controllers;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL state_vector2f(XrSession session, const XrActionStateGetInfo *info, XrActionStateVector2f *out) {
    (void)session;
    LOSABLE("xrGetActionStateVector2f", 1);
    int a = INDEX(info->action) - 1;
    int on_stick = bound_to(a, "/user/hand/left/input/thumbstick", info->subactionPath);
    out->isActive = state == XR_SESSION_STATE_FOCUSED && controllers;
    out->currentState.x = out->isActive && on_stick ? stick[0] : 0;
    out->currentState.y = out->isActive && on_stick ? stick[1] : 0;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL state_pose(XrSession session, const XrActionStateGetInfo *info, XrActionStatePose *out) {
    (void)session; (void)info;
    LOSABLE("xrGetActionStatePose", 1);
    out->isActive = state == XR_SESSION_STATE_FOCUSED && controllers;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL haptic(XrSession session, const XrHapticActionInfo *info, const XrHapticBaseHeader *feedback) {
    (void)session;
    LOSABLE("xrApplyHapticFeedback", 1);
    const XrHapticVibration *v = (const void *)feedback;
    if (feedback->type != XR_TYPE_HAPTIC_VIBRATION) return XR_ERROR_VALIDATION_FAILURE;
    say("haptic %s %.2f", path_text(info->subactionPath), v->amplitude);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL stop_haptic(XrSession session, const XrHapticActionInfo *info) {
    (void)session; (void)info;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL swapchain_formats(XrSession session, uint32_t capacity, uint32_t *count, int64_t *out) {
    (void)session;
    *count = format_count;
    if (capacity == 0) return XR_SUCCESS;
    if (capacity < format_count) return XR_ERROR_SIZE_INSUFFICIENT;
    memcpy(out, formats, sizeof formats[0] * format_count);
    return XR_SUCCESS;
}

static int offered(int64_t format) {
    for (uint32_t i = 0; i < format_count; i++)
        if (formats[i] == format) return 1;
    return 0;
}

static XrResult XRAPI_CALL create_swapchain(XrSession session, const XrSwapchainCreateInfo *info, XrSwapchain *swapchain) {
    (void)session;
    if (swapchain_count == 4) return XR_ERROR_LIMIT_REACHED;
    if (!offered(info->format)) return XR_ERROR_SWAPCHAIN_FORMAT_UNSUPPORTED;
    int s = swapchain_count++;
    swapchains[s].w = info->width;
    swapchains[s].h = info->height;
    swapchains[s].next = 0;
    swapchains[s].released = -1;
    glGenTextures(IMAGES, swapchains[s].images);
    for (int i = 0; i < IMAGES; i++) {
        glBindTexture(GL_TEXTURE_2D, swapchains[s].images[i]);
        glTexImage2D(GL_TEXTURE_2D, 0, (GLint)info->format, (GLsizei)info->width, (GLsizei)info->height, 0, GL_RGBA,
                     GL_UNSIGNED_BYTE, NULL);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);  /* complete with one level */
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, 0);
    }
    glBindTexture(GL_TEXTURE_2D, 0);
    say("swapchain %ux%u format 0x%llx", info->width, info->height, (unsigned long long)info->format);
    *swapchain = HANDLE(XrSwapchain, s + 1);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL destroy_swapchain(XrSwapchain swapchain) { (void)swapchain; return XR_SUCCESS; }

static XrResult XRAPI_CALL swapchain_images(XrSwapchain swapchain, uint32_t capacity, uint32_t *count, XrSwapchainImageBaseHeader *images) {
    int s = INDEX(swapchain) - 1;
    *count = IMAGES;
    if (capacity == 0) return XR_SUCCESS;
    if (capacity < IMAGES) return XR_ERROR_SIZE_INSUFFICIENT;
    XrSwapchainImageOpenGLKHR *gl = (void *)images;
    for (int i = 0; i < IMAGES; i++) {
        if (gl[i].type != XR_TYPE_SWAPCHAIN_IMAGE_OPENGL_KHR) return XR_ERROR_VALIDATION_FAILURE;
        gl[i].image = swapchains[s].images[i];
    }
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL acquire_image(XrSwapchain swapchain, const XrSwapchainImageAcquireInfo *info, uint32_t *index) {
    (void)info;
    LOSABLE("xrAcquireSwapchainImage", 1);
    int s = INDEX(swapchain) - 1;
    *index = (uint32_t)swapchains[s].next;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL wait_image(XrSwapchain swapchain, const XrSwapchainImageWaitInfo *info) {
    (void)swapchain; (void)info;
    LOSABLE("xrWaitSwapchainImage", 1);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL release_image(XrSwapchain swapchain, const XrSwapchainImageReleaseInfo *info) {
    (void)info;
    LOSABLE("xrReleaseSwapchainImage", 1);
    int s = INDEX(swapchain) - 1;
    swapchains[s].released = swapchains[s].next;
    swapchains[s].next = (swapchains[s].next + 1) % IMAGES;
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL result_to_string(XrInstance instance, XrResult value, char buffer[XR_MAX_RESULT_STRING_SIZE]) {
    (void)instance;
    snprintf(buffer, XR_MAX_RESULT_STRING_SIZE, "XR_RESULT_%d", (int)value);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL structure_to_string(XrInstance instance, XrStructureType value, char buffer[XR_MAX_STRUCTURE_NAME_SIZE]) {
    (void)instance;
    snprintf(buffer, XR_MAX_STRUCTURE_NAME_SIZE, "XR_TYPE_%d", (int)value);
    return XR_SUCCESS;
}

static XrResult XRAPI_CALL get_proc_addr(XrInstance instance, const char *name, PFN_xrVoidFunction *function);

static const struct { const char *name; PFN_xrVoidFunction function; } FUNCTIONS[] = {
#define F(n, f) {n, (PFN_xrVoidFunction)f}
    F("xrGetInstanceProcAddr", get_proc_addr), F("xrEnumerateInstanceExtensionProperties", enumerate_extensions),
    F("xrEnumerateApiLayerProperties", enumerate_layers), F("xrCreateInstance", create_instance),
    F("xrDestroyInstance", destroy_instance), F("xrGetInstanceProperties", instance_properties),
    F("xrGetSystem", get_system), F("xrGetSystemProperties", system_properties),
    F("xrEnumerateViewConfigurations", view_configurations), F("xrEnumerateViewConfigurationViews", view_configuration_views),
    F("xrEnumerateEnvironmentBlendModes", blend_modes), F("xrGetOpenGLGraphicsRequirementsKHR", gl_requirements),
    F("xrCreateSession", create_session), F("xrDestroySession", destroy_session), F("xrPollEvent", poll_event),
    F("xrBeginSession", begin_session), F("xrEndSession", end_session), F("xrRequestExitSession", request_exit),
    F("xrWaitFrame", wait_frame), F("xrBeginFrame", begin_frame), F("xrEndFrame", end_frame),
    F("xrEnumerateReferenceSpaces", reference_spaces), F("xrCreateReferenceSpace", create_reference_space),
    F("xrCreateActionSpace", create_action_space), F("xrDestroySpace", destroy_space), F("xrLocateSpace", locate_space),
    F("xrLocateViews", locate_views), F("xrStringToPath", string_to_path), F("xrPathToString", path_to_string),
    F("xrCreateActionSet", create_action_set), F("xrDestroyActionSet", destroy_action_set),
    F("xrCreateAction", create_action), F("xrDestroyAction", destroy_action),
    F("xrSuggestInteractionProfileBindings", suggest_bindings), F("xrAttachSessionActionSets", attach_action_sets),
    F("xrSyncActions", sync_actions), F("xrGetCurrentInteractionProfile", current_profile),
    F("xrGetActionStateBoolean", state_boolean), F("xrGetActionStateFloat", state_float),
    F("xrGetActionStateVector2f", state_vector2f), F("xrGetActionStatePose", state_pose),
    F("xrApplyHapticFeedback", haptic), F("xrStopHapticFeedback", stop_haptic),
    F("xrEnumerateSwapchainFormats", swapchain_formats), F("xrCreateSwapchain", create_swapchain),
    F("xrDestroySwapchain", destroy_swapchain), F("xrEnumerateSwapchainImages", swapchain_images),
    F("xrAcquireSwapchainImage", acquire_image), F("xrWaitSwapchainImage", wait_image),
    F("xrReleaseSwapchainImage", release_image), F("xrResultToString", result_to_string),
    F("xrStructureTypeToString", structure_to_string),
#undef F
};

static XrResult XRAPI_CALL get_proc_addr(XrInstance instance, const char *name, PFN_xrVoidFunction *function) {
    (void)instance;
    for (size_t i = 0; i < sizeof FUNCTIONS / sizeof FUNCTIONS[0]; i++)
        if (!strcmp(FUNCTIONS[i].name, name)) {
            *function = FUNCTIONS[i].function;
            return XR_SUCCESS;
        }
    *function = NULL;
    return XR_ERROR_FUNCTION_UNSUPPORTED;
}

EXPORT XrResult xrNegotiateLoaderRuntimeInterface(const NegotiateLoaderInfo *loader, NegotiateRuntimeRequest *request) {
    if (!loader || loader->structType != LOADER_INFO || loader->minInterfaceVersion > 1 || !request ||
        request->structType != RUNTIME_REQUEST)
        return XR_ERROR_INITIALIZATION_FAILED;
    request->runtimeInterfaceVersion = 1;
    request->runtimeApiVersion = loader->maxApiVersion;
    request->getInstanceProcAddr = get_proc_addr;
    return XR_SUCCESS;
}
