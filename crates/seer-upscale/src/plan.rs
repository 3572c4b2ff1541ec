//! Choosing which models to run for a requested scale: a tier name, a model
//! family or a model id, resolved against the catalogue's facts.
//!
//! * A scale the candidates have natively runs that one model.
//! * ×8 without a native ×8 model is a chain: ×4 then ×2 (each resolved the
//!   same way).
//! * Otherwise the smallest native scale above the request is used (or, if
//!   none, the largest repeated) and the result is shrunk with Lanczos to the
//!   requested scale.

use crate::{UpscaleConvention, UpscaleError};
use seer_models::Catalog;

/// The models to run, in order, and what the final resize does.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct UpscalePlan {
    /// Model ids applied one after the other.
    pub chain: Vec<String>,
    /// The scale the caller asked for (output pixels per input pixel).
    pub scale: u32,
    /// The product of the chain's native scales; when larger than `scale`
    /// the result is shrunk with Lanczos by `scale / native_scale`.
    pub native_scale: u32,
}

impl UpscalePlan {
    /// True when a Lanczos downscale follows the models.
    pub fn lanczos_downscale(&self) -> bool {
        self.native_scale != self.scale
    }
}

/// Every upscaling model of the catalogue with its convention.
fn upscalers(catalog: &Catalog) -> Result<Vec<UpscaleConvention>, UpscaleError> {
    catalog
        .models
        .iter()
        .filter(|m| m.id.starts_with("upscale."))
        .map(UpscaleConvention::from_spec)
        .collect()
}

/// The tier names used in the catalogue, sorted, comma-separated.
fn tier_names(all: &[UpscaleConvention]) -> String {
    let mut tiers: Vec<&str> = all.iter().filter_map(|c| c.tier.as_deref()).collect();
    tiers.sort_unstable();
    tiers.dedup();
    tiers.join(", ")
}

/// The family of a model id: the id without its `.xN` suffix.
fn family(id: &str) -> &str {
    id.rsplit_once(".x").map(|(f, _)| f).unwrap_or(id)
}

/// Candidate models for `name`: a tier, an exact id (its whole family when
/// another scale is requested), or a family with or without `upscale.`.
fn candidates(all: &[UpscaleConvention], name: &str, scale: Option<u32>) -> Vec<UpscaleConvention> {
    let by_tier: Vec<_> = all
        .iter()
        .filter(|c| c.tier.as_deref() == Some(name))
        .cloned()
        .collect();
    if !by_tier.is_empty() {
        return by_tier;
    }
    if let Some(exact) = all.iter().find(|c| c.model == name) {
        if scale.is_none() || scale == Some(exact.scale) {
            return vec![exact.clone()];
        }
        return all
            .iter()
            .filter(|c| family(&c.model) == family(name))
            .cloned()
            .collect();
    }
    let wanted = if name.starts_with("upscale.") {
        name.to_string()
    } else {
        format!("upscale.{name}")
    };
    all.iter()
        .filter(|c| family(&c.model) == wanted)
        .cloned()
        .collect()
}

/// Models (ids and native scales) reaching at least `k` from `natives`.
fn resolve(natives: &[(u32, String)], k: u32) -> Vec<(u32, String)> {
    if let Some(exact) = natives.iter().find(|(s, _)| *s == k) {
        return vec![exact.clone()];
    }
    if k == 8 {
        let mut chain = resolve(natives, 4);
        chain.extend(resolve(natives, 2));
        return chain;
    }
    if let Some(above) = natives
        .iter()
        .filter(|(s, _)| *s > k)
        .min_by_key(|(s, _)| *s)
    {
        return vec![above.clone()];
    }
    match natives.iter().max_by_key(|(s, _)| *s) {
        Some(largest) if largest.0 >= 2 => {
            let rest = k.div_ceil(largest.0);
            let mut chain = vec![largest.clone()];
            if rest > 1 {
                chain.extend(resolve(natives, rest));
            }
            chain
        }
        _ => Vec::new(),
    }
}

/// Plans how to upscale by `scale` (default: the smallest native scale of
/// the candidates) with the models `name` stands for.
pub fn plan(
    catalog: &Catalog,
    name: &str,
    scale: Option<u32>,
) -> Result<UpscalePlan, UpscaleError> {
    if let Some(s) = scale {
        if !(2..=16).contains(&s) {
            return Err(UpscaleError::BadScale { scale: s });
        }
    }
    let all = upscalers(catalog)?;
    let found = candidates(&all, name, scale);
    let unknown = || UpscaleError::UnknownModel {
        name: name.to_string(),
        tiers: tier_names(&all),
    };
    let mut natives: Vec<(u32, String)> =
        found.iter().map(|c| (c.scale, c.model.clone())).collect();
    natives.sort();
    let smallest = natives.first().ok_or_else(unknown)?.0;
    let scale = scale.unwrap_or(smallest);
    let chain = resolve(&natives, scale);
    if chain.is_empty() {
        return Err(unknown());
    }
    Ok(UpscalePlan {
        native_scale: chain.iter().map(|(s, _)| s).product(),
        chain: chain.into_iter().map(|(_, id)| id).collect(),
        scale,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, scale: Option<u32>) -> UpscalePlan {
        plan(&Catalog::builtin(), name, scale).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn tiers_pick_their_native_models() {
        assert_eq!(
            p("fast", Some(2)).chain,
            ["upscale.waifu2x-upconv7-photo.x2"]
        );
        assert_eq!(p("photo", Some(3)).chain, ["upscale.srmdnf.x3"]);
        assert_eq!(
            p("perceptual", None).chain,
            ["upscale.realesrgan-x4plus.x4"]
        );
        assert_eq!(
            p("anime", Some(4)).chain,
            ["upscale.realesr-animevideov3.x4"]
        );
        assert_eq!(p("photo", None).scale, 2);
        assert_eq!(
            p("anime-quality", Some(3)).chain,
            ["upscale.realcugan-se-conservative.x3"]
        );
    }

    #[test]
    fn realcugan_variants_are_families() {
        assert_eq!(
            p("realcugan-se-no-denoise", Some(4)).chain,
            ["upscale.realcugan-se-no-denoise.x4"]
        );
        // denoise1x exists only at ×2: ×4 is ×2 twice.
        let d1 = p("realcugan-se-denoise1x", Some(4));
        assert_eq!(d1.chain, ["upscale.realcugan-se-denoise1x.x2"; 2]);
        assert!(!d1.lanczos_downscale());
    }

    #[test]
    fn x8_is_native_for_esrgan_and_chained_otherwise() {
        assert_eq!(p("esrgan-slim", Some(8)).chain, ["upscale.esrgan-slim.x8"]);
        assert_eq!(
            p("upscale.esrgan-thick.x2", Some(8)).chain,
            ["upscale.esrgan-thick.x8"]
        );
        let photo = p("photo", Some(8));
        assert_eq!(photo.chain, ["upscale.srmdnf.x4", "upscale.srmdnf.x2"]);
        assert!(!photo.lanczos_downscale());
    }

    #[test]
    fn missing_scales_fall_back_to_a_larger_one_and_lanczos() {
        let x2 = p("perceptual", Some(2));
        assert_eq!(x2.chain, ["upscale.realesrgan-x4plus.x4"]);
        assert_eq!((x2.native_scale, x2.lanczos_downscale()), (4, true));
        let fast3 = p("fast", Some(3));
        assert_eq!(fast3.chain.len(), 2);
        assert_eq!(fast3.native_scale, 4);
        let fast8 = p("fast", Some(8));
        assert_eq!((fast8.chain.len(), fast8.native_scale), (3, 8));
    }

    #[test]
    fn unknown_names_and_scales_are_errors() {
        let err = plan(&Catalog::builtin(), "sharp", Some(2))
            .unwrap_err()
            .to_string();
        assert!(err.contains("'sharp'") && err.contains("photo"), "{err}");
        assert!(plan(&Catalog::builtin(), "photo", Some(1)).is_err());
        assert!(plan(&Catalog::builtin(), "face.detect.full", Some(2)).is_err());
    }
}
