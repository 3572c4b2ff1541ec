//! Element-wise activations fused into the layer that precedes them.

/// An activation applied to each output value after the bias.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Activation {
    /// No activation.
    Identity,
    /// max(x, 0).
    Relu,
    /// x for x ≥ 0, else alpha · x.
    LeakyRelu(f32),
    /// x for x ≥ 0, else slope[channel] · x (one slope per channel).
    PRelu(Vec<f32>),
}

impl Activation {
    /// The activation of `x` on output channel `channel`.
    #[inline(always)]
    pub(crate) fn apply(&self, x: f32, channel: usize) -> f32 {
        match self {
            Activation::Identity => x,
            Activation::Relu => x.max(0.0),
            Activation::LeakyRelu(alpha) => {
                if x >= 0.0 {
                    x
                } else {
                    alpha * x
                }
            }
            Activation::PRelu(slope) => {
                if x >= 0.0 {
                    x
                } else {
                    slope[channel] * x
                }
            }
        }
    }
}
