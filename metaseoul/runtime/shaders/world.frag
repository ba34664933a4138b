#version 330
// Lighting: sun with a PCF shadow map, hemisphere sky light (dimmed inside rooms), sky reflections on glass and water,
// procedural surface patterns in world space, aerial haze, filmic tone mapping.

uniform struct p3d_LightSourceParameters {
    vec4 color;
    vec4 position;
    sampler2DShadow shadowMap;
    mat4 shadowViewMatrix;
} p3d_LightSource[1];
uniform struct p3d_MaterialParameters {
    vec4 baseColor;
} p3d_Material;
uniform sampler2D p3d_Texture0;
uniform mat4 p3d_ViewMatrixInverse;

uniform vec3 sun_direction;   // world space, towards the sun
uniform vec3 sun_color;       // linear
uniform vec3 sky_zenith;      // linear
uniform vec3 sky_horizon;     // linear
uniform vec3 ground_bounce;   // linear
uniform float ambient_strength;
uniform float fog_distance;
uniform float exposure;
uniform float texture_mode;   // 0 vertex colours only, 1 text (alpha from texture), 2 glTF material
uniform vec4 room_center[16]; // a room's inside: centre (xyz) and heading in radians (w)
uniform vec4 room_half[16];   // its half size (xyz) and its sky-light scale, the room's "ambient" (w)
uniform float room_count;
uniform vec4 room_fill[16];   // the light of the room's ceiling panels, spread evenly (lumen method): linear rgb

in vec3 v_world;
in vec3 v_normal;
in vec4 v_color;
in vec4 v_surface;
in vec4 v_shadow;
in vec2 v_uv;

out vec4 frag_color;

float hash(vec2 p) {
    p = fract(p * vec2(123.34, 456.21));
    p += dot(p, p + 45.32);
    return fract(p.x * p.y);
}

float noise(vec2 p) {
    vec2 i = floor(p), f = fract(p);
    vec2 u = f * f * (3.0 - 2.0 * f);
    return mix(mix(hash(i), hash(i + vec2(1, 0)), u.x), mix(hash(i + vec2(0, 1)), hash(i + vec2(1, 1)), u.x), u.y);
}

float fbm(vec2 p) {
    return 0.5 * noise(p) + 0.3 * noise(p * 2.03 + 1.7) + 0.2 * noise(p * 4.01 + 3.1);
}

vec3 sky_colour(vec3 dir) {
    float up = clamp(dir.z, 0.0, 1.0);
    vec3 sky = mix(sky_horizon, sky_zenith, pow(up, 0.55));
    float sun = max(dot(dir, sun_direction), 0.0);
    return sky + sun_color * 0.25 * pow(sun, 24.0);
}

// The sky-light scale at p: the ambient of the room whose inside holds p (a box turned by its heading), else 1.
int room_at(vec3 p) {
    for (int i = 0; i < 16; i++) {
        if (float(i) >= room_count) {
            break;
        }
        vec3 d = p - room_center[i].xyz;
        float c = cos(room_center[i].w), s = sin(room_center[i].w);
        vec3 local = vec3(c * d.x + s * d.y, c * d.y - s * d.x, d.z);
        if (all(lessThanEqual(abs(local), room_half[i].xyz))) {
            return i;
        }
    }
    return -1;
}

float shadow_at() {
    // one tap: with linear filtering the comparison sampler already blends four texels (2x2 PCF)
    return v_shadow.w > 0.0 ? textureProj(p3d_LightSource[0].shadowMap, v_shadow) : 1.0;
}

// Lamps (runtime/lights.py): the nearest 16, in candela / LUX_PER_UNIT, inverse-square windowed to 0 at range.
uniform float light_count;
uniform vec4 light_position[16];  // xyz, range (m)
uniform vec4 light_color[16];     // linear colour x intensity on the axis; w: 0 point, 1 spot, 2 area
uniform vec4 light_aim[16];       // unit axis; w: cos of the spot's half angle
uniform vec4 light_shape[16];     // cos of the spot's inner half angle, area half width, half depth, shadow slot or -1
uniform vec4 light_axis[16];      // an area light's width axis
uniform mat4 p3d_ViewMatrix;
uniform struct LampShadow {
    sampler2DShadow shadowMap;
    mat4 shadowViewMatrix;
} light_shadow0, light_shadow1, light_shadow2, light_shadow3;

// 1 where the lamp sees the point (or the point lies outside its shadow map's cone), 0 in its shadow.
float lamp_shadow_tap(sampler2DShadow map, mat4 shadow_view, vec4 view_pos) {
    vec4 c = shadow_view * view_pos;
    if (c.w <= 0.0) {
        return 1.0;
    }
    vec3 p = c.xyz / c.w;
    if (any(lessThan(p, vec3(0.0))) || any(greaterThan(p, vec3(1.0)))) {
        return 1.0;
    }
    return textureProj(map, c);
}

float lamp_shadow(int slot, vec4 view_pos) {
    if (slot == 0) return lamp_shadow_tap(light_shadow0.shadowMap, light_shadow0.shadowViewMatrix, view_pos);
    if (slot == 1) return lamp_shadow_tap(light_shadow1.shadowMap, light_shadow1.shadowViewMatrix, view_pos);
    if (slot == 2) return lamp_shadow_tap(light_shadow2.shadowMap, light_shadow2.shadowViewMatrix, view_pos);
    if (slot == 3) return lamp_shadow_tap(light_shadow3.shadowMap, light_shadow3.shadowViewMatrix, view_pos);
    return 1.0;
}

// The light the lamps add at this fragment: diffuse plus the material's shine.
vec3 local_lights(vec3 albedo, vec3 n, vec3 to_eye) {
    vec3 total = vec3(0.0);
    vec4 view_pos = p3d_ViewMatrix * vec4(v_world + n * 0.03, 1.0);
    int count = int(light_count + 0.5);
    for (int i = 0; i < 16; i++) {
        if (i >= count) {
            break;
        }
        vec3 to_centre = light_position[i].xyz - v_world;
        float reach = light_position[i].w + light_shape[i].y + light_shape[i].z;
        if (dot(to_centre, to_centre) > reach * reach) {  // out of range: skip the rest (whole pixel blocks at once)
            continue;
        }
        vec4 shape = light_shape[i];
        vec3 axis = light_aim[i].xyz;
        int kind = int(light_color[i].w + 0.5);
        vec3 source = light_position[i].xyz;
        if (kind == 2) {  // area: the panel's nearest point stands for the whole panel
            vec3 across = light_axis[i].xyz;
            vec3 along = cross(axis, across);
            vec3 rel = v_world - source;
            source += across * clamp(dot(rel, across), -shape.y, shape.y) + along * clamp(dot(rel, along), -shape.z, shape.z);
        }
        vec3 to_light = source - v_world;
        float d2 = max(dot(to_light, to_light), 0.0025);
        vec3 l = to_light * inversesqrt(d2);
        float fade = clamp(1.0 - d2 * d2 / pow(light_position[i].w, 4.0), 0.0, 1.0);
        float lobe = 1.0;
        if (kind == 1) {
            float cos_outer = light_aim[i].w;
            lobe = smoothstep(0.0, 1.0, (dot(-l, axis) - cos_outer) / max(shape.x - cos_outer, 1e-4));
        } else if (kind == 2) {
            lobe = max(dot(-l, axis), 0.0);
        }
        float e = lobe * max(dot(n, l), 0.0) * fade * fade / d2;
        if (e <= 0.0) {
            continue;
        }
        if (shape.w > -0.5) {
            e *= lamp_shadow(int(shape.w + 0.5), view_pos);
        }
        vec3 h = normalize(l + to_eye);
        total += light_color[i].rgb * e * (albedo + v_surface.w * pow(max(dot(n, h), 0.0), 80.0));
    }
    return total;
}

// Pattern coordinates: the ground plane for floors and roofs seen from above, else (along wall, height).
vec2 surface_uv(vec3 n) {
    if (abs(n.z) > 0.75) {
        return v_world.xy;
    }
    vec2 across = normalize(vec2(-n.y, n.x) + vec2(1e-5, 0.0));
    return vec2(dot(v_world.xy, across), v_world.z);
}

// 1 on a line of half-width w around each whole number of x, filtered over the pixel's footprint
// (fw) so thin joints fade to grey in the distance instead of breaking into dashes.
float grid_line(float x, float w, float fw) {
    float d = abs(fract(x + 0.5) - 0.5);
    return (1.0 - smoothstep(w, w + fw, d)) * min(1.0, 2.0 * w / max(fw, 1e-5));
}

// Returns the albedo multiplier; may bend the normal and set how mirror-like the surface is.
float pattern(int kind, float scale, vec2 uv, inout vec3 n, inout float mirror) {
    vec2 p = uv / max(scale, 0.01);
    vec2 fw = fwidth(p);  // taken before branching: derivatives need uniform control flow
    float detail = 1.0 - smoothstep(0.2, 0.6, max(fw.x, fw.y));  // per-cell tints fade out with distance
    if (kind == 1) {  // grass: mowing stripes and clumps
        float stripe = step(0.5, fract(uv.x / 6.0)) * 0.08;
        return 0.85 + 0.35 * fbm(uv * 1.3) + stripe;
    }
    if (kind == 2) {  // paving: tiles with grout and per-tile tint
        float grout = 1.0 - max(grid_line(p.x, 0.02, fw.x), grid_line(p.y, 0.02, fw.y));
        return mix(0.55, 0.85 + 0.3 * detail * (hash(floor(p)) - 0.5) + 0.15, grout) * (0.95 + 0.1 * noise(uv * 3.0));
    }
    if (kind == 3) {  // ashlar stone: offset courses
        vec2 q = vec2(p.x * 0.5, p.y * 1.2);
        q.x += 0.5 * mod(floor(q.y), 2.0);
        float joint = 1.0 - max(grid_line(q.x, 0.015, fw.x * 0.5), grid_line(q.y, 0.03, fw.y * 1.2));
        return mix(0.6, 0.8 + 0.35 * detail * (hash(floor(q)) - 0.5) + 0.17, joint) * (0.9 + 0.2 * noise(uv * 4.0));
    }
    if (kind == 4) {  // curtain wall: mullions around panes that mirror the sky
        vec2 q = vec2(p.x, p.y * 0.75);
        float frame = 1.0 - max(grid_line(q.x, 0.03, fw.x), grid_line(q.y, 0.04, fw.y * 0.75));
        mirror = 0.75 * frame;
        return mix(0.6, 0.99 + 0.08 * detail * (hash(floor(q)) - 0.5), frame);
    }
    if (kind == 5) {  // giwa: rows of convex and concave tiles running down the slope
        float row = sin(p.x * 6.2831);
        n = normalize(n + 0.35 * row * vec3(-n.y, n.x, 0.0));
        return 0.8 + 0.2 * row + 0.15 * (hash(floor(vec2(p.x, p.y * 1.2))) - 0.5);
    }
    if (kind == 6) {  // asphalt
        return 0.85 + 0.3 * noise(uv * 6.0) + 0.1 * noise(uv * 0.2);
    }
    if (kind == 7) {  // water
        mirror = 0.8;
        n = normalize(n + 0.05 * vec3(noise(uv * 4.0) - 0.5, noise(uv * 4.0 + 7.0) - 0.5, 0.0));
        return 1.0;
    }
    if (kind == 8) {  // plaster and mortar
        return 0.92 + 0.16 * fbm(uv * 2.0);
    }
    if (kind == 9) {  // painted wood: grain along its length
        return 0.88 + 0.24 * noise(vec2(uv.x * 8.0 / scale, uv.y * 0.6));
    }
    if (kind == 10) {  // metal
        mirror = 0.25;
        return 1.0;
    }
    if (kind == 11 || kind == 12) {  // bark, leaves
        return 0.65 + 0.6 * fbm(uv * (kind == 12 ? 1.7 : 5.0));
    }
    if (kind == 13) {  // planks: boards (scale = a board's width) with staggered ends and grain
        float row = floor(p.y);
        float along = p.x / 8.0 + hash(vec2(row, 3.1));
        float joint = 1.0 - max(grid_line(p.y, 0.02, fw.y), grid_line(along, 0.003, fw.x / 8.0));
        float board = detail * (hash(vec2(floor(along), row)) - 0.5);
        return mix(0.55, 0.9 + 0.25 * board + 0.15 * noise(vec2(p.x * 1.5, p.y * 12.0)), joint);
    }
    if (kind == 14) {  // marble: slabs (scale = a slab's side) of pale stone with soft dark veins
        float vein = 1.0 - smoothstep(0.0, 0.14, abs(sin(p.x * 2.1 + p.y * 1.3 + 5.0 * fbm(p * 1.4))));
        float joint = 1.0 - max(grid_line(p.x, 0.004, fw.x), grid_line(p.y, 0.004, fw.y));
        return mix(0.8, 1.0 + 0.08 * fbm(p * 3.0) - 0.45 * vein, joint);
    }
    if (kind == 15) {  // carpet and fabric: a fine pile (scale = its weave) over a soft mottle
        return 0.9 + 0.2 * detail * (noise(p * 2.0) - 0.5) + 0.12 * (fbm(uv * 0.8) - 0.5);
    }
    return 1.0;
}

void main() {
    vec4 base = v_color;
    vec3 n = v_normal;
    if (dot(n, n) < 0.25) {  // text and some models carry no normals: use the face's
        n = cross(dFdx(v_world), dFdy(v_world));
    }
    n = normalize(n);
    if (!gl_FrontFacing) {
        n = -n;
    }
    if (texture_mode > 0.5 && texture_mode < 1.5) {
        base.a *= texture(p3d_Texture0, v_uv).a;
    } else if (texture_mode > 1.5) {
        base *= p3d_Material.baseColor * texture(p3d_Texture0, v_uv);
    }
    if (base.a < 0.02) {
        discard;
    }
    vec3 albedo = pow(base.rgb, vec3(2.2));
    int kind = int(v_surface.x + 0.5);
    float variation = v_surface.z;
    float mirror = 0.0;
    vec2 uv = surface_uv(n);
    float shape = pattern(kind, v_surface.y, uv, n, mirror);
    // where a pattern cell shrinks below a few pixels, fade to its average instead of aliasing
    float blur = smoothstep(0.3, 1.0, length(fwidth(uv / max(v_surface.y, 0.01))));
    shape = mix(shape, 0.85, blur);
    mirror = kind == 4 ? mix(mirror, 0.65, blur) : mirror;
    albedo *= mix(1.0, shape, clamp(variation * 2.5, 0.0, 1.0));
    albedo *= 1.0 + variation * 0.5 * (noise(v_world.xy * 0.05) - 0.5);

    vec3 camera = p3d_ViewMatrixInverse[3].xyz;
    vec3 to_eye = normalize(camera - v_world);
    float lambert = max(dot(n, sun_direction), 0.0);
    float lit = lambert > 0.0 ? shadow_at() : 0.0;
    int room = room_at(v_world);
    float sky_light = room < 0 ? 1.0 : room_half[room].w;  // indoors only the room's share of the sky reaches
    vec3 hemi = mix(ground_bounce, mix(sky_horizon, sky_zenith, 0.5), 0.5 + 0.5 * n.z) * ambient_strength * sky_light;
    vec3 colour = albedo * (sun_color * lambert * lit + hemi);
    if (room >= 0) {  // ceiling panels light floors fully, walls less, the ceiling by what bounces back
        colour += albedo * room_fill[room].rgb * (0.55 + 0.45 * n.z);
    }

    float shine = v_surface.w;
    vec3 half_vector = normalize(sun_direction + to_eye);
    colour += sun_color * lit * shine * pow(max(dot(n, half_vector), 0.0), 80.0);
    colour += local_lights(albedo, n, to_eye);
    if (mirror > 0.0) {
        float fresnel = 0.04 + 0.96 * pow(1.0 - max(dot(n, to_eye), 0.0), 5.0);
        vec3 reflected = sky_colour(reflect(-to_eye, n)) * sky_light;
        colour = mix(colour, reflected * (0.8 + 0.2 * lit), clamp(mirror * (0.45 + fresnel), 0.0, 1.0));
    }

    float distance = length(camera - v_world);
    float haze = 1.0 - exp(-distance / fog_distance * 0.693);
    colour = mix(colour, sky_horizon, haze);

    colour *= exposure;
    colour = colour * (2.51 * colour + 0.03) / (colour * (2.43 * colour + 0.59) + 0.14);  // ACES fit
    frag_color = vec4(pow(clamp(colour, 0.0, 1.0), vec3(1.0 / 2.2)), base.a);
}
