//! How one upscaling model wants its input prepared and its output read,
//! parsed from the model's `[model.facts]` in `models.toml`.

use crate::UpscaleError;
use seer_models::ModelSpec;

/// Tensor layout at the model boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Layout {
    /// `[1, C, H, W]`.
    Nchw,
    /// `[1, H, W, C]`.
    Nhwc,
}

/// How context pixels beyond the image border are made up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum PadMode {
    /// Repeat the edge pixel.
    Replicate,
    /// Mirror without repeating the edge pixel (…, 2, 1, 0, 1, 2, …).
    Reflect,
}

/// Whether the model can run on tiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Tiling {
    /// Output depends only on a local neighbourhood: tiles with `pad`
    /// context give the untiled result.
    Ok,
    /// The model has global operations (e.g. global pooling): it must see
    /// the whole image at once.
    No,
}

/// What the model's output is relative to the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Residual {
    /// The output is the upscaled image itself.
    None,
    /// The output is a correction added to the input enlarged by nearest
    /// neighbour (Real-CUGAN ×4 leaves this addition to the caller).
    Nearest,
}

/// The conventions of one upscaling model (all sizes in pixels).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct UpscaleConvention {
    /// Model id, e.g. `upscale.srmdnf.x2`.
    pub model: String,
    /// Output pixels per input pixel along each axis.
    pub scale: u32,
    /// Tensor layout.
    pub layout: Layout,
    /// Pixel values the model works on: 1 (0..1) or 255 (0..255).
    pub value_range: f32,
    /// Context pixels (input resolution) added on each side before inference.
    pub pad: u32,
    /// How the context beyond the image border is filled.
    pub pad_mode: PadMode,
    /// The padded input's width and height must be multiples of this
    /// (1 when the model takes any size); extra rows/columns go bottom/right.
    pub pad_multiple: u32,
    /// Output pixels (output resolution) cropped from each side after the
    /// model's own border loss.
    pub output_crop: u32,
    /// Constant channels appended after RGB (not scaled by `value_range`).
    pub extra_channels: Vec<f32>,
    /// Ladder tier the model belongs to (`fast`, `photo`, `perceptual`,
    /// `anime`), if any.
    pub tier: Option<String>,
    /// Whether the model may run on tiles.
    pub tiling: Tiling,
    /// Whether the output must be added to the enlarged input (fact
    /// `residual`, optional; default none).
    pub residual: Residual,
}

impl UpscaleConvention {
    /// Reads the conventions from a catalogue entry; the error names the
    /// model and the fact that is missing or wrong.
    pub fn from_spec(spec: &ModelSpec) -> Result<UpscaleConvention, UpscaleError> {
        let bad = |fact: &str, detail: &str| UpscaleError::Convention {
            model: spec.id.clone(),
            detail: format!("fact '{fact}' {detail}"),
        };
        let int = |fact: &str, min: i64| -> Result<u32, UpscaleError> {
            let v = spec
                .facts
                .get(fact)
                .ok_or_else(|| bad(fact, "is missing"))?
                .as_integer()
                .ok_or_else(|| bad(fact, "is not an integer"))?;
            if v < min || v > 4096 {
                return Err(bad(fact, &format!("is {v}, outside {min}..=4096")));
            }
            Ok(v as u32)
        };
        let text = |fact: &str| -> Result<String, UpscaleError> {
            Ok(spec
                .facts
                .get(fact)
                .ok_or_else(|| bad(fact, "is missing"))?
                .as_str()
                .ok_or_else(|| bad(fact, "is not a string"))?
                .to_string())
        };
        let layout = match text("layout")?.as_str() {
            "NCHW" => Layout::Nchw,
            "NHWC" => Layout::Nhwc,
            other => return Err(bad("layout", &format!("is '{other}', not NCHW or NHWC"))),
        };
        let value_range = match int("value_range", 1)? {
            1 => 1.0,
            255 => 255.0,
            other => return Err(bad("value_range", &format!("is {other}, not 1 or 255"))),
        };
        let pad_mode = match text("pad_mode")?.as_str() {
            "replicate" => PadMode::Replicate,
            "reflect" => PadMode::Reflect,
            other => {
                return Err(bad(
                    "pad_mode",
                    &format!("is '{other}', not replicate or reflect"),
                ))
            }
        };
        let tiling = match text("tiling")?.as_str() {
            "ok" => Tiling::Ok,
            "no" => Tiling::No,
            other => return Err(bad("tiling", &format!("is '{other}', not ok or no"))),
        };
        let extra_channels = spec
            .facts
            .get("extra_channels")
            .ok_or_else(|| bad("extra_channels", "is missing"))?
            .as_array()
            .ok_or_else(|| bad("extra_channels", "is not an array"))?
            .iter()
            .map(|v| {
                v.as_float()
                    .or_else(|| v.as_integer().map(|i| i as f64))
                    .map(|f| f as f32)
                    .ok_or_else(|| bad("extra_channels", "holds a value that is not a number"))
            })
            .collect::<Result<Vec<f32>, _>>()?;
        let tier = match spec.facts.get("tier") {
            None => None,
            Some(v) => Some(
                v.as_str()
                    .ok_or_else(|| bad("tier", "is not a string"))?
                    .to_string(),
            ),
        };
        let residual = match spec.facts.get("residual") {
            None => Residual::None,
            Some(v) => match v.as_str() {
                Some("nearest") => Residual::Nearest,
                _ => return Err(bad("residual", &format!("is {v}, not \"nearest\""))),
            },
        };
        Ok(UpscaleConvention {
            model: spec.id.clone(),
            scale: int("scale", 1)?,
            layout,
            value_range,
            pad: int("pad", 0)?,
            pad_mode,
            pad_multiple: int("pad_multiple", 1)?,
            output_crop: int("output_crop", 0)?,
            extra_channels,
            tier,
            tiling,
            residual,
        })
    }

    /// Channels of the model input: RGB plus the constant channels.
    pub fn input_channels(&self) -> usize {
        3 + self.extra_channels.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seer_models::Catalog;

    #[test]
    fn every_builtin_upscaler_parses() {
        let catalog = Catalog::builtin();
        let mut count = 0;
        for spec in catalog
            .models
            .iter()
            .filter(|m| m.id.starts_with("upscale."))
        {
            let c = UpscaleConvention::from_spec(spec).unwrap_or_else(|e| panic!("{e}"));
            assert!(c.scale >= 2, "{}", spec.id);
            assert!(spec.id.ends_with(&format!(".x{}", c.scale)), "{}", spec.id);
            count += 1;
        }
        assert_eq!(count, 35);
        let srmdnf = UpscaleConvention::from_spec(catalog.model("upscale.srmdnf.x3").unwrap());
        let srmdnf = srmdnf.unwrap();
        assert_eq!(srmdnf.input_channels(), 18);
        assert_eq!((srmdnf.pad, srmdnf.output_crop), (12, 36));
        let srmd = UpscaleConvention::from_spec(catalog.model("upscale.srmd.x2").unwrap()).unwrap();
        assert_eq!(srmd.input_channels(), 19);
        let cunet = catalog.model("upscale.waifu2x-cunet.x2").unwrap();
        assert_eq!(
            UpscaleConvention::from_spec(cunet).unwrap().tiling,
            Tiling::No
        );
        let cugan = |id: &str| UpscaleConvention::from_spec(catalog.model(id).unwrap()).unwrap();
        let x2 = cugan("upscale.realcugan-se-conservative.x2");
        assert_eq!((x2.pad, x2.pad_multiple, x2.tiling), (18, 2, Tiling::No));
        assert_eq!(
            (x2.pad_mode, x2.residual),
            (PadMode::Reflect, Residual::None)
        );
        let x3 = cugan("upscale.realcugan-se-no-denoise.x3");
        assert_eq!((x3.pad, x3.pad_multiple), (14, 4));
        let x4 = cugan("upscale.realcugan-se-denoise3x.x4");
        assert_eq!(
            (x4.pad, x4.pad_multiple, x4.residual),
            (19, 2, Residual::Nearest)
        );
    }

    #[test]
    fn missing_or_wrong_facts_name_the_model() {
        let catalog = Catalog::builtin();
        let mut spec = catalog.model("upscale.srmdnf.x2").unwrap().clone();
        spec.facts.remove("pad");
        let err = UpscaleConvention::from_spec(&spec).unwrap_err().to_string();
        assert!(
            err.contains("upscale.srmdnf.x2") && err.contains("'pad'"),
            "{err}"
        );
        let mut spec = catalog.model("upscale.srmdnf.x2").unwrap().clone();
        let layout = spec.facts["tier"].clone(); // a string value to reuse
        spec.facts.insert("layout".into(), layout);
        let err = UpscaleConvention::from_spec(&spec).unwrap_err().to_string();
        assert!(err.contains("layout") && err.contains("photo"), "{err}");
    }
}
