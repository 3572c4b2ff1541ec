//! `face liveness`: a live/spoof verdict only when a model measured
//! usable ([`crate::liveness::LIVENESS_VERDICT`]); today it refuses with
//! the measured figures.

use crate::liveness::{LivenessVerdict, LIVENESS_VERDICT, MIN_USABLE_AUC};
use crate::{FaceError, ImageInput};

/// The verdict record of this build (what `--json` prints), and the
/// refusal for `input`: [`FaceError::NoUsableLiveness`] with the figures
/// while no model measured usable.
pub fn liveness(input: &ImageInput) -> (LivenessVerdict, FaceError) {
    let v = LIVENESS_VERDICT;
    if v.usable {
        // A model was recorded as usable, but the per-face verdict (score,
        // threshold, live/spoof) has not been written for it yet.
        return (v, FaceError::NoLivenessVerdictCode);
    }
    let refusal = FaceError::NoUsableLiveness {
        image: input.label(),
        antispoof_auc: v.antispoof_auc,
        liveness_auc: v.liveness_auc,
        min_auc: MIN_USABLE_AUC,
        reason: v.reason,
    };
    (v, refusal)
}
