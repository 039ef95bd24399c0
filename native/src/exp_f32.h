// Vectorisable float32 eˣ (elementwise.c's map, rows.c's softmax): see elementwise.c for how
// its approximations are written and checked.
#pragma once
#include <stdint.h>
#include <string.h>

static inline float f32_of_bits(uint32_t b) {
  float f;
  memcpy(&f, &b, sizeof f);
  return f;
}
static inline uint32_t bits_of_f32(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof b);
  return b;
}

// eˣ: x = k·ln2 + r (k rounded to nearest even by the 1.5·2²³ shift, which also gives k's bits),
// eʳ by Taylor to r⁷, times 2ᵏ in two factors so that subnormal and overflowing results round as
// float32 does. NaN stays NaN.
static inline float exp_f32(float v) {
  float x = v < -104.0f ? -104.0f : v > 89.0f ? 89.0f : v;
  float shifted = x * 1.44269504088896341f + 12582912.0f;
  float kf = shifted - 12582912.0f;
  float r = x - kf * 0.693359375f;
  r = r - kf * -2.12194440e-4f;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t k = (int32_t)(bits_of_f32(shifted) - 0x4B400000u); // −150 … 128
  int32_t k1 = k >> 1, k2 = k - k1;
  return p * f32_of_bits((uint32_t)(k1 + 127) << 23) * f32_of_bits((uint32_t)(k2 + 127) << 23);
}

