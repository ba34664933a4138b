#version 330
// A lamp's fitting glows in its colour (glow: brightness, lower when the lamp is off), tone-mapped like the world.
uniform vec4 glow;
uniform float exposure;
in vec4 v_color;
out vec4 frag_color;

void main() {
    vec3 colour = pow(v_color.rgb, vec3(2.2)) * glow.x * exposure;
    colour = colour * (2.51 * colour + 0.03) / (colour * (2.43 * colour + 0.59) + 0.14);  // ACES fit
    frag_color = vec4(pow(clamp(colour, 0.0, 1.0), vec3(1.0 / 2.2)), 1.0);
}
