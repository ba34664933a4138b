/* A small OpenVR runtime ("vrclient.so") for tests: a headset and two controllers that are always
 * there, behind the real OpenVR loader (the openvr package's libopenvr_api), the way the OpenXR test
 * runtime stands in for SteamVR behind the OpenXR loader. The loader finds it through a path registry
 * named by VR_PATHREG_OVERRIDE, in <runtime>/bin/linux64/vrclient.so.
 *
 * OpenVR's interfaces are C function tables ("FnTable:IVRSystem_023"); the order of their entries and
 * the layout of the structures come from the openvr package itself, written into openvr_layout.h by
 * the test fixture, so this file names functions, not positions. It reports what the application did
 * (runtime_report.h), in $METASEOUL_TEST_VR_OUT: events.log (init, frames, haptic pulses, quit
 * acknowledged, cleanup) and the eye textures submitted in frame 3.
 *
 * The left controller's stick reads $METASEOUL_TEST_VR_STICK ("x y"); SteamVR asks the application to
 * quit after $METASEOUL_TEST_VR_FRAMES frames; after $METASEOUL_TEST_VR_LOSE_AFTER frames SteamVR's
 * server is gone, as when it crashes: the compositor's calls fail (VRCompositorError_RequestFailed).
 */
#include <GL/gl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openvr_layout.h"
#include "runtime_report.h"

#define EXPORT __attribute__((visibility("default")))
#define EYE_W 256
#define EYE_H 240
#define CAPTURE_FRAME 3
#define HMD 0
#define LEFT_HAND 1
#define RIGHT_HAND 2
#define INVALID_DEVICE 0xFFFFFFFFu
#define EVENT_QUIT 700
#define BUTTON_TRIGGER 33

#define REQUEST_FAILED 1 /* VRCompositorError_RequestFailed */

static int frames, quit_after = -1, quit_sent, lose_after = -1;
static float stick[2];

typedef struct { float m[3][4]; } Matrix34;

static Matrix34 at(float x, float y, float z) {
    Matrix34 p = {{{1, 0, 0, x}, {0, 1, 0, y}, {0, 0, 1, z}}};
    return p;
}

/* -- IVRSystem ---------------------------------------------------------------------------------- */

static void render_target_size(uint32_t *width, uint32_t *height) { *width = EYE_W; *height = EYE_H; }

static void projection_raw(int eye, float *left, float *right, float *top, float *bottom) {
    /* tangents, y down; each eye sees further outward than inward */
    *left = eye == 0 ? -1.2f : -1.0f;
    *right = eye == 0 ? 1.0f : 1.2f;
    *top = -1.1f;
    *bottom = 1.1f;
}

static Matrix34 eye_to_head(int eye) { return at(eye == 0 ? -0.032f : 0.032f, 0, 0); }

static uint32_t controller_for_role(int role) {
    return role == 1 ? LEFT_HAND : role == 2 ? RIGHT_HAND : INVALID_DEVICE;
}

static uint8_t poll_event(unsigned char *event, uint32_t size) {
    if (quit_after < 0 || frames < quit_after || quit_sent) return 0;
    memset(event, 0, size);
    uint32_t type = EVENT_QUIT;
    memcpy(event + EVENT_TYPE_OFFSET, &type, sizeof type);
    quit_sent = 1;
    say("SteamVR asks the application to quit");
    return 1;
}

static uint8_t controller_state(uint32_t device, unsigned char *state, uint32_t size) {
    if (device != LEFT_HAND && device != RIGHT_HAND) return 0;
    memset(state, 0, size);
    uint32_t packet = (uint32_t)frames;
    memcpy(state + STATE_PACKET_OFFSET, &packet, sizeof packet);
    if (device == LEFT_HAND) memcpy(state + STATE_AXES_OFFSET, stick, sizeof stick);
    return 1;
}

static void haptic_pulse(uint32_t device, uint32_t axis, unsigned short microseconds) {
    (void)axis;
    say("haptic %s %u", device == LEFT_HAND ? "left" : "right", microseconds);
}

static void acknowledge_quit(void) { say("quit acknowledged"); }

static uint8_t input_available(void) { return 1; }

/* -- IVRCompositor ------------------------------------------------------------------------------ */

static void set_tracking_space(int origin) { say("tracking space %d", origin); }

static void put_pose(unsigned char *poses, uint32_t count, uint32_t device, Matrix34 where) {
    if (device >= count) return;
    unsigned char *pose = poses + (size_t)device * POSE_SIZE;
    memset(pose, 0, POSE_SIZE);
    memcpy(pose + POSE_MATRIX_OFFSET, &where, sizeof where);
    pose[POSE_VALID_OFFSET] = 1;
    pose[POSE_CONNECTED_OFFSET] = 1;
}

static int wait_get_poses(unsigned char *render, uint32_t render_count, unsigned char *game, uint32_t game_count) {
    (void)game; (void)game_count;
    if (lose_after >= 0 && frames >= lose_after) {
        say("SteamVR is gone after %d frames", frames);
        return REQUEST_FAILED;
    }
    frames++;
    memset(render, 0, (size_t)render_count * POSE_SIZE);
    put_pose(render, render_count, HMD, at(0, 1.6f, 0));  /* standing universe: the floor is y = 0 */
    put_pose(render, render_count, LEFT_HAND, at(-0.2f, 1.1f, -0.3f));
    put_pose(render, render_count, RIGHT_HAND, at(0.2f, 1.1f, -0.3f));
    return 0;
}

static int submit(int eye, const unsigned char *texture, const void *bounds, int flags) {
    (void)bounds; (void)flags;
    if (lose_after >= 0 && frames > lose_after) return REQUEST_FAILED;
    void *handle;
    int type;
    memcpy(&handle, texture + TEXTURE_HANDLE_OFFSET, sizeof handle);
    memcpy(&type, texture + TEXTURE_TYPE_OFFSET, sizeof type);
    if (type != 1) return 100; /* VRCompositorError_TextureIsOnWrongDevice: only OpenGL here */
    say("frame %d submit %s", frames, eye == 0 ? "left" : "right");
    if (frames == CAPTURE_FRAME) report_image(eye == 0 ? "left" : "right", (GLuint)(uintptr_t)handle);
    return 0;
}

static uint64_t unused(void) { return 0; }

static void *system_table[SYSTEM_COUNT], *compositor_table[COMPOSITOR_COUNT];

/* -- IVRClientCore: a C++ interface, so an object whose first word points at its virtual functions -- */

static int core_init(void *self, int application_type, const char *startup) {
    (void)self; (void)startup;
    const char *v;
    report_open("METASEOUL_TEST_VR_OUT");
    if ((v = getenv("METASEOUL_TEST_VR_FRAMES"))) quit_after = atoi(v);
    if ((v = getenv("METASEOUL_TEST_VR_STICK"))) sscanf(v, "%f %f", &stick[0], &stick[1]);
    if ((v = getenv("METASEOUL_TEST_VR_LOSE_AFTER"))) lose_after = atoi(v);
    frames = quit_sent = 0;
    for (int i = 0; i < SYSTEM_COUNT; i++) system_table[i] = (void *)unused;
    for (int i = 0; i < COMPOSITOR_COUNT; i++) compositor_table[i] = (void *)unused;
    system_table[SYSTEM_getRecommendedRenderTargetSize] = (void *)render_target_size;
    system_table[SYSTEM_getProjectionRaw] = (void *)projection_raw;
    system_table[SYSTEM_getEyeToHeadTransform] = (void *)eye_to_head;
    system_table[SYSTEM_getTrackedDeviceIndexForControllerRole] = (void *)controller_for_role;
    system_table[SYSTEM_pollNextEvent] = (void *)poll_event;
    system_table[SYSTEM_getControllerState] = (void *)controller_state;
    system_table[SYSTEM_triggerHapticPulse] = (void *)haptic_pulse;
    system_table[SYSTEM_acknowledgeQuit_Exiting] = (void *)acknowledge_quit;
    system_table[SYSTEM_isInputAvailable] = (void *)input_available;
    compositor_table[COMPOSITOR_setTrackingSpace] = (void *)set_tracking_space;
    compositor_table[COMPOSITOR_waitGetPoses] = (void *)wait_get_poses;
    compositor_table[COMPOSITOR_submit] = (void *)submit;
    say("init application type %d", application_type);
    return 0;
}

static void core_cleanup(void *self) {
    (void)self;
    say("cleanup after %d frames", frames);
    report_close();
}

static int core_interface_valid(void *self, const char *version) {
    (void)self;
    return strcmp(version, SYSTEM_VERSION) && strcmp(version, COMPOSITOR_VERSION) ? 108 : 0; /* InterfaceNotFound */
}

static void *core_interface(void *self, const char *name, int *error) {
    (void)self;
    *error = 0;
    if (!strcmp(name, "FnTable:" SYSTEM_VERSION)) return system_table;
    if (!strcmp(name, "FnTable:" COMPOSITOR_VERSION)) return compositor_table;
    *error = 108;
    return NULL;
}

static uint8_t core_hmd_present(void *self) { (void)self; return 1; }
static const char *core_error_text(void *self, int error) { (void)self; (void)error; return "test runtime error"; }
static const char *core_error_id(void *self, int error) { (void)self; (void)error; return "VRInitError_Test"; }

static void *core_methods[] = {(void *)core_init, (void *)core_cleanup, (void *)core_interface_valid,
                               (void *)core_interface, (void *)core_hmd_present, (void *)core_error_text,
                               (void *)core_error_id};
static struct { void **methods; } core = {core_methods};

EXPORT void *VRClientCoreFactory(const char *version, int *code) {
    if (strcmp(version, "IVRClientCore_003")) {
        *code = 108;
        return NULL;
    }
    *code = 0;
    return &core;
}
