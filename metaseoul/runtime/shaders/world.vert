#version 330
// metaseoul world shader: one program for every static surface, so scenes flatten into few draws.

uniform mat4 p3d_ModelViewProjectionMatrix;
uniform mat4 p3d_ModelViewMatrix;
uniform mat4 p3d_ModelMatrix;
uniform mat3 p3d_NormalMatrix;
uniform struct p3d_LightSourceParameters {
    vec4 color;
    vec4 position;
    sampler2DShadow shadowMap;
    mat4 shadowViewMatrix;
} p3d_LightSource[1];

in vec4 p3d_Vertex;
in vec3 p3d_Normal;
in vec4 p3d_Color;
in vec2 p3d_MultiTexCoord0;
in vec4 surface;  // pattern id, pattern scale (m), variation, shine

out vec3 v_world;
out vec3 v_normal;
out vec4 v_color;
out vec4 v_surface;
out vec4 v_shadow;
out vec2 v_uv;

void main() {
    gl_Position = p3d_ModelViewProjectionMatrix * p3d_Vertex;
    v_world = (p3d_ModelMatrix * p3d_Vertex).xyz;
    v_normal = mat3(p3d_ModelMatrix) * p3d_Normal;
    v_color = p3d_Color;
    v_surface = surface;
    v_uv = p3d_MultiTexCoord0;
    // normal offset keeps large flat surfaces from shadowing themselves
    vec3 view_normal = normalize(p3d_NormalMatrix * p3d_Normal);
    vec4 view_pos = p3d_ModelViewMatrix * p3d_Vertex;
    float offset = dot(p3d_Normal, p3d_Normal) > 0.25 ? 0.06 : 0.0;
    v_shadow = p3d_LightSource[0].shadowViewMatrix * vec4(view_pos.xyz + view_normal * offset, 1.0);
}
