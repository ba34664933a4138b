#version 330
// The sky dome: a zenith-to-horizon gradient, the sun with its glow, and drifting fair-weather clouds.

uniform vec3 sun_direction;
uniform vec3 sun_color;
uniform vec3 sky_zenith;
uniform vec3 sky_horizon;
uniform vec3 ground_bounce;
uniform float exposure;

in vec3 v_direction;
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

void main() {
    vec3 dir = normalize(v_direction);
    float up = clamp(dir.z, 0.0, 1.0);
    vec3 colour = mix(sky_horizon, sky_zenith, pow(up, 0.55));
    if (dir.z > 0.02) {
        vec2 p = dir.xy / (dir.z + 0.15) * 1.6;
        float cloud = 0.55 * noise(p) + 0.3 * noise(p * 2.1 + 4.0) + 0.15 * noise(p * 4.3 + 9.0);
        cloud = smoothstep(0.55, 0.8, cloud) * smoothstep(0.02, 0.25, dir.z);
        vec3 cloud_colour = sun_color * 0.55 + sky_horizon * 0.6;
        colour = mix(colour, cloud_colour, cloud * 0.8);
    } else {
        // below the horizon: the haze over a distant city
        colour = mix(sky_horizon, sky_horizon * 0.55 + ground_bounce * 0.25, clamp(-dir.z * 3.0, 0.0, 1.0));
    }
    float sun = max(dot(dir, sun_direction), 0.0);
    colour += sun_color * (0.35 * pow(sun, 32.0) + 40.0 * smoothstep(0.99985, 0.99995, sun));
    colour *= exposure;
    colour = colour * (2.51 * colour + 0.03) / (colour * (2.43 * colour + 0.59) + 0.14);
    frag_color = vec4(pow(clamp(colour, 0.0, 1.0), vec3(1.0 / 2.2)), 1.0);
}
