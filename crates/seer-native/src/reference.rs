//! Slow, obviously correct versions of the native layers, for tests.

use super::activation::Activation;
use super::planes::Planes;

/// Direct 3×3 stride-1 cross-correlation with zero padding `pad`, bias and
/// activation; `weights` are `[cout][cin][3][3]`.
pub(crate) fn direct_conv3x3(
    input: &Planes,
    weights: &[f32],
    bias: &[f32],
    pad: usize,
    activation: &Activation,
) -> Planes {
    let cin = input.channels;
    let cout = bias.len();
    let ow = (input.width + 2 * pad).saturating_sub(2);
    let oh = (input.height + 2 * pad).saturating_sub(2);
    let mut out = Planes::zeros(cout, ow, oh);
    for co in 0..cout {
        for y in 0..oh {
            for x in 0..ow {
                let mut sum = f64::from(bias[co]);
                for ci in 0..cin {
                    for ky in 0..3 {
                        for kx in 0..3 {
                            let iy = (y + ky) as isize - pad as isize;
                            let ix = (x + kx) as isize - pad as isize;
                            if iy < 0
                                || ix < 0
                                || iy >= input.height as isize
                                || ix >= input.width as isize
                            {
                                continue;
                            }
                            let v = input.plane(ci)[iy as usize * input.width + ix as usize];
                            let w = weights[((co * cin + ci) * 3 + ky) * 3 + kx];
                            sum += f64::from(v) * f64::from(w);
                        }
                    }
                }
                out.plane_mut(co)[y * ow + x] = activation.apply(sum as f32, co);
            }
        }
    }
    out
}

/// The largest absolute difference between two equally long slices.
pub(crate) fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "compared lengths");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max)
}

/// `n` values uniform in -0.5..0.5.
pub(crate) fn random(rng: &mut seer_core::random::SeededRng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.uniform() - 0.5).collect()
}
