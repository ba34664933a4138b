#version 330
// The screen's texture holds sRGB colours, written out unchanged (no light, haze or tone mapping).

uniform sampler2D p3d_Texture0;

in vec2 v_uv;

out vec4 frag_color;

void main() {
    frag_color = vec4(texture(p3d_Texture0, v_uv).rgb, 1.0);
}
